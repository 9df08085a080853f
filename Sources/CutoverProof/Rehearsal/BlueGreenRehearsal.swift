import CutoverPlan
import Foundation

/// What a blue-green rehearsal adds to the Jobs' play: the app follows the switchover Service, and
/// nothing written on either side may be lost on the way.
///
/// - The app's connections go where the rendered switchover Service selects (blue, then green after
///   the switch, blue again after switching back). When it moves, each serving version starts anew
///   on the other side while its previous run keeps its connections a moment longer, as a pool's
///   connections outlive the Service change until the pods restart: a write they land on the old
///   side after the switch is lost unless the fence refuses it.
/// - Statements refused between the start of the switch and the move (read-only sessions, ended
///   connections) are the write pause the fence costs: counted and reported, not failures.
/// - After each move: every seeded row and every row either version wrote and kept is on the side
///   that now serves, and no sequence there is behind the other side (keys would collide).
/// - Re-running the forward stages after the switch must leave the replication state unchanged.
final class BlueGreenRehearsal: @unchecked Sendable {
    let spec: MigrationSpec
    let environment: RehearsalEnvironment
    private let lock = NSLock()
    private var current: DatabaseSide = .blue
    /// When writes may be refused by the fence: (start, end) in seconds since 1970.
    private var windows: [(start: Double, end: Double)] = []
    private(set) var paused = 0
    private var pausedSpan = 0.0

    init(spec: MigrationSpec, environment: RehearsalEnvironment) {
        self.spec = spec
        self.environment = environment
    }

    /// Where the app's connections go now.
    var side: DatabaseSide {
        get { lock.lock(); defer { lock.unlock() }; return current }
        set { lock.lock(); current = newValue; lock.unlock() }
    }

    /// A session of the app's role on the side the Service selects now.
    func appSession() throws -> SQLSession {
        try environment.appSession(on: side)
    }

    /// The app's traffic on every table of the base schema (blue-green moves them all), the same
    /// shape for both versions (a blue-green spec has no changes), connecting where the Service points.
    /// `settings`: what each of the app's sessions sends first (a driver's own session setup).
    func traffic(app: SQLSession, rows: Int, settings: [String] = []) throws -> TrafficDriver {
        let shape = try CatalogShapeReader.read(engine: spec.database.engine, session: app, tables: nil)
        let tables = Set(shape.excludingInternal().tables.map(\.name))
        let driver = AppTrafficDriver(engine: spec.database.engine, oldShape: shape, newShape: shape, touched: tables, rows: rows,
                                lockTimeout: "\(spec.runner.lockTimeout.milliseconds)ms", expectations: [], session: app,
                                connect: { [self] in try appSession() })
        if !settings.isEmpty { for version in [AppVersion.old, .new] { driver.sessionSettings[version] = settings } }
        return driver
    }

    /// The side the rendered switchover Service selects, if the release has it.
    func serviceSide(_ release: RenderedRelease) -> DatabaseSide? {
        guard let name = spec.switchover?.service, let selector = release.services[name] else { return nil }
        if let green = spec.target?.cluster, selector.values.contains(green) { return .green }
        if selector.values.contains(spec.database.cluster) { return .blue }
        return nil
    }

    // MARK: the write pause

    func addPauseWindow(start: Double, end: Double) {
        lock.lock(); windows.append((start, end)); lock.unlock()
    }

    /// A statement the fence refused (its read-only setting or its triggers, both `read-only
    /// transaction`; or a session it ended) while the switch ran.
    func isPause(_ failure: TrafficTally.Failure) -> Bool {
        let fenced = ["read-only transaction", "terminating connection due to administrator command",
                      "server closed the connection unexpectedly", "no connection to the server"]
        guard fenced.contains(where: failure.error.contains) else { return false }
        lock.lock(); defer { lock.unlock() }
        guard let window = windows.first(where: { $0.start <= failure.at && failure.at <= $0.end }) else { return false }
        paused += 1
        pausedSpan = max(pausedSpan, window.end - failure.at)
        return true
    }

    /// The statements refused since the last call, and how long before the move the first one was.
    func takePaused() -> (count: Int, seconds: Double) {
        lock.lock(); defer { lock.unlock() }
        let result = (paused, pausedSpan)
        paused = 0
        pausedSpan = 0
        return result
    }

    // MARK: checks

    /// Every sequence's last value on a side (0 when never used).
    func sequences(on side: DatabaseSide) throws -> [String: Int64] {
        let session = try environment.adminSession(on: side)
        defer { session.close() }
        var out: [String: Int64] = [:]
        for row in try session.query("SELECT quote_ident(schemaname) || '.' || quote_ident(sequencename) || ' ' || coalesce(last_value, 0) FROM pg_catalog.pg_sequences") {
            let parts = row.split(separator: " ")
            if parts.count == 2, let value = Int64(parts[1]) { out[String(parts[0])] = value }
        }
        return out
    }

    /// Sequences on `side` behind the values `before` (read on the side the app left).
    func sequencesBehind(on side: DatabaseSide, before: [String: Int64]) throws -> [String] {
        let now = try sequences(on: side)
        return before.keys.sorted().compactMap { name in
            let was = before[name] ?? 0
            guard let value = now[name] ?? (was == 0 ? 0 : nil) else { return "\(name) is missing on \(side.rawValue)" }
            return value < was ? "\(name) is at \(value) on \(side.rawValue), behind \(was) on the side the app left: its next keys collide" : nil
        }
    }

