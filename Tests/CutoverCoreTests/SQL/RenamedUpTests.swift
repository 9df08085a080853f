@testable import CutoverPlan
@testable import CutoverSpec
@testable import CutoverEmit
@testable import CutoverProof
@testable import CutoverCore
import Foundation
import Testing

/// Issue #14, second user trial (M1): an `up` that reads a column a renameColumn keeps in sync under
/// two names. PostgreSQL fires a table's BEFORE triggers in name order, so a fill trigger named before
/// the rename's sync trigger read NULL where the insert wrote only the other name (the old version's
/// inserts got a NULL subject_len, and complete's NOT NULL validation failed). On real servers: each
/// version's insert during the rollout gets the value, and complete succeeds.
@Suite(.serialized) struct RenamedUpTests {
    static func yaml(engine: String, changes: String) -> String {
        let mysql = engine == "mysql"
        return """
        apiVersion: cutover.dev/v1alpha1
        kind: Migration
        metadata:
          name: renup
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
        \(changes)
        """
    }

    static let rename = "    - renameColumn: {table: tickets, from: subject, to: title}\n"
    static func add(_ up: String) -> String {
        "    - addColumn: {table: tickets, column: {name: subject_len, type: integer, nullable: false}, up: \"\(up)\"}\n"
    }

    /// The rename first, `up` reads the new name (the trial's hd-renup-new): the old version inserts only
    /// `subject`, the new version only `title`; both rows get their length.
    @Test(.enabled(if: DatabaseHarness.shouldRun(.postgresql), unavailable(.postgresql)))
    func postgresUpReadsNewNameOfEarlierRename() throws {
        try Self.postgres(changes: Self.rename + Self.add("length(title)"), database: "renup_new")
    }

    /// The rename after the change, `up` reads the old name (valid there): the new version's insert of
    /// only `title` must reach `subject` before the fill reads it.
    @Test(.enabled(if: DatabaseHarness.shouldRun(.postgresql), unavailable(.postgresql)))
    func postgresUpReadsOldNameOfLaterRename() throws {
        try Self.postgres(changes: Self.add("length(subject)") + Self.rename, database: "renup_old")
    }

    static func postgres(changes: String, database: String) throws {
        let schema = "CREATE TABLE tickets (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, subject text NOT NULL);"
        let (plan, folder) = try RollbackNullTests.plan(yaml(engine: "postgresql", changes: changes), schema: schema)
        defer { try? FileManager.default.removeItem(at: folder) }
        let db = try RollbackNullTests.postgres(database, schema: schema, folder: folder)
        try BackfillUnderLoadTests.run(db.url, ["-c", "INSERT INTO tickets (subject) VALUES ('seed')"])
        try db.apply(plan.steps.filter { $0.phase == .preflight || $0.phase == .expand || $0.phase == .backfill }, false)
        // The rollout: the backfill is done, only the triggers fill what either version writes.
        try BackfillUnderLoadTests.run(db.url, ["-c", "INSERT INTO tickets (subject) VALUES ('old-version')"])
        try BackfillUnderLoadTests.run(db.url, ["-c", "INSERT INTO tickets (title) VALUES ('new')"])
        try BackfillUnderLoadTests.run(db.url, ["-c", "UPDATE tickets SET subject_len = NULL, title = 'renamed' WHERE subject = 'seed'"])
        #expect(try BackfillUnderLoadTests.run(db.url, ["-c", "SELECT string_agg(subject || ':' || title || ':' || coalesce(subject_len::text, '-'), ',' ORDER BY id) FROM tickets"])
                == "renamed:renamed:7,old-version:old-version:11,new:new:3")
        try db.apply(plan.steps.filter { $0.phase == .complete }, false)
        try db.apply(plan.steps.filter { $0.phase == .contract }, false)
        try BackfillUnderLoadTests.run(db.url, ["-c", "INSERT INTO tickets (title, subject_len) VALUES ('after', 5)"])
        try db.apply(plan.steps.filter { $0.phase != .purge }, true)
    }
}

/// Issue #14, second user trial (M3): a NOT NULL column with a default made nullable without its
/// default (`nullable: true`, `dropDefault: true`). The rollback of expand put NOT NULL back before the
/// default, so between the two downs the old version's inserts that leave the column out failed. On
/// real servers, after every single down step of the rollback, such an insert succeeds and gets the
/// base default once it is back.
@Suite(.serialized) struct RelaxDefaultRollbackTests {
    static let change = "    - alterColumn: {table: tickets, column: status, nullable: true, dropDefault: true, down: \"'open'\"}\n"

