import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One long-lived command-line client (psql or mariadb) driven through pipes: cutover writes a batch
/// of input followed by a command that prints a unique marker line, then reads stdout up to the
/// marker. The clients stop at the first error (ON_ERROR_STOP / batch mode without --force), so an
/// EOF before the marker means the batch failed, and stderr says why. The caller then opens a new
/// channel; in a passing run one client serves the whole run.
final class ClientChannel: @unchecked Sendable {
    enum Failure: Error {
        /// The client exited before the marker; its stderr, and the stdout lines it printed.
        case exited(stderr: String, status: Int32)
        case timedOut(Double)
    }

    let child: ChildProcess
    let marker: String
    private let stderr = StderrCollector()
    private var pending: [UInt8] = []
    private var token: CleanupRegistry.Token?

    init(_ executable: String, _ arguments: [String], environment: [String: String], label: String) throws {
        child = try ChildProcess(executable, arguments, environment: environment, stdin: .pipe, stdout: .pipe, stderr: .pipe)
        marker = "__cutover_\(UUID().uuidString.replacingOccurrences(of: "-", with: ""))__"
        let child = self.child
        token = CleanupRegistry.shared.register("\(label) (pid \(child.pid))") { child.stop(SIGTERM, grace: 2) }
        let collector = stderr
        let fd = child.stderrFD
        let thread = Thread { collector.drain(fd) }
        thread.stackSize = 1 << 18
        thread.start()
    }

    deinit { close() }

    var isAlive: Bool { child.poll() == nil }

    /// Writes `input` then `markerCommand` (which must print the marker on a line of its own) and
    /// returns the stdout lines printed before the marker.
    func exchange(_ input: String, markerCommand: String, timeout: Double) throws -> [String] {
        stderr.reset()
        // A failed write means the client is gone; the read below then sees EOF and reports why.
        _ = child.write(input + "\n" + markerCommand + "\n")
        var lines: [String] = []
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            if let newline = pending.firstIndex(of: 10) {
                let line = String(decoding: pending[..<newline], as: UTF8.self)
                pending.removeSubrange(...newline)
                if line == marker { return lines }
                lines.append(line)
                continue
            }
            let remaining = deadline.timeIntervalSinceNow
            if remaining <= 0 {
                child.stop(SIGTERM, grace: 2)
                throw Failure.timedOut(timeout)
            }
            var descriptor = pollfd(fd: child.stdoutFD, events: Int16(POLLIN), revents: 0)
            let ready = Glibc_poll(&descriptor, Int32(min(remaining, 1) * 1000))
            if ready < 0 && errno == EINTR { continue }
            if ready == 0 { continue }
            var buffer = [UInt8](repeating: 0, count: 65536)
            let n = buffer.withUnsafeMutableBytes { read(child.stdoutFD, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 {
                // EOF: the client stopped at an error (or could not connect).
                let status = child.wait(timeout: 10) ?? -1
                stderr.waitForEOF(timeout: 5)
                throw Failure.exited(stderr: stderr.text, status: ChildProcess.exitCode(status))
            }
            pending.append(contentsOf: buffer[0..<n])
        }
    }

    /// Ends the client: EOF on stdin, then TERM if it lingers.
    func close() {
        child.closeStdin()
        if child.wait(timeout: 2) == nil { child.stop(SIGTERM, grace: 2) }
        if let token { CleanupRegistry.shared.unregister(token); self.token = nil }
    }
}

/// Reads a child's stderr on its own thread, so a chatty client never blocks on a full pipe.
private final class StderrCollector: @unchecked Sendable {
    private let condition = NSCondition()
    private var data: [UInt8] = []
    private var ended = false

    func drain(_ fd: Int32) {
        var buffer = [UInt8](repeating: 0, count: 16384)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            condition.lock()
            data.append(contentsOf: buffer[0..<n])
            if data.count > 1 << 20 { data.removeFirst(data.count - (1 << 20)) }
            condition.unlock()
        }
        condition.lock()
        ended = true
        condition.broadcast()
        condition.unlock()
    }

    func reset() {
        condition.lock(); data.removeAll(); condition.unlock()
    }

    func waitForEOF(timeout: Double) {
        let deadline = Date().addingTimeInterval(timeout)
        condition.lock()
        while !ended && condition.wait(until: deadline) {}
        condition.unlock()
    }

    var text: String {
        condition.lock(); defer { condition.unlock() }
        return String(decoding: data, as: UTF8.self)
    }
}

#if canImport(Glibc)
private func Glibc_poll(_ descriptor: UnsafeMutablePointer<pollfd>, _ timeout: Int32) -> Int32 {
    Glibc.poll(descriptor, 1, timeout)
}
#else
private func Glibc_poll(_ descriptor: UnsafeMutablePointer<pollfd>, _ timeout: Int32) -> Int32 {
    Darwin.poll(descriptor, 1, timeout)
}
#endif
