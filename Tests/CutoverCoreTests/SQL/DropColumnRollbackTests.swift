@testable import CutoverPlan
@testable import CutoverSpec
import Foundation
import Testing

/// Trial 14h (issue #14, MUST-FIX): a dropColumn of a NOT NULL column with `down`, rolled back from
/// contract. Rows the new version inserted after contract hold NULL under the quarantine name; the
/// rollback of contract must refill them with `down` before the old version serves again (it did only
/// in the rollback of expand, after the app was reverted). Played step file by step file on real
/// servers: forward to contract, the new version's inserts around contract, then the rollback of
/// contract alone, where the old version would serve next.
@Suite(.serialized) struct DropColumnRollbackTests {
    static func yaml(engine: String) -> String {
        let mysql = engine == "mysql"
        return """
        apiVersion: cutover.dev/v1alpha1
        kind: Migration
        metadata:
          name: nulls
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
            - dropColumn:
                table: accounts
                column: name
                down: "\(mysql ? "SUBSTRING_INDEX(email, '@', 1)" : "split_part(email, '@', 1)")"
        """
    }

    static let pgNotNull = "SELECT attnotnull FROM pg_attribute WHERE attrelid = 'accounts'::regclass AND attname = 'name'"
    static let myNullable = "SELECT is_nullable FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = 'accounts' AND column_name = 'name';"

    @Test(.enabled(if: DatabaseHarness.shouldRun(.postgresql), unavailable(.postgresql)))
    func postgresContractRollbackRefillsRowsInsertedAfterContract() throws {
        let schema = "CREATE TABLE accounts (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, email text NOT NULL, name text NOT NULL);"
        let (plan, folder) = try RollbackNullTests.plan(Self.yaml(engine: "postgresql"), schema: schema)
        defer { try? FileManager.default.removeItem(at: folder) }
        let db = try RollbackNullTests.postgres("rollback_drop_refill", schema: schema, folder: folder)
        func sql(_ text: String) throws -> String { try BackfillUnderLoadTests.run(db.url, ["-c", text]) }
        _ = try sql("INSERT INTO accounts (email, name) VALUES ('a@x.test', 'Ann')")
        let beforeContract = plan.steps.filter { $0.phase != .contract && $0.phase != .purge }
        let contract = plan.steps.filter { $0.phase == .contract }
        try db.apply(beforeContract, false)
        _ = try sql("INSERT INTO accounts (email) VALUES ('bo@x.test')")
        try db.apply(contract, false)
        _ = try sql("INSERT INTO accounts (email) VALUES ('cy@x.test'), ('di@x.test')")
        try db.apply(contract, true)
        #expect(try sql("SELECT string_agg(coalesce(name, '-'), ',' ORDER BY id) FROM accounts") == "Ann,bo,cy,di",
                "the rollback of contract refills the rows inserted after contract before the old version serves")
        _ = try sql("INSERT INTO accounts (email) VALUES ('ed@x.test')")
        #expect(try sql("SELECT name FROM accounts WHERE email = 'ed@x.test'") == "ed", "the fill trigger is back")
        #expect(try sql(Self.pgNotNull) == "f", "NOT NULL comes back with the rollback of expand, as before")
        try db.apply(beforeContract, true)
        #expect(try sql(Self.pgNotNull) == "t")
        #expect(try sql("SELECT string_agg(name, ',' ORDER BY id) FROM accounts") == "Ann,bo,cy,di,ed")
    }

    @Test(.enabled(if: DatabaseHarness.shouldRun(.mysql), unavailable(.mysql)))
    func mysqlContractRollbackRefillsRowsInsertedAfterContract() throws {
        let schema = "CREATE TABLE accounts (id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY, email VARCHAR(100) NOT NULL, name VARCHAR(100) NOT NULL) ENGINE=InnoDB;"
        let (plan, folder) = try RollbackNullTests.plan(Self.yaml(engine: "mysql"), schema: schema)
        defer { try? FileManager.default.removeItem(at: folder) }
        let db = try RollbackNullTests.mysql("rollback_drop_refill", schema: schema + " INSERT INTO accounts (email, name) VALUES ('a@x.test', 'Ann');")
        defer { _ = try? db.sql("DROP DATABASE IF EXISTS rollback_drop_refill;") }
        let beforeContract = plan.steps.filter { $0.phase != .contract && $0.phase != .purge }
        let contract = plan.steps.filter { $0.phase == .contract }
        try db.apply(beforeContract, false)
        _ = try db.sql("INSERT INTO accounts (email) VALUES ('bo@x.test');")
        try db.apply(contract, false)
        _ = try db.sql("INSERT INTO accounts (email) VALUES ('cy@x.test'), ('di@x.test');")
        try db.apply(contract, true)
        #expect(try db.sql("SELECT GROUP_CONCAT(IFNULL(name, '-') ORDER BY id) FROM accounts;") == "Ann,bo,cy,di",
                "the rollback of contract refills the rows inserted after contract before the old version serves")
        _ = try db.sql("INSERT INTO accounts (email) VALUES ('ed@x.test');")
        #expect(try db.sql("SELECT name FROM accounts WHERE email = 'ed@x.test';") == "ed", "the fill trigger is back")
        #expect(try db.sql(Self.myNullable) == "YES", "NOT NULL comes back with the rollback of expand, as before")
        try db.apply(beforeContract, true)
        #expect(try db.sql(Self.myNullable) == "NO")
        #expect(try db.sql("SELECT GROUP_CONCAT(name ORDER BY id) FROM accounts;") == "Ann,bo,cy,di,ed")
    }
}
