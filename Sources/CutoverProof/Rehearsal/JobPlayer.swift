import CutoverEmit
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs a rendered Job's containers as local processes, as a pod of it would run them: the same
/// command and arguments, the same ConfigMap files (runner scripts and SQL) and Secret files, only
/// the mount paths and the database host names remapped.
///
/// Each mount root (`/etc/cutover` for `/etc/cutover/sql` and `/etc/cutover/db`, `/tmp`) becomes a
/// folder of the Job's scratch folder; the same prefix is rewritten in the command, the arguments,
/// the env values and the text of the mounted shell scripts (never in SQL files). Host variables
/// (`DB_HOST`, `BLUE_HOST`, `GREEN_HOST`) point at the throwaway servers. As root the process runs
/// as the Job's `runAsUser`/`runAsGroup` through `setpriv` with no supplementary groups. A failed
/// pod is retried up to `backoffLimit` times, all within `activeDeadlineSeconds`, unless the Job's
/// `podFailurePolicy` says otherwise for the container's exit code (`FailJob`: no retry; `Ignore`: a
/// retry that does not count), as the Job controller applies it.
public final class JobPlayer: @unchecked Sendable {
    public struct Context: Sendable {
        /// Env variable → value replacing it (hosts, ports, database name).
        public var overrides: [String: String]
        /// Env added to every Job (MariaDB: the socket the client reaches for `localhost`).
        public var extra: [String: String] = [:]
        /// Secret file contents by key (`username`, `password`).
        public var secret: [String: String]
        /// Other contents for a Secret, by its name (blue-green: the operator's superuser Secret of green).
        public var secretsByName: [String: [String: String]] = [:]
        /// Folders to put first in PATH (the database client's bin folder).
        public var path: [String]
        public var setpriv: String?
    }

    public struct Run: Sendable {
        public var job: String
        public var attempts: Int
        public var succeeded: Bool
        public var timedOut: Bool
        /// The file the runner was applying when it stopped (from its `cutover: applying FILE` lines).
        public var lastFile: String?
        public var output: String
        public var seconds: Double
        /// The exit code on which the Job's podFailurePolicy failed it at once (a `FailJob` rule), if it did.
        public var failedAtOnce: Int?
    }

    let context: Context
    let folder: String
    /// Called with each file the runner starts applying (from its output), and nil when the Job ends.
    let onFile: @Sendable (String?) -> Void

    public init(context: Context, folder: String, onFile: @escaping @Sendable (String?) -> Void) {
        self.context = context
        self.folder = folder
        self.onFile = onFile
    }

    public func play(_ job: RenderedJob, configMaps: [String: [String: String]], index: Int) throws -> Run {
        let started = Date()
        let deadline = job.activeDeadlineSeconds.map { started.addingTimeInterval(Double($0)) }
        var attempts = 0
        // Failures an `Ignore` rule left uncounted: backoffLimit bounds the others.
        var ignored = 0
        var output = ""
        var lastFile: String?
        while true {
            attempts += 1
            let root = "\(folder)/\(String(format: "%02d", index))-\(job.name)-\(attempts)"
            var failed: (container: String, code: Int)?
            var timedOut = false
            for container in job.initContainers + job.containers {
                let result = try runContainer(container, of: job, configMaps: configMaps, root: root, deadline: deadline)
                output += result.output
                lastFile = result.lastFile ?? lastFile
                if result.timedOut { timedOut = true }
                if !result.succeeded { failed = (container.name, result.code); break }
            }
            onFile(nil)
            guard let failed else {
                return Run(job: job.name, attempts: attempts, succeeded: true, timedOut: false, lastFile: lastFile,
                           output: output, seconds: Date().timeIntervalSince(started))
            }
            // The first rule that matches decides (a pod past the deadline fails the Job anyway).
            let rule = timedOut ? nil : job.podFailurePolicy.first { $0.matches(container: failed.container, code: failed.code) }
            if rule?.action == "FailJob" {
                output += "--- pod failed with exit code \(failed.code) (container \(failed.container)); podFailurePolicy FailJob: the Job fails at once ---\n"
                return Run(job: job.name, attempts: attempts, succeeded: false, timedOut: false, lastFile: lastFile,
                           output: output, seconds: Date().timeIntervalSince(started), failedAtOnce: failed.code)
            }
            if rule?.action == "Ignore" { ignored += 1 }
            if timedOut || attempts - ignored > job.backoffLimit || (deadline.map { Date() >= $0 } ?? false) {
                return Run(job: job.name, attempts: attempts, succeeded: false, timedOut: timedOut, lastFile: lastFile,
                           output: output, seconds: Date().timeIntervalSince(started))
            }
            output += "--- pod failed; the Job retries (attempt \(attempts + 1) of \(job.backoffLimit + 1 + ignored)) ---\n"
        }
    }

