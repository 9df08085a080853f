@testable import CutoverPlan
@testable import CutoverSpec
import Foundation
import Testing

/// Issue #14 on a real server: each app version reads and writes through its own schema of views.
/// During the rollout the new version reads and writes a retyped column in its new type under the
/// final name, and a renamed one under its new name; the old version keeps the old ones; each sees
/// what the other wrote. Contract leaves the new version on the tables, and the rollback brings both back.
@Suite(.serialized) struct VersionSchemaTests {
    static let yaml = """
    apiVersion: cutover.dev/v1alpha1
    kind: Migration
    metadata:
      name: reviews
      namespace: shop
    spec:
      database:
        engine: postgresql
        version: "15"
        cluster: shop-db
        name: shop
        credentialsSecret: shop-db-credentials
        schema: reviews.schema.sql
      app:
        name: webapp
        image: ghcr.io/acme/webapp:v2.3.1
      runner:
        tool: psql
      changes:
        - alterColumn: {table: reviews, column: rating, type: integer}
        - renameColumn: {table: reviews, from: title, to: headline}
        - addColumn: {table: reviews, column: {name: note, type: text}}
    """
    static let schema = """
    CREATE TABLE reviews (
        id     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        rating text NOT NULL,
        title  text NOT NULL
    );
    """

    @Test(.enabled(if: DatabaseHarness.shouldRun(.postgresql), unavailable(.postgresql)))
    func eachVersionUsesItsOwnShape() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cutover-versions-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try Self.yaml.write(to: folder.appendingPathComponent("reviews.yaml"), atomically: true, encoding: .utf8)
        try Self.schema.write(to: folder.appendingPathComponent("reviews.schema.sql"), atomically: true, encoding: .utf8)
        let plan = try SQLGoldenTests.plan(folder.appendingPathComponent("reviews.yaml").path)
        #expect(plan.steps.contains { $0.slug.contains("version_schemas") })

        let server = try DatabaseHarness.shared.url(.postgresql)
        try BackfillUnderLoadTests.run(server, ["-c", "DROP DATABASE IF EXISTS version_schemas", "-c", "CREATE DATABASE version_schemas"])
        let url = server.replacingOccurrences(of: "/postgres?", with: "/version_schemas?")
        try BackfillUnderLoadTests.run(url, ["-c", Self.schema, "-c", "INSERT INTO reviews (rating, title) VALUES ('4', 'seeded')"])
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
        let old = VersionSchemaSelection.searchPathStatement("reviews_old"), new = VersionSchemaSelection.searchPathStatement("reviews_new")
        func sql(_ path: String, _ statement: String) throws -> String { try BackfillUnderLoadTests.run(url, ["-c", path, "-c", statement]) }

        try apply([.preflight, .expand, .backfill])
        // The rollout: both versions serve.
        #expect(try sql(new, "SELECT pg_typeof(rating)::text || ' ' || rating || ' ' || headline FROM reviews WHERE id = 1") == "integer 4 seeded")
        #expect(try sql(old, "SELECT pg_typeof(rating)::text || ' ' || rating || ' ' || title FROM reviews WHERE id = 1") == "text 4 seeded")
        #expect(try sql(new, "INSERT INTO reviews (rating, headline, note) VALUES (7, 'from new', 'n') RETURNING pg_typeof(rating)") == "integer")
        #expect(try sql(old, "SELECT rating || ' ' || title FROM reviews WHERE title = 'from new'") == "7 from new")
        #expect(try sql(old, "INSERT INTO reviews (rating, title) VALUES ('9', 'from old') RETURNING id") == "3")
        #expect(try sql(new, "SELECT rating + 1 FROM reviews WHERE headline = 'from old'") == "10")
        try sql(new, "UPDATE reviews SET rating = 8 WHERE id = 2")
        #expect(try sql(old, "SELECT rating FROM reviews WHERE id = 2") == "8")
        try sql(old, "UPDATE reviews SET rating = '5' WHERE id = 3")
        #expect(try sql(new, "SELECT rating FROM reviews WHERE id = 3") == "5")
        // The old version does not see what only the new one has, and the reverse.
        #expect(throws: (any Error).self) { try sql(old, "SELECT note FROM reviews") }
        #expect(throws: (any Error).self) { try sql(new, "SELECT title FROM reviews") }

        // Complete and contract: only the new version; afterwards it uses the tables, same names and types.
        try apply([.complete, .contract])
        #expect(try sql(new, "SELECT min(pg_typeof(rating)::text) || ' ' || string_agg(rating::text, ',' ORDER BY id) FROM reviews") == "integer 4,8,5")
        #expect(try BackfillUnderLoadTests.run(url, ["-c", "SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'reviews_%'"]) == "0")
        try sql(new, "INSERT INTO reviews (rating, headline) VALUES (6, 'after contract')")

        // Rolling back contract brings the views back around the new version's rows.
        try apply([.contract, .complete], down: true)
        #expect(try sql(new, "SELECT pg_typeof(rating)::text || ' ' || rating FROM reviews WHERE headline = 'after contract'") == "integer 6")
        #expect(try sql(old, "SELECT pg_typeof(rating)::text || ' ' || rating FROM reviews WHERE title = 'after contract'") == "text 6")
        try apply([.backfill, .expand], down: true)
        #expect(try BackfillUnderLoadTests.run(url, ["-c", "SELECT string_agg(rating || ':' || title, ',' ORDER BY id) FROM reviews"]) == "4:seeded,8:from new,5:from old,6:after contract")
    }
}