    @Test(.enabled(if: DatabaseHarness.shouldRun(.postgresql), unavailable(.postgresql)))
    func postgresRollbackRestoresDefaultBeforeNotNull() throws {
        let schema = "CREATE TABLE tickets (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, subject text, status varchar(16) NOT NULL DEFAULT 'open');"
        let (plan, folder) = try RollbackNullTests.plan(RenamedUpTests.yaml(engine: "postgresql", changes: Self.change), schema: schema)
        defer { try? FileManager.default.removeItem(at: folder) }
        let db = try RollbackNullTests.postgres("relax_default", schema: schema, folder: folder)
        let expand = plan.steps.filter { $0.phase == .preflight || $0.phase == .expand }
        try db.apply(expand, false)
        try BackfillUnderLoadTests.run(db.url, ["-c", "INSERT INTO tickets (subject) VALUES ('new-version')"])
        for step in expand.reversed() {
            try db.apply([step], true)
            // The old version's insert, which leaves status to its default, between the rollback's steps.
            try BackfillUnderLoadTests.run(db.url, ["-c", "INSERT INTO tickets (subject) VALUES ('old after \(step.fileStem)')"])
        }
        #expect(try BackfillUnderLoadTests.run(db.url, ["-c", "SELECT count(*) FROM tickets WHERE status IS NULL AND subject LIKE 'old%'"]) == "0")
        #expect(try BackfillUnderLoadTests.run(db.url, ["-c", RollbackNullTests.pgColumns.replacingOccurrences(of: "'items'", with: "'tickets'")])
                == "id:bigint:true,subject:text:false,status:character varying(16):true")
    }

    @Test(.enabled(if: DatabaseHarness.shouldRun(.mysql), unavailable(.mysql)))
    func mysqlRollbackRestoresDefaultBeforeNotNull() throws {
        let schema = "CREATE TABLE tickets (id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY, subject VARCHAR(200), status VARCHAR(16) NOT NULL DEFAULT 'open');"
        let (plan, folder) = try RollbackNullTests.plan(RenamedUpTests.yaml(engine: "mysql", changes: Self.change), schema: schema)
        defer { try? FileManager.default.removeItem(at: folder) }
        let db = try RollbackNullTests.mysql("relax_default", schema: schema)
        let expand = plan.steps.filter { $0.phase == .preflight || $0.phase == .expand }
        try db.apply(expand, false)
        _ = try db.sql("INSERT INTO tickets (subject) VALUES ('new-version');")
        for step in expand.reversed() {
            try db.apply([step], true)
            _ = try db.sql("INSERT INTO tickets (subject) VALUES ('old after \(step.fileStem)');")
        }
        let nulls = try db.sql("SELECT COUNT(*) FROM tickets WHERE status IS NULL AND subject LIKE 'old%';")
        #expect(nulls.hasSuffix("\n0") || nulls == "0", "\(nulls)")
        let column = try db.sql("SELECT column_default, is_nullable FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = 'tickets' AND column_name = 'status';")
        #expect(column.hasSuffix("'open'\tNO"), "\(column)")
    }
}

/// Issue #14, second user trial (M4): a widening the server does in place (varchar(12) → text on
/// PostgreSQL, VARCHAR(20) → VARCHAR(40) on MySQL) with an `up`: the `up` was ignored (a bare ALTER
/// TYPE, existing rows never converted). An `up` converts the values, so the change goes through the
/// copy column: on real servers, every existing row and every row the old version writes during the
/// rollout holds `up` of its value after contract, and the rollback brings the old values back.
@Suite(.serialized) struct ConvertingWideningTests {
    @Test(.enabled(if: DatabaseHarness.shouldRun(.postgresql), unavailable(.postgresql)))
    func postgresWideningWithUpConvertsRows() throws {
        let schema = "CREATE TABLE tickets (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, code varchar(12));"
        let change = "    - alterColumn: {table: tickets, column: code, type: text, up: \"'X:' || code\", down: \"split_part(code, ':', 2)\"}\n"
        let (plan, folder) = try RollbackNullTests.plan(RenamedUpTests.yaml(engine: "postgresql", changes: change), schema: schema)
        defer { try? FileManager.default.removeItem(at: folder) }
        let db = try RollbackNullTests.postgres("widen_up", schema: schema, folder: folder)
        try BackfillUnderLoadTests.run(db.url, ["-c", "INSERT INTO tickets (code) VALUES ('a1'), (NULL)"])
        let forward = plan.steps.filter { $0.phase != .contract && $0.phase != .purge }
        try db.apply(forward, false)
        try BackfillUnderLoadTests.run(db.url, ["-c", "INSERT INTO tickets (code) VALUES ('b2')"])
        try db.apply(plan.steps.filter { $0.phase == .contract }, false)
        #expect(try BackfillUnderLoadTests.run(db.url, ["-c", "SELECT string_agg(coalesce(code, '-'), ',' ORDER BY id) FROM tickets"]) == "X:a1,-,X:b2")
        try db.apply(plan.steps.filter { $0.phase == .contract }, true)
        try db.apply(forward, true)
        #expect(try BackfillUnderLoadTests.run(db.url, ["-c", "SELECT string_agg(coalesce(code, '-'), ',' ORDER BY id) FROM tickets"]) == "a1,-,b2")
    }

