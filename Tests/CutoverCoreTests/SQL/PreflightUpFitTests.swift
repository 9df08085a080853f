import Foundation
import Testing
@testable import CutoverCore

/// Issue #14, user trial: a type change's `up` that fails on an existing row ('abc' as an integer)
/// was found only by the backfill, after expand had changed the schema. The preflight evaluates it
/// over the rows first (read-only) and names the column, the expression, a failing key and the
/// server's error; nothing is changed. Through the runner, on real servers. In PreflightTests'
/// serialized suite: its scenarios share the migration's name, so their version databases too.
extension PreflightTests {
    static let upFitChanges = """
            - alterColumn:
                table: pricing
                column: plan_code
                type: integer
                up: "CAST(plan_code AS integer)"
                down: "CAST(plan_code AS char(20))"
        """

    func upFailsBeforeExpand(_ engine: MigrationSpec.Engine) throws {
        let scenario = try PreflightTests.Scenario(engine, "preflight_upfit", changes: engine == .postgresql ? Self.upFitChanges
            : Self.upFitChanges.replacingOccurrences(of: "AS integer", with: "AS SIGNED").replacingOccurrences(of: "AS char(20)", with: "AS CHAR(20)"))
        let versions = VersionSchemaSelection.schemas(scenario.plan)
        defer {
            // Expand created the version schemas/databases on the shared server: the next scenario's preflight would see them.
            for name in [versions?.old, versions?.new].compactMap({ $0 }) {
                try? scenario.admin(engine == .postgresql ? "DROP SCHEMA IF EXISTS \(name) CASCADE" : "DROP DATABASE IF EXISTS \(name)", here: engine == .postgresql)
            }
            scenario.finish()
        }
        try scenario.apply(PreflightTests.serverSchema(engine).replacingOccurrences(of: "'gold'", with: "'7'")
                           + "INSERT INTO pricing VALUES (2, '8', 20, NULL), (3, 'abc', 30, NULL), (4, 'xyz', 40, NULL);\n")
        let run = try scenario.preflight()
        #expect(run.status != 0, "refused: \(run.output)")
        #expect(run.output.contains("column pricing.plan_code: up (CAST(plan_code AS \(engine == .postgresql ? "integer" : "SIGNED"))) fails on an existing row as integer, before expand changed anything"), "\(run.output)")
        #expect(run.output.contains("the row with id = 3"), "the first failing key: \(run.output)")
        // Nothing changed: no copy column, and the rows are as they were.
        try scenario.apply("UPDATE pricing SET plan_code = '9' WHERE id IN (3, 4);")
        let again = try scenario.preflight()
        #expect(again.status == 0, "passes once every row converts: \(again.output)")
        try scenario.phase(.expand)
        try scenario.phase(.backfill)
    }

    @Test(.enabled(if: DatabaseHarness.shouldRun(.postgresql), unavailable(.postgresql)))
    func postgresUpFailsBeforeExpand() throws { try upFailsBeforeExpand(.postgresql) }

    @Test(.enabled(if: DatabaseHarness.shouldRun(.mysql), unavailable(.mysql)))
    func mysqlUpFailsBeforeExpand() throws { try upFailsBeforeExpand(.mysql) }
}