    /// The mount roots to rewrite: a mount's parent folder when it is not `/` (so the runner's
    /// `/etc/cutover/$side/username` follows `/etc/cutover/db`), else the mount itself.
    public static func roots(_ mounts: [(volume: String, path: String)]) -> [String] {
        var roots: Set<String> = []
        for mount in mounts {
            let parent = (mount.path as NSString).deletingLastPathComponent
            roots.insert(parent == "/" || parent.isEmpty ? mount.path : parent)
        }
        return roots.sorted { $0.count > $1.count }
    }

    /// Replaces each root prefix (a whole path component: not inside another path, and followed by
    /// `/`, a quote, a space or the end) with its local folder, in one pass.
    public static func rewrite(_ text: String, roots: [String], local: String) -> String {
        guard !roots.isEmpty else { return text }
        let alternatives = roots.map(NSRegularExpression.escapedPattern(for:)).joined(separator: "|")
        guard let regex = try? NSRegularExpression(pattern: #"(?<![A-Za-z0-9_./-])("# + alternatives + #")(?=[/"' \n;:)]|$)"#) else { return text }
        let template = NSRegularExpression.escapedTemplate(for: local) + "$1"
        return regex.stringByReplacingMatches(in: text, range: NSRange(text.startIndex..., in: text), withTemplate: template)
    }

    struct ContainerResult {
        var succeeded: Bool
        var timedOut: Bool
        /// The container's exit code (-1: none known).
        var code: Int
        var lastFile: String?
        var output: String
    }

    private func runContainer(_ container: RenderedJob.Container, of job: RenderedJob, configMaps: [String: [String: String]],
                              root: String, deadline: Date?) throws -> ContainerResult {
        let fm = FileManager.default
        try fm.createDirectory(atPath: root, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o711])
        let uid = container.runAsUser ?? job.runAsUser
        let gid = container.runAsGroup ?? job.runAsGroup ?? uid
        let fsGroup = job.fsGroup ?? gid
        let asRoot = geteuid() == 0
        // The restricted Pod Security profile refuses a root container; here it would be root on the host.
        if asRoot && (uid ?? 0) == 0 {
            throw VerificationError.sqlFailed("Job \(job.name), container \(container.name): no runAsUser other than 0; a Job that would run as root is not played")
        }
        let roots = Self.roots(container.mounts)
        func own(_ path: String, mode: Int) {
            chmod(path, mode_t(mode))
            if asRoot { chown(path, uid_t(uid ?? 0), gid_t(fsGroup ?? 0)) }
        }
        for mount in container.mounts {
            let target = root + mount.path
            try fm.createDirectory(atPath: target, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
            switch job.volumes[mount.volume] {
            case .configMap(let name, let items):
                guard let data = configMaps[name] else {
                    throw VerificationError.sqlFailed("Job \(job.name) mounts ConfigMap \(name), which the rendered chart does not contain")
                }
                for (key, contents) in data {
                    guard let file = items == nil ? key : items?[key] else { continue }
                    // Shell scripts name the mount paths; SQL is left exactly as the ConfigMap holds it.
                    let text = key.hasSuffix(".sh") ? Self.rewrite(contents, roots: roots, local: root) : contents
                    let path = "\(target)/\(file)"
                    guard fm.createFile(atPath: path, contents: Data(text.utf8)) else { throw VerificationError.system("write \(path)", errno) }
                    own(path, mode: 0o644)
                }
                own(target, mode: 0o755)
            case .secret(let secretName, let items, let mode):
                let secret = context.secretsByName[secretName] ?? context.secret
                // The user's Secret is not in the chart: it holds the role's credentials under
                // whatever keys the operator uses (`username`, Bitpoke's `USER`, ...).
                func credential(_ name: String) -> String? {
                    let lower = name.lowercased()
                    if let value = secret[lower] { return value }
                    if lower.contains("user") { return secret["username"] }
                    if lower.contains("pass") { return secret["password"] }
                    return nil
                }
                let files = items.map { $0.map { (key: $0.key, path: $0.value) } } ?? secret.keys.map { (key: $0, path: $0) }
                for item in files {
                    guard let value = credential(item.key) ?? credential(item.path) else { continue }
                    let path = "\(target)/\(item.path)"
                    guard fm.createFile(atPath: path, contents: Data(value.utf8)) else { throw VerificationError.system("write \(path)", errno) }
                    own(path, mode: mode)
                }
                own(target, mode: 0o755)
            case .emptyDir, .other, .none:
                own(target, mode: 0o770)
            }
        }
        // The folders between the Job's root and each mount must be passable for the Job's user.
        var walk: Set<String> = []
        for mount in container.mounts {
            var path = (mount.path as NSString).deletingLastPathComponent
            while path != "/" && !path.isEmpty { walk.insert(root + path); path = (path as NSString).deletingLastPathComponent }
        }
        for path in walk { chmod(path, 0o755) }

        guard !container.command.isEmpty else {
            throw VerificationError.sqlFailed("Job \(job.name), container \(container.name): no command (the image's entrypoint cannot be played locally)")
        }
        var environment: [String: String] = [:]
        for entry in container.env { environment[entry.name] = Self.rewrite(entry.value, roots: roots, local: root) }
        for (name, value) in context.overrides where environment[name] != nil { environment[name] = value }
        for (name, value) in context.extra { environment[name] = value }
        environment["PATH"] = (context.path + ["/usr/local/bin", "/usr/bin", "/bin"]).joined(separator: ":")
        environment["LC_ALL"] = "C.UTF-8"
        var argv = (container.command + container.args).map { Self.rewrite($0, roots: roots, local: root) }
        var program = argv.removeFirst()
        if asRoot, let setpriv = context.setpriv, let uid {
            argv = ["--reuid=\(uid)", "--regid=\(gid ?? uid)", "--clear-groups", "--", program] + argv
            program = setpriv
        }
        let child = try ChildProcess(program, argv, environment: environment, directory: root, stdin: .null, stdout: .pipe, stderr: .stdout)
        let token = CleanupRegistry.shared.register("Job \(job.name) (pid \(child.pid))") {
            kill(-child.pid, SIGKILL)
            child.stop(SIGKILL, grace: 1)
        }
        defer { CleanupRegistry.shared.unregister(token) }
        let reader = LineReader(fd: child.stdoutFD) { [onFile] line in
            if line.hasPrefix("cutover: applying ") {
                var file = String(line.dropFirst("cutover: applying ".count))
                if let on = file.range(of: " on ") { file = String(file[..<on.lowerBound]) }
                onFile(file)
            }
        }
        var timedOut = false
        var status: Int32?
        if let deadline {
            status = child.wait(timeout: max(0.1, deadline.timeIntervalSinceNow))
            if status == nil {
                // As the kubelet ends a pod past its deadline: TERM to the container's main process
                // only (the runner; its psql keeps running), KILL to everything once the grace
                // period is over. The runner's TERM trap lifts a fence it set in between.
                timedOut = true
                kill(child.pid, SIGTERM)
                status = child.wait(timeout: Double(job.terminationGracePeriodSeconds))
                if status == nil {
                    kill(-child.pid, SIGKILL)
                    child.stop(SIGKILL, grace: 1)
                    status = child.wait(timeout: 5)
                }
            }
        } else {
            status = child.wait()
        }
        // The runner's own children (psql) share its process group; none may outlive it.
        kill(-child.pid, SIGKILL)
        let output = reader.finish()
        // Messages name the Job's own paths (/etc/cutover/sql/...), not the scratch copies.
        var text = output.text.replacingOccurrences(of: root, with: "")
        if timedOut { text += "cutover rehearse: activeDeadlineSeconds (\(job.activeDeadlineSeconds ?? 0)) exceeded; the pod was killed\n" }
        let code = status.map(ChildProcess.exitCode) ?? -1
        return ContainerResult(succeeded: !timedOut && code == 0, timedOut: timedOut, code: Int(code), lastFile: output.lastFile, output: text)
    }
}

/// Reads a child's output on its own thread, line by line, until EOF.
final class LineReader: @unchecked Sendable {
    private let lock = NSLock()
    private var text = ""
    private var lastFile: String?
    private let finished = DispatchSemaphore(value: 0)