    @Test(.enabled(if: DatabaseHarness.shouldRun(.mysql), unavailable(.mysql)))
    func mysqlWideningWithUpConvertsRows() throws {
        let schema = "CREATE TABLE tickets (id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY, code VARCHAR(20));"
        let change = "    - alterColumn: {table: tickets, column: code, type: VARCHAR(40), up: \"CONCAT('X:', code)\", down: \"SUBSTRING_INDEX(code, ':', -1)\"}\n"
        let (plan, folder) = try RollbackNullTests.plan(RenamedUpTests.yaml(engine: "mysql", changes: change), schema: schema)
        defer { try? FileManager.default.removeItem(at: folder) }
        let db = try RollbackNullTests.mysql("widen_up", schema: schema)
        _ = try db.sql("INSERT INTO tickets (code) VALUES ('a1'), (NULL);")
        let forward = plan.steps.filter { $0.phase != .contract && $0.phase != .purge }
        try db.apply(forward, false)
        _ = try db.sql("INSERT INTO tickets (code) VALUES ('b2');")
        try db.apply(plan.steps.filter { $0.phase == .contract }, false)
        let after = try db.sql("SELECT GROUP_CONCAT(COALESCE(code, '-') ORDER BY id) AS v FROM tickets;")
        #expect(after.split(separator: "\n").last == "X:a1,-,X:b2", "\(after)")
        try db.apply(plan.steps.filter { $0.phase == .contract }, true)
        try db.apply(forward, true)
        let back = try db.sql("SELECT GROUP_CONCAT(COALESCE(code, '-') ORDER BY id) AS v FROM tickets;")
        #expect(back.split(separator: "\n").last == "a1,-,b2", "\(back)")
    }
}

/// Issue #14, second user trial (S4): rehearse's completeness check, when the new version starts, read
/// a NOT NULL type change's column under its name: the old column, where the old version still writes
/// NULL, while the new values (filled by `up`, made NOT NULL in complete) are in the copy. On a real
/// server, after expand and the backfill, with an old-version row holding NULL, the check now finds
/// every row filled.
@Suite(.serialized) struct CompletenessCopyColumnTests {
    @Test(.enabled(if: DatabaseHarness.shouldRun(.postgresql), unavailable(.postgresql)))
    func postgresCheckReadsTheCopyColumn() throws {
        let schema = "CREATE TABLE tickets (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, amount numeric(12,2));"
        let change = "    - alterColumn: {table: tickets, column: amount, type: \"numeric(14,4)\", nullable: false, up: \"coalesce(amount, 0)\"}\n"
        let (plan, folder) = try RollbackNullTests.plan(RenamedUpTests.yaml(engine: "postgresql", changes: change), schema: schema)
        defer { try? FileManager.default.removeItem(at: folder) }
        let db = try RollbackNullTests.postgres("complete_copy", schema: schema, folder: folder)
        try BackfillUnderLoadTests.run(db.url, ["-c", "INSERT INTO tickets (amount) VALUES (1.5), (NULL)"])
        try db.apply(plan.steps.filter { $0.phase == .preflight || $0.phase == .expand || $0.phase == .backfill }, false)
        try BackfillUnderLoadTests.run(db.url, ["-c", "INSERT INTO tickets (amount) VALUES (NULL)"])
        let expectations = AppTrafficDriver.expectations(plan.spec, context: LoweringContext(spec: plan.spec, schema: plan.schema))
        #expect(expectations == [ColumnExpectation(table: "tickets", column: "_cutover_renup_amount_new")])
        let session = try PostgresSession(connection: ConnectionParameters.parse(db.url))
        #expect(try Completeness.check(expectations: expectations, session: session, engine: .postgresql) == [])
        // The same check on the column under its name finds the old version's NULLs: it can fail.
        #expect(try Completeness.check(expectations: [ColumnExpectation(table: "tickets", column: "amount")], session: session, engine: .postgresql)
                == ["tickets.amount: 2 of 3 rows are NULL"])
    }
}
