@testable import CutoverPlan
@testable import CutoverSpec
@testable import CutoverProof
import Foundation
import Testing

/// #14 trial 14d on a real MariaDB: renaming a foreign-key column and creating an index on its new name.
/// The model shows the key's server-made index on the new name, but until backfill moves the key it
/// still serves the key on the old column: createIndex dropped it in expand and failed with 1553.
@Suite(.serialized) struct MySQLForeignKeyRenameIndexTests {
    static let yaml = """
    apiVersion: cutover.dev/v1alpha1
    kind: Migration
    metadata:
      name: fkr
      namespace: shop
    spec:
      database:
        engine: mysql
        version: "8.0"
        cluster: shop-db
        name: fkrename
        credentialsSecret: shop-db-credentials
        schema: fkr.schema.sql
      app:
        name: webapp
        image: ghcr.io/acme/webapp:v2.3.1
      runner:
        tool: mysql
      changes:
        - renameColumn: {table: payments, from: subscription_id, to: sub_id}
        - createIndex: {name: payments_sub_id_idx, table: payments, columns: [sub_id]}
    """
    static let schema = """
    CREATE TABLE subscriptions (id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY) ENGINE=InnoDB;
    CREATE TABLE payments (
        id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
        subscription_id BIGINT NOT NULL,
        CONSTRAINT payments_subscription_fk FOREIGN KEY (subscription_id) REFERENCES subscriptions (id)
    ) ENGINE=InnoDB;
    """

    @Test(.enabled(if: DatabaseHarness.shouldRun(.mysql), unavailable(.mysql)))
    func runsThroughContractAndBack() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cutover-fkr-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try Self.yaml.write(to: folder.appendingPathComponent("fkr.yaml"), atomically: true, encoding: .utf8)
        try Self.schema.write(to: folder.appendingPathComponent("fkr.schema.sql"), atomically: true, encoding: .utf8)
        let plan = try SQLGoldenTests.plan(folder.appendingPathComponent("fkr.yaml").path)
        let url = try DatabaseHarness.shared.url(.mysql)
        let socket = try #require(URLComponents(string: url)?.queryItems?.first { $0.name == "socket" }?.value)
        func sql(_ input: String, database: String? = "fkrename") throws -> String {
            let result = try MySQLOrphanCheckTests.client(socket, database: database, input: input)
            if result.status != 0 { throw HarnessError("mariadb failed: \(result.output)") }
            return result.output.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        let cleanup = "DROP DATABASE IF EXISTS fkrename; DROP DATABASE IF EXISTS fkrename_fkr_old; DROP DATABASE IF EXISTS fkrename_fkr_new;"
        _ = try sql(cleanup + " CREATE DATABASE fkrename; USE fkrename; \(Self.schema) INSERT INTO subscriptions VALUES (1), (2); INSERT INTO payments (subscription_id) VALUES (1), (2);", database: nil)
        defer { _ = try? sql(cleanup, database: nil) }
        let steps = plan.steps.filter { $0.phase != .purge }
        for step in steps {
            do { _ = try sql(step.up.statements.map(\.text).filter { !$0.isEmpty }.joined(separator: "\n") + "\n") }
            catch { Issue.record("\(step.fileStem) up: \(error)"); return }
        }
        let key = try sql("SELECT column_name FROM information_schema.key_column_usage WHERE table_schema = 'fkrename' AND constraint_name = 'payments_subscription_fk';")
        #expect(key == "sub_id", "the key moved to the new column: \(key)")
        #expect(try sql("SELECT COUNT(*) FROM information_schema.statistics WHERE table_schema = 'fkrename' AND index_name = 'payments_sub_id_idx';") == "1")
        for step in steps.reversed() {
            do { _ = try sql(step.down.statements.map(\.text).filter { !$0.isEmpty }.joined(separator: "\n") + "\n") }
            catch { Issue.record("\(step.fileStem) down: \(error)"); return }
        }
        let back = try sql("SELECT column_name FROM information_schema.key_column_usage WHERE table_schema = 'fkrename' AND constraint_name = 'payments_subscription_fk';")
        #expect(back == "subscription_id", "the rollback put the key back: \(back)")
    }
}
