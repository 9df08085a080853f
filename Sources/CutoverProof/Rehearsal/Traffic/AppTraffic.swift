import CutoverPlan
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The statements one app version sends while it serves: a background thread with its own
/// session, a paced loop of INSERT (every column the version must give, others sometimes),
/// UPDATE of a column by key, DELETE of rows it inserted itself, and SELECT of all its columns
/// by key, on the tables of its shape. Seeded rows are only read, never changed, so their
/// fingerprints stay comparable; the rows it writes are tracked by key. Every refused statement
/// is recorded with the server's error.
public final class AppTraffic: @unchecked Sendable {
    public let version: String
    public let shape: AppShape
    public let tables: [String]
    public let engine: MigrationSpec.Engine
    public let lockTimeout: String?
    /// Pause between statements (seconds).
    public var pause: Double = 0.003
    /// Statements run on every (re)connection before the traffic, after the lock timeout: how the
    /// version selects its schema of views (`SET search_path = …`).
    public var sessionSettings: [String] = []
    /// While set, no pause: nothing else runs then (the rehearsal's dwell between two Jobs), so the
    /// statements that must meet a state of the schema are sent as fast as the server answers.
    private var unpaced = false
    /// Statements sent so far, readable while the loop runs.
    private var sentSoFar = 0
    private var ended = false
    /// At most this many statements per run, whatever the duration (a runaway bound).
    public var statementLimit = 1_000_000
    /// Failures kept in the report (all are counted).
    public static let failureLimit = 100
    /// The app's own statements (`rehearse --traffic-old/--traffic-new`), sent in turn with the
    /// derived ones, in order and again from the top.
    public var script: TrafficScript?
    /// PostgreSQL: table → column → the base table that owns the identity a `setIdentity identity: none`
    /// drops in contract. The new version sends that column's ids from the identity's sequence while it
    /// exists, and past the table's largest id after contract (CUT115 says the app must): an id of its
    /// own beside the old version's sequence would be one the sequence hands out later.
    public var drawnIds: [String: [String: String]] = [:]
    private var scriptIndex = 0

    private let connect: () throws -> SQLSession
    private let lock = NSLock()
    private var stopping = false
    private var started = false
    private let finished = DispatchSemaphore(value: 0)
    private var report: TrafficReport
    private var random: SplitMix64
    private var startTime = Date()
    /// Distinguishes this run's generated text keys from any other run's, of either version.
    private let tag: String

    public init(version: String, shape: AppShape, tables: [String], engine: MigrationSpec.Engine,
                connect: @escaping () throws -> SQLSession, lockTimeout: String?, seed: UInt64) {
        self.version = version
        self.shape = shape.excludingInternal()
        self.tables = tables
        self.engine = engine
        self.connect = connect
        self.lockTimeout = lockTimeout
        report = TrafficReport(version: version)
        // A stable mix of the version name (hashValue changes per process).
        random = SplitMix64(seed: version.utf8.reduce(seed) { ($0 &* 31) &+ UInt64($1) })
        let clock = UInt64(Date().timeIntervalSince1970 * 1000) % 1_000_000_000
        tag = "\(version.prefix(3))\(String(clock ^ (seed % 1_000_000), radix: 36))"
    }

    public func start() {
        lock.lock()
        guard !started else { lock.unlock(); return }
        started = true
        startTime = Date()
        lock.unlock()
        let thread = Thread { [self] in
            run()
            lock.lock(); ended = true; lock.unlock()
            finished.signal()
        }
        thread.name = "cutover traffic \(version)"
        thread.start()
    }

    /// Stops the loop after the statement in flight and returns what was sent.
    public func stop() -> TrafficReport {
        lock.lock()
        stopping = true
        let wasStarted = started
        lock.unlock()
        if wasStarted { finished.wait(); finished.signal() }
        var result = report
        result.seconds = Date().timeIntervalSince(startTime)
        return result
    }

