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

/// Issue #14, user trial: a type change without `up` (its default conversion) that fails on an existing
/// row (text to integer, a value too long for varchar(n)) and an added column's `up` that fails on one
/// (a division by zero) passed the preflight; expand's sync trigger then refused the old version's
/// writes and the backfill failed. On PostgreSQL the default conversion to varchar(n) was an explicit
/// cast, which truncated every too-long value silently; it is now assigned, which raises.
extension PreflightTests {
    /// Runs `changes` over the base rows plus `rows`: the preflight must refuse naming `expected` and
    /// the row with id = `key`; after `fix` it passes, and expand and backfill run.
    func refusedThenFixed(_ engine: MigrationSpec.Engine, _ database: String, changes: String, rows: String,
                          expected: [String], fix: String, afterExpand: ((PreflightTests.Scenario) throws -> Void)? = nil) throws {
        let scenario = try PreflightTests.Scenario(engine, database, changes: changes)
        let versions = VersionSchemaSelection.schemas(scenario.plan)
        defer {
            for name in [versions?.old, versions?.new].compactMap({ $0 }) {
                try? scenario.admin(engine == .postgresql ? "DROP SCHEMA IF EXISTS \(name) CASCADE" : "DROP DATABASE IF EXISTS \(name)", here: engine == .postgresql)
            }
            scenario.finish()
        }
        try scenario.apply(PreflightTests.serverSchema(engine) + rows)
        let run = try scenario.preflight()
        #expect(run.status != 0, "refused: \(run.output)")
        for text in expected { #expect(run.output.contains(text), "\(text) in: \(run.output)") }
        try scenario.apply(fix)
        let again = try scenario.preflight()
        #expect(again.status == 0, "passes once every row converts: \(again.output)")
        try scenario.phase(.expand)
        try afterExpand?(scenario)
        try scenario.phase(.backfill)
    }

    func defaultConversionFails(_ engine: MigrationSpec.Engine) throws {
        let changes = """
                - alterColumn:
                    table: pricing
                    column: plan_code
                    type: \(engine == .postgresql ? "integer" : "INT")
            """
        try refusedThenFixed(engine, "preflight_upfit_cast", changes: changes,
                             rows: "UPDATE pricing SET plan_code = '7';\nINSERT INTO pricing VALUES (2, '8', 20, NULL), (3, 'abc', 30, NULL);\n",
                             expected: ["column pricing.plan_code: the default conversion (no up: ", "the row with id = 3"],
                             fix: "UPDATE pricing SET plan_code = '9' WHERE id = 3;")
    }

    func narrowingFails(_ engine: MigrationSpec.Engine) throws {
        let changes = """
                - alterColumn:
                    table: pricing
                    column: plan_code
                    type: \(engine == .postgresql ? "varchar(3)" : "VARCHAR(3)")
            """
        try refusedThenFixed(engine, "preflight_upfit_narrow", changes: changes,
                             rows: "INSERT INTO pricing VALUES (2, 'ab', 20, NULL), (3, 'abcd', 30, NULL);\n",
                             expected: ["column pricing.plan_code: the default conversion (no up: ", "the row with id = 1",
                                        engine == .postgresql ? "value too long for type varchar(3)" : "too long"],
                             fix: "UPDATE pricing SET plan_code = 'abc' WHERE id IN (1, 3);") { scenario in
            // The old version's too-long value is refused by the sync trigger, never truncated into the copy.
            #expect(throws: (any Error).self) { try scenario.apply("INSERT INTO pricing VALUES (9, 'toolong', 90, NULL);") }
        }
    }

    func addedUpFails(_ engine: MigrationSpec.Engine) throws {
        let changes = """
                - addColumn:
                    table: pricing
                    column:
                      name: score
                      type: integer
                      nullable: false
                    up: "\(engine == .postgresql ? "amount / (amount - 10)" : "CONCAT('x', note)")"
            """
        try refusedThenFixed(engine, "preflight_upfit_add", changes: changes,
                             rows: "INSERT INTO pricing VALUES (2, 'b', 20, NULL);\n",
                             expected: ["new column pricing.score: up (\(engine == .postgresql ? "amount / (amount - 10)" : "CONCAT('x', note)")) fails on an existing row as integer",
                                        "the row with id = 1", engine == .postgresql ? "division by zero" : "Incorrect integer value"],
                             fix: engine == .postgresql ? "UPDATE pricing SET amount = 11 WHERE id = 1;" : "UPDATE pricing SET note = NULL;")
    }

    @Test(.enabled(if: DatabaseHarness.shouldRun(.postgresql), unavailable(.postgresql)))
    func postgresDefaultConversionFailsBeforeExpand() throws { try defaultConversionFails(.postgresql) }

    @Test(.enabled(if: DatabaseHarness.shouldRun(.mysql), unavailable(.mysql)))
    func mysqlDefaultConversionFailsBeforeExpand() throws { try defaultConversionFails(.mysql) }

    @Test(.enabled(if: DatabaseHarness.shouldRun(.postgresql), unavailable(.postgresql)))
    func postgresNarrowingNeverTruncates() throws { try narrowingFails(.postgresql) }

    @Test(.enabled(if: DatabaseHarness.shouldRun(.mysql), unavailable(.mysql)))
    func mysqlNarrowingFailsBeforeExpand() throws { try narrowingFails(.mysql) }

    @Test(.enabled(if: DatabaseHarness.shouldRun(.postgresql), unavailable(.postgresql)))
    func postgresAddedUpFailsBeforeExpand() throws { try addedUpFails(.postgresql) }

    @Test(.enabled(if: DatabaseHarness.shouldRun(.mysql), unavailable(.mysql)))
    func mysqlAddedUpFailsBeforeExpand() throws { try addedUpFails(.mysql) }
}

/// Issue #14, second user trial (S1): a createEnum and a type change of a column to that enum always
/// failed the preflight (`type "…" does not exist`: the fit check cast to a type expand creates later).
/// The values are now checked against the labels the createEnum declares; an `up` that names the type
/// is left out (said in the preflight's SQL). On a real server, through the runner.
extension PreflightTests {
    static let enumChanges = """
            - createEnum:
                name: plan_tier
                values: [gold, silver]
            - alterColumn:
                table: pricing
                column: plan_code
                type: plan_tier
        """

