@testable import CutoverPlan
@testable import CutoverSpec
@testable import CutoverEmit
import Foundation
import Testing

/// A column made NOT NULL in place: its existing NULLs are filled before the new version starts
/// (from `up`, else from the new `default`, as the user means by "NOT NULL, default X"), every
/// filled row is logged, and the rollback puts exactly those NULLs back; and the verify phase's
/// checksum walks the key of the table as it stands then (renamed or created by the spec).
@Suite struct InPlaceFillTests {
    static let nullableSchema: [MigrationSpec.Engine: String] = [
        .postgresql: "CREATE TABLE sessions (id bigint PRIMARY KEY, created_at timestamp DEFAULT now());\n",
        .mysql: "CREATE TABLE sessions (id BIGINT NOT NULL PRIMARY KEY, created_at DATETIME NULL) ENGINE=InnoDB;\n",
    ]

    static func notNullWithDefault(_ engine: MigrationSpec.Engine, up: String? = nil) throws -> MigrationPlan {
        let value = engine == .postgresql ? "now()" : "CURRENT_TIMESTAMP"
        let changes = """
                - alterColumn:
                    table: sessions
                    column: created_at
                    nullable: false
                    default: \(value)
            """ + (up.map { "\n        up: \"\($0)\"" } ?? "")
        return try PlanningHarness.plan(PlanningHarness.spec(engine, changes: changes), schema: nullableSchema[engine])
    }

    @Test(arguments: [MigrationSpec.Engine.postgresql, .mysql])
    func theNewDefaultFillsExistingNulls(engine: MigrationSpec.Engine) throws {
        let plan = try Self.notNullWithDefault(engine)
        let value = engine == .postgresql ? "now()" : "CURRENT_TIMESTAMP"
        let backfill = try #require(plan.steps.first { $0.phase == .backfill }, "\(plan.steps.map(\.slug))")
        let up = PlanningHarness.statements(backfill, .up).joined(separator: "\n")
        #expect(up.contains("= (\(value))"), "the default fills the NULLs: \(up)")
        #expect(up.contains("_cutover_shop_change_sessions_created_at_filled"), "each filled row is logged")
        // The trigger fills the old version's NULL writes and logs the fills of existing rows.
        let sync = try #require(plan.steps.first { $0.phase == .expand && $0.slug.hasPrefix("sync") })
        #expect(PlanningHarness.statements(sync, .up).joined().contains("_cutover_shop_change_sessions_created_at_filled"))
    }

    @Test(arguments: [MigrationSpec.Engine.postgresql, .mysql])
    func theRollbackPutsTheFilledNullsBack(engine: MigrationSpec.Engine) throws {
        let plan = try Self.notNullWithDefault(engine, up: "COALESCE(created_at, '2020-01-01')")
        let expand = plan.steps.filter { $0.phase == .expand }.map(\.slug)
        let log = try #require(expand.firstIndex { $0.hasPrefix("fill_log") }, "\(expand)")
        let sync = try #require(expand.firstIndex { $0.hasPrefix("sync") })
        #expect(log < sync, "the log's down (the restore) runs after the trigger is dropped, or the trigger refills")
        let step = try PlanningHarness.step(plan, slug: expand[log])
        let down = PlanningHarness.statements(step, .down).joined(separator: "\n")
        #expect(down.contains("SET \(engine == .postgresql ? "\"created_at\"" : "`sessions`.`created_at`") = NULL"), "\(down)")
        #expect(down.contains(engine == .postgresql ? "IS NOT DISTINCT FROM" : "<=>"), "a value written since the fill is kept: \(down)")
    }

    @Test(arguments: [MigrationSpec.Engine.postgresql, .mysql])
    func withoutUpOrDefaultNothingIsFilled(engine: MigrationSpec.Engine) throws {
        let changes = """
                - alterColumn:
                    table: sessions
                    column: created_at
                    nullable: false
            """
        let plan = try PlanningHarness.plan(PlanningHarness.spec(engine, changes: changes), schema: Self.nullableSchema[engine])
        #expect(!plan.steps.contains { $0.phase == .backfill || $0.slug.hasPrefix("fill_log") }, "\(plan.steps.map(\.slug))")
    }

    /// The new version no longer knows a dropped column: its inserts get `down`, but an update of a base
    /// row (another change's backfill, or an app's update) must keep that row's own NULL.
    @Test(arguments: [MigrationSpec.Engine.postgresql, .mysql])
    func aDroppedColumnsDownFillsInsertedRowsOnly(engine: MigrationSpec.Engine) throws {
        let changes = """
                - dropColumn:
                    table: sessions
                    column: created_at
                    down: "\(engine == .postgresql ? "now()" : "CURRENT_TIMESTAMP")"
            """
        let plan = try PlanningHarness.plan(PlanningHarness.spec(engine, changes: changes), schema: Self.nullableSchema[engine])
        let sync = try #require(plan.steps.first { $0.phase == .expand && $0.slug.hasPrefix("sync") }, "\(plan.steps.map(\.slug))")
        let up = PlanningHarness.statements(sync, .up).joined(separator: "\n")
        if engine == .postgresql {
            #expect(up.contains("IF TG_OP = 'INSERT' AND NEW.\"created_at\" IS NULL"), "\(up)")
        } else {
            #expect(up.contains("BEFORE INSERT") && !up.contains("BEFORE UPDATE"), "\(up)")
        }
    }

    @Test(arguments: [MigrationSpec.Engine.postgresql, .mysql])
    func theChecksumWalksTheKeyOfARenamedTable(engine: MigrationSpec.Engine) throws {
        let schema = engine == .postgresql
            ? "CREATE TABLE products (id bigint PRIMARY KEY);\nCREATE TABLE stock_levels (product_id bigint PRIMARY KEY REFERENCES products (id), quantity integer NOT NULL DEFAULT 0);\n"
            : "CREATE TABLE products (id BIGINT NOT NULL PRIMARY KEY) ENGINE=InnoDB;\nCREATE TABLE stock_levels (product_id BIGINT NOT NULL PRIMARY KEY, quantity INT NOT NULL DEFAULT 0) ENGINE=InnoDB;\n"
        let changes = """
                - renameTable:
                    from: stock_levels
                    to: inventory
                - createTable:
                    name: labels
                    columns:
                      - name: code
                        type: \(engine == .postgresql ? "text" : "VARCHAR(32)")
                        nullable: false
                    primaryKey: [code]
              verify:
                checksum:
                  tables: [products, inventory, labels]
            """
        let plan = try PlanningHarness.plan(PlanningHarness.spec(engine, changes: changes), schema: schema)
        #expect(RunnerProfile(plan.spec).checksumArguments(schema: plan.schema)
                    == ["products:id:int", "inventory:product_id:int", "labels:code:any"])
    }
}
