@testable import CutoverPlan
@testable import CutoverSpec
@testable import CutoverEmit
@testable import CutoverProof
@testable import CutoverCore
import Foundation
import Testing

/// Issue #14: a trigger that computes a column from another must fire after the trigger that writes
/// that other column (a rename's sync). MySQL fires in creation order, so an `up` reading the OLD name
/// of a column renamed LATER in the spec read NULL where the new version wrote only the new name (the
/// planner now creates the rename's sync triggers with `PRECEDES`); PostgreSQL fires in name order, and
/// a fill trigger's name cut to 63 bytes with a hash could sort before the rename's sync trigger. On
/// real servers: both versions' writes during the rollout get the value, also after a re-run of expand
/// and after a rollback of contract.
@Suite(.serialized) struct TriggerOrderTests {
    static func yaml(engine: String, table: String, from: String, to: String, column: String, up: String, renameFirst: Bool) -> String {
        let mysql = engine == "mysql"
        let rename = "    - renameColumn: {table: \(table), from: \(from), to: \(to)}\n"
        let add = "    - addColumn: {table: \(table), column: {name: \(column), type: integer, nullable: false}, up: \"\(up)\"}\n"
        return """
        apiVersion: cutover.dev/v1alpha1
        kind: Migration
        metadata:
          name: trigord
          namespace: shop
        spec:
          database:
            engine: \(engine)
            version: "\(mysql ? "8.0" : "15")"
            cluster: shop-db
            name: shop
            credentialsSecret: shop-db-credentials
            schema: nulls.schema.sql
          app:
            name: webapp
            image: ghcr.io/acme/webapp:v2.3.1
            versionSchemas: none
          runner:
            tool: \(mysql ? "mysql" : "psql")
          changes:
        \(renameFirst ? rename + add : add + rename)
        """
    }

    // MARK: MySQL

    /// `up` reads `subject`, renamed to `title` by the NEXT change. Before: the fill trigger (created
    /// first) fired first and read NULL from the new version's insert of only `title`, and the insert
    /// failed on NOT NULL after complete; the values after the rollout were `new:new:-`.
    @Test(.enabled(if: DatabaseHarness.shouldRun(.mysql), unavailable(.mysql)))
    func mysqlUpReadsOldNameOfLaterRename() throws {
        let schema = "CREATE TABLE tickets (id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY, subject VARCHAR(200) NOT NULL);"
        let (plan, folder) = try RollbackNullTests.plan(Self.yaml(engine: "mysql", table: "tickets", from: "subject", to: "title", column: "subject_len",
                                                                  up: "CHAR_LENGTH(subject)", renameFirst: false), schema: schema)
        defer { try? FileManager.default.removeItem(at: folder) }
        let db = try RollbackNullTests.mysql("trigord_my", schema: schema)
        _ = try db.sql("INSERT INTO tickets (subject) VALUES ('seed');")
        let expand = plan.steps.filter { $0.phase == .preflight || $0.phase == .expand }
        try db.apply(expand, false)
        // A re-run of the whole expand (each up drops and re-creates its triggers) ends in the same order.
        let order = "SELECT GROUP_CONCAT(trigger_name ORDER BY action_order) AS o FROM information_schema.triggers WHERE event_object_schema = DATABASE() AND event_manipulation = 'INSERT';"
        let first = try db.sql(order)
        try db.apply(expand, false)
        #expect(try db.sql(order) == first)
        #expect(first.split(separator: "\n").last == "_cutover_tickets_title_ins,_cutover_tickets_subject_len_ins", "\(first)")
        try db.apply(plan.steps.filter { $0.phase == .backfill }, false)
        _ = try db.sql("INSERT INTO tickets (subject) VALUES ('old-version');")
        _ = try db.sql("INSERT INTO tickets (title) VALUES ('new');")
        _ = try db.sql("UPDATE tickets SET subject_len = NULL, title = 'renamed' WHERE subject = 'seed';")
        let rows = "SELECT GROUP_CONCAT(subject, ':', title, ':', COALESCE(subject_len, '-') ORDER BY id) AS v FROM tickets;"
        #expect(try db.sql(rows).split(separator: "\n").last == "renamed:renamed:7,old-version:old-version:11,new:new:3")
        try db.apply(plan.steps.filter { $0.phase == .complete }, false)
        let contract = plan.steps.filter { $0.phase == .contract }
        try db.apply(contract, false)
        // The rollback of contract re-creates the triggers in the order expand left.
        try db.apply(contract, true)
        #expect(try db.sql(order) == first)
        _ = try db.sql("INSERT INTO tickets (title) VALUES ('back');")
        #expect(try db.sql(rows).split(separator: "\n").last == "renamed:renamed:7,old-version:old-version:11,new:new:3,back:back:4")
        try db.apply(plan.steps.filter { $0.phase != .contract && $0.phase != .purge }, true)
    }

    // MARK: PostgreSQL

    /// The fill trigger's name sorts after the sync trigger's, byte by byte, for every length of the
    /// table's name (the sync name plain, cut near 63 bytes, or hashed), and stays within 63 bytes.
    @Test func fillNameSortsAfterSyncNameAtEveryLength() {
        let names = SQLNames(engine: .postgresql)
        var cut = 0
        for length in 1...70 {
            for to in ["title", "headline", "zz_top", "ticket_title"] {
                let table = String(repeating: "t", count: length - 1) + "y"
                let sync = names.fit("_cutover_\(table)_\(to)_sync")
                let fill = names.fit("\(sync)_subject_length_sync", after: sync)
                #expect(sync.utf8.lexicographicallyPrecedes(fill.utf8), "\(sync) \(fill)")
                #expect(fill.utf8.count <= 63)
                if fill != names.fit("\(sync)_subject_length_sync") { cut += 1 }
            }
        }
        // Some of these lost the order with the plain fit (the case this guards).
        #expect(cut > 0)
    }

