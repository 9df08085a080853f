import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A child process started with `posix_spawn`, with full control over what it inherits: its own
/// process group (a terminal's Ctrl-C reaches cutover only, which then stops what it started in
/// order), default signal dispositions, and pipes that no other child inherits (every descriptor
/// cutover opens is close-on-exec), so an EOF on a child's stdout really means that child is gone.
///
/// Foundation's `Process` decides none of these portably, so verification spawns through this type.
public final class ChildProcess: @unchecked Sendable {
    public enum Stream: Sendable {
        /// `/dev/null`.
        case null
        /// A pipe whose other end cutover reads (stdout/stderr) or writes (stdin).
        case pipe
        /// The same pipe as stdout (stderr only).
        case stdout
        /// Append to a file.
        case file(String)
    }

    public let pid: pid_t
    public let executable: String
    /// Cutover's end of the child's stdin, stdout and stderr pipes; -1 when not a pipe.
    public private(set) var stdinFD: Int32
    public private(set) var stdoutFD: Int32
    public private(set) var stderrFD: Int32

    private let lock = NSLock()
    private var exitStatus: Int32?

    /// Starts `executable` (an absolute path) with `arguments` (not including argv[0]).
    public init(_ executable: String, _ arguments: [String], environment: [String: String]? = nil,
                directory: String? = nil, stdin: Stream = .null, stdout: Stream = .pipe, stderr: Stream = .pipe) throws {
        ChildProcess.ignoreSIGPIPE
        self.executable = executable
        var parentEnds: [Int32] = []
        var childEnds: [Int32] = []
        defer { for fd in childEnds { close(fd) } }
        func pipePair() throws -> (read: Int32, write: Int32) {
            // pipe + FD_CLOEXEC under `spawnLock`, so no other spawn of ours can inherit the pair in between.
            var fds: [Int32] = [0, 0]
            guard pipe(&fds) == 0 else { throw VerificationError.system("pipe", errno) }
            _ = fcntl(fds[0], F_SETFD, FD_CLOEXEC)
            _ = fcntl(fds[1], F_SETFD, FD_CLOEXEC)
            return (fds[0], fds[1])
        }

        #if os(Linux)
        var actions = posix_spawn_file_actions_t()
        var attributes = posix_spawnattr_t()
        #else
        var actions: posix_spawn_file_actions_t?
        var attributes: posix_spawnattr_t?
        #endif
        posix_spawn_file_actions_init(&actions)
        posix_spawnattr_init(&attributes)
        defer {
            posix_spawn_file_actions_destroy(&actions)
            posix_spawnattr_destroy(&attributes)
        }

        ChildProcess.spawnLock.lock()
        defer { ChildProcess.spawnLock.unlock() }
        var inFD: Int32 = -1, outFD: Int32 = -1, errFD: Int32 = -1
        do {
            switch stdin {
            case .pipe:
                let p = try pipePair()
                inFD = p.write; parentEnds.append(p.write); childEnds.append(p.read)
                posix_spawn_file_actions_adddup2(&actions, p.read, 0)
            case .file(let path):
                posix_spawn_file_actions_addopen(&actions, 0, path, O_RDONLY, 0)
            case .null, .stdout:
                posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
            }
            switch stdout {
            case .pipe, .stdout:
                let p = try pipePair()
                outFD = p.read; parentEnds.append(p.read); childEnds.append(p.write)
                posix_spawn_file_actions_adddup2(&actions, p.write, 1)
            case .file(let path):
                posix_spawn_file_actions_addopen(&actions, 1, path, O_WRONLY | O_CREAT | O_APPEND, 0o644)
            case .null:
                posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
            }
            switch stderr {
            case .pipe:
                let p = try pipePair()
                errFD = p.read; parentEnds.append(p.read); childEnds.append(p.write)
                posix_spawn_file_actions_adddup2(&actions, p.write, 2)
            case .stdout:
                posix_spawn_file_actions_adddup2(&actions, 1, 2)
            case .file(let path):
                posix_spawn_file_actions_addopen(&actions, 2, path, O_WRONLY | O_CREAT | O_APPEND, 0o644)
            case .null:
                posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
            }
        } catch {
            for fd in parentEnds { close(fd) }
            throw error
        }
        if let directory, let addChdir = ChildProcess.addChdir {
            _ = addChdir(&actions, directory)
        }

        // Own process group, every signal at its default, nothing blocked.
        var defaults = sigset_t()
        sigfillset(&defaults)
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

        let env = environment ?? ProcessInfo.processInfo.environment
        let argv = ([executable] + arguments).map { strdup($0) }
        let envp = env.sorted { $0.key < $1.key }.map { strdup("\($0.key)=\($0.value)") }
        defer {
            for p in argv { free(p) }
            for p in envp { free(p) }
        }
        var cArgv: [UnsafeMutablePointer<CChar>?] = argv + [nil]
        var cEnvp: [UnsafeMutablePointer<CChar>?] = envp + [nil]
        var child: pid_t = 0
        let rc = posix_spawn(&child, executable, &actions, &attributes, &cArgv, &cEnvp)
        guard rc == 0 else {
            for fd in parentEnds { close(fd) }
            throw VerificationError.cannotStart(executable, String(cString: strerror(rc)))
        }
        pid = child
        stdinFD = inFD
        stdoutFD = outFD
        stderrFD = errFD
    }