    private var shouldStop: Bool {
        lock.lock(); defer { lock.unlock() }
        return stopping
    }

    /// Sends `count` more statements without pausing and returns once they are sent, the loop has
    /// ended, or `timeout` seconds have passed.
    public func sendUnpaced(_ count: Int, timeout: Double) {
        lock.lock()
        let target = sentSoFar + count
        unpaced = true
        lock.unlock()
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            lock.lock()
            let done = sentSoFar >= target || ended || !started
            lock.unlock()
            if done { break }
            usleep(2_000)
        }
        lock.lock(); unpaced = false; lock.unlock()
    }

    private func rest() {
        lock.lock()
        let wait = unpaced ? 0 : pause
        lock.unlock()
        if wait > 0 { usleep(useconds_t(wait * 1_000_000)) }
    }

    // MARK: The loop

    /// What the loop knows about one table.
    private struct Target {
        var table: TableShape
        var key: [String]
        var deletable: Bool
        var parentKeys: [[[String?]]]  // per foreign key: sample parent key values
        /// Per foreign key: whether a key of the table lies within its columns (one row per parent at
        /// most, as stock per product): then a parent is taken once, and only one no row points at yet.
        var singleChild: [Bool] = []
        var seededKeys: [[String?]]
        var written: [WrittenRow] = []
        var counters: [String: Int64] = [:]  // next value of unique integer columns
        /// Unique sets no generated value keeps apart (a join table's key of two foreign keys): an
        /// insert goes in only if no row holds its combination yet, as an app that links two rows checks first.
        var guardedSets: [[String]] = []
        /// A trigger of another table fills it, or it has no key to track written rows by: the app only reads it.
        var readOnly = false
        /// A narrow key the table generates (TINYINT/SMALLINT AUTO_INCREMENT, smallserial): past this
        /// value the version stops inserting there (reads instead), so the other version's inserts
        /// and the rest of the rehearsal still find keys; the seeder left half the range free.
        var keyCeiling: Int64?
    }

    private var dialect: TrafficSQL { TrafficSQL(engine) }

    private func run() {
        let session: SQLSession
        do { session = try connect() } catch {
            record(kind: "connect", table: "", statement: "(connect)", error: "\(error)")
            return
        }
        defer { session.close() }
        guard applySettings(session) else { return }
        var targets = prepare(session)
        guard !targets.isEmpty else { return }
        var needsSettings = false
        while !shouldStop && report.sent < statementLimit {
            if needsSettings {
                guard applySettings(session) else { break }  // the server is gone; keep what was written
                needsSettings = false
            }
            if let script, report.sent % 2 == 1 {
                let statement = script.statements[scriptIndex % script.statements.count]
                scriptIndex += 1
                let place = "\((script.path as NSString).lastPathComponent):\(statement.line)"
                if send("script", "", statement.text, session, shown: "\(statement.text)  [\(place)]") == nil {
                    // No transaction the file opened may stay aborted for the statements after it.
                    _ = try? session.execute("ROLLBACK")
                    needsSettings = true
                }
                rest()
                continue
            }
            let index = Int(random.next() % UInt64(targets.count))
            let roll = random.next() % 100
            let ok: Bool
            if roll < 40 || targets[index].written.isEmpty {
                ok = insert(&targets[index], session)
            } else if roll < 65 {
                ok = update(&targets[index], session)
            } else if roll < 75 && targets[index].deletable {
                ok = delete(&targets[index], session)
            } else {
                ok = select(&targets[index], session)
            }
            // The session reconnects after an error, without this session's settings.
            if !ok { needsSettings = true }
            rest()
        }
        for target in targets where !target.key.isEmpty {
            report.keyColumns[target.table.name] = target.key
            report.writtenKeys[target.table.name] = target.written.map(\.key)
            report.writtenRows[target.table.name] = target.written
        }
    }

    /// The spec's lock timeout on this session.
    private func applySettings(_ session: SQLSession) -> Bool {
        for statement in sessionSettings {
            do { try session.execute(statement) } catch {
                record(kind: "connect", table: "", statement: statement, error: "\(error)")
                return false
            }
        }
        guard let lockTimeout, !lockTimeout.isEmpty else { return true }
        let statement: String
        switch engine {
        case .postgresql:
            let value = Duration.parse(lockTimeout).map { "\($0.milliseconds)ms" } ?? lockTimeout
            statement = "SET lock_timeout = \(dialect.literal(value))"
        case .mysql:
            let seconds = max(1, Duration.parse(lockTimeout)?.seconds ?? Int(lockTimeout) ?? 5)
            statement = "SET SESSION lock_wait_timeout = \(seconds), SESSION innodb_lock_wait_timeout = \(seconds)"
        }
        do { try session.execute(statement); return true } catch {
            record(kind: "connect", table: "", statement: statement, error: "\(error)")
            return false
        }
    }

    /// What the loop needs per table; a table that cannot be read is a recorded failure and left out.
    private func prepare(_ session: SQLSession) -> [Target] {
        var targets: [Target] = []
        let triggerWritten: Set<String>
        do { triggerWritten = try TriggerWrittenTables.read(session: session, engine: engine) } catch {
            record(kind: "prepare", table: "", statement: "(reading triggers)", error: "\(error)")
            return []
        }
        for name in tables {
            guard let table = shape.table(name), !table.columns.isEmpty else { continue }
            do {
                var target = try prepare(table, session)
                // Without a key (roundcube's dictionary: a unique set with a nullable column) the rows
                // it wrote could not be told from seeded ones, whose fingerprints must stay the same.
                target.readOnly = TriggerWrittenTables.contains(triggerWritten, name) || target.key.isEmpty
                targets.append(target)
            } catch {
                record(kind: "prepare", table: name, statement: "(reading keys of \(name))", error: "\(error)")
                if !applySettings(session) { break }
            }
        }
        return targets
    }

    private func prepare(_ table: TableShape, _ session: SQLSession) throws -> Target {
        let d = dialect
        let name = table.name
        let referenced = Set(shape.tables.flatMap { $0.foreignKeys.map(\.referencedTable) })
        let key = table.keyColumns
        var target = Target(table: table, key: key,
                            deletable: !referenced.contains(name) && !key.isEmpty, parentKeys: [], seededKeys: [])
        // Unique sets whose every column comes from a parent or from a generator that may repeat:
        // the two versions take parents of their own parity on the first foreign key in such a
        // set, so they never race for one combination, and each insert checks it is new.
        let fresh = Set(table.columns.filter { column in
            if column.generated { return true }
            if table.partition?.constrains(column.name) == true { return false }
            guard !table.foreignKeys.contains(where: { $0.columns.contains(column.name) }) else { return false }
            switch ColumnKind.of(column, in: table, engine: engine) {
            case .integer, .decimal, .text, .uuid: return table.uniqueColumns.contains(column.name)
            default: return false
            }
        }.map(\.name))
        target.guardedSets = ([table.primaryKey] + table.uniques).filter { !$0.isEmpty && !$0.contains(where: fresh.contains) }
        var splitKeys = Set<Int>()
        for set in target.guardedSets {
            if let first = table.foreignKeys.firstIndex(where: { key in key.columns.contains(where: set.contains) }) { splitKeys.insert(first) }
        }
        for (keyIndex, foreignKey) in table.foreignKeys.enumerated() {
            let single = ([table.primaryKey] + table.uniques).contains { !$0.isEmpty && Set($0).isSubset(of: Set(foreignKey.columns)) }
            target.singleChild.append(single)
            guard single else {
                let columns = foreignKey.referencedColumns.map(d.identifier)
                let notNull = columns.map { "\($0) IS NOT NULL" }.joined(separator: " AND ")
                // A key sharing columns with another one (`tenant_id`) needs parents that agree with the
                // other's: more of them, in key order as the other's are, so the same tenants are read.
                let overlaps = table.foreignKeys.indices.contains { $0 != keyIndex && !Set(table.foreignKeys[$0].columns).isDisjoint(with: foreignKey.columns) }
                let limit = (splitKeys.contains(keyIndex) ? 200 : 100) * (overlaps ? 10 : 1)
                var samples = try TrafficSQL.rows(session.query(
                    "SELECT \(d.jsonArray(columns.map(d.text))) FROM \(d.identifier(foreignKey.referencedTable)) WHERE \(notNull) ORDER BY \(columns.joined(separator: ", ")) LIMIT \(limit)"))
                if splitKeys.contains(keyIndex) { samples = samples.filter { Self.parity($0) == (version == "old" ? 0 : 1) } }
                target.parentKeys.append(samples)
                continue
            }
            // A real app gives a parent its one child only if it has none; the two versions take
            // alternate parents, so they never race for the same one.
            let columns = foreignKey.referencedColumns.map { "p.\(d.identifier($0))" }
            let notNull = columns.map { "\($0) IS NOT NULL" }.joined(separator: " AND ")
            let match = zip(foreignKey.columns, foreignKey.referencedColumns)
                .map { "c.\(d.identifier($0)) = p.\(d.identifier($1))" }.joined(separator: " AND ")
            let free = try TrafficSQL.rows(session.query(
                "SELECT \(d.jsonArray(columns.map(d.text))) FROM \(d.identifier(foreignKey.referencedTable)) AS p WHERE \(notNull)"
                + " AND NOT EXISTS (SELECT 1 FROM \(d.identifier(name)) AS c WHERE \(match)) ORDER BY \(columns.joined(separator: ", ")) LIMIT 200"))
            // Split by the key itself (not by position in a list each version reads at another moment).
            target.parentKeys.append(free.filter { Self.parity($0) == (version == "old" ? 0 : 1) })
        }
        if key.count == 1, let column = table.column(key[0]), column.generated,
           case let kind = ColumnKind.of(column, in: table, engine: engine), kind.isInteger, let whole = kind.capacity(), whole < 10_000_000 {
            target.keyCeiling = whole - whole / 10
        }
        if !key.isEmpty {
            let columns = key.map(d.identifier)
            target.seededKeys = try TrafficSQL.rows(session.query(
                "SELECT \(d.jsonArray(columns.map(d.text))) FROM \(d.identifier(name)) ORDER BY \(columns.joined(separator: ", ")) LIMIT 200"))
        }
        // Unique integers: this version takes even numbers above the largest, the other odd ones.
        let foreign = Set(table.foreignKeys.flatMap(\.columns))
        for column in table.columns where table.uniqueColumns.contains(column.name) && !column.generated && !foreign.contains(column.name)
            && table.partition?.constrains(column.name) != true {
            let kind = ColumnKind.of(column, in: table, engine: engine)
            guard kind.isInteger || { if case .decimal = kind { return true } else { return false } }() else { continue }
            let maximum = try TrafficSQL.rows(session.query(
                "SELECT \(d.jsonArray([d.text("max(\(d.identifier(column.name)))")])) FROM \(d.identifier(name))")).first?.first ?? nil
            var next = (maximum.flatMap { Int64($0.split(separator: ".").first ?? "") } ?? 0) + 1
            if (next % 2 == 0) != (version == "old") { next += 1 }
            target.counters[column.name] = next
        }
        return target
    }

    /// 0 or 1 from a key's text, the same in every process (FNV-1a; hashValue is seeded per process).
    static func parity(_ key: [String?]) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in key.map { $0 ?? "\u{0}" }.joined(separator: "\u{1}").utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3
        }
        return hash % 2
    }

    /// Sends one statement; records a failure. Returns the rows, or nil when it failed.
    /// `shown`: the statement as the app would send it (without a read-back this library adds).
    private func send(_ kind: String, _ table: String, _ statement: String, _ session: SQLSession, shown: String? = nil) -> [String]? {
        let sentAt = Date().timeIntervalSince(startTime)
        report.sent += 1
        lock.lock(); sentSoFar += 1; lock.unlock()
        switch kind {
        case "insert": report.inserts += 1
        case "update": report.updates += 1
        case "delete": report.deletes += 1
        default: report.selects += 1
        }
        do { return try session.query(statement) } catch {
            record(kind: kind, table: table, statement: shown ?? statement, error: "\(error)", at: sentAt)
            return nil
        }
    }

    private func record(kind: String, table: String, statement: String, error: String, at elapsed: Double? = nil) {
        report.failed += 1
        report.failedByKind[kind, default: 0] += 1
        if report.failures.count < Self.failureLimit {
            report.failures.append(TrafficFailure(statement: statement, error: error,
                                                  elapsed: elapsed ?? Date().timeIntervalSince(startTime), kind: kind, table: table))
        }
    }

    /// A value for a column: the SQL text, and its text form when it is a plain literal.
    private func value(_ column: ColumnShape, in target: inout Target) -> (sql: String, text: String?)? {
        let d = dialect
        if engine == .postgresql, let owner = drawnIds[target.table.name]?[column.name] {
            // nextval(NULL) is NULL once contract dropped the identity with its sequence; then this
            // version is the only writer, one session, and max + 1 is free.
            let sequence = "pg_get_serial_sequence(\(d.literal(owner)), \(d.literal(column.name)))"
            return ("COALESCE(nextval(\(sequence)), (SELECT COALESCE(max(\(d.identifier(column.name))), 0) + 1 FROM \(d.identifier(target.table.name))))", nil)
        }
        let kind = ColumnKind.of(column, in: target.table, engine: engine)
        // A partition key takes a value some partition accepts, whatever else it is part of.
        let unique = target.table.uniqueColumns.contains(column.name) && target.table.partition?.constrains(column.name) != true
        if unique, let next = target.counters[column.name] {
            target.counters[column.name] = next + 2
            return ("\(next)", "\(next)")
        }
        if unique {
            switch kind {
            case .text(let maxLength):
                var text = "\(tag)-\(random.next() % 1_000_000_000)"
                if column.name.lowercased().contains("email") { text = "u\(text)@example.com" }
                if let maxLength, text.count > maxLength { text = String(text.suffix(maxLength)) }
                return (typed(d.literal(text), column), text)
            case .uuid:
                let text = UUID().uuidString.lowercased()
                return (typed(d.literal(text), column), text)
            default: break
            }
        }
        // A type without a generator is only given when it must be (then as a guess from a number).
        if kind == .other && !column.mustBeGiven { return nil }
        // Other values: the seeding expression for a row number past any seeded one.
        let g = 500_000 + Int64(random.next() % 1_000_000)
        guard let sql = SeedExpression(dialect: d).value(column, kind: kind, table: target.table.name, g: "\(g)", unique: unique,
                                                         base: 0, range: ColumnKind.checkedRange(column.name, in: target.table),
                                                         allowed: ColumnKind.checkedNumbers(column.name, in: target.table),
                                                         partition: target.table.partition) else { return nil }
        return (sql, nil)
    }

    /// A literal with the column's type on PostgreSQL, where a quoted literal in a SELECT list is text.
    private func typed(_ literal: String, _ column: ColumnShape?) -> String {
        guard engine == .postgresql, let column else { return literal }
        return "\(literal)::\(column.dataType)"
    }

    /// The table's checks that name only columns this insert gives: the app never sends a row
    /// its own schema refuses, so the insert filters its row through them (a row they refuse is
    /// not sent as a failure). A check the migration adds is not in the version's shape.
    private func applicableChecks(_ table: TableShape, given: Set<String>) -> [String] {
        table.checks.filter { check in
            table.columns.allSatisfy { !ColumnKind.mentions(check, $0.name) || given.contains($0.name) }
        }
    }

    private func insert(_ target: inout Target, _ session: SQLSession) -> Bool {
        if target.readOnly || target.keyCeiling == 0 { return select(&target, session) }
        let d = dialect
        let table = target.table
        var names: [String] = []
        var values: [String] = []
        var keyText: [String: String] = [:]
        var sent: [String: String] = [:]
        var given = Set<String>()
        // Foreign-key columns take a parent's key or nothing (NULL or their default), never a made-up value.
        let foreign = Set(table.foreignKeys.flatMap(\.columns))
        // Foreign keys sharing columns (`tenant_id`) take parents that agree on them; a few draws of
        // the first parent are tried before the app gives up on a row it could not make either.
        let required = table.foreignKeys.map { key in key.columns.contains { table.column($0)?.mustBeGiven ?? false } }
        var choice: [Int: [String?]]?
        for _ in 0..<8 where choice == nil {
            choice = ParentKeyChoice.choose(table.foreignKeys, samples: target.parentKeys, required: required,
                                            wanted: { _ in self.random.next() % 2 == 0 }, pick: { Int(self.random.next() % UInt64($0)) })
        }
        // No parent row to point at: the app could not insert here either; it reads instead.
        guard let choice else { return select(&target, session) }
        for index in ParentKeyChoice.order(table.foreignKeys) {
            guard let row = choice[index] else { continue }
            let foreignKey = table.foreignKeys[index]
            if target.singleChild[index], let pick = target.parentKeys[index].firstIndex(of: row) { target.parentKeys[index].remove(at: pick) }
            for (column, parentValue) in zip(foreignKey.columns, row) where table.column(column) != nil && !given.contains(column) {
                names.append(column)
                values.append(parentValue.map { typed(d.literal($0), table.column(column)) } ?? typed("NULL", table.column(column)))
                sent[column] = values.last
                keyText[column] = parentValue
                given.insert(column)
            }
        }
        for column in table.columns where !column.generated && !given.contains(column.name) && !foreign.contains(column.name) {
            // A unique column's default would repeat on every row: an app gives such a column a value.
            // A partition key left to NULL or a default may match no partition.
            let needed = column.mustBeGiven || target.key.contains(column.name) || (column.hasDefault && table.uniqueColumns.contains(column.name))
                || table.partition?.constrains(column.name) == true
            guard needed || random.next() % 4 != 0 else { continue }
            guard let generated = value(column, in: &target) else {
                if needed { names.append(column.name); values.append(typed("NULL", column)) }
                continue
            }
            names.append(column.name)
            values.append(generated.sql)
            sent[column.name] = generated.sql
            keyText[column.name] = generated.text
        }
        let quotedNames = names.map(d.identifier).joined(separator: ", ")
        var checks = applicableChecks(table, given: Set(names)).map { "(\($0)) IS NOT FALSE" }
        for set in target.guardedSets where set.allSatisfy(names.contains) {
            let match = set.map { "_cutover_existing.\(d.identifier($0)) = _cutover_row.\(d.identifier($0))" }.joined(separator: " AND ")
            checks.append("NOT EXISTS (SELECT 1 FROM \(d.identifier(table.name)) AS _cutover_existing WHERE \(match))")
        }
        let head: String
        if engine == .mysql && !names.isEmpty && !checks.isEmpty {
            // InnoDB's INSERT … SELECT reads with shared next-key locks (and, under MariaDB's
            // innodb_autoinc_lock_mode=1, holds the table's AUTO-INC lock for the statement): two
            // versions inserting into one gap of the unique index they check deadlock, reported
            // as ERROR 1467 or 1213. An app checks with a plain read (a consistent read, no locks)
            // and then inserts; the two versions never insert the same combination (parity split).
            let row = zip(values, names).map { "\($0) AS \(d.identifier($1))" }.joined(separator: ", ")
            let check = "SELECT 1 FROM (SELECT \(row)) AS _cutover_row WHERE " + checks.joined(separator: " AND ")
            guard let found = send("select", table.name, check, session) else { return false }
            if found.isEmpty { return true }  // the row breaks a check or its combination exists: not sent
            head = "INSERT INTO \(d.identifier(table.name)) (\(quotedNames)) VALUES (\(values.joined(separator: ", ")))"
        } else if names.isEmpty {
            // MySQL: one column named with DEFAULT, not `() VALUES ()`, which MariaDB 10.11 refuses through a
            // view (1136, column count), and the app's version databases are views (`MySQLVersionSchemas`).
            let first = table.columns.first.map { d.identifier($0.name) }
            head = engine == .postgresql || first == nil
                ? "INSERT INTO \(d.identifier(table.name)) \(engine == .postgresql ? "DEFAULT VALUES" : "() VALUES ()")"
                : "INSERT INTO \(d.identifier(table.name)) (\(first!)) VALUES (DEFAULT)"
        } else if checks.isEmpty {
            head = "INSERT INTO \(d.identifier(table.name)) (\(quotedNames)) VALUES (\(values.joined(separator: ", ")))"
        } else {
            let row = zip(values, names).map { "\($0) AS \(d.identifier($1))" }.joined(separator: ", ")
            head = "INSERT INTO \(d.identifier(table.name)) (\(quotedNames)) SELECT \(quotedNames) FROM (SELECT \(row)) AS _cutover_row WHERE "
                + checks.joined(separator: " AND ")
        }
        // Read back whether the row went in, and its key where the table made it.
        var statement = head
        switch engine {
        case .postgresql:
            statement += " RETURNING \(d.jsonArray(target.key.map { d.text(d.identifier($0)) }))"
        case .mysql:
            // MySQL has no RETURNING: a key column sent as an expression (a date, a timestamp) is read
            // back by evaluating it again (the seed expressions are deterministic), so the row is known.
            let evaluated = target.key.filter { keyText[$0] == nil }.compactMap { sent[$0] }.map { ", CAST((\($0)) AS CHAR)" }.joined()
            statement += "; SELECT JSON_ARRAY(CAST(ROW_COUNT() AS CHAR), CAST(LAST_INSERT_ID() AS CHAR)\(evaluated))"
        }
        guard let rows = send("insert", table.name, statement, session, shown: engine == .mysql ? head : statement) else { return false }
        guard !target.key.isEmpty, let answer = (try? TrafficSQL.rows(rows))?.first else { return true }
        var key: [String]?
        switch engine {
        case .postgresql:
            if answer.count == target.key.count, !answer.contains(where: { $0 == nil }) { key = answer.map { $0! } }
        case .mysql:
            guard answer.count >= 2, answer[0] == "1" else { return true }
            var evaluated = answer.dropFirst(2).makeIterator()
            var known: [String] = []
            for column in target.key {
                if let text = keyText[column] {
                    known.append(text)
                } else if sent[column] != nil, let value = evaluated.next() ?? nil {
                    known.append(value)
                } else if column == TableFingerprint.generatedKeyColumn(table, engine: engine), let id = answer[1] {
                    // The AUTO_INCREMENT column, alone or beside given ones (`tenant_id, id`): a composite
                    // key read back is excluded from the row check as the app's own row.
                    known.append(id)
                }
            }
            if known.count == target.key.count { key = known }
        }
        if let key { target.written.append(WrittenRow(key: key, values: sent)) }
        if let ceiling = target.keyCeiling, let id = key?.first.flatMap({ Int64($0) }), id >= ceiling { target.keyCeiling = 0 }
        return true
    }

    private func ownRowIndex(_ target: inout Target) -> Int? {
        guard !target.written.isEmpty else { return nil }
        return Int(random.next() % UInt64(target.written.count))
    }

    private func ownRow(_ target: inout Target) -> [String]? {
        ownRowIndex(&target).map { target.written[$0].key }
    }

    private func update(_ target: inout Target, _ session: SQLSession) -> Bool {
        let d = dialect
        let table = target.table
        let foreign = Set(table.foreignKeys.flatMap(\.columns))
        // A column a check ties to another one is left alone: a new value alone could break it.
        let tied = Set(table.columns.map(\.name).filter { name in
            table.checks.contains { check in
                ColumnKind.mentions(check, name) && table.columns.contains { $0.name != name && ColumnKind.mentions(check, $0.name) }
            }
        })
        let candidates = table.columns.filter {
            !$0.generated && !target.key.contains($0.name) && !table.uniqueColumns.contains($0.name) && !foreign.contains($0.name)
                && !tied.contains($0.name)
        }
        guard let row = ownRowIndex(&target), !candidates.isEmpty else { return select(&target, session) }
        let column = candidates[Int(random.next() % UInt64(candidates.count))]
        guard let generated = value(column, in: &target) else { return select(&target, session) }
        // The table's checks on this column (on it alone: tied ones are left out above) hold for
        // the new value, or the app would not send it: a value the generator makes for the type
        // may break a pattern check (`starts_on ~ '^20…'`, trial 14d: the old version's UPDATE
        // failed preflight on a column the migration did not touch). Asked with a plain read,
        // as an insert's row is (MySQL); a value they refuse is not sent.
        let checks = table.checks.filter { ColumnKind.mentions($0, column.name) }
        if !checks.isEmpty {
            let probe = "SELECT 1 FROM (SELECT \(generated.sql) AS \(d.identifier(column.name))) AS _cutover_row WHERE "
                + checks.map { "(\($0)) IS NOT FALSE" }.joined(separator: " AND ")
            guard let found = send("select", table.name, probe, session) else { return false }
            if found.isEmpty { return true }
        }
        let statement = "UPDATE \(d.identifier(table.name)) SET \(d.identifier(column.name)) = \(generated.sql) WHERE \(d.keyCondition(target.key, target.written[row].key))"
        guard send("update", table.name, statement, session) != nil else { return false }
        target.written[row].values[column.name] = generated.sql
        return true
    }

    private func delete(_ target: inout Target, _ session: SQLSession) -> Bool {
        let d = dialect
        guard let key = ownRow(&target) else { return insert(&target, session) }
        let statement = "DELETE FROM \(d.identifier(target.table.name)) WHERE \(d.keyCondition(target.key, key))"
        guard send("delete", target.table.name, statement, session) != nil else { return false }
        target.written.removeAll { $0.key == key }
        return true
    }

    /// Reads every column it knows of one row: its own (which must be there) or a seeded one.
    private func select(_ target: inout Target, _ session: SQLSession) -> Bool {
        let d = dialect
        let table = target.table
        guard !target.key.isEmpty else { return true }
        let own = random.next() % 2 == 0 ? ownRow(&target) : nil
        let key: [String?]
        if let own { key = own } else if !target.seededKeys.isEmpty {
            key = target.seededKeys[Int(random.next() % UInt64(target.seededKeys.count))]
        } else if let any = ownRow(&target) { key = any } else { return true }
        let statement = "SELECT 1 AS _cutover_found, \(table.columns.map { d.identifier($0.name) }.joined(separator: ", ")) FROM \(d.identifier(table.name)) WHERE \(d.keyCondition(target.key, key))"
        guard let rows = send("select", table.name, statement, session) else { return false }
        if own != nil && !rows.contains(where: { $0.hasPrefix("1") }) {
            record(kind: "select", table: table.name, statement: statement, error: "a row this version wrote is missing")
        }
        return true
    }
}

/// A small seeded generator, so a run's statement mix is repeatable from its seed.
struct SplitMix64 {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
