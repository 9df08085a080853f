import Foundation
import Testing
@testable import CutoverCore

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
