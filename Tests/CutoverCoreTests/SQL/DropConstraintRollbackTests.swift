@testable import CutoverPlan
@testable import CutoverSpec
import Foundation
import Testing

/// The down of a dropConstraint re-creates the constraint; rows the new version wrote while it was
/// gone may break it. A unique key (both engines) and a MySQL check (no NOT VALID) are refused before
/// anything changes, naming the constraint, instead of failing half way with the server's own error.
@Suite(.serialized) struct DropConstraintRollbackTests {
    static func yaml(_ engine: String) -> String {
        """
        apiVersion: cutover.dev/v1alpha1
        kind: Migration
        metadata:
          name: drops
          namespace: shop
        spec:
          database:
            engine: \(engine)
            version: "\(engine == "mysql" ? "8.0" : "15")"
            cluster: shop-db
            name: shop
            credentialsSecret: shop-db-credentials
            schema: drops.schema.sql
          app:
            name: webapp
            image: ghcr.io/acme/webapp:v2.3.1
          runner:
            tool: \(engine == "mysql" ? "mysql" : "psql")
          changes:
            - dropConstraint: {name: orders_email_key, table: orders}
            - dropConstraint: {name: orders_qty_check, table: orders}
        """
    }

    static func plan(_ engine: String, schema: String, in folder: URL) throws -> MigrationPlan {
        try yaml(engine).write(to: folder.appendingPathComponent("drops.yaml"), atomically: true, encoding: .utf8)
        try schema.write(to: folder.appendingPathComponent("drops.schema.sql"), atomically: true, encoding: .utf8)
        return try SQLGoldenTests.plan(folder.appendingPathComponent("drops.yaml").path)
    }

    @Test(.enabled(if: DatabaseHarness.shouldRun(.postgresql), unavailable(.postgresql)))
    func postgresRefusesARepeatedKey() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cutover-drops-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let schema = "CREATE TABLE orders (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, email text NOT NULL CONSTRAINT orders_email_key UNIQUE,"
            + " qty integer NOT NULL CONSTRAINT orders_qty_check CHECK (qty > 0));"
        let plan = try Self.plan("postgresql", schema: schema, in: folder)
        let server = try DatabaseHarness.shared.url(.postgresql)
        try BackfillUnderLoadTests.run(server, ["-c", "DROP DATABASE IF EXISTS drop_rollback", "-c", "CREATE DATABASE drop_rollback"])
        let url = server.replacingOccurrences(of: "/postgres?", with: "/drop_rollback?")
        try BackfillUnderLoadTests.run(url, ["-c", schema, "-c", "INSERT INTO orders (email, qty) VALUES ('a@x', 1)"])
        func apply(_ steps: [PlanStep], down: Bool) throws {
            for step in down ? steps.reversed() : steps {
                let file = folder.appendingPathComponent("\(step.fileStem).\(down ? "down" : "up").sql")
                try ((down ? step.down : step.up).statements.map(\.text).joined(separator: "\n") + "\n").write(to: file, atomically: true, encoding: .utf8)
                try BackfillUnderLoadTests.run(url, ["-f", file.path])
            }
        }
        try apply(plan.steps, down: false)
        try BackfillUnderLoadTests.run(url, ["-c", "INSERT INTO orders (email, qty) VALUES ('a@x', 2)"])
        let indexes = "SELECT count(*) FROM pg_indexes WHERE tablename = 'orders'"
        let before = try BackfillUnderLoadTests.run(url, ["-c", indexes])
        do {
            try apply(plan.steps.filter { $0.title.contains("orders_email_key") }, down: true)
            Issue.record("the rollback built the unique index over a repeated key")
        } catch {
            #expect("\(error)".contains("cutover rollback refused: orders holds rows the new app version wrote that repeat (email)"), "\(error)")
        }
        #expect(try BackfillUnderLoadTests.run(url, ["-c", indexes]) == before, "no invalid index left behind")
        try BackfillUnderLoadTests.run(url, ["-c", "UPDATE orders SET email = 'b@x' WHERE qty = 2"])
        try apply(plan.steps, down: true)
        #expect(try BackfillUnderLoadTests.run(url, ["-c", "SELECT count(*) FROM pg_constraint WHERE conrelid = 'orders'::regclass AND convalidated"]) == "3")
    }

    @Test(.enabled(if: DatabaseHarness.shouldRun(.mysql), unavailable(.mysql)))
    func mysqlRefusesARepeatedKeyAndAFailingCheck() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cutover-drops-my-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let schema = "CREATE TABLE orders (id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY, email VARCHAR(80) NOT NULL, qty INT NOT NULL,"
            + " UNIQUE KEY orders_email_key (email), CONSTRAINT orders_qty_check CHECK (qty > 0)) ENGINE=InnoDB;"
        let plan = try Self.plan("mysql", schema: schema, in: folder)
        let url = try DatabaseHarness.shared.url(.mysql)
        let socket = try #require(URLComponents(string: url)?.queryItems?.first { $0.name == "socket" }?.value)
        func sql(_ input: String, database: String? = "drop_rollback") throws -> String {
            let result = try MySQLOrphanCheckTests.client(socket, database: database, input: input)
            if result.status != 0 { throw HarnessError("mariadb failed: \(result.output)") }
            return result.output.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        _ = try sql("DROP DATABASE IF EXISTS drop_rollback; CREATE DATABASE drop_rollback; USE drop_rollback; \(schema) INSERT INTO orders (email, qty) VALUES ('a@x', 1);", database: nil)
        func apply(_ steps: [PlanStep], down: Bool) throws {
            for step in down ? steps.reversed() : steps {
                _ = try sql((down ? step.down : step.up).statements.map(\.text).filter { !$0.isEmpty }.joined(separator: "\n") + "\n")
            }
        }
        try apply(plan.steps, down: false)
        _ = try sql("INSERT INTO orders (email, qty) VALUES ('a@x', -5);")
        // MESSAGE_TEXT keeps 128 characters: what to do comes first, as a one-row result the client prints (trial 14e SHOULD).
        for (name, message, hint) in [("orders_qty_check", "that check orders_qty_check forbids", "change or delete the rows WHERE NOT (qty > 0), then run the rollback again"),
                                      ("orders_email_key", "that repeat the key of orders_email_key",
                                       "delete or change the rows that repeat the key (GROUP BY email HAVING COUNT(*) > 1), then run the rollback again")] {
            do {
                try apply(plan.steps.filter { $0.title.contains(name) }, down: true)
                Issue.record("the rollback of \(name) ran over rows that break it")
            } catch {
                #expect("\(error)".contains("cutover rollback refused: orders holds rows the new app version wrote \(message)"), "\(error)")
                let text = "\(error)"
                #expect(text.range(of: hint).map { text[$0.upperBound...].contains("ERROR 1644 (45000)") } == true, "\(text)")
            }
        }
        _ = try sql("UPDATE orders SET email = 'b@x', qty = 5 WHERE qty = -5;")
        try apply(plan.steps, down: true)
        #expect(try sql("SELECT COUNT(*) FROM information_schema.table_constraints WHERE table_schema = 'drop_rollback' AND table_name = 'orders' AND constraint_type IN ('UNIQUE', 'CHECK');") == "2")
    }
}
