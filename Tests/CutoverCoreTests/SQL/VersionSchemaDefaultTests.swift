@testable import CutoverPlan
@testable import CutoverSpec
import Foundation
import Testing

/// Issue #14, trial 14e: an added NOT NULL column with a default and an `up`. The table gets the
/// default only in complete; until then the fill trigger computes `up` for every row that leaves the
/// column NULL, which is right for the old version (it cannot name the column) and was wrong for the
/// new one: its insert that left the column out (its shape has the default) got `up`'s value. The new
/// version's view carries the default, so such an insert gets it, from expand until contract and again
/// after contract and complete are rolled back.
@Suite(.serialized) struct VersionSchemaDefaultTests {
    static let yaml = """
    apiVersion: cutover.dev/v1alpha1
    kind: Migration
    metadata:
      name: items
      namespace: shop
    spec:
      database:
        engine: postgresql
        version: "15"
        cluster: shop-db
        name: shop
        credentialsSecret: shop-db-credentials
        schema: items.schema.sql
      app:
        name: webapp
        image: ghcr.io/acme/webapp:v2.3.1
      runner:
        tool: psql
      changes:
        - addColumn:
            table: items
            column: {name: unit, type: varchar(8), nullable: false, default: "'pcs'"}
            up: "CASE WHEN weight_g IS NOT NULL THEN 'g' ELSE 'pcs' END"
    """
    static let schema = """
    CREATE TABLE items (
        id       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        sku      text NOT NULL,
        weight_g integer
    );
    """

    @Test(.enabled(if: DatabaseHarness.shouldRun(.postgresql), unavailable(.postgresql)))
    func theNewVersionsInsertGetsTheDefaultNotUp() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cutover-view-default-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try Self.yaml.write(to: folder.appendingPathComponent("items.yaml"), atomically: true, encoding: .utf8)
        try Self.schema.write(to: folder.appendingPathComponent("items.schema.sql"), atomically: true, encoding: .utf8)
        let plan = try SQLGoldenTests.plan(folder.appendingPathComponent("items.yaml").path)

        let server = try DatabaseHarness.shared.url(.postgresql)
        try BackfillUnderLoadTests.run(server, ["-c", "DROP DATABASE IF EXISTS version_default", "-c", "CREATE DATABASE version_default"])
        let url = server.replacingOccurrences(of: "/postgres?", with: "/version_default?")
        try BackfillUnderLoadTests.run(url, ["-c", Self.schema, "-c", "INSERT INTO items (sku, weight_g) VALUES ('seeded', 100)"])
        func apply(_ phases: Set<Phase>, down: Bool = false) throws {
            var steps = plan.steps.filter { phases.contains($0.phase) }
            if down { steps.reverse() }
            for step in steps {
                let sql = (down ? step.down : step.up).statements.map(\.text).filter { !$0.isEmpty }.joined(separator: "\n")
                let file = folder.appendingPathComponent("\(step.fileStem).\(down ? "down" : "up").sql")
                try (sql + "\n").write(to: file, atomically: true, encoding: .utf8)
                try BackfillUnderLoadTests.run(url, ["-f", file.path])
            }
        }
        let old = VersionSchemaSelection.searchPathStatement("items_old"), new = VersionSchemaSelection.searchPathStatement("items_new")
        func sql(_ path: String, _ statement: String) throws -> String { try BackfillUnderLoadTests.run(url, ["-c", path, "-c", statement]) }

        try apply([.preflight, .expand, .backfill])
        #expect(try sql(new, "INSERT INTO items (sku, weight_g) VALUES ('new', 250) RETURNING unit") == "pcs")
        #expect(try sql(old, "INSERT INTO items (sku, weight_g) VALUES ('old', 250) RETURNING id") == "3")
        #expect(try sql(new, "SELECT string_agg(sku || ':' || unit, ',' ORDER BY id) FROM items") == "seeded:g,new:pcs,old:g")
        #expect(try sql(new, "INSERT INTO items (sku, weight_g, unit) VALUES ('new-g', 250, 'g') RETURNING unit") == "g")

        try apply([.complete, .contract])
        try apply([.contract, .complete], down: true)
        #expect(try sql(new, "INSERT INTO items (sku, weight_g) VALUES ('after', 250) RETURNING unit") == "pcs")
        #expect(try sql(old, "INSERT INTO items (sku, weight_g) VALUES ('old-after', 250) RETURNING id") == "6")
        #expect(try sql(new, "SELECT unit FROM items WHERE sku = 'old-after'") == "g")
    }
}
