import CutoverPlan
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An exclusive `flock` on `<root>/.<name>.cutover-lock`, held by `OutputWriter.write` from before
/// it reads the old tree until the new one is in place, so two runs into one folder take turns
/// instead of carrying over each other's half-built trees.
///
/// The holder removes the file before it unlocks, which keeps the output folder clean; a waiter
/// that then wins the lock on the removed file sees that the path no longer names its file and
/// tries again, so two runs can never hold "the" lock on two different files.
final class OutputLock {
    private let descriptor: Int32
    private let path: String

    private init(descriptor: Int32, path: String) {
        self.descriptor = descriptor
        self.path = path
    }

    deinit { release() }

    private var released = false

    /// Waits up to `timeout` seconds for the lock; `display` names the output folder in messages.
    /// `waiting` is called once, when the lock is found held, with a line for the user.
    static func acquire(path: String, display: String, timeout: Double,
                        waiting: (@Sendable (String) -> Void)? = nil) throws -> OutputLock {
        let deadline = Date().addingTimeInterval(timeout)
        var told = false
        while true {
            let descriptor = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0o644)
            guard descriptor >= 0 else {
                throw CutoverError.cannotWrite(OutputWriter.displayPath(path), IOErrorText.reason(errno: errno))
            }
            if flock(descriptor, LOCK_EX | LOCK_NB) == 0 {
                var held = stat(), named = stat()
                if fstat(descriptor, &held) == 0, lstat(path, &named) == 0,
                   held.st_dev == named.st_dev, held.st_ino == named.st_ino {
                    return OutputLock(descriptor: descriptor, path: path)
                }
                close(descriptor)
                continue
            }
            let failure = errno
            close(descriptor)
            guard failure == EWOULDBLOCK || failure == EINTR else {
                throw CutoverError.cannotWrite(OutputWriter.displayPath(path), IOErrorText.reason(errno: failure))
            }
            if !told {
                told = true
                waiting?("waiting for another cutover run writing '\(display)' (up to \(Int(timeout.rounded(.up))) s)")
            }
            if Date() >= deadline {
                throw CutoverError.busy("cannot write '\(display)': another cutover run is writing it "
                    + "(waited \(Int(timeout.rounded(.up))) s for '\(OutputWriter.displayPath(path))'); try again when it is done")
            }
            usleep(20_000)
        }
    }

    func release() {
        guard !released else { return }
        released = true
        unlink(path)
        close(descriptor)
    }
}
