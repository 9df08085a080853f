import CutoverPlan
import Foundation

/// The servers, scratch databases and sessions of one verification run, and their teardown.
///
/// Without a URL: a throwaway server of the spec's engine in a `ScratchFolder`, with a database
/// `cutover_verify` (for blue-green: two PostgreSQL servers with wal_level=logical, blue and green). With a URL: scratch databases `cutover_verify_<random>` (suffixed `_blue` and
/// `_green` for blue-green) on that server, dropped afterwards.
///
/// The spec's SQL (base schema, steps) runs as an owner role that is not a superuser and has
/// rights on the scratch databases only (`ScratchOwner`); creating and dropping databases and, in
/// blue-green, the replication steps cutover generates (publications, slots, subscriptions,
/// sequence sync) run on admin sessions.
///
/// Teardown runs on every path: normally through `tearDown()`, and on SIGINT/SIGTERM/SIGHUP
/// through the `CleanupRegistry` (servers stopped by their own PID, then the folder removed).
final class VerificationEnvironment: @unchecked Sendable {
    let scratch: ScratchFolder
    let keep: Bool
    let inform: (String) -> Void
    private(set) var servers: [DatabaseServer] = []
    /// blue first; a single-database run has just blue. These run as the scratch databases' owner.
    private(set) var sessions: [(side: DatabaseSide, session: SQLSession)] = []
    /// Blue-green only: admin sessions on the same databases, for the replication steps.
    private(set) var adminSessions: [(side: DatabaseSide, session: SQLSession)] = []
    /// The role (PostgreSQL) or user (MariaDB) the spec's SQL runs as.
    private(set) var owner: ScratchOwner?
    private(set) var external: ExternalServer?
    /// MySQL version databases the scratch owner was granted (`grantVersionDatabases`), dropped at tear-down.
    private(set) var versionDatabases: [String] = []
    private(set) var scratchDatabases: [String] = []
    private let lock = NSLock()
    private var tornDown = false
    private var tokens: [CleanupRegistry.Token] = []

    private init(scratch: ScratchFolder, keep: Bool, inform: @escaping (String) -> Void) {
        self.scratch = scratch
        self.keep = keep
        self.inform = inform
    }

    func session(for side: DatabaseSide?) -> SQLSession {
        let wanted = side ?? .blue
        return sessions.first { $0.side == wanted }?.session ?? sessions[0].session
    }

    /// The session a step runs on: the owner's, except cutover's own replication steps in
    /// blue-green (no change of the spec behind them), which need the admin's rights.
    func session(for step: PlanStep) -> SQLSession {
        let wanted = step.side ?? .blue
        if step.changeIndex == nil, let admin = adminSessions.first(where: { $0.side == wanted }) { return admin.session }
        return session(for: step.side)
    }

    var isBlueGreen: Bool { sessions.count > 1 }

    static func start(plan: MigrationPlan, blueGreen: Bool, options: Verifier.Options,
                      inform: @escaping (String) -> Void) throws -> VerificationEnvironment {
        let engine = plan.spec.database.engine
        if blueGreen && engine != .postgresql {
            throw VerificationError.serverFailed("blue-green verification needs PostgreSQL (logical replication); the spec's engine is \(engine.rawValue)")
        }
        // Find the tools before creating anything, so a missing server is a clear error and no litter.
        let choice = try ServerChoice.locate(engine: engine, databaseURL: options.databaseURL, locator: options.locator)
        if case .external(let external) = choice {
            guard external.admin.isLocal || options.allowRemote else {
                throw VerificationError.badURL("\(external.summary) is not on this machine (not a Unix socket or loopback address); "
                    + "verify would create and drop a database and a \(engine == .postgresql ? "role" : "user") there. "
                    + "Pass --allow-remote if that server is a throwaway one")
            }
        }

        let environment = VerificationEnvironment(scratch: try ScratchFolder(), keep: options.keep, inform: inform)
        let scratch = environment.scratch
        let keep = options.keep
        environment.tokens.append(CleanupRegistry.shared.register("folder \(scratch.path)", final: !keep) {
            if !keep { scratch.remove() }
        })
        do {
            switch choice {
            case .external(let external): try environment.useExternal(external, blueGreen: blueGreen)
            case .postgres(let tools): try environment.startPostgres(tools, blueGreen: blueGreen)
            case .mariadb(let tools): try environment.startMariaDB(tools)
            }
        } catch let failure as SQLFailure {
            environment.tearDown()
            throw VerificationError.serverFailed("cannot prepare the scratch database and its owner: \(failure.message)")
        } catch {
            environment.tearDown()
            throw error
        }
        return environment
    }

    private static let localDatabase = "cutover_verify"

