import CutoverPlan
import CutoverEmit
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The servers of one rehearsal and what the Jobs connect with: a throwaway PostgreSQL or MariaDB
/// server (started as `verify` starts it) or the server behind `--database-url`, a database named
/// as the spec's `database.name` (a scratch name on a given server), and a login role that is not
/// a superuser and owns that database (MariaDB: has every privilege on it and nothing else), whose
/// name and password are the Jobs' Secret files. The base schema is loaded as that role. On
/// MariaDB the app's traffic logs in as a second such user, so the lock monitor can tell the Jobs'
/// sessions from the app's (PostgreSQL tells them apart by application_name). Teardown on every
/// path, through the `CleanupRegistry`.
final class RehearsalEnvironment: @unchecked Sendable {
    let scratch: ScratchFolder
    let keep: Bool
    let inform: (String) -> Void
    private(set) var server: DatabaseServer!
    /// Blue-green: the target server (green); `server` is blue.
    private(set) var green: DatabaseServer?
    /// Blue-green: where the Jobs' `GREEN_HOST` points.
    private(set) var greenHost = ""
    /// The database the Jobs and the app use.
    private(set) var database = ""
    let role = "cutover_app"
    /// MariaDB: the user the app's traffic logs in as.
    let webRole = "cutover_web"
    let password: String
    let engine: MigrationSpec.Engine
    /// PostgreSQL with a `database.schemaName` other than `public`: the app's sessions take it as
    /// search_path at connect (a startup option, which a file's RESET ALL keeps), as the app's pods
    /// must (the plan README says so). The Jobs' sessions do not: a step that leans on search_path
    /// instead of its file's settings or the schema its statements name acts on `public` and is caught.
    var appSearchPath: String?
    /// Env the Jobs get beyond their own (MariaDB: MYSQL_UNIX_PORT, the socket behind DB_HOST=localhost).
    private(set) var jobEnvironment: [String: String] = [:]
    /// Where the Jobs' `DB_HOST` points (the server's socket folder, or the URL's host).
    private(set) var host = ""
    private(set) var port = 5432
    private var tokens: [CleanupRegistry.Token] = []
    private var createdOnExternal = false
    /// MySQL version databases the rehearsal granted (and expand creates), dropped at tear-down.
    private var versionDatabases: [String] = []
    private let lock = NSLock()
    private var tornDown = false

    private init(scratch: ScratchFolder, engine: MigrationSpec.Engine, keep: Bool, inform: @escaping (String) -> Void) {
        self.scratch = scratch
        self.engine = engine
        self.keep = keep
        self.inform = inform
        password = "rehearse-" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(16).lowercased()
    }

    /// Creates the scratch folder and starts the servers on a thread of their own, so that the
    /// output is generated and rendered meanwhile (initdb and server start wait mostly on the
    /// disk and on child processes); `ready()` waits for them. Teardown waits for them too.
    static func start(plan: MigrationPlan, options: Rehearsal.Options, inform: @escaping (String) -> Void) throws -> RehearsalEnvironment {
        let engine = plan.spec.database.engine
        let choice = try ServerChoice.locate(engine: engine, databaseURL: options.databaseURL, locator: options.locator)
        var local = true
        if case .external = choice { local = false }
        let scratchEnvironment = local ? scratchEnvironment(rows: options.rows, keep: options.keep) : ProcessInfo.processInfo.environment
        let environment = RehearsalEnvironment(scratch: try ScratchFolder(prefix: "cutover-rehearse", environment: scratchEnvironment),
                                               engine: engine, keep: options.keep, inform: inform)
        if engine == .postgresql, plan.spec.database.schemaName != "public" {
            // The spec's schema alone: the snapshots read the tables on this session's search_path, and
            // `public`'s decoys would join them (the version sessions get `public` from the ConfigMap's PGOPTIONS).
            environment.appSearchPath = SQLNames(engine: .postgresql).quote(plan.spec.database.schemaName)
        }
        let scratch = environment.scratch, keep = options.keep
        environment.tokens.append(CleanupRegistry.shared.register("folder \(scratch.path)", final: !keep) {
            if !keep { scratch.remove() }
        })
        nonisolated(unsafe) let chosen = choice
        let blueGreen = plan.spec.strategy == .blueGreen, database = plan.spec.database.name, blueSettings = options.blueSettings
        let scratchDatabase = options.scratchDatabase ?? scratchDatabaseName()
        environment.starting.enter()
        Thread {
            do {
                switch chosen {
                case .external(let external):
                    try environment.useExternal(external, database: scratchDatabase)
                case .postgres(let tools) where blueGreen:
                    try environment.startBlueGreen(tools, database: database, blueSettings: blueSettings)
                case .postgres(let tools):
                    try environment.startLocal(tools, database: database)
                case .mariadb(let tools):
                    try environment.startMariaDB(tools, database: database)
                }
            } catch {
                environment.startError = error
            }
            environment.starting.leave()
        }.start()
        return environment
    }

