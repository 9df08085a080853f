import CutoverPlan
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A throwaway PostgreSQL cluster in a folder of a `ScratchFolder`: `initdb --no-sync` (or a copy of
/// another fresh cluster), fsync off, a Unix socket in its own folder and no TCP. The postmaster is
/// cutover's own child (no pg_ctl, which would detach it), with a parent-death signal (SIGQUIT: an
/// immediate shutdown), so it ends with cutover even when cutover is killed. When cutover runs as
/// root, initdb and the server run as `postgres` (changed to between fork and exec), and the
/// cluster folder belongs to that user. Stopping signals that child only.
public final class LocalPostgresServer: DatabaseServer, @unchecked Sendable {
    public let engine = MigrationSpec.Engine.postgresql
    public let admin: ConnectionParameters
    public let client: String
    public let folder: String
    public var summary: String { "PostgreSQL (throwaway) in \(folder), socket \(folder)/.s.PGSQL.5432" }
    public private(set) var pid: pid_t = 0
    private let keep: Bool
    private let lock = NSLock()
    private var stopped = false
    private var token: CleanupRegistry.Token?
    private var child: ChildProcess?

    public struct Tools: Sendable {
        public var initdb: String
        public var pgCtl: String
        public var psql: String
        /// The user to run as, when cutover runs as root (`runuser` is no longer used: cutover
        /// changes user itself; the field is kept for source compatibility and may be "").
        public var runAs: (runuser: String, user: String, uid: uid_t, gid: gid_t)?

        var user: ChildProcess.User? { runAs.map { ChildProcess.User(name: $0.user, uid: $0.uid, gid: $0.gid) } }

        /// Finds initdb, pg_ctl and postgres (psql when present); as root also the `postgres` user.
        public static func locate(_ locator: ToolLocator = ToolLocator()) throws -> Tools {
            guard let bin = locator.postgresBin() else {
                throw VerificationError.noServer("no PostgreSQL server binaries found (initdb, pg_ctl; looked in CUTOVER_PG_BIN, /usr/lib/postgresql/*/bin and PATH)")
            }
            var found: [String: String] = [:]
            for name in ["initdb", "pg_ctl", "postgres"] {
                let path = "\(bin)/\(name)"
                guard FileManager.default.isExecutableFile(atPath: path) else {
                    throw VerificationError.noServer("PostgreSQL binaries incomplete: \(path) is missing")
                }
                found[name] = path
            }
            var runAs: (String, String, uid_t, gid_t)?
            if geteuid() == 0 {
                let user = locator.environment["CUTOVER_PG_USER"].flatMap { $0.isEmpty ? nil : $0 } ?? "postgres"
                guard let entry = getpwnam(user) else {
                    throw VerificationError.noServer("running as root: initdb refuses root, and there is no '\(user)' user to run PostgreSQL as")
                }
                guard entry.pointee.pw_uid != 0 else {
                    throw VerificationError.noServer("'\(user)' is root: verify runs PostgreSQL as an unprivileged user only")
                }
                runAs = (locator.find("runuser", extra: ["/usr/sbin", "/sbin"]) ?? "", user, entry.pointee.pw_uid, entry.pointee.pw_gid)
            }
            return Tools(initdb: found["initdb"]!, pgCtl: found["pg_ctl"]!, psql: locator.postgresTool("psql") ?? "",
                         runAs: runAs)
        }

        var postgres: String { (pgCtl as NSString).deletingLastPathComponent + "/postgres" }
    }

    private let tools: Tools
    private var dataDirectory: String { "\(folder)/data" }

    /// Creates the cluster folder `name` in `scratch` and initialises it (or copies `template`, the
    /// data folder of a fresh cluster that is not running). Does not start it.
    public init(in scratch: ScratchFolder, name: String, tools: Tools, template: String? = nil, keep: Bool) throws {
        self.tools = tools
        self.keep = keep
        folder = scratch.file(name)
        client = tools.psql
        admin = ConnectionParameters(engine: .postgresql, host: folder, port: 5432, user: "postgres", database: "postgres")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: false,
                                                attributes: [.posixPermissions: 0o700])
        if let runAs = tools.runAs { chown(folder, runAs.uid, runAs.gid) }
        let (program, arguments): (String, [String])
        if let template {
            (program, arguments) = ("/bin/cp", ["-a", template, dataDirectory])
        } else {
            (program, arguments) = (tools.initdb, ["-D", dataDirectory, "-U", "postgres", "-A", "trust", "--no-sync",
                                                   "-E", "UTF8", "--no-locale"])
        }
        let result = try ChildProcess.run(program, arguments, environment: Self.environment(folder: folder), directory: folder, user: tools.user)
        guard result.status == 0 else {
            throw VerificationError.serverFailed("\(template == nil ? "initdb" : "copying the cluster") failed (exit \(result.status)):\n"
                                                 + Self.tail(result.output))
        }
    }

    /// cutover's environment without libpq's variables, temporary files in the cluster's folder.
    static func environment(folder: String) -> [String: String] {
        var env = ProcessInfo.processInfo.environment
        env["TMPDIR"] = folder
        for key in ["PGDATA", "PGHOST", "PGPORT", "PGOPTIONS", "PGUSER", "PGDATABASE"] { env.removeValue(forKey: key) }
        env["LC_ALL"] = "C"
        return env
    }

    static func tail(_ text: String, lines: Int = 15) -> String {
        text.split(separator: "\n").suffix(lines).map { "  \($0)" }.joined(separator: "\n")
    }

    public var dataFolder: String { dataDirectory }

    /// Starts the server (`logical`: wal_level=logical for blue-green; `extra`: settings after those,
    /// which win) and waits until it accepts connections.
    public func start(logical: Bool, extra: [String] = []) throws {
        func quoted(_ value: String) -> String { "'" + value.doublingScalars("'") + "'" }
        var settings = [
            "listen_addresses = ''",
            "unix_socket_directories = \(quoted(folder))",
            "port = 5432",
            "fsync = off",
            "synchronous_commit = off",
            "full_page_writes = off",
            "max_connections = 40",
            "shared_buffers = 32MB",
            "log_min_messages = warning",
            "logging_collector = off",
        ]
        if logical {
            settings += ["wal_level = logical", "max_replication_slots = 16", "max_wal_senders = 16",
                         "max_logical_replication_workers = 8", "max_worker_processes = 16",
                         "wal_receiver_status_interval = 1s", "wal_retrieve_retry_interval = 200ms"]
        }
        settings += extra
        // Appending keeps the file's owner (postgres when cutover runs as root).
        guard let handle = FileHandle(forWritingAtPath: "\(dataDirectory)/postgresql.conf") else {
            throw VerificationError.serverFailed("cannot write \(dataDirectory)/postgresql.conf")
        }
        handle.seekToEndOfFile()
        handle.write(Data(("\n# cutover verify\n" + settings.joined(separator: "\n") + "\n").utf8))
        handle.closeFile()

        token = CleanupRegistry.shared.register("PostgreSQL in \(folder)") { [self] in stop() }
        let log = "\(folder)/server.log"
        let server = try ChildProcess(tools.postgres, ["-D", dataDirectory], environment: Self.environment(folder: folder), directory: folder,
                                      stdin: .null, stdout: .file(log), stderr: .file(log), user: tools.user, deathSignal: SIGQUIT)
        lock.lock(); child = server; pid = server.pid; lock.unlock()
        let ping = ConnectionParameters(engine: .postgresql, host: folder, port: 5432, user: "postgres", database: "postgres")
        let deadline = Date().addingTimeInterval(60)
        while !PostgresSession.ping(ping) {
            if let status = server.poll() {
                let serverLog = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
                throw VerificationError.serverFailed("PostgreSQL did not start (postgres exit \(ChildProcess.exitCode(status))):\n" + Self.tail(serverLog))
            }
            guard Date() < deadline else {
                throw VerificationError.serverFailed("PostgreSQL did not accept connections within 60 s (log: \(log))")
            }
            usleep(10_000)
        }
    }

    /// Immediate shutdown (SIGQUIT; SIGINT, a clean fast shutdown, with --keep) of the postmaster
    /// this object started, then SIGKILL if it is still there after 10 s; removes the folder unless kept.
    public func stop() {
        lock.lock()
        if stopped { lock.unlock(); return }
        stopped = true
        let child = self.child
        let token = self.token
        lock.unlock()
        if let token { CleanupRegistry.shared.unregister(token) }
        child?.stop(keep ? SIGINT : SIGQUIT, grace: 10)
        if !keep { try? FileManager.default.removeItem(atPath: folder) }
    }
}
