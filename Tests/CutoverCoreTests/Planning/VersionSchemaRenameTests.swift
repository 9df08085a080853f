import Foundation
import Testing

/// The version schemas of a table the spec also renames: the views read the table under its final
/// name, never the compatibility view (contract drops that view, which a view on it would pin), and
/// the new version finds its view under the name it knows.
@Suite struct VersionSchemaRenameTests {
    @Test func viewsReadTheRenamedTableItself() throws {
        let schema = "CREATE TABLE tags (id bigint PRIMARY KEY, tag text NOT NULL);\n"
        let changes = """
                - addColumn:
                    table: tags
                    column: {name: weight, type: integer, nullable: false, default: "1"}
                - renameTable:
                    from: tags
                    to: labels
            """
        let plan = try PlanningHarness.plan(PlanningHarness.spec(.postgresql, changes: changes), schema: schema)
        let step = try PlanningHarness.step(plan, slug: "create_version_schemas")
        let up = PlanningHarness.statements(step, .up).joined(separator: "\n")
        #expect(up.contains("VIEW \"shop_change_old\".\"tags\" WITH (security_invoker = true) AS"), "\(up)")
        #expect(up.contains("VIEW \"shop_change_new\".\"labels\" WITH (security_invoker = true) AS"), "\(up)")
        #expect(!up.contains("FROM \"tags\""), "no view reads the compatibility view: \(up)")
        let down = PlanningHarness.statements(step, .down).joined(separator: "\n")
        #expect(down.contains("DROP VIEW IF EXISTS \"shop_change_new\".\"labels\""), "\(down)")
    }
}