    init(fd: Int32, onLine: @escaping @Sendable (String) -> Void) {
        let thread = Thread { [self] in
            var pending = [UInt8]()
            var chunk = [UInt8](repeating: 0, count: 16384)
            while true {
                let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { break }
                pending.append(contentsOf: chunk[0..<n])
                while let newline = pending.firstIndex(of: 10) {
                    let line = String(decoding: pending[..<newline], as: UTF8.self)
                    pending.removeSubrange(...newline)
                    append(line)
                    onLine(line)
                }
            }
            if !pending.isEmpty { append(String(decoding: pending, as: UTF8.self)) }
            finished.signal()
        }
        thread.start()
    }

    private func append(_ line: String) {
        lock.lock(); defer { lock.unlock() }
        text += line + "\n"
        if line.hasPrefix("cutover: applying ") {
            var file = String(line.dropFirst("cutover: applying ".count))
            if let on = file.range(of: " on ") { file = String(file[..<on.lowerBound]) }
            lastFile = file
        }
    }

    func finish() -> (text: String, lastFile: String?) {
        // EOF arrives once every process holding the pipe (the runner and its psql children) is gone.
        _ = finished.wait(timeout: .now() + 10)
        lock.lock(); defer { lock.unlock() }
        return (text, lastFile)
    }
}
