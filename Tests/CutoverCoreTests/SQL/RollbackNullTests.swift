@testable import CutoverPlan
@testable import CutoverSpec
import Foundation
import Testing

/// Issue #14 items 3 and 4 on real servers: a type change with `nullable: true` of a NOT NULL column
/// takes the new version's NULL from expand on (the old column is relaxed there, not at contract), its
/// rollbacks run over those NULLs instead of failing half way, a rollback that would put NULL into a
/// column that gets NOT NULL back is refused before it changes anything, and MySQL's refusal of a value
/// the old type cannot take (1265, SQLSTATE 01000) reads as cutover's message.
@Suite(.serialized) struct RollbackNullTests {
    static func yaml(engine: String, change: String) -> String {
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
            - alterColumn: \(change)
        """
    }

    static func plan(_ yaml: String, schema: String) throws -> (MigrationPlan, URL) {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cutover-nulls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try yaml.write(to: folder.appendingPathComponent("nulls.yaml"), atomically: true, encoding: .utf8)
        try schema.write(to: folder.appendingPathComponent("nulls.schema.sql"), atomically: true, encoding: .utf8)
        return (try SQLGoldenTests.plan(folder.appendingPathComponent("nulls.yaml").path), folder)
    }

    /// A PostgreSQL database with `schema`, and a runner of plan steps (each a file, as psql -f runs it).
    static func postgres(_ name: String, schema: String, folder: URL) throws -> (url: String, apply: ([PlanStep], Bool) throws -> Void) {
        let server = try DatabaseHarness.shared.url(.postgresql)
        try BackfillUnderLoadTests.run(server, ["-c", "DROP DATABASE IF EXISTS \(name)", "-c", "CREATE DATABASE \(name)"])
        let url = server.replacingOccurrences(of: "/postgres?", with: "/\(name)?")
        try BackfillUnderLoadTests.run(url, ["-c", schema])
        return (url, { steps, down in
            for step in down ? steps.reversed() : steps {
                let sql = (down ? step.down : step.up).statements.map(\.text).filter { !$0.isEmpty }.joined(separator: "\n")
                let file = folder.appendingPathComponent("\(step.fileStem).\(down ? "down" : "up").sql")
                try (sql + "\n").write(to: file, atomically: true, encoding: .utf8)
                try BackfillUnderLoadTests.run(url, ["-f", file.path])
            }
        })
    }

    static func mysql(_ name: String, schema: String) throws -> (sql: (String) throws -> String, apply: ([PlanStep], Bool) throws -> Void) {
        let url = try DatabaseHarness.shared.url(.mysql)
        let socket = try #require(URLComponents(string: url)?.queryItems?.first { $0.name == "socket" }?.value)
        func sql(_ input: String, database: String?) throws -> String {
            let result = try MySQLOrphanCheckTests.client(socket, database: database, input: input)
            if result.status != 0 { throw HarnessError("mariadb failed: \(result.output)") }
            return result.output.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        _ = try sql("DROP DATABASE IF EXISTS \(name); CREATE DATABASE \(name); USE \(name); \(schema)", database: nil)
        let run: (String) throws -> String = { try sql($0, database: name) }
        return (run, { steps, down in
            for step in down ? steps.reversed() : steps {
                _ = try run((down ? step.down : step.up).statements.map(\.text).filter { !$0.isEmpty }.joined(separator: "\n") + "\n")
            }
        })
    }

    static let pgColumns = "SELECT string_agg(attname || ':' || format_type(atttypid, atttypmod) || ':' || attnotnull, ',' ORDER BY attnum) FROM pg_attribute WHERE attrelid = 'items'::regclass AND attnum > 0 AND NOT attisdropped"
    static let myColumns = "SELECT GROUP_CONCAT(column_name, ':', column_type, ':', is_nullable ORDER BY ordinal_position) FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = 'items';"

    /// The trial's reviews.rating: text NOT NULL → smallint, nullable. The new version's NULL insert
    /// succeeds from expand on (it failed on the old column's NOT NULL until contract), and both
    /// rollbacks run over its NULL rows, keeping them.
    @Test(.enabled(if: DatabaseHarness.shouldRun(.postgresql), unavailable(.postgresql)))
    func postgresNullableTypeChangeTakesNullFromExpandAndRollsBack() throws {
        let schema = "CREATE TABLE items (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, rating text NOT NULL DEFAULT '3');"
        let (plan, folder) = try Self.plan(Self.yaml(engine: "postgresql", change: #"{table: items, column: rating, type: smallint, up: "CASE WHEN rating ~ '^[0-9]{1,4}$' THEN rating::smallint END", nullable: true}"#), schema: schema)
        defer { try? FileManager.default.removeItem(at: folder) }
        let db = try Self.postgres("rollback_nulls", schema: schema, folder: folder)
        try BackfillUnderLoadTests.run(db.url, ["-c", "INSERT INTO items (rating) VALUES ('4'), ('x')"])
        let beforeContract = plan.steps.filter { $0.phase != .contract && $0.phase != .purge }
        try db.apply(beforeContract, false)
        try BackfillUnderLoadTests.run(db.url, ["-c", "INSERT INTO items (rating) VALUES (NULL)"])
        try db.apply(plan.steps.filter { $0.phase == .contract }, false)
        try BackfillUnderLoadTests.run(db.url, ["-c", "INSERT INTO items (rating) VALUES (NULL), (7)"])
        try db.apply(plan.steps.filter { $0.phase == .contract }, true)
        try db.apply(beforeContract, true)
        #expect(try BackfillUnderLoadTests.run(db.url, ["-c", "SELECT string_agg(coalesce(rating, '-'), ',' ORDER BY id) FROM items"]) == "4,x,-,-,7")
        #expect(try BackfillUnderLoadTests.run(db.url, ["-c", Self.pgColumns]) == "id:bigint:true,rating:text:false", "NOT NULL stays off while rows hold NULL")
        try BackfillUnderLoadTests.run(db.url, ["-c", "UPDATE items SET rating = '0' WHERE rating IS NULL"])
        try db.apply(beforeContract, true)
        #expect(try BackfillUnderLoadTests.run(db.url, ["-c", Self.pgColumns]) == "id:bigint:true,rating:text:true", "run again once filled, NOT NULL is back")
    }

    /// A `down` that maps a value the new version wrote to NULL, on a column that was NOT NULL: the
    /// contract's rollback is refused before anything changes (it failed at VALIDATE after the swap back,
    /// half rolled back), naming the table, the column and a key; once the row is changed it runs.
    @Test(.enabled(if: DatabaseHarness.shouldRun(.postgresql), unavailable(.postgresql)))
    func postgresRefusesNullWhereNotNullComesBack() throws {
        let schema = "CREATE TABLE items (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, priority text NOT NULL);"
        let (plan, folder) = try Self.plan(Self.yaml(engine: "postgresql", change: #"{table: items, column: priority, type: integer, up: "CASE WHEN priority = 'high' THEN 1 ELSE 0 END", down: "CASE WHEN priority = 1 THEN 'high' WHEN priority = 0 THEN 'low' END"}"#), schema: schema)
        defer { try? FileManager.default.removeItem(at: folder) }
        let db = try Self.postgres("rollback_nulls_down", schema: schema, folder: folder)
        try BackfillUnderLoadTests.run(db.url, ["-c", "INSERT INTO items (priority) VALUES ('high'), ('low')"])
        try db.apply(plan.steps.filter { $0.phase != .purge }, false)
        try BackfillUnderLoadTests.run(db.url, ["-c", "INSERT INTO items (priority) VALUES (5)"])
        let contract = plan.steps.filter { $0.phase == .contract }
        let before = try BackfillUnderLoadTests.run(db.url, ["-c", Self.pgColumns])
        do {
            try db.apply(contract, true)
            Issue.record("the rollback ran into NOT NULL after the swap back")
        } catch {
            #expect("\(error)".contains("cutover rollback refused: items.priority was NOT NULL (text) and would get NULL in 1 row(s), e.g. id = 3"), "\(error)")
        }
        #expect(try BackfillUnderLoadTests.run(db.url, ["-c", Self.pgColumns]) == before, "nothing changed")
        try BackfillUnderLoadTests.run(db.url, ["-c", "UPDATE items SET priority = 0 WHERE priority = 5"])
        try db.apply(contract, true)
        #expect(try BackfillUnderLoadTests.run(db.url, ["-c", "SELECT string_agg(priority, ',' ORDER BY id) FROM items"]) == "high,low,low")
    }

    /// The trial's shop orders.qty on MySQL: INT NOT NULL DEFAULT 1 → BIGINT, nullable. The NULL insert
    /// succeeds from expand on, the contract's rollback no longer fails with 1265 on the copied-back NULL
    /// (it restored NOT NULL there), and the expand rollback keeps the NULL rows.
    @Test(.enabled(if: DatabaseHarness.shouldRun(.mysql), unavailable(.mysql)))
    func mysqlNullableTypeChangeTakesNullFromExpandAndRollsBack() throws {
        let schema = "CREATE TABLE items (id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY, qty INT NOT NULL DEFAULT 1) ENGINE=InnoDB;"
        let (plan, folder) = try Self.plan(Self.yaml(engine: "mysql", change: "{table: items, column: qty, type: BIGINT, nullable: true}"), schema: schema)
        defer { try? FileManager.default.removeItem(at: folder) }
        let db = try Self.mysql("rollback_nulls", schema: schema + " INSERT INTO items (qty) VALUES (4);")
        defer { _ = try? db.sql("DROP DATABASE IF EXISTS rollback_nulls;") }
        let beforeContract = plan.steps.filter { $0.phase != .contract && $0.phase != .purge }
        try db.apply(beforeContract, false)
        _ = try db.sql("INSERT INTO items (qty) VALUES (NULL);")
        try db.apply(plan.steps.filter { $0.phase == .contract }, false)
        _ = try db.sql("INSERT INTO items (qty) VALUES (NULL), (7);")
        try db.apply(plan.steps.filter { $0.phase == .contract }, true)
        try db.apply(beforeContract, true)
        #expect(try db.sql("SELECT GROUP_CONCAT(IFNULL(qty, '-') ORDER BY id) FROM items;") == "4,-,-,7")
        #expect(try db.sql(Self.myColumns) == "id:bigint(20):NO,qty:int(11):YES", "NOT NULL stays off while rows hold NULL")
        _ = try db.sql("UPDATE items SET qty = 0 WHERE qty IS NULL;")
        try db.apply(beforeContract, true)
        #expect(try db.sql(Self.myColumns) == "id:bigint(20):NO,qty:int(11):NO", "run again once filled, NOT NULL is back")
    }

    /// The trial's orders.zip: INT → VARCHAR(10), the new version writes '02139-1234'. The fit check's
    /// conversion error is 1265, SQLSTATE 01000, which a handler FOR SQLEXCEPTION does not catch: the
    /// rollback printed `ERROR 1265 … Data truncated for column 'v'`, now cutover's message.
    @Test(.enabled(if: DatabaseHarness.shouldRun(.mysql), unavailable(.mysql)))
    func mysqlTruncationIsRefusedWithTheMessage() throws {
        let schema = "CREATE TABLE items (id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY, zip INT DEFAULT NULL) ENGINE=InnoDB;"
        let (plan, folder) = try Self.plan(Self.yaml(engine: "mysql", change: "{table: items, column: zip, type: VARCHAR(10)}"), schema: schema)
        defer { try? FileManager.default.removeItem(at: folder) }
        let db = try Self.mysql("rollback_nulls_zip", schema: schema + " INSERT INTO items (zip) VALUES (2139);")
        defer { _ = try? db.sql("DROP DATABASE IF EXISTS rollback_nulls_zip;") }
        try db.apply(plan.steps.filter { $0.phase != .purge }, false)
        _ = try db.sql("INSERT INTO items (zip) VALUES ('02139-1234');")
        let contract = plan.steps.filter { $0.phase == .contract }
        let before = try db.sql(Self.myColumns)
        do {
            try db.apply(contract, true)
            Issue.record("the rollback ran over a value INT cannot take")
        } catch {
            #expect("\(error)".contains("cutover rollback refused: items.zip holds values the new app version wrote that INT cannot take"), "\(error)")
        }
        #expect(try db.sql(Self.myColumns) == before, "nothing changed")
        _ = try db.sql("UPDATE items SET zip = '02139' WHERE zip = '02139-1234';")
        try db.apply(contract, true)
        #expect(try db.sql("SELECT GROUP_CONCAT(zip ORDER BY id) FROM items;") == "2139,2139")
    }

    /// Contract's rollback re-runnable after a partial failure: the swap went back, something after it
    /// failed, and the retry starts again at the first file, which re-creates the version schemas'
    /// views from text naming the quarantined column (`column "_cutover_…" does not exist` before).
    @Test(.enabled(if: DatabaseHarness.shouldRun(.postgresql), unavailable(.postgresql)))
    func postgresContractRollbackRunsAgainAfterThePartOfItThatRan() throws {
        let schema = "CREATE TABLE items (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, rating text NOT NULL DEFAULT '3');"
        let yaml = Self.yaml(engine: "postgresql", change: #"{table: items, column: rating, type: smallint, up: "CASE WHEN rating ~ '^[0-9]{1,4}$' THEN rating::smallint END", nullable: true}"#)
            .replacingOccurrences(of: "\n    versionSchemas: none", with: "")
        let (plan, folder) = try Self.plan(yaml, schema: schema)
        defer { try? FileManager.default.removeItem(at: folder) }
        #expect(plan.steps.contains { $0.title.contains("version schemas") }, "the spec has version schemas")
        let db = try Self.postgres("rollback_nulls_rerun", schema: schema, folder: folder)
        try BackfillUnderLoadTests.run(db.url, ["-c", "INSERT INTO items (rating) VALUES ('4'), ('x')"])
        try db.apply(plan.steps.filter { $0.phase != .purge }, false)
        let contract = plan.steps.filter { $0.phase == .contract }
        // The first attempt: the version schemas back and the swap back ran, then it stopped.
        try db.apply(contract.filter { $0.title.contains("version schemas") || $0.title.contains("swap") }, true)
        try db.apply(contract, true)
        #expect(try BackfillUnderLoadTests.run(db.url, ["-c", "SELECT string_agg(rating, ',' ORDER BY id) FROM nulls_old.items"]) == "4,x")
        #expect(try BackfillUnderLoadTests.run(db.url, ["-c", "SELECT string_agg(coalesce(rating::text, '-'), ',' ORDER BY id) FROM nulls_new.items"]) == "4,-")
    }

    /// MySQL's twin of `postgresRefusesNullWhereNotNullComesBack`: the swap's down restores NOT NULL of
    /// a column with a default, which failed with 1265 after the swap back; refused before, naming a key.
    @Test(.enabled(if: DatabaseHarness.shouldRun(.mysql), unavailable(.mysql)))
    func mysqlRefusesNullWhereNotNullComesBack() throws {
        let schema = "CREATE TABLE items (id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY, priority VARCHAR(8) NOT NULL DEFAULT 'low') ENGINE=InnoDB;"
        let (plan, folder) = try Self.plan(Self.yaml(engine: "mysql", change: #"{table: items, column: priority, type: INT, default: "0", up: "CASE WHEN priority = 'high' THEN 1 ELSE 0 END", down: "CASE WHEN priority = 1 THEN 'high' WHEN priority = 0 THEN 'low' END"}"#), schema: schema)
        defer { try? FileManager.default.removeItem(at: folder) }
        let db = try Self.mysql("rollback_nulls_down", schema: schema + " INSERT INTO items (priority) VALUES ('high'), ('low');")
        defer { _ = try? db.sql("DROP DATABASE IF EXISTS rollback_nulls_down;") }
        try db.apply(plan.steps.filter { $0.phase != .purge }, false)
        _ = try db.sql("INSERT INTO items (priority) VALUES (5);")
        // The Job runs the refusal checks of all its files first; played file by file, the NOT NULL
        // step's down (after the swap in contract, so first in its rollback) runs before the swap's.
        let contract = plan.steps.filter { $0.phase == .contract }
        try db.apply(contract.filter { !$0.title.contains("swap") }, true)
        let swap = contract.filter { $0.title.contains("swap") }
        let before = try db.sql(Self.myColumns)
        do {
            try db.apply(swap, true)
            Issue.record("the rollback ran into NOT NULL after the swap back")
        } catch {
            #expect("\(error)".contains("cutover rollback refused: items.priority was NOT NULL, would get NULL (id=3)"), "\(error)")
        }
        #expect(try db.sql(Self.myColumns) == before, "nothing changed")
        _ = try db.sql("UPDATE items SET priority = 0 WHERE priority = 5;")
        try db.apply(swap, true)
        #expect(try db.sql("SELECT GROUP_CONCAT(priority ORDER BY id) FROM items;") == "high,low,low")
    }
}
