import Foundation
import Testing

/// A MySQL backfill is not an app write: a column the server stamps on every UPDATE (ON UPDATE
/// CURRENT_TIMESTAMP, sakila's last_update) keeps its value through the backfill and its rollback.
@Suite(.serialized) struct MySQLStampedColumnTests {
    static let yaml = """
    apiVersion: cutover.dev/v1alpha1
    kind: Migration
    metadata:
      name: stamped
      namespace: shop
    spec:
      database:
        engine: mysql
        version: "8.0"
        cluster: shop-db
        name: shop
        credentialsSecret: shop-db-credentials
        schema: stamped.schema.sql
      app:
        name: webapp
        image: ghcr.io/acme/webapp:v2.3.1
      runner:
        tool: mysql
      changes:
        - addColumn:
            table: customer
            column: {name: email_lower, type: VARCHAR(80), nullable: true}
            up: LOWER(email)
        - alterColumn: {table: customer, column: nickname, nullable: false, up: "''"}
    """
    static let schema = """
    CREATE TABLE customer (
      id INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
      email VARCHAR(80) NOT NULL,
      nickname VARCHAR(40) NULL,
      last_update TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP
    ) ENGINE=InnoDB;
    """

    @Test(.enabled(if: DatabaseHarness.shouldRun(.mysql), unavailable(.mysql)))
    func backfillAndRollbackKeepTheStamp() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cutover-stamp-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try Self.yaml.write(to: folder.appendingPathComponent("stamped.yaml"), atomically: true, encoding: .utf8)
        try Self.schema.write(to: folder.appendingPathComponent("stamped.schema.sql"), atomically: true, encoding: .utf8)
        let plan = try SQLGoldenTests.plan(folder.appendingPathComponent("stamped.yaml").path)
        let url = try DatabaseHarness.shared.url(.mysql)
        let socket = try #require(URLComponents(string: url)?.queryItems?.first { $0.name == "socket" }?.value)
        func sql(_ input: String, database: String? = "stamped") throws -> String {
            let result = try MySQLOrphanCheckTests.client(socket, database: database, input: input)
            if result.status != 0 { throw HarnessError("mariadb failed: \(result.output)") }
            return result.output.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        _ = try sql("DROP DATABASE IF EXISTS stamped; CREATE DATABASE stamped; USE stamped; \(Self.schema)"
                    + " INSERT INTO customer (email, nickname, last_update) VALUES ('A@x', NULL, '2001-02-03 04:05:06'), ('B@x', 'b', '2001-02-03 04:05:06');",
                    database: nil)
        let stamps = "SELECT GROUP_CONCAT(last_update ORDER BY id) FROM customer;"
        let before = try sql(stamps)
        let steps = plan.steps.filter { $0.phase != .contract }
        for step in steps {
            _ = try sql(step.up.statements.map(\.text).filter { !$0.isEmpty }.joined(separator: "\n") + "\n")
        }
        #expect(try sql("SELECT GROUP_CONCAT(email_lower, ':', nickname ORDER BY id) FROM customer;") == "a@x:,b@x:b", "the backfills ran")
        #expect(try sql(stamps) == before, "the backfills left last_update alone")
        for step in steps.reversed() {
            _ = try sql(step.down.statements.map(\.text).filter { !$0.isEmpty }.joined(separator: "\n") + "\n")
        }
        #expect(try sql("SELECT COUNT(*) FROM customer WHERE nickname IS NULL;") == "1", "the rollback put the NULL back")
        #expect(try sql(stamps) == before, "the rollback left last_update alone")
    }
}