    /// Rows the app wrote (and seeded rows) that `side` does not have.
    func missingRows(on side: DatabaseSide, traffic: TrafficDriver) throws -> [String] {
        let session = try environment.adminSession(on: side)
        defer { session.close() }
        // The rows are read by the tables' bare names, as the app names them: in its schema.
        if let path = environment.appSearchPath { try session.execute("SET search_path = \(path)") }
        return try traffic.missingRows(on: session)
    }

    /// What of the fence is in place on a side: its triggers (unless lifted: a lifted fence's triggers
    /// call a function that does nothing until they are dropped), the app role's read-only setting.
    func fence(on side: DatabaseSide) throws -> [String] {
        let session = try environment.adminSession(on: side)
        defer { session.close() }
        return try session.query("""
            SELECT 'fence trigger on ' || count(*) || ' table(s)' FROM pg_catalog.pg_trigger WHERE tgname = 'cutover_fence'
               AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = 'cutover_fence'
                                AND pg_catalog.obj_description(oid, 'pg_namespace') = 'cutover fence, lifted') HAVING count(*) > 0
            UNION ALL SELECT 'role setting ' || array_to_string(s.setconfig, ',') FROM pg_catalog.pg_db_role_setting s
              JOIN pg_catalog.pg_roles r ON r.oid = s.setrole
             WHERE r.rolname = \(PostgresIdentifier.literal(environment.role)) AND 'default_transaction_read_only=on' = ANY (s.setconfig)
            """)
    }

    /// What the Jobs manage on both sides: publications and their tables, slots, subscriptions and
    /// whether they are enabled, the app role's settings (the fence).
    func replicationState() throws -> [String] {
        var out: [String] = []
        for side in [DatabaseSide.blue, .green] {
            let session = try environment.adminSession(on: side)
            defer { session.close() }
            let role = PostgresIdentifier.literal(environment.role)
            out += try session.query("""
                SELECT * FROM (
                  SELECT 'publication ' || p.pubname || ' (' || (SELECT count(*) FROM pg_catalog.pg_publication_rel r WHERE r.prpubid = p.oid) || ' tables)' FROM pg_catalog.pg_publication p
                  UNION ALL SELECT 'slot ' || slot_name FROM pg_catalog.pg_replication_slots
                  UNION ALL SELECT 'subscription ' || subname || CASE WHEN subenabled THEN ' enabled' ELSE ' disabled' END FROM pg_catalog.pg_subscription
                  UNION ALL SELECT 'role setting ' || array_to_string(s.setconfig, ',') FROM pg_catalog.pg_db_role_setting s
                    JOIN pg_catalog.pg_roles r ON r.oid = s.setrole WHERE r.rolname = \(role)
                ) t(line) ORDER BY 1
                """).map { "\(side.rawValue): \($0)" }
        }
        return out
    }

    /// Every enabled subscription on either side applies what its publisher sends: no apply or copy
    /// error (`pg_stat_subscription_stats`, PostgreSQL 15+) and its slot reaches the publisher's
    /// position of now within `seconds`. A subscription stuck on a conflict (a duplicate key it
    /// retries forever) passes every Job, yet its slot keeps the publisher's WAL until the disk fills.
    func replicationHealth(seconds: Double = 20) throws -> [String] {
        var problems: [String] = []
        for side in [DatabaseSide.blue, .green] {
            let publisher: DatabaseSide = side == .blue ? .green : .blue
            let subscriber = try environment.adminSession(on: side)
            defer { subscriber.close() }
            let source = try environment.adminSession(on: publisher)
            defer { source.close() }
            let version = Int(try subscriber.query("SHOW server_version_num").first ?? "0") ?? 0
            for name in try subscriber.query("SELECT subname FROM pg_catalog.pg_subscription WHERE subenabled ORDER BY 1") {
                let literal = PostgresIdentifier.literal(name)
                func errors() throws -> Int {
                    guard version >= 150000 else { return 0 }
                    return Int(try subscriber.query("SELECT coalesce(sum(apply_error_count + sync_error_count), 0) FROM pg_catalog.pg_stat_subscription_stats WHERE subname = \(literal)").first ?? "0") ?? 0
                }
                let lsn = try source.query("SELECT pg_catalog.pg_current_wal_lsn()").first ?? "0/0"
                let deadline = Date().addingTimeInterval(seconds)
                var caughtUp = false
                var failed = try errors()
                while failed == 0 && Date() < deadline {
                    let done = try source.query("SELECT count(*) FROM pg_catalog.pg_replication_slots WHERE slot_name = \(literal) AND confirmed_flush_lsn >= \(PostgresIdentifier.literal(lsn))::pg_lsn")
                    if done.first == "1" { caughtUp = true; break }
                    Thread.sleep(forTimeInterval: 0.2)
                    failed = try errors()
                }
                guard failed > 0 || !caughtUp else { continue }
                var problem = "subscription \(name) on \(side.rawValue) "
                problem += failed > 0 ? "fails to apply \(publisher.rawValue)'s changes (\(failed) error(s))"
                    : "did not apply \(publisher.rawValue)'s changes up to \(lsn) within \(Int(seconds)) s: its slot there stopped advancing"
                if let error = lastError(on: side) { problem += "; \(side.rawValue)'s log: \(error)" }
                problems.append(problem)
            }
        }
        return problems
    }

    /// The last ERROR line of a local server's log (a rehearsal's own servers only).
    private func lastError(on side: DatabaseSide) -> String? {
        guard let server = (side == .blue ? environment.server : environment.green) as? LocalPostgresServer,
              let log = try? String(contentsOfFile: "\(server.folder)/server.log", encoding: .utf8) else { return nil }
        return log.split(separator: "\n").last { $0.contains("ERROR:") }.map { String($0).trimmingCharacters(in: .whitespaces) }
    }
}
