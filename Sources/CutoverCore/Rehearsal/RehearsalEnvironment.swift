import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The servers of one rehearsal and what the Jobs connect with: a throwaway PostgreSQL server
/// (started as `verify` starts it) or the server behind `--database-url`, a database named as the
/// spec's `database.name` (a scratch name on a given server), and a login role that is not a
/// superuser and owns that database, whose name and password are the Jobs' Secret files. The
/// base schema is loaded as that role. Teardown on every path, through the `CleanupRegistry`.
final class RehearsalEnvironment: @unchecked Sendable {
    let scratch: ScratchFolder
    let keep: Bool
    let inform: (String) -> Void
    private(set) var server: DatabaseServer!
    /// The database the Jobs and the app use.
    private(set) var database = ""
    let role = "cutover_app"
    let password: String
    /// Where the Jobs' `DB_HOST` points (the server's socket folder, or the URL's host).
    private(set) var host = ""
    private(set) var port = 5432
    private var tokens: [CleanupRegistry.Token] = []
    private var createdOnExternal = false
    private let lock = NSLock()
    private var tornDown = false

    private init(scratch: ScratchFolder, keep: Bool, inform: @escaping (String) -> Void) {
        self.scratch = scratch
        self.keep = keep
        self.inform = inform
        password = "rehearse-" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(16).lowercased()
    }

    static func start(plan: MigrationPlan, options: Rehearsal.Options, inform: @escaping (String) -> Void) throws -> RehearsalEnvironment {
        let engine = plan.spec.database.engine
        guard engine == .postgresql else {
            throw VerificationError.noServer("rehearse plays PostgreSQL migrations only so far; MySQL (MariaDB) playback is not built yet")
        }
        var tools: LocalPostgresServer.Tools?
        var external: ExternalServer?
        if let url = options.databaseURL {
            external = try ExternalServer(url: url, locator: options.locator)
            guard external!.engine == engine else {
                throw VerificationError.badURL("the spec's engine is \(engine.rawValue) but the URL is for \(external!.engine.rawValue)")
            }
        } else {
            do {
                tools = try LocalPostgresServer.Tools.locate(options.locator)
            } catch let VerificationError.noServer(reason) {
                throw VerificationError.noServer("cannot start a throwaway PostgreSQL server: \(reason).\n"
                    + "Install the server binaries, or pass --database-url postgresql://user:password@host:5432/postgres to use a running server.")
            }
        }
        let environment = RehearsalEnvironment(scratch: try ScratchFolder(prefix: "cutover-rehearse"), keep: options.keep, inform: inform)
        let scratch = environment.scratch, keep = options.keep
        environment.tokens.append(CleanupRegistry.shared.register("folder \(scratch.path)", final: !keep) {
            if !keep { scratch.remove() }
        })
        do {
            if let external {
                try environment.useExternal(external)
            } else if let tools {
                try environment.startLocal(tools, database: plan.spec.database.name)
            }
        } catch {
            environment.tearDown()
            throw error
        }
        return environment
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

    private func useExternal(_ server: ExternalServer) throws {
        self.server = server
        host = server.admin.host ?? "localhost"
        port = server.admin.port ?? 5432
        database = "cutover_rehearse_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(10).lowercased()
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
        try admin.execute("CREATE DATABASE \(PostgresIdentifier.quote(name)) OWNER \(PostgresIdentifier.quote(role)) TEMPLATE template0 ENCODING 'UTF8'")
    }

    func dropSideDatabase(_ name: String) {
        guard let admin = try? server.session(database: server.admin.database) else { return }
        defer { admin.close() }
        try? server.dropDatabase(name, using: admin)
    }

    func appSession(database name: String) throws -> SQLSession {
        var connection = appConnection
        connection.database = name
        return try PostgresSession(connection: connection, psql: server.client)
    }

    private func createRoleAndDatabase() throws {
        let admin = try server.session(database: server.admin.database)
        defer { admin.close() }
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
        try PostgresSession(connection: appConnection, psql: server.client)
    }

    func adminSession() throws -> SQLSession {
        try server.session(database: database)
    }

    private func dropExternal() {
        guard createdOnExternal, let admin = try? server.session(database: server.admin.database) else { return }
        defer { admin.close() }
        try? server.dropDatabase(database, using: admin)
    }

    func tearDown() {
        lock.lock()
        if tornDown { lock.unlock(); return }
        tornDown = true
        lock.unlock()
        if !keep { dropExternal() } else if createdOnExternal { inform("kept the scratch database \(database)") }
        server?.stop()
        for token in tokens { CleanupRegistry.shared.unregister(token) }
        if keep && !createdOnExternal {
            inform("kept \(scratch.path) (server stopped; the generated output in output/, each Job's files in jobs/)")
        } else {
            scratch.remove()
        }
    }
}
