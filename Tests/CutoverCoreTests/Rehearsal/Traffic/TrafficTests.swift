@testable import CutoverPlan
@testable import CutoverSpec
@testable import CutoverProof
import Foundation
import Testing

/// The traffic library on real throwaway servers (the verification harness): catalog shapes,
/// seeding 100,000 rows, two app versions' traffic, completeness and fingerprints. Each test
/// works in a scratch database of its own.
@Suite(.serialized) struct TrafficTests {
    // MARK: Shapes

    static func checkShape(_ engine: MigrationSpec.Engine) throws {
        let db = try TrafficDatabase(engine)
        defer { db.drop() }
        let shape = try CatalogShapeReader.read(engine: engine, session: db.session, tables: nil)
        #expect(shape.tables.map(\.name) == ["customers", "order_lines", "orders"])
        let customers = try #require(shape.table("customers"))
        #expect(customers.primaryKey == ["id"])
        #expect(customers.column("id")?.generated == true)
        #expect(customers.column("email")?.nullable == false)
        #expect(customers.column("email")?.hasDefault == false)
        #expect(customers.column("email")?.mustBeGiven == true)
        #expect(customers.column("balance")?.hasDefault == true)
        #expect(customers.column("balance")?.generated == false)
        #expect(customers.column("mood")?.enumLabels == ["happy", "sad", "o'k"])
        #expect(customers.column("mood")?.nullable == true)
        #expect(customers.uniques == [["email"], ["ref"]])
        #expect(customers.checks.contains { $0.contains("balance") }, "\(customers.checks)")
        let orders = try #require(shape.table("orders"))
        #expect(orders.column("id")?.generated == true)
        #expect(orders.uniques == [["note"]], "the unique index counts as a unique set")
        #expect(orders.foreignKeys == [ForeignKeyShape(columns: ["customer_id"], referencedTable: "customers", referencedColumns: ["id"])])
        #expect(orders.checks.count == 2, "\(orders.checks)")
        #expect(ColumnKind.of(orders.column("status")!, in: orders, engine: engine) == .enumeration(["new", "paid", "shipped"]))
        let lines = try #require(shape.table("order_lines"))
        #expect(lines.primaryKey == ["order_id", "line_no"])
        #expect(lines.foreignKeys.first?.referencedTable == "orders")
        if engine == .postgresql {
            #expect(customers.column("email")?.dataType == "character varying(80)")
            #expect(customers.column("balance")?.dataType == "numeric(10,2)")
            #expect(customers.column("tags")?.dataType == "text[]")
            #expect(orders.checks.contains("((total_cents > 0))"), "\(orders.checks)")
        } else {
            #expect(customers.column("email")?.dataType == "varchar(80)")
            #expect(ColumnKind.of(customers.column("profile")!, in: customers, engine: engine) == .json)
            #expect(ColumnKind.of(customers.column("active")!, in: customers, engine: engine) == .boolean)
        }
        // Quarantined columns are no app version's.
        #expect(customers.column("_cutover_old_name") != nil)
        #expect(shape.excludingInternal().table("customers")?.column("_cutover_old_name") == nil)
        #expect(shape.excludingInternal().table("customers")?.columns.count == customers.columns.count - 1)
        // A restricted read, and the same answer twice.
        let two = try CatalogShapeReader.read(engine: engine, session: db.session, tables: ["orders", "customers", "missing"])
        #expect(two.tables.map(\.name) == ["customers", "orders"])
        #expect(two.table("orders") == orders)
    }

    @Test(.enabled(if: DatabaseHarness.shouldRun(.postgresql), unavailable(.postgresql)))
    func postgresShape() throws { try Self.checkShape(.postgresql) }

    @Test(.enabled(if: DatabaseHarness.shouldRun(.mysql), unavailable(.mysql)))
    func mariadbShape() throws { try Self.checkShape(.mysql) }

    // MARK: Seeding

