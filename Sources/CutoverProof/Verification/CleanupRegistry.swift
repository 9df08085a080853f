import Dispatch
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Everything verification started and must undo: servers (stopped by their own PID), client
/// processes and temporary folders. Normal paths undo their own entries; on SIGINT, SIGTERM or
/// SIGHUP every remaining entry runs, newest first, and the process exits with 128 + signal.
public final class CleanupRegistry: @unchecked Sendable {
    public static let shared = CleanupRegistry()

    public struct Token: Hashable, Sendable { fileprivate let id: Int }

    private let lock = NSLock()
    private var nextID = 0
    private var entries: [(id: Int, label: String, action: @Sendable () -> Void)] = []
    private var sources: [DispatchSourceSignal] = []
    private var interruptedBy: Int32?
    private var finals: [@Sendable () -> Void] = []
    private let queue = DispatchQueue(label: "cutover.verify.signals")

    /// Registers a clean-up action; the returned token removes it once the caller has undone it.
    /// A `final` action (removing the scratch folder) also runs once more at the very end of an
    /// interrupt, after whatever the main path registered while the clean-up was under way.
    public func register(_ label: String, final: Bool = false, _ action: @escaping @Sendable () -> Void) -> Token {
        lock.lock(); defer { lock.unlock() }
        nextID += 1
        entries.append((nextID, label, action))
        if final { finals.append(action) }
        return Token(id: nextID)
    }

    /// True once a signal arrived; the main path must then leave the exit to the handler (128 + signal)
    /// instead of reporting the failures the clean-up causes.
    public var isInterrupted: Bool {
        lock.lock(); defer { lock.unlock() }
        return interruptedBy != nil
    }

    /// Parks the calling thread for good when a signal arrived, so the handler's exit code wins.
    public func yieldToInterrupt() {
        guard isInterrupted else { return }
        while true { pause() }
    }

    public func unregister(_ token: Token) {
        lock.lock(); defer { lock.unlock() }
        entries.removeAll { $0.id == token.id }
    }

    /// Runs every pending action, newest first; each runs once even when called from two threads.
    /// Returns how many ran.
    @discardableResult
    public func runAll() -> Int {
        lock.lock()
        let pending = entries.reversed()
        entries.removeAll()
        lock.unlock()
        for entry in pending { entry.action() }
        return pending.count
    }

    /// The interrupt's clean-up: the main path keeps running for a moment (a server may finish
    /// starting and register itself), so run until nothing new was registered for 200 ms, then the
    /// final actions once more, so the scratch folder goes after everything that wrote into it.
    private func cleanUpAfterInterrupt() {
        var quiet = 0
        while quiet < 4 {
            if runAll() == 0 { quiet += 1; usleep(50_000) } else { quiet = 0 }
        }
        lock.lock()
        let last = finals
        lock.unlock()
        for action in last { action() }
    }

    private func markInterrupted(_ number: Int32) {
        lock.lock(); defer { lock.unlock() }
        if interruptedBy == nil { interruptedBy = number }
    }

    /// Catches SIGINT, SIGTERM and SIGHUP once per process: clean up, then exit 128 + signal.
    public func installSignalHandlers() {
        lock.lock(); defer { lock.unlock() }
        guard sources.isEmpty else { return }
        for number in [SIGINT, SIGTERM, SIGHUP] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setEventHandler { [weak self] in
                self?.markInterrupted(number)
                FileHandle.standardError.write(Data("cutover verify: interrupted (signal \(number)); stopping what it started\n".utf8))
                self?.cleanUpAfterInterrupt()
                exit(128 + number)
            }
            source.resume()
            sources.append(source)
        }
    }
}