    /// Waits until the servers accept connections (or throws why they did not start).
    func ready() throws {
        starting.wait()
        if let startError { throw startError }
    }

    private let starting = DispatchGroup()
    private var startError: Error?

    /// The throwaway servers' scratch folder goes on a memory filesystem when the user chose no
    /// TMPDIR and /dev/shm is a tmpfs with room for the servers (2 GiB plus 8 KiB per seeded row;
    /// not with --keep, whose folder outlives the run): their files are thrown away at the end and
    /// run with fsync off anyway, and on a disk shared with other work initdb alone took 4.0 s
    /// against 1.3 s there, with a rehearsal spending most of its own time in file metadata
    /// (docs/performance.md). The folder is the same cutover scratch folder (private, swept, removed).
    static func scratchEnvironment(rows: Int, keep: Bool, environment: [String: String] = ProcessInfo.processInfo.environment,
                                   memory: String = "/dev/shm") -> [String: String] {
        guard !keep, (environment["TMPDIR"] ?? "").isEmpty else { return environment }
        let mounts = (try? String(contentsOfFile: "/proc/self/mounts", encoding: .utf8)) ?? ""
        let tmpfs = mounts.split(separator: "\n").contains { line in
            let fields = line.split(separator: " ")
            return fields.count > 2 && fields[1] == memory && fields[2] == "tmpfs"
        }
        var info = statvfs()
        guard tmpfs, statvfs(memory, &info) == 0, access(memory, W_OK | X_OK) == 0 else { return environment }
        let free = UInt64(info.f_bavail) * UInt64(info.f_frsize)
        guard free >= (2 << 30) + UInt64(max(0, rows)) * 8192 else { return environment }
        var changed = environment
        changed["TMPDIR"] = memory
        return changed
    }

    private func startLocal(_ tools: LocalPostgresServer.Tools, database: String) throws {
        let server = try LocalPostgresServer(in: scratch, name: "pg", tools: tools, keep: keep)
        self.server = server
        try server.start(logical: false)
        // The Jobs run as their own uid: let it reach the socket (the data folder stays 0700).
        chmod(server.folder, 0o711)
        host = server.folder
        port = 5432
        self.database = database
        try createRoleAndDatabase()
    }

    /// Two PostgreSQL servers with wal_level=logical, as `verify` starts them: blue holds the base
    /// schema; green is empty, as the operator creates it. The app's role has no REPLICATION
    /// attribute: the slots, publications and subscriptions use the superusers' Secrets.
    private func startBlueGreen(_ tools: LocalPostgresServer.Tools, database: String, blueSettings: [String] = []) throws {
        // One initdb; green is a copy of blue's fresh, never started cluster (a copy takes a tenth
        // of an initdb, and two initdbs at once compete for the same cores). Both start together.
        let blue = try LocalPostgresServer(in: scratch, name: "blue", tools: tools, keep: keep)
        let green = try LocalPostgresServer(in: scratch, name: "green", tools: tools, template: blue.dataFolder, keep: keep)
        server = blue
        self.green = green
        _ = try ServerChoice.together({ try blue.start(logical: true, extra: blueSettings) }, { try green.start(logical: true) })
        for folder in [blue.folder, green.folder] { chmod(folder, 0o711) }
        host = blue.folder
        greenHost = green.folder
        port = 5432
        self.database = database
        try createRoleAndDatabase()
        try createRoleAndDatabase(on: green)
        // The app's role gets nothing for replication: the Jobs do it with each side's superuser Secret.
        // Green's database as the operator makes it: owned by a role of its own (the green manifest's
        // owner), so the app's role has no right there until the schema-load Job grants it.
        let admin = try green.session(database: green.admin.database)
        defer { admin.close() }
        let owner = PostgresIdentifier.quote(BlueGreenBuilder.greenOwner(database))
        try admin.execute("CREATE ROLE \(owner) NOLOGIN")
        try admin.execute("ALTER DATABASE \(PostgresIdentifier.quote(database)) OWNER TO \(owner)")
    }