    private func startPostgres(_ tools: LocalPostgresServer.Tools, blueGreen: Bool) throws {
        if blueGreen {
            // Two clusters, as in production: a subscription to a database of the same cluster can
            // hang (DROP SUBSCRIPTION during the initial table sync, CREATE SUBSCRIPTION with
            // create_slot = true). Both are initialised and started at the same time.
            let scratch = self.scratch, keep = self.keep
            let (blue, green) = try ServerChoice.together(
                { try LocalPostgresServer(in: scratch, name: "blue", tools: tools, keep: keep) },
                { try LocalPostgresServer(in: scratch, name: "green", tools: tools, keep: keep) })
            servers += [blue, green]
            _ = try ServerChoice.together({ try blue.start(logical: true) }, { try green.start(logical: true) })
            try openBlueGreen(blue: (blue, blue.admin.with(database: Self.localDatabase)),
                              green: (green, green.admin.with(database: Self.localDatabase)),
                              owner: ScratchOwner.local(.postgresql))
        } else {
            let server = try LocalPostgresServer(in: scratch, name: "pg", tools: tools, keep: keep)
            servers.append(server)
            try server.start(logical: false)
            let admin = try server.session(database: "postgres")
            defer { admin.close() }
            let owner = ScratchOwner.local(.postgresql)
            try owner.create(on: server, using: admin)
            self.owner = owner
            try server.createDatabase(Self.localDatabase, owner: owner, using: admin)
            sessions = [(.blue, try owner.session(on: server, database: Self.localDatabase))]
        }
    }

    private func startMariaDB(_ tools: LocalMariaDBServer.Tools) throws {
        let server = try LocalMariaDBServer(in: scratch, tools: tools, keep: keep)
        servers.append(server)
        try server.start()
        let admin = try server.session(database: "")
        defer { admin.close() }
        let owner = ScratchOwner.local(.mysql)
        try owner.create(on: server, using: admin)
        self.owner = owner
        try server.createDatabase(Self.localDatabase, owner: owner, using: admin)
        sessions = [(.blue, try owner.session(on: server, database: Self.localDatabase))]
    }

    /// Creates the owner and both databases, tells each side where the other is, and opens an owner
    /// and an admin session on each.
    private func openBlueGreen(blue: (server: DatabaseServer, connection: ConnectionParameters),
                               green: (server: DatabaseServer, connection: ConnectionParameters),
                               owner: ScratchOwner) throws {
        self.owner = owner
        for (index, side) in [blue, green].enumerated() {
            if index == 1 && green.server === blue.server {
                let admin = try side.server.session(database: side.server.admin.database)
                defer { admin.close() }
                try side.server.createDatabase(side.connection.database, owner: owner, using: admin)
                continue
            }
            let admin = try side.server.session(database: side.server.admin.database)
            defer { admin.close() }
            try owner.create(on: side.server, using: admin)
            try side.server.createDatabase(side.connection.database, owner: owner, using: admin)
        }
        // The subscription SQL reads the other side's connection string from these custom settings,
        // which the runner passes in PGOPTIONS; verify passes them the same way (and as psql variables).
        // They are the admin's: a subscription needs a superuser, and it connects as its owner.
        let settings = ["cutover.blue_conninfo": blue.connection.libpqURI, "cutover.green_conninfo": green.connection.libpqURI]
        let variables = ["blue_conninfo": blue.connection.libpqURI, "green_conninfo": green.connection.libpqURI]
        sessions = [
            (.blue, try owner.session(on: blue.server, database: blue.connection.database, variables: variables, settings: settings)),
            (.green, try owner.session(on: green.server, database: green.connection.database, variables: variables, settings: settings)),
        ]
        adminSessions = [
            (.blue, try blue.server.session(database: blue.connection.database, variables: variables, settings: settings)),
            (.green, try green.server.session(database: green.connection.database, variables: variables, settings: settings)),
        ]
    }

    private func useExternal(_ server: ExternalServer, blueGreen: Bool) throws {
        external = server
        servers.append(server)
        let suffix = UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(10).lowercased()
        let base = "cutover_verify_\(suffix)"
        let names = blueGreen ? [base + "_blue", base + "_green"] : [base]
        let owner = ScratchOwner.external(server.admin, suffix: String(suffix))
        inform("verify on \(server.summary): creates and then drops the database\(names.count == 1 ? "" : "s") "
               + "\(names.joined(separator: ", ")) and the \(server.engine == .postgresql ? "role" : "user") \(owner.name)")
        if blueGreen {
            let admin = try server.session(database: server.admin.database)
            defer { admin.close() }
            let level = try admin.query("SHOW wal_level").first ?? ""
            guard level == "logical" else {
                throw VerificationError.serverFailed("blue-green verification needs wal_level=logical on the server behind --database-url (it is '\(level)')")
            }
        }
        // Leftovers of a killed run on this same server go first; then this run notes its own names,
        // in case it is killed too.
        ExternalLeftovers.dropDeadRuns(on: server, scratch: scratch, inform: inform)
        ExternalLeftovers.record(names: names, owner: owner, server: server, in: scratch)
        // Registered before the databases exist, so an interrupt between the two still drops them.
        let keep = self.keep
        tokens.append(CleanupRegistry.shared.register("scratch databases \(names.joined(separator: ", ")) and \(owner.name)") { [self] in
            if !keep { dropScratchDatabases() }
        })
        scratchDatabases = names
        if blueGreen {
            try openBlueGreen(blue: (server, server.admin.with(database: names[0])),
                              green: (server, server.admin.with(database: names[1])), owner: owner)
        } else {
            let admin = try server.session(database: server.admin.database)
            defer { admin.close() }
            try owner.create(on: server, using: admin)
            self.owner = owner
            try server.createDatabase(names[0], owner: owner, using: admin)
            sessions = [(.blue, try owner.session(on: server, database: names[0]))]
        }
    }

