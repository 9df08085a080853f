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
    private let queue = DispatchQueue(label: "cutover.verify.signals")

    /// Registers a clean-up action; the returned token removes it once the caller has undone it.
    /// After an interrupt the main path may still be creating things for a moment: those are undone
    /// at once, so nothing is left behind between the handler's clean-up and its exit.
    public func register(_ label: String, _ action: @escaping @Sendable () -> Void) -> Token {
        lock.lock()
        nextID += 1
        let token = Token(id: nextID)
        guard interruptedBy == nil else {
            lock.unlock()
            action()
            return token
        }
        entries.append((nextID, label, action))
        lock.unlock()
        return token
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
    public func runAll() {
        lock.lock()
        let pending = entries.reversed()
        entries.removeAll()
        lock.unlock()
        for entry in pending { entry.action() }
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
                self?.runAll()
                exit(128 + number)
            }
            source.resume()
            sources.append(source)
        }
    }
}