    static func checkSeeding(_ engine: MigrationSpec.Engine, rows: Int) throws {
        let db = try TrafficDatabase(engine)
        defer { db.drop() }
        let shape = try CatalogShapeReader.read(engine: engine, session: db.session, tables: nil).excludingInternal()
        // Given children first: the seeder orders parents first.
        let report = try DataSeeder(engine: engine).seed(shape: shape, tables: ["order_lines", "orders", "customers"], rows: rows, session: db.session)
        for table in report.tables {
            print("seeded \(engine.rawValue) \(table.table): \(table.inserted) rows in \(String(format: "%.2f", table.seconds)) s\(table.notes.isEmpty ? "" : " (\(table.notes.joined(separator: "; ")))")")
        }
        #expect(report.tables.map(\.table) == ["customers", "orders", "order_lines"])
        for table in report.tables {
            #expect(table.inserted == rows, "\(table.table): \(table.notes)")
            #expect(table.seconds < 20, "\(table.table) took \(table.seconds) s")
        }
        #expect(try db.scalar("SELECT count(*) FROM customers") == "\(rows)")
        #expect(try db.scalar("SELECT count(*) FROM order_lines") == "\(rows)")
        // Foreign keys point at real rows; nullable columns are mostly filled; values are varied.
        #expect(try db.scalar("SELECT count(*) FROM orders o LEFT JOIN customers c ON c.id = o.customer_id WHERE c.id IS NULL") == "0")
        #expect(try db.scalar("SELECT count(*) FROM order_lines l LEFT JOIN orders o ON o.id = l.order_id WHERE o.id IS NULL") == "0")
        let moods = Int(try db.scalar("SELECT count(*) FROM customers WHERE mood IS NOT NULL")) ?? 0
        #expect(moods > rows * 8 / 10)
        #expect(try db.scalar("SELECT count(DISTINCT status) FROM orders") == "3")
        #expect(try db.scalar("SELECT count(*) FROM order_lines WHERE quantity < 1 OR quantity > 50") == "0")
        // The key counters are past the seeded keys: the app's next insert works.
        try db.session.execute("INSERT INTO customers (email, name, active) VALUES ('after@example.com', 'after', \(engine == .postgresql ? "true" : "1"))")
        #expect((Int(try db.scalar("SELECT max(id) FROM customers")) ?? 0) > rows)
        // Fingerprints of 100,000-row tables take about as long as seeding them.
        let started = Date()
        let fingerprint = try TableFingerprint.take(shape: shape, tables: TrafficDatabase.tables, session: db.session, engine: engine)
        print("fingerprint \(engine.rawValue) of \(TrafficDatabase.tables.count) tables: \(String(format: "%.2f", Date().timeIntervalSince(started))) s")
        #expect(fingerprint.tables["orders"]?.reduce(0) { $0 + $1.count } == rows)
        #expect(fingerprint.tables["order_lines"]?.count == TableFingerprint.hashBuckets)

        // Seeding again adds rows without colliding with the first ones.
        let again = try DataSeeder(engine: engine).seed(shape: shape, tables: ["customers"], rows: 100, session: db.session)
        #expect(again.tables.first?.inserted == 100, "\(again.tables.first?.notes ?? [])")
    }

    @Test(.enabled(if: DatabaseHarness.shouldRun(.postgresql), unavailable(.postgresql)))
    func postgresSeeds100kRows() throws { try Self.checkSeeding(.postgresql, rows: 100_000) }

    @Test(.enabled(if: DatabaseHarness.shouldRun(.mysql), unavailable(.mysql)))
    func mariadbSeeds100kRows() throws { try Self.checkSeeding(.mysql, rows: 100_000) }

    /// MySQL has no Sequence engine: the recursive-CTE row source, tried on MariaDB.
    @Test(.enabled(if: DatabaseHarness.shouldRun(.mysql), unavailable(.mysql)))
    func mariadbSeedsThroughARecursiveCTE() throws {
        let db = try TrafficDatabase(.mysql)
        defer { db.drop() }
        let shape = try CatalogShapeReader.read(engine: .mysql, session: db.session, tables: nil).excludingInternal()
        var seeder = DataSeeder(engine: .mysql)
        seeder.useRecursiveCTE = true
        let report = try seeder.seed(shape: shape, tables: TrafficDatabase.tables, rows: 5000, session: db.session)
        #expect(report.tables.map(\.inserted) == [5000, 5000, 5000], "\(report.tables.map(\.notes))")
        #expect(try db.scalar("SELECT count(DISTINCT email) FROM customers") == "5000")
    }

