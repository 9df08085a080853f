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
    private let queue = DispatchQueue(label: "cutover.verify.signals")

    /// Registers a clean-up action; the returned token removes it once the caller has undone it.
    public func register(_ label: String, _ action: @escaping @Sendable () -> Void) -> Token {
        lock.lock(); defer { lock.unlock() }
        nextID += 1
        entries.append((nextID, label, action))
        return Token(id: nextID)
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

    /// Catches SIGINT, SIGTERM and SIGHUP once per process: clean up, then exit 128 + signal.
    public func installSignalHandlers() {
        lock.lock(); defer { lock.unlock() }
        guard sources.isEmpty else { return }
        for number in [SIGINT, SIGTERM, SIGHUP] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setEventHandler { [weak self] in
                FileHandle.standardError.write(Data("cutover verify: interrupted (signal \(number)); stopping what it started\n".utf8))
                self?.runAll()
                exit(128 + number)
            }
            source.resume()
            sources.append(source)
        }
    }
}