    private func startMariaDB(_ tools: LocalMariaDBServer.Tools, database: String) throws {
        let server = try LocalMariaDBServer(in: scratch, tools: tools, keep: keep)
        self.server = server
        // The Jobs' runner writes DB_HOST and DB_PORT into its client option file, and Debian's client
        // configuration pins the socket path: the Jobs reach the throwaway server over TCP on 127.0.0.1.
        let tcp = try Self.freePort()
        server.tcpPort = tcp
        try server.start()
        host = "127.0.0.1"
        port = tcp
        self.database = database
        try createRoleAndDatabase()
    }

    /// A TCP port on 127.0.0.1 that nothing listens on now (the kernel's pick).
    static func freePort() throws -> Int {
        #if os(Linux)
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        let fd = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard fd >= 0 else { throw VerificationError.system("socket", errno) }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
        guard bound == 0 else { throw VerificationError.system("bind 127.0.0.1:0", errno) }
        let named = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        guard named == 0 else { throw VerificationError.system("getsockname", errno) }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// A fresh name for the scratch database on a given server.
    static func scratchDatabaseName() -> String {
        "cutover_rehearse_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(10).lowercased()
    }

    private func useExternal(_ server: ExternalServer, database: String) throws {
        self.server = server
        host = server.admin.host ?? "localhost"
        port = server.admin.port ?? (engine == .postgresql ? 5432 : 3306)
        if let socket = server.admin.socket { jobEnvironment["MYSQL_UNIX_PORT"] = socket }
        self.database = database
        let keep = self.keep
        tokens.append(CleanupRegistry.shared.register("scratch database \(database)") { [self] in
            if !keep { dropExternal() }
        })
        createdOnExternal = true
        try createRoleAndDatabase()
    }

    /// Another database owned by the role (the shape pre-pass plays the forward stages there).
    func createSideDatabase(_ name: String) throws {
        let admin = try server.session(database: server.admin.database)
        defer { admin.close() }
        try createDatabase(name, using: admin)
    }

    private func createDatabase(_ name: String, using admin: SQLSession) throws {
        switch engine {
        case .postgresql:
            try admin.execute("CREATE DATABASE \(PostgresIdentifier.quote(name)) OWNER \(PostgresIdentifier.quote(role)) TEMPLATE template0 ENCODING 'UTF8'")
        case .mysql:
            let quoted = MariaDBSession.quoteIdentifier(name)
            try admin.execute("CREATE DATABASE \(quoted) CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
            for user in [role, webRole] {
                try admin.execute("GRANT ALL PRIVILEGES ON \(quoted).* TO \(mariadbUser(user))")
            }
        }
    }

    /// 'user'@'%': the Jobs log in over TCP, the app's sessions through the socket.
    private func mariadbUser(_ name: String) -> String {
        "'\(name)'@'%'"
    }

    /// MySQL version databases (`MySQLVersionSchemas`): what the plan README asks the DBA to grant,
    /// before expand creates them: the Jobs' user creates and drops them and their views, the app's
    /// user reads and writes through the views. Dropped again at tear-down (the rollback of expand
    /// drops them too, unless a stage failed before it).
    func grantVersionDatabases(_ names: [String]) throws {
        guard engine == .mysql else { return }
        let admin = try server.session(database: server.admin.database)
        defer { admin.close() }
        for name in names {
            let pattern = MariaDBSession.quoteIdentifier(VersionSchemaSelection.grantPattern(name))
            try admin.execute("GRANT \(VersionSchemaSelection.mysqlJobPrivileges) ON \(pattern).* TO \(mariadbUser(role))")
            try admin.execute("GRANT \(VersionSchemaSelection.mysqlAppPrivileges) ON \(pattern).* TO \(mariadbUser(webRole))")
            lock.lock()
            versionDatabases.append(name)
            lock.unlock()
        }
    }

    func dropSideDatabase(_ name: String) {
        guard let admin = try? server.session(database: server.admin.database) else { return }
        defer { admin.close() }
        try? server.dropDatabase(name, using: admin)
    }

    func appSession(database name: String) throws -> SQLSession {
        var connection = appConnection
        connection.database = name
        return try session(connection)
    }

    private func createRoleAndDatabase(on other: DatabaseServer? = nil) throws {
        let server: DatabaseServer = other ?? self.server
        let admin = try server.session(database: server.admin.database)
        defer { admin.close() }
        if engine == .mysql {
            for user in [role, webRole] {
                try admin.execute("CREATE USER IF NOT EXISTS \(mariadbUser(user)) IDENTIFIED BY '\(password)'")
                try admin.execute("ALTER USER \(mariadbUser(user)) IDENTIFIED BY '\(password)'")
            }
            try createDatabase(database, using: admin)
            return
        }
        let exists = try admin.query("SELECT count(*) FROM pg_roles WHERE rolname = \(PostgresIdentifier.literal(role))").first == "1"
        let verb = exists ? "ALTER" : "CREATE"
        try admin.execute("\(verb) ROLE \(PostgresIdentifier.quote(role)) LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD \(PostgresIdentifier.literal(password))")
        try admin.execute("CREATE DATABASE \(PostgresIdentifier.quote(database)) OWNER \(PostgresIdentifier.quote(role)) TEMPLATE template0 ENCODING 'UTF8'")
    }

    /// The app's and the Jobs' connection: the role, on the migration's database.
    var appConnection: ConnectionParameters {
        var connection = server.admin.with(database: database)
        connection.user = role
        connection.password = password
        return connection
    }

    func appSession() throws -> SQLSession {
        try session(appConnection)
    }

    /// How the app's traffic connects (MariaDB: as the second user).
    var trafficConnection: ConnectionParameters {
        var connection = appConnection
        if engine == .mysql { connection.user = webRole }
        return connection
    }

    func session(_ connection: ConnectionParameters) throws -> SQLSession {
        switch engine {
        case .postgresql: return try PostgresSession(connection: connection, psql: server.client, settings: appSearchPath.map { ["search_path": $0] } ?? [:])
        case .mysql: return try MariaDBSession(connection: connection, client: server.client)
        }
    }

    /// A PostgreSQL session as a pod whose `PGOPTIONS` env is `pgOptions` connects (the version-schemas
    /// ConfigMap's value, which replaces the app's own search_path): libpq's `options`, verbatim.
    func session(_ connection: ConnectionParameters, pgOptions: String) throws -> SQLSession {
        try PostgresSession(connection: connection, psql: server.client, rawOptions: pgOptions)
    }

    func adminSession() throws -> SQLSession {
        try server.session(database: database)
    }

    /// Blue-green: a superuser session on one side's database.
    func adminSession(on side: DatabaseSide) throws -> SQLSession {
        let target: DatabaseServer = side == .green ? (green ?? server) : server
        return try target.session(database: database)
    }

    /// Blue-green: the app's role on one side (the same role and password on both).
    func appSession(on side: DatabaseSide) throws -> SQLSession {
        let target: DatabaseServer = side == .green ? (green ?? server) : server
        var connection = target.admin.with(database: database)
        connection.user = role
        connection.password = password
        return try session(connection)
    }

    private func dropExternal() {
        guard createdOnExternal, let admin = try? server.session(database: server.admin.database) else { return }
        defer { admin.close() }
        try? server.dropDatabase(database, using: admin)
        for name in versionDatabases { try? server.dropDatabase(name, using: admin) }
    }

    func tearDown() {
        // A server still starting is stopped once it is up (or has failed).
        starting.wait()
        lock.lock()
        if tornDown { lock.unlock(); return }
        tornDown = true
        lock.unlock()
        if !keep { dropExternal() } else if createdOnExternal { inform("kept the scratch database \(database)") }
        green?.stop()
        server?.stop()
        for token in tokens { CleanupRegistry.shared.unregister(token) }
        if keep && !createdOnExternal {
            scratch.release()  // without its marker, no later run sweeps the kept folder as a killed run's
            inform("kept \(scratch.path) (server stopped; the generated output in output/, each Job's files in jobs/)")
        } else {
            scratch.remove()
        }
    }
}
