@testable import CutoverPlan
@testable import CutoverSpec
@testable import CutoverProof
import Foundation
import Testing

/// #14 trial 14h on a real MariaDB: a createIndex on a column whose foreign key the same spec adds (an
/// addColumn with references, an addForeignKey). The model gives the key a server-made index, which the
/// createIndex replaces, so its down re-created that index when missing; but rollback-complete had
/// dropped the key first, and the re-created index stayed behind after a full rollback. The down
/// re-creates it only while a key on its columns exists; a key of the base schema still gets its index
/// back (MySQL refuses to drop the last index a foreign key can use).
@Suite(.serialized) struct MySQLForeignKeyIndexRollbackTests {
    static let schema = """
    CREATE TABLE addresses (id INT NOT NULL AUTO_INCREMENT PRIMARY KEY) ENGINE=InnoDB;
    CREATE TABLE orders (
        id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
        ship_to INT NULL,
        billing_id INT NULL,
        CONSTRAINT orders_billing_fk FOREIGN KEY (billing_id) REFERENCES addresses (id)
    ) ENGINE=InnoDB;
    """

    static func yaml(_ changes: String) -> String {
        """
        apiVersion: cutover.dev/v1alpha1
        kind: Migration
        metadata:
          name: fki
          namespace: shop
        spec:
          database:
            engine: mysql
            version: "8.0"
            cluster: shop-db
            name: fkidx
            credentialsSecret: shop-db-credentials
            schema: fki.schema.sql
          app:
            name: webapp
            image: ghcr.io/acme/webapp:v2.3.1
          runner:
            tool: mysql
          changes:
        \(changes)
        """
    }

    static let cases: [(String, String)] = [
        // The trial's case: the key comes with the new column (complete adds it, rollback-complete drops it).
        ("addColumn references, then createIndex", """
            - addColumn: {table: orders, column: {name: address_id, type: INT, references: {table: addresses}}}
            - createIndex: {name: orders_address_idx, table: orders, columns: [address_id]}
        """),
        ("addForeignKey, then createIndex", """
            - addForeignKey: {name: orders_ship_to_fk, table: orders, columns: [ship_to], references: {table: addresses, columns: [id]}}
            - createIndex: {name: orders_ship_to_idx, table: orders, columns: [ship_to]}
        """),
        ("createIndex, then addForeignKey", """
            - createIndex: {name: orders_ship_to_idx, table: orders, columns: [ship_to]}
            - addForeignKey: {name: orders_ship_to_fk, table: orders, columns: [ship_to], references: {table: addresses, columns: [id]}}
        """),
        // A key of the base schema keeps its index back: the down must still re-create it.
        ("createIndex on a base key's column", """
            - createIndex: {name: orders_billing_idx, table: orders, columns: [billing_id]}
        """),
    ]

    @Test(.enabled(if: DatabaseHarness.shouldRun(.mysql), unavailable(.mysql)), arguments: cases.indices)
    func fullRollbackGivesTheBaseIndexes(_ index: Int) throws {
        let (label, changes) = Self.cases[index]
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cutover-fki-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try Self.yaml(changes).write(to: folder.appendingPathComponent("fki.yaml"), atomically: true, encoding: .utf8)
        try Self.schema.write(to: folder.appendingPathComponent("fki.schema.sql"), atomically: true, encoding: .utf8)
        let plan = try SQLGoldenTests.plan(folder.appendingPathComponent("fki.yaml").path)
        let url = try DatabaseHarness.shared.url(.mysql)
        let socket = try #require(URLComponents(string: url)?.queryItems?.first { $0.name == "socket" }?.value)
        func sql(_ input: String, database: String? = "fkidx") throws -> String {
            let result = try MySQLOrphanCheckTests.client(socket, database: database, input: input)
            if result.status != 0 { throw HarnessError("mariadb failed: \(result.output)") }
            return result.output.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        let indexes = "SELECT GROUP_CONCAT(DISTINCT index_name ORDER BY index_name) FROM information_schema.statistics "
            + "WHERE table_schema = 'fkidx' AND table_name = 'orders';"
        let cleanup = "DROP DATABASE IF EXISTS fkidx; DROP DATABASE IF EXISTS fkidx_fki_old; DROP DATABASE IF EXISTS fkidx_fki_new;"
        _ = try sql(cleanup + " CREATE DATABASE fkidx; USE fkidx; \(Self.schema) INSERT INTO addresses VALUES (1), (2); "
                    + "INSERT INTO orders (ship_to, billing_id) VALUES (1, 2), (2, NULL);", database: nil)
        defer { _ = try? sql(cleanup, database: nil) }
        let base = try sql(indexes)
        let baseTable = try sql("SHOW CREATE TABLE orders;")
        let steps = plan.steps.filter { $0.phase != .purge }
        for step in steps {
            do { _ = try sql(step.up.statements.map(\.text).filter { !$0.isEmpty }.joined(separator: "\n") + "\n") }
            catch { Issue.record("\(label): \(step.fileStem) up: \(error)"); return }
        }
        for step in steps.reversed() {
            do { _ = try sql(step.down.statements.map(\.text).filter { !$0.isEmpty }.joined(separator: "\n") + "\n") }
            catch { Issue.record("\(label): \(step.fileStem) down: \(error)"); return }
            // Checked right after the index's down: an added column's down drops the column, and with it
            // an index left on it (the rollback Jobs keep the column under a quarantine name instead).
            if step.fileStem.contains("create_index") {
                #expect(try sql(indexes) == base, "\(label): after \(step.fileStem) down")
            }
        }
        #expect(try sql("SHOW CREATE TABLE orders;") == baseTable, "\(label): the table after the full rollback")
    }
}