    /// Checks the SELECT filter cannot evaluate fall back to batches, and the rows they refuse are
    /// skipped; a self reference and a table without a key are seeded and fingerprinted too.
    static func checkAwkwardTables(_ engine: MigrationSpec.Engine) throws {
        let schema = engine == .postgresql ? """
            CREATE TABLE staff (id serial PRIMARY KEY, manager_id integer REFERENCES staff (id), name text NOT NULL);
            CREATE TABLE evens (id integer PRIMARY KEY, a integer NOT NULL CHECK (a % 2 = 0));
            CREATE TABLE doubled (id serial PRIMARY KEY, a integer NOT NULL, b integer GENERATED ALWAYS AS (a * 2) STORED CHECK (b < 21));
            CREATE TABLE events (happened date NOT NULL, what text);
            CREATE TABLE badges (staff_id integer PRIMARY KEY REFERENCES staff (id), title varchar(30) NOT NULL);
            CREATE DOMAIN positive_int AS integer CHECK (VALUE > 0);
            CREATE TABLE shapes (id serial PRIMARY KEY, size positive_int NOT NULL, spot point, label text);
            """ : """
            CREATE TABLE staff (id INT NOT NULL AUTO_INCREMENT PRIMARY KEY, manager_id INT, name TEXT NOT NULL, FOREIGN KEY (manager_id) REFERENCES staff (id));
            CREATE TABLE evens (id INT NOT NULL PRIMARY KEY, a INT NOT NULL CHECK (a % 2 = 0));
            CREATE TABLE doubled (id INT NOT NULL AUTO_INCREMENT PRIMARY KEY, a INT NOT NULL, b INT AS (a * 2) STORED, CHECK (b < 21));
            CREATE TABLE events (happened DATE NOT NULL, what TEXT);
            CREATE TABLE badges (staff_id INT NOT NULL PRIMARY KEY, title VARCHAR(30) NOT NULL, FOREIGN KEY (staff_id) REFERENCES staff (id));
            """
        let db = try TrafficDatabase(engine, schema: schema)
        defer { db.drop() }
        let shape = try CatalogShapeReader.read(engine: engine, session: db.session, tables: nil)
        #expect(shape.table("doubled")?.column("b")?.generated == true)
        let tables = ["badges", "staff", "evens", "doubled", "events"] + (engine == .postgresql ? ["shapes"] : [])
        let started = Date()
        let report = try DataSeeder(engine: engine).seed(shape: shape, tables: tables, rows: 2000, session: db.session)
        let seconds = Date().timeIntervalSince(started)
        for table in report.tables { print("\(engine.rawValue) \(table.table): \(table.inserted) rows, \(table.skipped) skipped, \(table.notes)") }
        let byName = Dictionary(uniqueKeysWithValues: report.tables.map { ($0.table, $0) })
        #expect(byName["staff"]?.inserted == 2000)
        #expect(byName["staff"]?.notes.contains { $0.contains("manager_id left NULL") } == true, "\(byName["staff"]?.notes ?? [])")
        let evens = try #require(byName["evens"])
        #expect(evens.inserted > 500 && evens.inserted < 2000 && evens.inserted + evens.skipped == 2000, "\(evens)")
        #expect(evens.notes.contains { $0.contains("check constraint refuses") }, "\(evens.notes)")
        let doubled = try #require(byName["doubled"])
        #expect(doubled.inserted >= 0 && doubled.inserted + doubled.skipped == 2000, "\(doubled)")
        #expect(doubled.notes.contains { $0.contains("inserting in batches") }, "\(doubled.notes)")
        #expect(try db.scalar("SELECT count(*) FROM doubled WHERE b >= 21") == "0")
        #expect(byName["events"]?.inserted == 2000)
        #expect(byName["badges"]?.inserted == 2000, "one badge per staff member")
        if engine == .postgresql {
            // A domain is generated as its base type; a type without a generator is left NULL.
            #expect(shape.table("shapes")?.column("size")?.baseType == "integer")
            #expect(byName["shapes"]?.inserted == 2000, "\(byName["shapes"]?.notes ?? [])")
            #expect(byName["shapes"]?.notes == ["spot (point): left NULL"])
        }
        #expect(seconds < 60, "the fallback is bounded: \(seconds) s")
        // A second round: the managers now exist and are referenced.
        let again = try DataSeeder(engine: engine).seed(shape: shape, tables: ["staff"], rows: 100, session: db.session)
        #expect(again.tables.first?.inserted == 100)
        let badges = try DataSeeder(engine: engine).seed(shape: shape, tables: ["badges"], rows: 500, session: db.session)
        #expect(badges.tables.first?.inserted == 100, "only the 100 new staff members have no badge: \(badges.tables.first?.notes ?? [])")
        #expect(try db.scalar("SELECT count(*) FROM staff WHERE manager_id IS NOT NULL") != "0")
        // No key: the rows themselves are the ranges.
        let before = try TableFingerprint.take(shape: shape, tables: ["events"], session: db.session, engine: engine)
        try db.session.execute("DELETE FROM events WHERE what = 'what-7'")
        let lost = before.lost(comparedTo: try TableFingerprint.take(shape: shape, tables: ["events"], session: db.session, engine: engine))
        #expect(lost.count == 1 && lost.first?.hasPrefix("events hash bucket") == true, "\(lost)")
    }

