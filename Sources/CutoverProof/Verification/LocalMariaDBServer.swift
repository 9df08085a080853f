import CutoverPlan
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A throwaway MariaDB server in a folder of a `ScratchFolder`: `mariadb-install-db` with a small
/// redo log, then `mariadbd --no-defaults --skip-networking` on a Unix socket, utf8mb4 and MySQL
/// 8.0's default sql_mode (so MariaDB refuses what MySQL 8 refuses there). As root, the bootstrap
/// and the server run as `mysql` (`CUTOVER_MARIADB_USER`; never root), changed to between fork and
/// exec, in a folder that user owns; `secure_file_priv` is an empty private folder, so no
/// `INTO OUTFILE` / `LOAD_FILE` reaches the rest of the host. The server gets a parent-death signal
/// (SIGKILL), so it ends with cutover even when cutover is killed. Stopping sends SIGTERM to the
/// mariadbd child cutover started, then SIGKILL.
public final class LocalMariaDBServer: DatabaseServer, @unchecked Sendable {
    public let engine = MigrationSpec.Engine.mysql
    public let admin: ConnectionParameters
    public let client: String
    public let folder: String
    public var summary: String { "MariaDB (throwaway) in \(folder), socket \(socket)" }
    private let keep: Bool
    private let socket: String
    private let tools: Tools
    private let lock = NSLock()
    private var child: ChildProcess?
    private var stopped = false
    private var token: CleanupRegistry.Token?

    public struct Tools: Sendable {
        public var installDB: String
        public var server: String
        public var client: String
        /// The unprivileged user the server runs as when cutover runs as root.
        public var user: ChildProcess.User? = nil

        public static func locate(_ locator: ToolLocator = ToolLocator()) throws -> Tools {
            guard let installDB = locator.mariadbTool("mariadb-install-db") ?? locator.mariadbTool("mysql_install_db"),
                  let server = locator.mariadbTool("mariadbd") ?? locator.mariadbTool("mysqld") else {
                throw VerificationError.noServer("no MariaDB server binaries found (mariadb-install-db, mariadbd; looked in CUTOVER_MARIADB_BIN, PATH and /usr/sbin)")
            }
            var user: ChildProcess.User?
            if geteuid() == 0 {
                let name = locator.environment["CUTOVER_MARIADB_USER"].flatMap { $0.isEmpty ? nil : $0 } ?? "mysql"
                guard let found = ChildProcess.User.named(name), found.uid != 0 else {
                    throw VerificationError.noServer("running as root: there is no unprivileged '\(name)' user to run MariaDB as (set CUTOVER_MARIADB_USER)")
                }
                user = found
            }
            // Sessions use Connector/C; the client program is only named for messages.
            return Tools(installDB: installDB, server: server, client: locator.mariadbClient() ?? "", user: user)
        }
    }

    /// Options both the bootstrap and the server get, so the redo log is created once at its final size.
    private static let innodb = ["--innodb-log-file-size=8M", "--innodb-buffer-pool-size=32M", "--innodb-doublewrite=0", "--skip-log-bin"]

    public init(in scratch: ScratchFolder, name: String = "mariadb", tools: Tools, keep: Bool) throws {
        self.tools = tools
        self.keep = keep
        folder = scratch.file(name)
        socket = "\(folder)/mysqld.sock"
        client = tools.client
        admin = ConnectionParameters(engine: .mysql, socket: socket, user: "root", database: "")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: false,
                                                attributes: [.posixPermissions: 0o700])
        try FileManager.default.createDirectory(atPath: files, withIntermediateDirectories: false,
                                                attributes: [.posixPermissions: 0o700])
        if let user = tools.user {
            chown(folder, user.uid, user.gid)
            chown(files, user.uid, user.gid)
        }
    }

    /// cutover's environment, with temporary files in the server's own folder (the user it runs as
    /// may not reach cutover's TMPDIR).
    private var environment: [String: String] {
        var env = ProcessInfo.processInfo.environment
        env["TMPDIR"] = folder
        for key in ["MYSQL_PWD", "MYSQL_HOST", "MYSQL_TCP_PORT", "MYSQL_UNIX_PORT"] { env.removeValue(forKey: key) }
        return env
    }

    /// `secure_file_priv`: empty, private, and removed with the server.
    public var files: String { "\(folder)/files" }

    /// When set before `start()`, the server also listens on 127.0.0.1 at this port (rehearse: the
    /// Jobs' client reaches `DB_HOST`:`DB_PORT`, and Debian's client config pins the socket path).
    public var tcpPort: Int?

    public func start() throws {
        let data = "\(folder)/data"
        let install = try ChildProcess.run(tools.installDB, ["--no-defaults",
            "--datadir=\(data)", "--auth-root-authentication-method=normal", "--skip-test-db", "--skip-name-resolve",
        ] + Self.innodb, environment: environment, directory: folder, user: tools.user)
        guard install.status == 0 else {
            throw VerificationError.serverFailed("mariadb-install-db failed (exit \(install.status)):\n" + LocalPostgresServer.tail(install.output))
        }
        let log = "\(folder)/error.log"
        let server = try ChildProcess(tools.server, ["--no-defaults", "--secure-file-priv=\(files)", "--local-infile=0",
            "--datadir=\(data)", "--socket=\(socket)", "--pid-file=\(folder)/mysqld.pid",
        ] + (tcpPort.map { ["--bind-address=127.0.0.1", "--port=\($0)"] } ?? ["--skip-networking"]) + [
            "--log-error=\(log)", "--character-set-server=utf8mb4", "--collation-server=utf8mb4_unicode_ci",
            "--innodb-flush-log-at-trx-commit=0", "--explicit-defaults-for-timestamp=ON",
            "--sql-mode=ONLY_FULL_GROUP_BY,STRICT_TRANS_TABLES,NO_ZERO_IN_DATE,NO_ZERO_DATE,ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION",
        ] + Self.innodb, environment: environment, directory: folder, stdin: .null, stdout: .file(log), stderr: .file(log),
           user: tools.user, deathSignal: SIGKILL)
        lock.lock()
        child = server
        lock.unlock()
        token = CleanupRegistry.shared.register("MariaDB in \(folder) (pid \(server.pid))") { [self] in stop() }
        let deadline = Date().addingTimeInterval(60)
        while !UnixSocket.accepts(socket) {
            if let status = server.poll() {
                let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
                throw VerificationError.serverFailed("mariadbd exited (status \(ChildProcess.exitCode(status))):\n" + LocalPostgresServer.tail(text))
            }
            guard Date() < deadline else {
                throw VerificationError.serverFailed("mariadbd did not accept connections within 60 s (log: \(log))")
            }
            usleep(10_000)
        }
    }

    public func stop() {
        lock.lock()
        if stopped { lock.unlock(); return }
        stopped = true
        let child = self.child
        let token = self.token
        lock.unlock()
        if let token { CleanupRegistry.shared.unregister(token) }
        child?.stop(SIGTERM, grace: 20)
        if !keep { try? FileManager.default.removeItem(atPath: folder) }
    }
}
