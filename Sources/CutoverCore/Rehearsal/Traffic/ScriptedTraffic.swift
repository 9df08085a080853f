import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The app's own statements for one version (a `TrafficScript`), sent in order and again from the
/// top while that version serves, in a session of its own with the spec's lock timeout, beside the
/// statements derived from the schema. Every refusal is recorded with the server's error.
final class ScriptedTraffic: @unchecked Sendable {
    let version: String
    let script: TrafficScript
    let engine: MigrationSpec.Engine
    let lockTimeout: String
    /// Pause between statements (seconds): about as busy as the derived traffic.
    var pause: Double = 0.01
    private let connect: () throws -> SQLSession
    private let lock = NSLock()
    private var stopping = false
    private var started = false
    private let finished = DispatchSemaphore(value: 0)
    private var report: TrafficReport
    private var startTime = Date()

    init(version: String, script: TrafficScript, engine: MigrationSpec.Engine, lockTimeout: String,
         connect: @escaping () throws -> SQLSession) {
        self.version = version
        self.script = script
        self.engine = engine
        self.lockTimeout = lockTimeout
        self.connect = connect
        report = TrafficReport(version: version)
    }

    func start() {
        lock.lock()
        guard !started else { lock.unlock(); return }
        started = true
        startTime = Date()
        lock.unlock()
        let thread = Thread { [self] in
            run()
            finished.signal()
        }
        thread.name = "cutover scripted traffic \(version)"
        thread.start()
    }

    func stop() -> TrafficReport {
        lock.lock()
        stopping = true
        let wasStarted = started
        lock.unlock()
        if wasStarted { finished.wait(); finished.signal() }
        var result = report
        result.seconds = Date().timeIntervalSince(startTime)
        return result
    }

    private var shouldStop: Bool {
        lock.lock(); defer { lock.unlock() }
        return stopping
    }

    /// The lock timeout as the derived traffic sets it.
    var settings: String {
        switch engine {
        case .postgresql:
            let value = Duration.parse(lockTimeout).map { "\($0.milliseconds)ms" } ?? lockTimeout
            return "SET lock_timeout = \(TrafficSQL(engine).literal(value))"
        case .mysql:
            let seconds = max(1, Duration.parse(lockTimeout)?.seconds ?? 5)
            return "SET SESSION lock_wait_timeout = \(seconds), SESSION innodb_lock_wait_timeout = \(seconds)"
        }
    }

    private func run() {
        var session: SQLSession?
        var index = 0
        while !shouldStop {
            if session == nil {
                do {
                    let opened = try connect()
                    try opened.execute(settings)
                    session = opened
                } catch {
                    record("(connect)", "\(error)")
                    return
                }
            }
            let statement = script.statements[index % script.statements.count]
            index += 1
            let sentAt = Date().timeIntervalSince(startTime)
            report.sent += 1
            do { _ = try session?.query(statement.text) } catch {
                record("\(statement.text)  [\((script.path as NSString).lastPathComponent):\(statement.line)]", "\(error)", at: sentAt)
                // A failed statement may leave the session in an aborted transaction: start afresh.
                session?.close()
                session = nil
            }
            if pause > 0 { usleep(useconds_t(pause * 1_000_000)) }
        }
        session?.close()
    }

    private func record(_ statement: String, _ error: String, at elapsed: Double? = nil) {
        report.failed += 1
        if report.failures.count < AppTraffic.failureLimit {
            report.failures.append(TrafficFailure(statement: statement, error: error,
                                                  elapsed: elapsed ?? Date().timeIntervalSince(startTime), kind: "script", table: ""))
        }
    }
}