    @Test(.enabled(if: DatabaseHarness.shouldRun(.postgresql), unavailable(.postgresql)))
    func postgresEnumTheSpecCreatesIsCheckedByLabels() throws {
        try refusedThenFixed(.postgresql, "preflight_upfit_enum", changes: Self.enumChanges,
                             rows: "INSERT INTO pricing VALUES (2, 'silver', 20, NULL), (3, 'bronze', 30, NULL);\n",
                             expected: ["column pricing.plan_code: the default conversion (no up: ", "the row with id = 3",
                                        "invalid input value for enum plan_tier: not one of the labels its createEnum declares"],
                             fix: "UPDATE pricing SET plan_code = 'gold' WHERE id = 3;")
    }

    @Test(.enabled(if: DatabaseHarness.shouldRun(.postgresql), unavailable(.postgresql)))
    func postgresEnumUpNamingTheTypeIsLeftOut() throws {
        let changes = Self.enumChanges + "\n" + """
                    up: "CASE WHEN plan_code IN ('gold', 'silver') THEN plan_code::plan_tier ELSE 'gold'::plan_tier END"
            """
        let scenario = try PreflightTests.Scenario(.postgresql, "preflight_upfit_enum_up", changes: changes)
        let versions = VersionSchemaSelection.schemas(scenario.plan)
        defer {
            for name in [versions?.old, versions?.new].compactMap({ $0 }) { try? scenario.admin("DROP SCHEMA IF EXISTS \(name) CASCADE", here: true) }
            scenario.finish()
        }
        try scenario.apply(PreflightTests.serverSchema(.postgresql) + "INSERT INTO pricing VALUES (2, 'bronze', 20, NULL);\n")
        let run = try scenario.preflight()
        #expect(run.status == 0, "\(run.output)")
        try scenario.phase(.expand)
        try scenario.phase(.backfill)
    }
}