    @Test(.enabled(if: DatabaseHarness.shouldRun(.postgresql), unavailable(.postgresql)))
    func postgresAwkwardTables() throws { try Self.checkAwkwardTables(.postgresql) }

    @Test(.enabled(if: DatabaseHarness.shouldRun(.mysql), unavailable(.mysql)))
    func mariadbAwkwardTables() throws { try Self.checkAwkwardTables(.mysql) }

    // MARK: Traffic

    static func traffic(_ version: String, _ shape: AppShape, _ db: TrafficDatabase, seed: UInt64) -> AppTraffic {
        AppTraffic(version: version, shape: shape, tables: TrafficDatabase.tables, engine: db.engine,
                   connect: { try db.connect() }, lockTimeout: "2s", seed: seed)
    }

    static func describe(_ report: TrafficReport) -> String {
        "\(report.version): sent \(report.sent) (insert \(report.inserts), update \(report.updates), delete \(report.deletes), select \(report.selects)), failed \(report.failed): "
            + report.failures.prefix(3).map { "\($0.statement) -> \($0.error)" }.joined(separator: " | ")
    }

    static func checkTraffic(_ engine: MigrationSpec.Engine) throws {
        let db = try TrafficDatabase(engine)
        defer { db.drop() }
        let old = try CatalogShapeReader.read(engine: engine, session: db.session, tables: nil).excludingInternal()
        _ = try DataSeeder(engine: engine).seed(shape: old, tables: TrafficDatabase.tables, rows: 500, session: db.session)
        // The new version knows one more column (the expand phase added it).
        try db.session.execute("ALTER TABLE orders ADD COLUMN channel varchar(20)")
        let new = try CatalogShapeReader.read(engine: engine, session: db.session, tables: nil).excludingInternal()
        #expect(new.table("orders")?.column("channel") != nil)

        let before = try TableFingerprint.take(shape: old, tables: TrafficDatabase.tables, session: db.session, engine: engine)
        let oldTraffic = traffic("old", old, db, seed: 1)
        let newTraffic = traffic("new", new, db, seed: 2)
        oldTraffic.start()
        newTraffic.start()
        Thread.sleep(forTimeInterval: 1.0)
        let oldReport = oldTraffic.stop()
        let newReport = newTraffic.stop()
        print(describe(oldReport))
        print(describe(newReport))
        for report in [oldReport, newReport] {
            #expect(report.failed == 0, "\(describe(report))")
            #expect(report.sent > 30, "\(describe(report))")
            #expect(report.inserts > 0 && report.updates > 0 && report.selects > 0, "\(describe(report))")
            #expect(report.keyColumns["order_lines"] == ["order_id", "line_no"])
            #expect(!(report.writtenKeys["customers"] ?? []).isEmpty, "\(describe(report))")
        }
        // Seeded rows were only read; the rows the versions wrote are there.
        let written = oldReport.writtenKeys.merging(newReport.writtenKeys) { $0 + $1 }
        let after = try TableFingerprint.take(shape: old, tables: TrafficDatabase.tables, session: db.session, engine: engine, excluding: written)
        #expect(before.lost(comparedTo: after) == [])
        let d = TrafficSQL(engine)
        for (table, keys) in written {
            let columns = oldReport.keyColumns[table] ?? []
            for key in keys {
                #expect(try db.session.query("SELECT 1 FROM \(d.identifier(table)) WHERE \(d.keyCondition(columns, key))") == ["1"], "\(table) \(key)")
            }
        }

        // Every row each version wrote holds what it wrote last; a changed and a deleted one are found.
        #expect(try oldReport.lostWrites(shape: old, session: db.session, engine: engine) == [])
        #expect(try newReport.lostWrites(shape: new, session: db.session, engine: engine) == [])
        #expect(try newReport.lostWrites(shape: old, session: db.session, engine: engine) == [], "columns the shape lacks are not compared")
        let customers = try #require(oldReport.writtenRows["customers"])
        try #require(customers.count >= 2)
        try db.session.execute("UPDATE customers SET name = 'tampered' WHERE id = \(customers[0].key[0])")
        try db.session.execute("DELETE FROM customers WHERE id = \(customers[1].key[0])")
        let damage = try oldReport.lostWrites(shape: old, session: db.session, engine: engine)
        #expect(damage == ["customers (id=\(customers[0].key[0])), written by old: changed",
                           "customers (id=\(customers[1].key[0])), written by old: missing"].sorted { $0.contains("changed") && !$1.contains("changed") }, "\(damage)")

        // Must fail: a column the old version writes disappears under it.
        let doomed = traffic("old", old, db, seed: 3)
        doomed.start()
        Thread.sleep(forTimeInterval: 0.3)
        try db.session.execute("ALTER TABLE orders DROP COLUMN total_cents")
        Thread.sleep(forTimeInterval: 0.7)
        let broken = doomed.stop()
        print(describe(broken))
        #expect(broken.failed > 0, "\(describe(broken))")
        let failure = try #require(broken.failures.first)
        #expect(failure.table == "orders")
        #expect(failure.statement.contains("total_cents"), "\(failure.statement)")
        #expect(failure.error.contains("total_cents"), "\(failure.error)")
        #expect(failure.elapsed >= 0.2)
        // The traffic goes on after a failure (the session reconnects, the lock timeout is set again).
        #expect(broken.sent > broken.failed)
    }

    @Test(.enabled(if: DatabaseHarness.shouldRun(.postgresql), unavailable(.postgresql)))
    func postgresTrafficOfTwoVersions() throws { try Self.checkTraffic(.postgresql) }

    @Test(.enabled(if: DatabaseHarness.shouldRun(.mysql), unavailable(.mysql)))
    func mariadbTrafficOfTwoVersions() throws { try Self.checkTraffic(.mysql) }

    /// A check over two columns (which no generator can aim at): the app's inserts go through the
    /// version's own checks, so a refused combination is never sent as a failure, and updates leave
    /// the tied columns alone.
    static func checkTiedColumns(_ engine: MigrationSpec.Engine) throws {
        let schema = engine == .postgresql
            ? "CREATE TABLE spans (id serial PRIMARY KEY, lo integer NOT NULL, hi integer NOT NULL, note text, ref uuid, CHECK (lo < hi), CHECK (lo % 2 = 0));"
            : "CREATE TABLE spans (id INT NOT NULL AUTO_INCREMENT PRIMARY KEY, lo INT NOT NULL, hi INT NOT NULL, note TEXT, ref CHAR(36), CHECK (lo < hi), CHECK (lo % 2 = 0));"
        let db = try TrafficDatabase(engine, schema: schema)
        defer { db.drop() }
        let shape = try CatalogShapeReader.read(engine: engine, session: db.session, tables: nil)
        let seeded = try DataSeeder(engine: engine).seed(shape: shape, tables: ["spans"], rows: 400, session: db.session)
        #expect((seeded.tables.first?.inserted ?? 0) > 50, "\(seeded.tables.first?.notes ?? [])")
        let traffic = AppTraffic(version: "new", shape: shape, tables: ["spans"], engine: engine,
                                 connect: { try db.connect() }, lockTimeout: "2s", seed: 11)
        traffic.start()
        Thread.sleep(forTimeInterval: 1.0)
        let report = traffic.stop()
        print(describe(report))
        #expect(report.failed == 0, "\(describe(report))")
        #expect(report.inserts > 10 && report.updates > 0, "\(describe(report))")
        #expect(!(report.writtenKeys["spans"] ?? []).isEmpty)
        #expect(try report.lostWrites(shape: shape, session: db.session, engine: engine) == [])
    }

    @Test(.enabled(if: DatabaseHarness.shouldRun(.postgresql), unavailable(.postgresql)))
    func postgresTiedColumns() throws { try Self.checkTiedColumns(.postgresql) }

    @Test(.enabled(if: DatabaseHarness.shouldRun(.mysql), unavailable(.mysql)))
    func mariadbTiedColumns() throws { try Self.checkTiedColumns(.mysql) }

    /// The spec's lock timeout is on the traffic's session, and again after every reconnect: a
    /// table held locked makes its statements fail fast, more than once, with the server's error.
    static func checkLockTimeout(_ engine: MigrationSpec.Engine) throws {
        let db = try TrafficDatabase(engine)
        defer { db.drop() }
        let shape = try CatalogShapeReader.read(engine: engine, session: db.session, tables: ["customers"]).excludingInternal()
        _ = try DataSeeder(engine: engine).seed(shape: shape, tables: ["customers"], rows: 100, session: db.session)
        let traffic = AppTraffic(version: "old", shape: shape, tables: ["customers"], engine: engine,
                                 connect: { try db.connect() }, lockTimeout: engine == .postgresql ? "200ms" : "1s", seed: 7)
        let locker = try db.connect()
        defer { locker.close() }
        traffic.start()
        Thread.sleep(forTimeInterval: 0.2)
        try locker.execute(engine == .postgresql ? "BEGIN; LOCK TABLE customers IN ACCESS EXCLUSIVE MODE" : "LOCK TABLES customers WRITE")
        Thread.sleep(forTimeInterval: engine == .postgresql ? 1.5 : 3.5)
        try locker.execute(engine == .postgresql ? "ROLLBACK" : "UNLOCK TABLES")
        Thread.sleep(forTimeInterval: 0.3)
        let report = traffic.stop()
        print(describe(report))
        #expect(report.failed >= 2, "\(describe(report))")
        let timeout = engine == .postgresql ? "lock timeout" : "Lock wait timeout exceeded"
        #expect(report.failures.allSatisfy { $0.error.contains(timeout) }, "\(describe(report))")
        #expect(report.sent > report.failed, "it goes on once the lock is gone")
    }

    @Test(.enabled(if: DatabaseHarness.shouldRun(.postgresql), unavailable(.postgresql)))
    func postgresLockTimeout() throws { try Self.checkLockTimeout(.postgresql) }

    @Test(.enabled(if: DatabaseHarness.shouldRun(.mysql), unavailable(.mysql)))
    func mariadbLockTimeout() throws { try Self.checkLockTimeout(.mysql) }

    // MARK: Integrity

    static func checkIntegrity(_ engine: MigrationSpec.Engine) throws {
        let db = try TrafficDatabase(engine)
        defer { db.drop() }
        let shape = try CatalogShapeReader.read(engine: engine, session: db.session, tables: nil).excludingInternal()
        _ = try DataSeeder(engine: engine).seed(shape: shape, tables: TrafficDatabase.tables, rows: 5000, session: db.session)
        let before = try TableFingerprint.take(shape: shape, tables: TrafficDatabase.tables, session: db.session, engine: engine)
        #expect(before.tables["customers"]?.count == 6, "ids 1…5000 in ranges of 1000")
        #expect(before.tables["order_lines"]?.isEmpty == false)
        let same = try TableFingerprint.take(shape: shape, tables: TrafficDatabase.tables, session: db.session, engine: engine)
        #expect(before.lost(comparedTo: same) == [])
        #expect(before == same)

        // A row written later and excluded by key changes nothing.
        try db.session.execute("INSERT INTO customers (email, name, active) VALUES ('late@example.com', 'late', 1 = 1)")
        let lateID = try db.scalar("SELECT max(id) FROM customers")
        let withLate = try TableFingerprint.take(shape: shape, tables: TrafficDatabase.tables, session: db.session, engine: engine,
                                                 excluding: ["customers": [[lateID]]])
        #expect(before.lost(comparedTo: withLate) == [])

        // A row the app's own statements (`--traffic-old/--traffic-new`) wrote, whose generated key
        // nobody recorded, is new and not a seeded row changed: compared up to the first bounds.
        #expect(before.keyBounds["customers"] == "5000", "\(before.keyBounds)")
        try db.session.execute("INSERT INTO customers (email, name, active) VALUES ('script@example.com', 'script', 1 = 1)")
        // (Without the bounds PostgreSQL's identity put it beside id 5000: "1 rows before, 2 after".)
        let bounded = try TableFingerprint.take(shape: shape, tables: TrafficDatabase.tables, session: db.session, engine: engine,
                                                excluding: ["customers": [[lateID]]], bounds: before.keyBounds)
        #expect(before.lost(comparedTo: bounded) == [])

        // A deleted and a changed seeded row are found, by range (within the bounds as well).
        try db.session.execute("DELETE FROM order_lines WHERE order_id = (SELECT min(order_id) FROM (SELECT order_id FROM order_lines) AS x)")
        try db.session.execute("UPDATE customers SET name = 'changed' WHERE id = 2345")
        // A customer deleted with its orders and their lines (foreign keys), in another range.
        let orderID = try db.scalar("SELECT min(id) FROM orders WHERE customer_id = 4321")
        try db.session.execute("DELETE FROM order_lines WHERE order_id IN (SELECT id FROM orders WHERE customer_id = 4321)")
        try db.session.execute("DELETE FROM orders WHERE customer_id = 4321")
        try db.session.execute("DELETE FROM customers WHERE id = 4321")
        let after = try TableFingerprint.take(shape: shape, tables: TrafficDatabase.tables, session: db.session, engine: engine,
                                              excluding: ["customers": [[lateID]]], bounds: before.keyBounds)
        let lost = before.lost(comparedTo: after)
        print(lost.joined(separator: "\n"))
        // The same rows: the column that changed is named (trial 14c).
        #expect(lost.contains("customers id 2000…2999: 1000 rows before, 1000 after, contents differ in column name"), "\(lost)")
        #expect(lost.contains("customers id 4000…4999: 1000 rows before, 999 after"), "\(lost)")
        #expect(lost.contains { $0.hasPrefix("order_lines hash bucket") && $0.contains("rows before") }, "\(lost)")
        #expect(lost.filter { $0.hasPrefix("customers") }.count == 2, "\(lost)")
        if let order = Int(orderID) {
            let low = order / 1000 * 1000
            #expect(lost.contains { $0.hasPrefix("orders id \(low)…\(low + 999): 1000 rows before, ") }, "\(lost)")
        }


        // Completeness: a copy column half filled is reported; a full one is not.
        try db.session.execute("ALTER TABLE customers ADD COLUMN full_name text")
        try db.session.execute("UPDATE customers SET full_name = name WHERE id <= 2500")
        let expectations = [ColumnExpectation(table: "customers", column: "full_name", source: "name"),
                            ColumnExpectation(table: "customers", column: "email"),
                            ColumnExpectation(table: "customers", column: "no_such_column")]
        let problems = try Completeness.check(expectations: expectations, session: db.session, engine: engine)
        #expect(problems.count == 2, "\(problems)")
        #expect(problems.first?.hasPrefix("customers.full_name: ") == true && problems.first?.contains("rows are NULL where name is not") == true, "\(problems)")
        #expect(problems.last?.hasPrefix("customers.no_such_column: cannot be read") == true, "\(problems)")
        try db.session.execute("UPDATE customers SET full_name = name")
        #expect(try Completeness.check(expectations: Array(expectations.prefix(2)), session: db.session, engine: engine) == [])
    }

    @Test(.enabled(if: DatabaseHarness.shouldRun(.postgresql), unavailable(.postgresql)))
    func postgresFingerprintAndCompleteness() throws { try Self.checkIntegrity(.postgresql) }

    @Test(.enabled(if: DatabaseHarness.shouldRun(.mysql), unavailable(.mysql)))
    func mariadbFingerprintAndCompleteness() throws { try Self.checkIntegrity(.mysql) }
}
