import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A throwaway PostgreSQL cluster in a folder of a `ScratchFolder`: `initdb --no-sync` (or a copy of
/// another fresh cluster), fsync off, a Unix socket in its own folder and no TCP, started with
/// `pg_ctl -w`. When cutover runs as root, initdb and the server run as `postgres` through `runuser`,
/// and the cluster folder belongs to that user. Stopping signals the postmaster by the PID in its
/// own `postmaster.pid`, nothing else.
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

    public struct Tools: Sendable {
        public var initdb: String
        public var pgCtl: String
        public var psql: String
        /// `runuser` and the user to run as, when cutover runs as root.
        public var runAs: (runuser: String, user: String, uid: uid_t, gid: gid_t)?

        /// Finds initdb, pg_ctl and psql; as root also `runuser` and the `postgres` user.
        public static func locate(_ locator: ToolLocator = ToolLocator()) throws -> Tools {
            guard let bin = locator.postgresBin() else {
                throw VerificationError.noServer("no PostgreSQL server binaries found (initdb, pg_ctl; looked in CUTOVER_PG_BIN, /usr/lib/postgresql/*/bin and PATH)")
            }
            var found: [String: String] = [:]
            for name in ["initdb", "pg_ctl", "psql"] {
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
                guard let runuser = locator.find("runuser", extra: ["/usr/sbin", "/sbin"]) else {
                    throw VerificationError.noServer("running as root: runuser (util-linux) is needed to start PostgreSQL as '\(user)'")
                }
                runAs = (runuser, user, entry.pointee.pw_uid, entry.pointee.pw_gid)
            }
            return Tools(initdb: found["initdb"]!, pgCtl: found["pg_ctl"]!, psql: found["psql"]!, runAs: runAs)
        }

        /// argv for a server program, through runuser when needed.
        func command(_ tool: String, _ arguments: [String]) -> (String, [String]) {
            if let runAs { return (runAs.runuser, ["-u", runAs.user, "--", tool] + arguments) }
            return (tool, arguments)
        }
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
            (program, arguments) = tools.command("/bin/cp", ["-a", template, dataDirectory])
        } else {
            (program, arguments) = tools.command(tools.initdb, ["-D", dataDirectory, "-U", "postgres", "-A", "trust", "--no-sync",
                                                               "-E", "UTF8", "--no-locale"])
        }
        let result = try ChildProcess.run(program, arguments, environment: Self.environment(), directory: folder)
        guard result.status == 0 else {
            throw VerificationError.serverFailed("\(template == nil ? "initdb" : "copying the cluster") failed (exit \(result.status)):\n"
                                                 + Self.tail(result.output))
        }
    }

    static func environment() -> [String: String] {
        var env = ProcessInfo.processInfo.environment
        for key in ["PGDATA", "PGHOST", "PGPORT", "PGOPTIONS", "PGUSER", "PGDATABASE"] { env.removeValue(forKey: key) }
        env["LC_ALL"] = "C"
        return env
    }

    static func tail(_ text: String, lines: Int = 15) -> String {
        text.split(separator: "\n").suffix(lines).map { "  \($0)" }.joined(separator: "\n")
    }

    public var dataFolder: String { dataDirectory }

    /// Starts the server (`logical`: wal_level=logical for blue-green) and waits until it accepts connections.
    public func start(logical: Bool) throws {
        func quoted(_ value: String) -> String { "'" + value.replacingOccurrences(of: "'", with: "''") + "'" }
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
        // Appending keeps the file's owner (postgres when cutover runs as root).
        guard let handle = FileHandle(forWritingAtPath: "\(dataDirectory)/postgresql.conf") else {
            throw VerificationError.serverFailed("cannot write \(dataDirectory)/postgresql.conf")
        }
        handle.seekToEndOfFile()
        handle.write(Data(("\n# cutover verify\n" + settings.joined(separator: "\n") + "\n").utf8))
        handle.closeFile()

        token = CleanupRegistry.shared.register("PostgreSQL in \(folder)") { [self] in stop() }
        let log = "\(folder)/server.log"
        let (program, arguments) = tools.command(tools.pgCtl, ["-D", dataDirectory, "-l", log, "-w", "-t", "60", "-s", "start"])
        let result = try ChildProcess.run(program, arguments, environment: Self.environment(), directory: folder)
        readPID()
        guard result.status == 0 else {
            let serverLog = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            throw VerificationError.serverFailed("PostgreSQL did not start (pg_ctl exit \(result.status)):\n"
                                                 + Self.tail(result.output + "\n" + serverLog))
        }
        guard pid > 0 else { throw VerificationError.serverFailed("PostgreSQL started but \(dataDirectory)/postmaster.pid is unreadable") }
    }

    private func readPID() {
        guard let text = try? String(contentsOfFile: "\(dataDirectory)/postmaster.pid", encoding: .utf8),
              let first = text.split(separator: "\n").first, let value = pid_t(first), value > 0 else { return }
        lock.lock(); pid = value; lock.unlock()
    }

    /// Immediate shutdown (SIGQUIT; SIGINT, a clean fast shutdown, with --keep) of the postmaster
    /// this object started, then SIGKILL if it is still there after 10 s; removes the folder unless kept.
    public func stop() {
        readPID()  // an interrupt may arrive between pg_ctl's start and the first read
        lock.lock()
        if stopped { lock.unlock(); return }
        stopped = true
        let pid = self.pid
        let token = self.token
        lock.unlock()
        if let token { CleanupRegistry.shared.unregister(token) }
        if pid > 0 {
            kill(pid, keep ? SIGINT : SIGQUIT)
            let pidFile = "\(dataDirectory)/postmaster.pid"
            let deadline = Date().addingTimeInterval(10)
            while !ProcessState.isGone(pid) && FileManager.default.fileExists(atPath: pidFile) && Date() < deadline {
                usleep(5_000)
            }
            if !ProcessState.isGone(pid) && FileManager.default.fileExists(atPath: pidFile) {
                kill(pid, SIGKILL)
                let killDeadline = Date().addingTimeInterval(5)
                while !ProcessState.isGone(pid) && Date() < killDeadline { usleep(10_000) }
            }
        }
        if !keep { try? FileManager.default.removeItem(atPath: folder) }
    }
}