    deinit {
        closeStdin()
        if stdoutFD >= 0 { close(stdoutFD) }
        if stderrFD >= 0 { close(stderrFD) }
    }

    private static let spawnLock = NSLock()

    #if os(Linux)
    private typealias AddChdir = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>) -> Int32
    #else
    private typealias AddChdir = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t?>, UnsafePointer<CChar>) -> Int32
    #endif
    /// `posix_spawn_file_actions_addchdir_np` (glibc 2.29+, macOS 10.15+), looked up at run time
    /// because the C headers do not always declare it; without it the child starts in cutover's folder.
    private static let addChdir: AddChdir? = {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addchdir_np") else { return nil }
        return unsafeBitCast(symbol, to: AddChdir.self)
    }()

    private static let ignoreSIGPIPE: Void = {
        // A write to a client that has just exited must be an error, not the end of cutover.
        _ = ignoreSignal(SIGPIPE)
    }()

    public func closeStdin() {
        lock.lock(); defer { lock.unlock() }
        if stdinFD >= 0 { close(stdinFD); stdinFD = -1 }
    }

    /// Writes all of `text` to the child's stdin; false when the child has closed it.
    @discardableResult
    public func write(_ text: String) -> Bool {
        let fd = stdinFD
        guard fd >= 0 else { return false }
        var bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeMutableBytes { buffer in
                Glibc_write(fd, buffer.baseAddress! + offset, buffer.count - offset)
            }
            if n < 0 {
                if errno == EINTR { continue }
                return false
            }
            offset += n
        }
        bytes.removeAll()
        return true
    }

    /// Sends a signal to this child only (its PID, never its group or a name).
    public func send(_ signal: Int32) {
        lock.lock(); let done = exitStatus != nil; lock.unlock()
        if !done { kill(pid, signal) }
    }

    /// Non-blocking: the exit status if the child has ended (and reaps it).
    public func poll() -> Int32? {
        lock.lock(); defer { lock.unlock() }
        if let exitStatus { return exitStatus }
        var status: Int32 = 0
        let rc = waitpid(pid, &status, WNOHANG)
        if rc == pid { exitStatus = status; return status }
        if rc < 0 && errno == ECHILD { exitStatus = -1; return -1 }
        return nil
    }

    /// Waits for the child to end; with a timeout, nil when it is still running afterwards.
    @discardableResult
    public func wait(timeout: Double? = nil) -> Int32? {
        if let timeout {
            let deadline = Date().addingTimeInterval(timeout)
            var pause: useconds_t = 1_000
            while Date() < deadline {
                if let status = poll() { return status }
                usleep(pause)
                pause = min(pause * 2, 50_000)
            }
            return poll()
        }
        while true {
            if let status = poll() { return status }
            var status: Int32 = 0
            let rc = waitpid(pid, &status, 0)
            lock.lock()
            if rc == pid { exitStatus = status }
            else if rc < 0 && errno == ECHILD { exitStatus = -1 }
            let result = exitStatus
            lock.unlock()
            if let result { return result }
        }
    }

    /// Asks the child to stop with `first`, then SIGKILL after `grace` seconds.
    public func stop(_ first: Int32 = SIGTERM, grace: Double = 5) {
        guard poll() == nil else { return }
        send(first)
        if wait(timeout: grace) == nil {
            send(SIGKILL)
            wait(timeout: 5)
        }
    }

    /// Exit code of a wait status, or 128 + signal when the child was killed.
    public static func exitCode(_ status: Int32) -> Int32 {
        if status < 0 { return -1 }
        let signal = status & 0x7f
        return signal == 0 ? (status >> 8) & 0xff : 128 + signal
    }

    /// Reads everything from `fd` until EOF.
    public static func readAll(_ fd: Int32) -> String {
        guard fd >= 0 else { return "" }
        var data = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            data.append(contentsOf: buffer[0..<n])
        }
        return String(decoding: data, as: UTF8.self)
    }

    /// Runs a command to completion and returns its exit code and combined stdout and stderr.
    /// The child is registered for clean-up while it runs, so an interrupt stops it too.
    public static func run(_ executable: String, _ arguments: [String], environment: [String: String]? = nil,
                           directory: String? = nil, stdin: Stream = .null) throws -> (status: Int32, output: String) {
        let child = try ChildProcess(executable, arguments, environment: environment, directory: directory,
                                     stdin: stdin, stdout: .pipe, stderr: .stdout)
        let token = CleanupRegistry.shared.register("\(executable) (pid \(child.pid))") { child.stop(SIGTERM, grace: 2) }
        defer { CleanupRegistry.shared.unregister(token) }
        let output = readAll(child.stdoutFD)
        let status = child.wait() ?? -1
        return (exitCode(status), output)
    }
}

private func ignoreSignal(_ number: Int32) -> Bool {
    _ = signal(number, SIG_IGN)
    return true
}

#if canImport(Glibc)
private func Glibc_write(_ fd: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int) -> Int {
    Glibc.write(fd, buffer, count)
}
#else
private func Glibc_write(_ fd: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int) -> Int {
    Darwin.write(fd, buffer, count)
}
#endif