    /// Drops the scratch databases on the URL's server; on PostgreSQL first detaches their
    /// subscriptions (so no slot is dropped through them) and drops the slots they left behind.
    private func dropScratchDatabases() {
        guard let server = external, !scratchDatabases.isEmpty else { return }
        Self.drop(databases: scratchDatabases, owner: owner, on: server, inform: inform)
    }

    /// Drops scratch databases and their owner on a --database-url server; on PostgreSQL first
    /// detaches their subscriptions (so no slot is dropped through them) and drops the slots they left.
    static func drop(databases scratchDatabases: [String], owner: ScratchOwner?, on server: ExternalServer,
                     inform: (String) -> Void) {
        if server.engine == .postgresql {
            for name in scratchDatabases {
                guard let session = try? server.session(database: name) else { continue }
                for subscription in (try? session.query("SELECT quote_ident(subname) FROM pg_subscription WHERE subdbid = (SELECT oid FROM pg_database WHERE datname = current_database())")) ?? [] {
                    try? session.execute("ALTER SUBSCRIPTION \(subscription) DISABLE; ALTER SUBSCRIPTION \(subscription) SET (slot_name = NONE); DROP SUBSCRIPTION \(subscription)")
                }
                session.close()
            }
        }
        guard let admin = try? server.session(database: server.admin.database) else {
            inform("warning: could not connect to drop the scratch databases \(scratchDatabases.joined(separator: ", "))")
            return
        }
        defer { admin.close() }
        if server.engine == .postgresql {
            let list = scratchDatabases.map(PostgresIdentifier.literal).joined(separator: ", ")
            _ = try? admin.query("SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE database IN (\(list)) AND NOT active")
        }
        for name in scratchDatabases {
            do {
                try server.dropDatabase(name, using: admin)
            } catch {
                inform("warning: could not drop the scratch database \(name): \(error)")
            }
        }
        if let owner {
            do {
                try owner.drop(using: admin)
            } catch {
                inform("warning: could not drop the scratch \(server.engine == .postgresql ? "role" : "user") \(owner.name): \(error)")
            }
        }
    }

    /// Closes sessions, drops scratch databases (URL), stops servers cutover started and removes the
    /// folder, unless --keep; idempotent.
    /// MySQL version databases (`MySQLVersionSchemas`): expand creates them outside the scratch
    /// database, so the scratch owner gets rights on exactly those names, as the plan README asks the
    /// DBA to grant the Jobs' user. On a --database-url server a database of that name must not exist
    /// yet (the spec's SQL would get rights on a database that is not verify's), and they are dropped
    /// with the scratch database.
    func grantVersionDatabases(_ names: [String]) throws {
        guard let server = servers.first, server.engine == .mysql, let owner else { return }
        let admin = try server.session(database: server.admin.database)
        defer { admin.close() }
        for name in names {
            let exists = try admin.query("SELECT COUNT(*) FROM information_schema.schemata WHERE schema_name = \(SQLNames(engine: .mysql).literal(name))").first != "0"
            if exists && external != nil {
                throw VerificationError.serverFailed("database \(name) already exists on the server: the plan creates and drops its version database under that name; drop it, or verify on another server")
            }
            let pattern = MariaDBSession.quoteIdentifier(VersionSchemaSelection.grantPattern(name))
            try admin.execute("GRANT ALL PRIVILEGES ON \(pattern).* TO \(owner.mariadbAccount)")
            lock.lock()
            versionDatabases.append(name)
            lock.unlock()
        }
    }

    func tearDown() {
        lock.lock()
        if tornDown { lock.unlock(); return }
        tornDown = true
        lock.unlock()
        for (_, session) in sessions + adminSessions { session.close() }
        if let server = external, !keep, !versionDatabases.isEmpty, let admin = try? server.session(database: server.admin.database) {
            for name in versionDatabases { try? server.dropDatabase(name, using: admin) }
            admin.close()
        }
        if external != nil {
            if keep {
                if !scratchDatabases.isEmpty { inform("kept the scratch database\(scratchDatabases.count == 1 ? "" : "s") \(scratchDatabases.joined(separator: ", "))" + (owner.map { " and \($0.name)" } ?? "")) }
            } else {
                dropScratchDatabases()
            }
        }
        for server in servers.reversed() { server.stop() }
        for token in tokens { CleanupRegistry.shared.unregister(token) }
        if keep {
            if external == nil {
                scratch.release()
                var message = "kept \(scratch.path) (servers stopped; step files in steps/)"
                if let pg = servers.first as? LocalPostgresServer {
                    message += "; restart with: pg_ctl -D \(pg.dataFolder) start"
                }
                inform(message)
            } else {
                scratch.remove()
            }
        } else {
            scratch.remove()
        }
    }
}
