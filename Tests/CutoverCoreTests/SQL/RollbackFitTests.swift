@testable import CutoverPlan
@testable import CutoverSpec
@testable import CutoverProof
import Foundation
import Testing

/// Issue #9 item 8 on a real server: a rollback that would bring an old type back over values the new
/// version wrote that it cannot hold (out of range, too long) is refused before it changes anything,
/// naming the column; once those rows are dealt with, the same rollback runs.
@Suite(.serialized) struct RollbackFitTests {
    static let yaml = """
    apiVersion: cutover.dev/v1alpha1
    kind: Migration
    metadata:
      name: widen
      namespace: shop
    spec:
      database:
        engine: postgresql
        version: "15"
        cluster: shop-db
        name: shop
        credentialsSecret: shop-db-credentials
        schema: widen.schema.sql
      app:
        name: webapp
        image: ghcr.io/acme/webapp:v2.3.1
      runner:
        tool: psql
      changes:
        - alterColumn: {table: items, column: qty, type: bigint}
        - alterColumn: {table: items, column: code, type: varchar(20)}
    """
    static let schema = """
    CREATE TABLE items (
        id   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        qty  integer NOT NULL,
        code varchar(5) NOT NULL
    );
    """

    @Test(.enabled(if: DatabaseHarness.shouldRun(.postgresql), unavailable(.postgresql)))
    func refusesBeforeAnythingChanges() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cutover-fit-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try Self.yaml.write(to: folder.appendingPathComponent("widen.yaml"), atomically: true, encoding: .utf8)
        try Self.schema.write(to: folder.appendingPathComponent("widen.schema.sql"), atomically: true, encoding: .utf8)
        let plan = try SQLGoldenTests.plan(folder.appendingPathComponent("widen.yaml").path)
        let server = try DatabaseHarness.shared.url(.postgresql)
        try BackfillUnderLoadTests.run(server, ["-c", "DROP DATABASE IF EXISTS rollback_fit", "-c", "CREATE DATABASE rollback_fit"])
        let url = server.replacingOccurrences(of: "/postgres?", with: "/rollback_fit?")
        try BackfillUnderLoadTests.run(url, ["-c", Self.schema, "-c", "INSERT INTO items (qty, code) VALUES (1, 'a')"])
        func apply(_ steps: [PlanStep], down: Bool) throws {
            for step in down ? steps.reversed() : steps {
                let sql = (down ? step.down : step.up).statements.map(\.text).filter { !$0.isEmpty }.joined(separator: "\n")
                let file = folder.appendingPathComponent("\(step.fileStem).\(down ? "down" : "up").sql")
                try (sql + "\n").write(to: file, atomically: true, encoding: .utf8)
                try BackfillUnderLoadTests.run(url, ["-f", file.path])
            }
        }
        try apply(plan.steps, down: false)
        try BackfillUnderLoadTests.run(url, ["-c", "INSERT INTO items (qty, code) VALUES (3000000000, 'abc'), (2, 'much-too-long')"])
        let contract = plan.steps.filter { $0.phase == .contract }
        let before = try BackfillUnderLoadTests.run(url, ["-c", "SELECT string_agg(attname || ':' || format_type(atttypid, atttypmod), ',' ORDER BY attnum) FROM pg_attribute WHERE attrelid = 'items'::regclass AND attnum > 0 AND NOT attisdropped"])
        do {
            try apply(contract, down: true)
            Issue.record("the rollback ran over values the old type cannot hold")
        } catch {
            #expect("\(error)".contains("cutover rollback refused: items.qty holds values the new app version wrote that integer cannot take"), "\(error)")
        }
        let after = try BackfillUnderLoadTests.run(url, ["-c", "SELECT string_agg(attname || ':' || format_type(atttypid, atttypmod), ',' ORDER BY attnum) FROM pg_attribute WHERE attrelid = 'items'::regclass AND attnum > 0 AND NOT attisdropped"])
        #expect(before == after, "nothing changed")
        try BackfillUnderLoadTests.run(url, ["-c", "UPDATE items SET qty = 3 WHERE qty > 2147483647"])
        try apply(contract, down: true)
        // The metadata-only widening: its down refuses the too-long code, naming it.
        let expand = plan.steps.filter { $0.phase != .contract }
        do {
            try apply(expand, down: true)
            Issue.record("the rollback truncated a value")
        } catch {
            #expect("\(error)".contains("cutover rollback refused: items.code holds values the new app version wrote that varchar(5) cannot take unchanged: 1 row(s)"), "\(error)")
        }
        try BackfillUnderLoadTests.run(url, ["-c", "UPDATE items SET code = 'short' WHERE length(code) > 5"])
        try apply(expand, down: true)
        #expect(try BackfillUnderLoadTests.run(url, ["-c", "SELECT string_agg(qty || ':' || code, ',' ORDER BY id) FROM items"]) == "1:a,3:abc,2:short")
    }

    @Test(.enabled(if: DatabaseHarness.shouldRun(.mysql), unavailable(.mysql)))
    func mysqlRefusesBeforeTheSwapGoesBack() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cutover-fit-my-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let schema = "CREATE TABLE items (id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY, qty INT NOT NULL) ENGINE=InnoDB;"
        let yaml = Self.yaml.replacingOccurrences(of: "engine: postgresql", with: "engine: mysql").replacingOccurrences(of: "version: \"15\"", with: "version: \"8.0\"")
            .replacingOccurrences(of: "image: ghcr.io/acme/webapp:v2.3.1", with: "image: ghcr.io/acme/webapp:v2.3.1\n    versionSchemas: none")
            .replacingOccurrences(of: "tool: psql", with: "tool: mysql")
            .replacingOccurrences(of: "\n    - alterColumn: {table: items, column: code, type: varchar(20)}", with: "")
            .replacingOccurrences(of: "type: bigint", with: "type: BIGINT")
        try yaml.write(to: folder.appendingPathComponent("widen.yaml"), atomically: true, encoding: .utf8)
        try schema.write(to: folder.appendingPathComponent("widen.schema.sql"), atomically: true, encoding: .utf8)
        let plan = try SQLGoldenTests.plan(folder.appendingPathComponent("widen.yaml").path)
        let url = try DatabaseHarness.shared.url(.mysql)
        let socket = try #require(URLComponents(string: url)?.queryItems?.first { $0.name == "socket" }?.value)
        func sql(_ input: String, database: String? = "rollback_fit") throws -> String {
            let result = try MySQLOrphanCheckTests.client(socket, database: database, input: input)
            if result.status != 0 { throw HarnessError("mariadb failed: \(result.output)") }
            return result.output.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        _ = try sql("DROP DATABASE IF EXISTS rollback_fit; CREATE DATABASE rollback_fit; USE rollback_fit; \(schema) INSERT INTO items (qty) VALUES (1);", database: nil)
        func apply(_ steps: [PlanStep], down: Bool) throws {
            for step in down ? steps.reversed() : steps {
                _ = try sql((down ? step.down : step.up).statements.map(\.text).filter { !$0.isEmpty }.joined(separator: "\n") + "\n")
            }
        }
        // Through contract: purge (off by default) drops the version databases the swap's down re-points.
        try apply(plan.steps.filter { $0.phase != .purge }, down: false)
        _ = try sql("INSERT INTO items (qty) VALUES (3000000000);")
        let contract = plan.steps.filter { $0.phase == .contract }
        let columns = "SELECT GROUP_CONCAT(column_name, ':', column_type ORDER BY ordinal_position) FROM information_schema.columns WHERE table_schema = 'rollback_fit' AND table_name = 'items';"
        let before = try sql(columns)
        do {
            try apply(contract, down: true)
            Issue.record("the rollback ran over values the old type cannot hold")
        } catch {
            #expect("\(error)".contains("cutover rollback refused: items.qty holds values the new app version wrote that INT cannot take"), "\(error)")
        }
        #expect(try sql(columns) == before, "nothing changed")
        _ = try sql("UPDATE items SET qty = 3 WHERE qty > 2147483647;")
        try apply(contract, down: true)
        #expect(try sql("SELECT GROUP_CONCAT(qty ORDER BY id) FROM items;") == "1,3")
    }

    /// The fit check reads the table without row locks: under REPEATABLE READ an INSERT … SELECT takes
    /// a shared lock on each row it reads, so a row the app holds (an open UPDATE) stops the check, and
    /// every UPDATE after the scan reached a row waits until the scan ends. The check runs while another
    /// session holds a row, with a 1 s lock wait: it must pass.
    @Test(.enabled(if: DatabaseHarness.shouldRun(.mysql), unavailable(.mysql)))
    func mysqlFitCheckTakesNoRowLocks() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cutover-fit-my-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let schema = "CREATE TABLE items (id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY, qty INT NOT NULL) ENGINE=InnoDB;"
        let yaml = Self.yaml.replacingOccurrences(of: "engine: postgresql", with: "engine: mysql").replacingOccurrences(of: "version: \"15\"", with: "version: \"8.0\"")
            .replacingOccurrences(of: "tool: psql", with: "tool: mysql")
            .replacingOccurrences(of: "\n    - alterColumn: {table: items, column: code, type: varchar(20)}", with: "")
            .replacingOccurrences(of: "type: bigint", with: "type: BIGINT")
        try yaml.write(to: folder.appendingPathComponent("widen.yaml"), atomically: true, encoding: .utf8)
        try schema.write(to: folder.appendingPathComponent("widen.schema.sql"), atomically: true, encoding: .utf8)
        let plan = try SQLGoldenTests.plan(folder.appendingPathComponent("widen.yaml").path)
        guard case .success(let harness) = DatabaseHarness.shared.server(.mysql) else { throw HarnessError("mysql is not available") }
        let url = try DatabaseHarness.shared.url(.mysql)
        let socket = try #require(URLComponents(string: url)?.queryItems?.first { $0.name == "socket" }?.value)
        func sql(_ input: String, database: String? = "rollback_fit_locks") throws -> String {
            let result = try MySQLOrphanCheckTests.client(socket, database: database, input: input)
            if result.status != 0 { throw HarnessError("mariadb failed: \(result.output)") }
            return result.output.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        _ = try sql("DROP DATABASE IF EXISTS rollback_fit_locks; CREATE DATABASE rollback_fit_locks; USE rollback_fit_locks; \(schema) INSERT INTO items (qty) VALUES (1), (2), (3);", database: nil)
        defer { _ = try? sql("DROP DATABASE IF EXISTS rollback_fit_locks;", database: nil) }
        for step in plan.steps {
            _ = try sql(step.up.statements.map(\.text).filter { !$0.isEmpty }.joined(separator: "\n") + "\n")
        }
        let checks = plan.steps.filter { $0.phase == .contract }.flatMap { $0.down.statements }.filter { $0.kind == .refusalCheck && $0.text.contains("_cutover_fit") }
        #expect(!checks.isEmpty, "the contract's down has a fit check")
        let holder = try MariaDBSession(connection: harness.server.admin.with(database: "rollback_fit_locks"), timeout: 30)
        defer { holder.close() }
        try holder.execute("START TRANSACTION")
        try holder.execute("UPDATE items SET qty = qty + 1 WHERE id = 2")
        let result = try MySQLOrphanCheckTests.client(socket, database: "rollback_fit_locks",
                                                      input: "SET SESSION innodb_lock_wait_timeout = 1;\n" + checks.map(\.text).joined(separator: "\n") + "\n")
        try holder.execute("ROLLBACK")
        #expect(result.status == 0, "the fit check waited for a row another session holds: \(result.output)")
    }

    /// The in-place VARCHAR widening's down (a table copy back to the old length) is refused before it
    /// starts when the new version stored a longer value, naming the column, instead of failing mid-copy.
    @Test(.enabled(if: DatabaseHarness.shouldRun(.mysql), unavailable(.mysql)))
    func mysqlRefusesANarrowingBeforeTheCopy() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cutover-fit-my-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let schema = "CREATE TABLE items (id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY, code VARCHAR(5) NOT NULL) ENGINE=InnoDB DEFAULT CHARSET=latin1;"
        let yaml = Self.yaml.replacingOccurrences(of: "engine: postgresql", with: "engine: mysql").replacingOccurrences(of: "version: \"15\"", with: "version: \"8.0\"")
            .replacingOccurrences(of: "tool: psql", with: "tool: mysql")
            .replacingOccurrences(of: "\n    - alterColumn: {table: items, column: qty, type: bigint}", with: "")
            .replacingOccurrences(of: "type: varchar(20)", with: "type: VARCHAR(20)")
        try yaml.write(to: folder.appendingPathComponent("widen.yaml"), atomically: true, encoding: .utf8)
        try schema.write(to: folder.appendingPathComponent("widen.schema.sql"), atomically: true, encoding: .utf8)
        let plan = try SQLGoldenTests.plan(folder.appendingPathComponent("widen.yaml").path)
        #expect(plan.steps.contains { $0.title.contains("in place") }, "the change is the in-place widening")
        let url = try DatabaseHarness.shared.url(.mysql)
        let socket = try #require(URLComponents(string: url)?.queryItems?.first { $0.name == "socket" }?.value)
        func sql(_ input: String, database: String? = "rollback_fit") throws -> String {
            let result = try MySQLOrphanCheckTests.client(socket, database: database, input: input)
            if result.status != 0 { throw HarnessError("mariadb failed: \(result.output)") }
            return result.output.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        _ = try sql("DROP DATABASE IF EXISTS rollback_fit; CREATE DATABASE rollback_fit; USE rollback_fit; \(schema) INSERT INTO items (code) VALUES ('abc');", database: nil)
        func apply(_ steps: [PlanStep], down: Bool) throws {
            for step in down ? steps.reversed() : steps {
                _ = try sql((down ? step.down : step.up).statements.map(\.text).filter { !$0.isEmpty }.joined(separator: "\n") + "\n")
            }
        }
        try apply(plan.steps, down: false)
        _ = try sql("INSERT INTO items (code) VALUES ('abcdefghij');")
        let columns = "SELECT GROUP_CONCAT(column_name, ':', column_type ORDER BY ordinal_position) FROM information_schema.columns WHERE table_schema = 'rollback_fit' AND table_name = 'items';"
        let before = try sql(columns)
        do {
            try apply(plan.steps, down: true)
            Issue.record("the rollback ran over values the old length cannot hold")
        } catch {
            #expect("\(error)".contains("cutover rollback refused: items.code holds values the new app version wrote that"), "\(error)")
        }
        #expect(try sql(columns) == before, "nothing changed")
        _ = try sql("UPDATE items SET code = 'abcde' WHERE CHAR_LENGTH(code) > 5;")
        try apply(plan.steps, down: true)
        #expect(try sql(columns) == "id:bigint(20),code:varchar(5)")
        #expect(try sql("SELECT GROUP_CONCAT(code ORDER BY id) FROM items;") == "abc,abcde")
    }

    /// The contract's rollback copies back only what the new version wrote after the swap: a row nobody
    /// touched keeps its old value where `down` does not invert `up` ('low' → 0 → 'normal' would lose it).
    @Test(.enabled(if: DatabaseHarness.shouldRun(.postgresql), unavailable(.postgresql)))
    func contractRollbackKeepsRowsTheNewVersionDidNotWrite() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cutover-lossy-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let schema = "CREATE TABLE items (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, priority text NOT NULL);"
        let yaml = Self.yaml.replacingOccurrences(of: """
            - alterColumn: {table: items, column: qty, type: bigint}
            - alterColumn: {table: items, column: code, type: varchar(20)}
        """, with: """
            - alterColumn: {table: items, column: priority, type: integer, up: "CASE WHEN priority = 'high' THEN 1 ELSE 0 END", down: "CASE WHEN priority = 1 THEN 'high' ELSE 'normal' END"}
        """)
        try yaml.write(to: folder.appendingPathComponent("widen.yaml"), atomically: true, encoding: .utf8)
        try schema.write(to: folder.appendingPathComponent("widen.schema.sql"), atomically: true, encoding: .utf8)
        let plan = try SQLGoldenTests.plan(folder.appendingPathComponent("widen.yaml").path)
        let server = try DatabaseHarness.shared.url(.postgresql)
        try BackfillUnderLoadTests.run(server, ["-c", "DROP DATABASE IF EXISTS rollback_lossy", "-c", "CREATE DATABASE rollback_lossy"])
        let url = server.replacingOccurrences(of: "/postgres?", with: "/rollback_lossy?")
        try BackfillUnderLoadTests.run(url, ["-c", schema, "-c", "INSERT INTO items (priority) VALUES ('high'), ('low'), ('low')"])
        func apply(_ steps: [PlanStep], down: Bool) throws {
            for step in down ? steps.reversed() : steps {
                let sql = (down ? step.down : step.up).statements.map(\.text).filter { !$0.isEmpty }.joined(separator: "\n")
                let file = folder.appendingPathComponent("\(step.fileStem).\(down ? "down" : "up").sql")
                try (sql + "\n").write(to: file, atomically: true, encoding: .utf8)
                try BackfillUnderLoadTests.run(url, ["-f", file.path])
            }
        }
        try apply(plan.steps, down: false)
        try BackfillUnderLoadTests.run(url, ["-c", "UPDATE items SET priority = 1 WHERE id = 3", "-c", "INSERT INTO items (priority) VALUES (1)"])
        try apply(plan.steps.filter { $0.phase == .contract }, down: true)
        #expect(try BackfillUnderLoadTests.run(url, ["-c", "SELECT string_agg(priority, ',' ORDER BY id) FROM items"]) == "high,low,high,high")
    }

    @Test(.enabled(if: DatabaseHarness.shouldRun(.mysql), unavailable(.mysql)))
    func mysqlContractRollbackKeepsRowsTheNewVersionDidNotWrite() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cutover-lossy-my-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let schema = "CREATE TABLE items (id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY, priority VARCHAR(8) NOT NULL) ENGINE=InnoDB;"
        let yaml = Self.yaml.replacingOccurrences(of: "engine: postgresql", with: "engine: mysql").replacingOccurrences(of: "version: \"15\"", with: "version: \"8.0\"")
            .replacingOccurrences(of: "image: ghcr.io/acme/webapp:v2.3.1", with: "image: ghcr.io/acme/webapp:v2.3.1\n    versionSchemas: none")
            .replacingOccurrences(of: "tool: psql", with: "tool: mysql")
            .replacingOccurrences(of: """
            - alterColumn: {table: items, column: qty, type: bigint}
            - alterColumn: {table: items, column: code, type: varchar(20)}
        """, with: """
            - alterColumn: {table: items, column: priority, type: INT, up: "CASE WHEN priority = 'high' THEN 1 ELSE 0 END", down: "CASE WHEN priority = 1 THEN 'high' ELSE 'normal' END"}
        """)
        try yaml.write(to: folder.appendingPathComponent("widen.yaml"), atomically: true, encoding: .utf8)
        try schema.write(to: folder.appendingPathComponent("widen.schema.sql"), atomically: true, encoding: .utf8)
        let plan = try SQLGoldenTests.plan(folder.appendingPathComponent("widen.yaml").path)
        let url = try DatabaseHarness.shared.url(.mysql)
        let socket = try #require(URLComponents(string: url)?.queryItems?.first { $0.name == "socket" }?.value)
        func sql(_ input: String, database: String? = "rollback_lossy") throws -> String {
            let result = try MySQLOrphanCheckTests.client(socket, database: database, input: input)
            if result.status != 0 { throw HarnessError("mariadb failed: \(result.output)") }
            return result.output.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        _ = try sql("DROP DATABASE IF EXISTS rollback_lossy; CREATE DATABASE rollback_lossy; USE rollback_lossy; \(schema) INSERT INTO items (priority) VALUES ('high'), ('low'), ('low');", database: nil)
        defer { _ = try? sql("DROP DATABASE IF EXISTS rollback_lossy;", database: nil) }
        func apply(_ steps: [PlanStep], down: Bool) throws {
            for step in down ? steps.reversed() : steps {
                _ = try sql((down ? step.down : step.up).statements.map(\.text).filter { !$0.isEmpty }.joined(separator: "\n") + "\n")
            }
        }
        try apply(plan.steps, down: false)
        _ = try sql("UPDATE items SET priority = 1 WHERE id = 3; INSERT INTO items (priority) VALUES (1);")
        try apply(plan.steps.filter { $0.phase == .contract }, down: true)
        #expect(try sql("SELECT GROUP_CONCAT(priority ORDER BY id) FROM items;") == "high,low,high,high")
    }
}