    /// A 63-byte sync trigger name (`…_headline_sync`, not hashed): the fill trigger's name, cut to 54
    /// bytes and a hash, sorted before it (`…_headl_<hash>`), so the fill read NULL from the new
    /// version's insert of only `headline`.
    @Test(.enabled(if: DatabaseHarness.shouldRun(.postgresql), unavailable(.postgresql)))
    func postgresLongSyncNameKeepsOrder() throws {
        try Self.postgres(to: "headline", renameFirst: false, database: "trigord_long")
    }

    /// A hashed sync trigger name (`…_ticke_<hash>`): the fill trigger's hashed name sorted by hash.
    @Test(.enabled(if: DatabaseHarness.shouldRun(.postgresql), unavailable(.postgresql)))
    func postgresHashedSyncNameKeepsOrder() throws {
        try Self.postgres(to: "ticket_title", renameFirst: true, database: "trigord_hashed")
    }

    /// An `up` reading `total`, whose type a later change retypes through a copy: with version schemas
    /// the type change's sync is two-way and writes `total` from the copy the new version wrote through
    /// its view. Before, the fill trigger (`…_total_cents_sync`) sorted before that sync
    /// (`…_total_new_sync`) and read NULL: the new version's insert that left total_cents to the fill
    /// got NULL there.
    @Test(.enabled(if: DatabaseHarness.shouldRun(.postgresql), unavailable(.postgresql)))
    func postgresUpReadsColumnOfLaterTypeChange() throws {
        let schema = "CREATE TABLE orders (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, total integer NOT NULL);"
        let yaml = Self.yaml(engine: "postgresql", table: "orders", from: "x", to: "y", column: "total_cents", up: "total * 100", renameFirst: false)
            .replacingOccurrences(of: "    versionSchemas: none\n", with: "")
            .components(separatedBy: "  changes:\n")[0] + """
              changes:
                - addColumn: {table: orders, column: {name: total_cents, type: bigint, nullable: false}, up: "total * 100"}
                - alterColumn: {table: orders, column: total, type: bigint}

            """
        let (plan, folder) = try RollbackNullTests.plan(yaml, schema: schema)
        defer { try? FileManager.default.removeItem(at: folder) }
        let db = try RollbackNullTests.postgres("trigord_retype", schema: schema, folder: folder)
        try BackfillUnderLoadTests.run(db.url, ["-c", "INSERT INTO orders (total) VALUES (1)"])
        try db.apply(plan.steps.filter { $0.phase == .preflight || $0.phase == .expand || $0.phase == .backfill }, false)
        try BackfillUnderLoadTests.run(db.url, ["-c", "INSERT INTO orders (total) VALUES (2)"])
        // The new version, through its schema of views: `total` is the bigint copy there.
        try BackfillUnderLoadTests.run(db.url, ["-c", "SET search_path = trigord_new, public", "-c", "INSERT INTO orders (total) VALUES (3)"])
        #expect(try BackfillUnderLoadTests.run(db.url, ["-c", "SELECT string_agg(coalesce(total_cents::text, '-'), ',' ORDER BY id) FROM orders"])
                == "100,200,300")
    }

    static func postgres(to: String, renameFirst: Bool, database: String) throws {
        let table = "customer_support_ticket_archive_entries"
        let schema = "CREATE TABLE \(table) (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, subject text NOT NULL);"
        let (plan, folder) = try RollbackNullTests.plan(yaml(engine: "postgresql", table: table, from: "subject", to: to, column: "subject_length",
                                                             up: "length(\(renameFirst ? to : "subject"))", renameFirst: renameFirst), schema: schema)
        defer { try? FileManager.default.removeItem(at: folder) }
        let db = try RollbackNullTests.postgres(database, schema: schema, folder: folder)
        try BackfillUnderLoadTests.run(db.url, ["-c", "INSERT INTO \(table) (subject) VALUES ('seed')"])
        try db.apply(plan.steps.filter { $0.phase == .preflight || $0.phase == .expand || $0.phase == .backfill }, false)
        let names = try BackfillUnderLoadTests.run(db.url, ["-c", "SELECT string_agg(tgname, ',' ORDER BY tgname COLLATE \"C\") FROM pg_trigger WHERE tgrelid = '\(table)'::regclass AND NOT tgisinternal"])
        #expect(names.split(separator: ",").count == 2 && names.split(separator: ",").allSatisfy { $0.utf8.count <= 63 }, "\(names)")
        try BackfillUnderLoadTests.run(db.url, ["-c", "INSERT INTO \(table) (subject) VALUES ('old-version')"])
        try BackfillUnderLoadTests.run(db.url, ["-c", "INSERT INTO \(table) (\(to)) VALUES ('new')"])
        #expect(try BackfillUnderLoadTests.run(db.url, ["-c", "SELECT string_agg(subject || ':' || \(to) || ':' || coalesce(subject_length::text, '-'), ',' ORDER BY id) FROM \(table)"])
                == "seed:seed:4,old-version:old-version:11,new:new:3", "triggers: \(names)")
        try db.apply(plan.steps.filter { $0.phase == .complete }, false)
        try db.apply(plan.steps.filter { $0.phase != .purge && $0.phase != .contract }, true)
    }
}
