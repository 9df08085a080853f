@testable import CutoverPlan
@testable import CutoverSpec
import Foundation
import Testing

/// addEnumValue's down on a real server: PostgreSQL cannot drop an enum label, so the rollback rebuilds
/// the type without it. It is refused before anything changes while a row holds the label (naming the
/// column); once that row is changed, the same rollback restores the type's labels, the column's type
/// and its default.
@Suite(.serialized) struct EnumRollbackTests {
    static let yaml = """
    apiVersion: cutover.dev/v1alpha1
    kind: Migration
    metadata:
      name: states
      namespace: shop
    spec:
      database:
        engine: postgresql
        version: "15"
        cluster: shop-db
        name: shop
        credentialsSecret: shop-db-credentials
        schema: states.schema.sql
      app:
        name: webapp
        image: ghcr.io/acme/webapp:v2.3.1
      runner:
        tool: psql
      changes:
        - addEnumValue: {enum: order_status, value: refunded, after: paid}
    """
    static let schema = """
    CREATE TYPE order_status AS ENUM ('pending', 'paid');
    CREATE TABLE orders (
        id     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        status order_status NOT NULL DEFAULT 'pending'
    );
    """

    @Test(.enabled(if: DatabaseHarness.shouldRun(.postgresql), unavailable(.postgresql)))
    func refusesWhileARowHoldsTheLabelThenRebuildsTheType() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cutover-enum-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try Self.yaml.write(to: folder.appendingPathComponent("states.yaml"), atomically: true, encoding: .utf8)
        try Self.schema.write(to: folder.appendingPathComponent("states.schema.sql"), atomically: true, encoding: .utf8)
        let plan = try SQLGoldenTests.plan(folder.appendingPathComponent("states.yaml").path)
        let server = try DatabaseHarness.shared.url(.postgresql)
        try BackfillUnderLoadTests.run(server, ["-c", "DROP DATABASE IF EXISTS enum_rollback", "-c", "CREATE DATABASE enum_rollback"])
        let url = server.replacingOccurrences(of: "/postgres?", with: "/enum_rollback?")
        try BackfillUnderLoadTests.run(url, ["-c", Self.schema])
        let step = try #require(plan.steps.first { $0.changeIndex == 0 })
        func run(_ script: SQLScript, _ name: String) throws {
            let file = folder.appendingPathComponent(name)
            try (script.statements.map(\.text).filter { !$0.isEmpty }.joined(separator: "\n") + "\n").write(to: file, atomically: true, encoding: .utf8)
            try BackfillUnderLoadTests.run(url, ["-f", file.path])
        }
        let state = "SELECT (SELECT string_agg(enumlabel, ',' ORDER BY enumsortorder) FROM pg_enum WHERE enumtypid = 'order_status'::regtype) || ' ' || "
            + "(SELECT pg_get_expr(adbin, adrelid) FROM pg_attrdef WHERE adrelid = 'orders'::regclass)"
        try run(step.up, "up.sql")
        try BackfillUnderLoadTests.run(url, ["-c", "INSERT INTO orders (status) VALUES ('refunded'), ('paid')"])
        let migrated = try BackfillUnderLoadTests.run(url, ["-c", state])
        #expect(migrated.contains("pending,paid,refunded"), "\(migrated)")
        do {
            try run(step.down, "down.sql")
            Issue.record("the rollback dropped a label a row holds")
        } catch {
            #expect("\(error)".contains("cutover rollback refused: orders.status holds rows with enum label refunded"), "\(error)")
        }
        #expect(try BackfillUnderLoadTests.run(url, ["-c", state]) == migrated)  // nothing changed
        try BackfillUnderLoadTests.run(url, ["-c", "UPDATE orders SET status = 'paid' WHERE status = 'refunded'"])
        try run(step.down, "down.sql")
        let restored = try BackfillUnderLoadTests.run(url, ["-c", state])
        #expect(restored.contains("pending,paid 'pending'::order_status"), "\(restored)")
        let rows = try BackfillUnderLoadTests.run(url, ["-c", "SELECT string_agg(status::text, ',' ORDER BY id) FROM orders"])
        #expect(rows.contains("paid,paid"), "\(rows)")
    }

    /// The rebuild under views (trial 13, M6): one over a column of the type, one over that view, one that
    /// only names the type in a cast, one over the column that does not name the type (found although the
    /// spec names no table: `needsEveryView`). The server refuses to retype the column under the first and to drop
    /// the renamed type the third's cast names; the down drops them and creates them again in its block.
    @Test(.enabled(if: DatabaseHarness.shouldRun(.postgresql), unavailable(.postgresql)))
    func rebuildsTheTypeUnderViews() throws {
        let schema = Self.schema + """

        CREATE VIEW paid_orders AS SELECT id FROM orders WHERE status = 'paid'::order_status;
        CREATE VIEW paid_count AS SELECT count(*) AS n FROM paid_orders;
        CREATE VIEW first_status AS SELECT 'pending'::order_status AS status;
        CREATE VIEW order_states AS SELECT id, status FROM orders;
        """
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cutover-enum-view-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try Self.yaml.write(to: folder.appendingPathComponent("states.yaml"), atomically: true, encoding: .utf8)
        try schema.write(to: folder.appendingPathComponent("states.schema.sql"), atomically: true, encoding: .utf8)
        let plan = try SQLGoldenTests.plan(folder.appendingPathComponent("states.yaml").path)
        let server = try DatabaseHarness.shared.url(.postgresql)
        try BackfillUnderLoadTests.run(server, ["-c", "DROP DATABASE IF EXISTS enum_rollback_views", "-c", "CREATE DATABASE enum_rollback_views"])
        let url = server.replacingOccurrences(of: "/postgres?", with: "/enum_rollback_views?")
        try BackfillUnderLoadTests.run(url, ["-c", schema])
        let step = try #require(plan.steps.first { $0.changeIndex == 0 })
        func run(_ script: SQLScript, _ name: String) throws {
            let file = folder.appendingPathComponent(name)
            try (script.statements.map(\.text).filter { !$0.isEmpty }.joined(separator: "\n") + "\n").write(to: file, atomically: true, encoding: .utf8)
            try BackfillUnderLoadTests.run(url, ["-f", file.path])
        }
        try run(step.up, "up.sql")
        try BackfillUnderLoadTests.run(url, ["-c", "INSERT INTO orders (status) VALUES ('paid'), ('pending')"])
        try run(step.down, "down.sql")
        let labels = try BackfillUnderLoadTests.run(url, ["-c", "SELECT string_agg(enumlabel, ',' ORDER BY enumsortorder) FROM pg_enum WHERE enumtypid = 'order_status'::regtype"])
        #expect(labels.contains("pending,paid") && !labels.contains("refunded"), "\(labels)")
        let leftover = try BackfillUnderLoadTests.run(url, ["-c", "SELECT count(*) FROM pg_type WHERE typname = 'order_status_cutover_old'"])
        #expect(leftover == "0", "\(leftover)")
        let views = try BackfillUnderLoadTests.run(url, ["-c", "SELECT (SELECT n FROM paid_count) || ' ' || (SELECT status::text FROM first_status) || ' ' || "
            + "(SELECT string_agg(viewname, ',' ORDER BY viewname) FROM pg_views WHERE schemaname = 'public')"])
        #expect(views.contains("1 pending first_status,order_states,paid_count,paid_orders"), "\(views)")
        // The views name the rebuilt type, not a leftover: a second rollback of a new label works again.
        let cast = try BackfillUnderLoadTests.run(url, ["-c", "SELECT pg_get_viewdef('first_status'::regclass)"])
        #expect(cast.contains("::order_status") && !cast.contains("cutover_old"), "\(cast)")
    }
}
