import CutoverSystem
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A child process started through `cutover_spawn` (fork + exec in C), with full control over what
/// it inherits: its own process group (a terminal's Ctrl-C reaches cutover only, which then stops
/// what it started in order), default signal dispositions, pipes that no other child inherits
/// (every descriptor cutover opens is close-on-exec, so an EOF on a child's stdout really means that
/// child is gone), optionally another user (servers run as `postgres` / `mysql`, never root), and
/// optionally a parent-death signal, so a server dies with cutover even under SIGKILL.
///
/// Every spawn happens on one long-lived thread (`SpawnThread`): the kernel sends the parent-death
/// signal when the thread that forked ends, and a worker thread of a pool may end at any time.
public final class ChildProcess: @unchecked Sendable {
    public enum Stream: Sendable {
        /// `/dev/null`.
        case null
        /// A pipe whose other end cutover reads (stdout/stderr) or writes (stdin).
        case pipe
        /// The same pipe as stdout (stderr only).
        case stdout
        /// Append to a file (opened by the child, after it changed user).
        case file(String)
    }

    /// A user to run as: cutover must be root to use it.
    public struct User: Sendable, Equatable {
        public var name: String
        public var uid: uid_t
        public var gid: gid_t
        public init(name: String, uid: uid_t, gid: gid_t) {
            self.name = name
            self.uid = uid
            self.gid = gid
        }

        /// The user `name` from the password database.
        public static func named(_ name: String) -> User? {
            guard let entry = getpwnam(name) else { return nil }
            return User(name: name, uid: entry.pointee.pw_uid, gid: entry.pointee.pw_gid)
        }
    }

    public let pid: pid_t
    public let executable: String
    /// Cutover's end of the child's stdin, stdout and stderr pipes; -1 when not a pipe.
    public private(set) var stdinFD: Int32
    public private(set) var stdoutFD: Int32
    public private(set) var stderrFD: Int32

    private let lock = NSLock()
    private var exitStatus: Int32?

    /// Starts `executable` (an absolute path) with `arguments` (not including argv[0]); as `user`
    /// when given, and receiving `deathSignal` when cutover ends (Linux), when given.
    public init(_ executable: String, _ arguments: [String], environment: [String: String]? = nil,
                directory: String? = nil, stdin: Stream = .null, stdout: Stream = .pipe, stderr: Stream = .pipe,
                user: User? = nil, deathSignal: Int32? = nil) throws {
        ChildProcess.ignoreSIGPIPE
        self.executable = executable
        var parentEnds: [Int32] = []
        var childEnds: [Int32] = []
        defer { for fd in childEnds { close(fd) } }
        func pipePair() throws -> (read: Int32, write: Int32) {
            var fds: [Int32] = [0, 0]
            guard cutover_pipe_cloexec(&fds) == 0 else { throw VerificationError.system("pipe", errno) }
            return (fds[0], fds[1])
        }
        var paths: [String?] = [nil, nil, nil]
        var streams = [cutover_stream](repeating: cutover_stream(fd: -1, path: nil, flags: 0), count: 3)
        var inFD: Int32 = -1, outFD: Int32 = -1, errFD: Int32 = -1
        do {
            switch stdin {
            case .pipe:
                let p = try pipePair()
                inFD = p.write; parentEnds.append(p.write); childEnds.append(p.read)
                streams[0].fd = p.read
            case .file(let path):
                paths[0] = path; streams[0].flags = O_RDONLY
            case .null, .stdout:
                paths[0] = "/dev/null"; streams[0].flags = O_RDONLY
            }
            switch stdout {
            case .pipe, .stdout:
                let p = try pipePair()
                outFD = p.read; parentEnds.append(p.read); childEnds.append(p.write)
                streams[1].fd = p.write
            case .file(let path):
                paths[1] = path; streams[1].flags = O_WRONLY | O_CREAT | O_APPEND
            case .null:
                paths[1] = "/dev/null"; streams[1].flags = O_WRONLY
            }
            switch stderr {
            case .pipe:
                let p = try pipePair()
                errFD = p.read; parentEnds.append(p.read); childEnds.append(p.write)
                streams[2].fd = p.write
            case .stdout:
                streams[2].fd = -2
            case .file(let path):
                paths[2] = path; streams[2].flags = O_WRONLY | O_CREAT | O_APPEND
            case .null:
                paths[2] = "/dev/null"; streams[2].flags = O_WRONLY
            }
        } catch {
            for fd in parentEnds { close(fd) }
            throw error
        }

        let env = environment ?? ProcessInfo.processInfo.environment
        let argv = ([executable] + arguments).map { strdup($0) }
        let envp = env.sorted { $0.key < $1.key }.map { strdup("\($0.key)=\($0.value)") }
        let cPaths = paths.map { $0.map { strdup($0) } ?? nil }
        let cDirectory = directory.map { strdup($0) } ?? nil
        defer {
            for p in argv { free(p) }
            for p in envp { free(p) }
            for p in cPaths { free(p) }
            free(cDirectory)
        }
        for index in 0..<3 { streams[index].path = UnsafePointer(cPaths[index]) }
        let cArgv: [UnsafeMutablePointer<CChar>?] = argv + [nil]
        let cEnvp: [UnsafeMutablePointer<CChar>?] = envp + [nil]
        nonisolated(unsafe) let unsafeArgv = cArgv, unsafeEnvp = cEnvp, unsafeStreams = streams
        nonisolated(unsafe) let unsafeDirectory = cDirectory
        let (child, code) = SpawnThread.shared.perform { () -> (pid_t, Int32) in
            var a = unsafeArgv, e = unsafeEnvp, st = unsafeStreams
            let pid = cutover_spawn(executable, &a, &e, &st, unsafeDirectory, user == nil ? 0 : 1,
                                    user?.uid ?? 0, user?.gid ?? 0, deathSignal ?? 0)
            return (pid, pid < 0 ? errno : 0)
        }
        guard child > 0 else {
            for fd in parentEnds { close(fd) }
            throw VerificationError.cannotStart(executable + (user.map { " as \($0.name)" } ?? ""), String(cString: strerror(code)))
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
                           directory: String? = nil, stdin: Stream = .null, user: User? = nil) throws -> (status: Int32, output: String) {
        let child = try ChildProcess(executable, arguments, environment: environment, directory: directory,
                                     stdin: stdin, stdout: .pipe, stderr: .stdout, user: user, deathSignal: SIGKILL)
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

/// The one thread every child is forked from. It lives as long as the process, so a child's
/// parent-death signal fires when cutover ends, not when some worker thread is retired.
final class SpawnThread: @unchecked Sendable {
    static let shared = SpawnThread()

    private let condition = NSCondition()
    private var jobs: [() -> Void] = []

    private init() {
        let thread = Thread { [self] in loop() }
        thread.name = "cutover-spawn"
        thread.stackSize = 1 << 20
        thread.start()
    }

    private func loop() {
        while true {
            condition.lock()
            while jobs.isEmpty { condition.wait() }
            let job = jobs.removeFirst()
            condition.unlock()
            job()
        }
    }

    /// Runs `work` on the spawn thread and returns its result.
    func perform<T>(_ work: @escaping () -> T) -> T {
        let done = NSCondition()
        nonisolated(unsafe) var result: T?
        condition.lock()
        jobs.append {
            let value = work()
            done.lock()
            result = value
            done.signal()
            done.unlock()
        }
        condition.signal()
        condition.unlock()
        done.lock()
        while result == nil { done.wait() }
        done.unlock()
        return result!
    }
}
