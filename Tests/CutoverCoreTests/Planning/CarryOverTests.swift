@testable import CutoverPlan
@testable import CutoverSpec
@testable import CutoverEmit
import Foundation
import Testing

/// Indexes and constraints on a renamed or rewritten column follow it to the new column: built again
/// under `<name>_cutover_new` before the swap, renamed to the original names in the swap (check-sql
/// proves both engines on fixtures/valid/{pg,mysql}-orders-constraints.yaml).
@Suite struct CarryOverTests {
    static let pgSchema = """
        CREATE TABLE customers (id bigint PRIMARY KEY);
        CREATE TABLE orders (
            id bigint PRIMARY KEY,
            cust_id bigint NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
            code text NOT NULL,
            qty integer NOT NULL,
            CONSTRAINT orders_code_key UNIQUE (code),
            CONSTRAINT orders_code_format CHECK ("code" <> '' AND length(code) < 20),
            CONSTRAINT orders_qty_positive CHECK (qty > 0)
        );
        CREATE INDEX orders_cust_idx ON orders (cust_id);

        """

    static let mySchema = """
        CREATE TABLE customers (id BIGINT NOT NULL PRIMARY KEY) ENGINE=InnoDB;
        CREATE TABLE orders (
            id BIGINT NOT NULL PRIMARY KEY,
            cust_id BIGINT NOT NULL,
            code VARCHAR(20) NOT NULL,
            qty INT NOT NULL,
            UNIQUE KEY orders_code_uq (code),
            CONSTRAINT orders_cust_fk FOREIGN KEY (cust_id) REFERENCES customers (id) ON DELETE CASCADE,
            CONSTRAINT orders_code_format CHECK (`code` <> ''),
            CONSTRAINT orders_qty_positive CHECK (qty > 0)
        ) ENGINE=InnoDB;

        """

    static func text(_ step: PlanStep, _ direction: SQLFileRenderer.Direction) -> String {
        PlanningHarness.statements(step, direction).joined(separator: "\n")
    }

    @Test func postgresRenameCarriesEveryObjectAndSwapsTheNames() throws {
        let plan = try PlanningHarness.plan(PlanningHarness.spec(.postgresql, changes: """
                - renameColumn: {table: orders, from: cust_id, to: customer_id}
                - renameColumn: {table: orders, from: code, to: reference}
            """), schema: Self.pgSchema)
        let fk = try PlanningHarness.step(plan, slug: "orders_customer_id_foreign_key_orders_cust_id_fkey")
        #expect(fk.phase == .backfill && !fk.transactional)
        #expect(Self.text(fk, .up).contains("ADD CONSTRAINT \"orders_cust_id_fkey_cutover_new\" FOREIGN KEY (\"customer_id\") REFERENCES \"customers\" (\"id\") ON DELETE CASCADE NOT VALID;"))
        #expect(Self.text(fk, .up).hasSuffix("ALTER TABLE \"orders\" VALIDATE CONSTRAINT \"orders_cust_id_fkey_cutover_new\";"))
        #expect(Self.text(fk, .down) == "ALTER TABLE \"orders\" DROP CONSTRAINT IF EXISTS \"orders_cust_id_fkey_cutover_new\";")
        let index = try PlanningHarness.step(plan, slug: "orders_customer_id_index_orders_cust_idx")
        #expect(Self.text(index, .up).contains("CREATE INDEX CONCURRENTLY IF NOT EXISTS \"orders_cust_idx_cutover_new\" ON \"orders\" USING btree (\"customer_id\");"))
        let check = try PlanningHarness.step(plan, slug: "orders_reference_check_orders_code_format")
        #expect(Self.text(check, .up).contains("CHECK (\"reference\" <> '' AND length(\"reference\") < 20) NOT VALID;"))
        #expect(plan.steps.contains { $0.slug == "orders_reference_unique_orders_code_key_index" && $0.phase == .backfill })
        #expect(!plan.steps.contains { $0.slug.contains("orders_qty_positive") })

        let quarantine = try PlanningHarness.step(plan, slug: "quarantine_orders_cust_id")
        let up = Self.text(quarantine, .up), down = Self.text(quarantine, .down)
        #expect(up.contains("ALTER INDEX \"orders_cust_idx\" RENAME TO \"_cutover_shop_change_orders_cust_idx\";\n    ALTER INDEX \"orders_cust_idx_cutover_new\" RENAME TO \"orders_cust_idx\";"))
        #expect(up.contains("RENAME CONSTRAINT \"orders_cust_id_fkey\" TO \"_cutover_shop_change_orders_cust_id_fkey\";"))
        #expect(up.contains("RENAME CONSTRAINT \"orders_cust_id_fkey_cutover_new\" TO \"orders_cust_id_fkey\";"))
        #expect(down.contains("RENAME CONSTRAINT \"orders_cust_id_fkey\" TO \"orders_cust_id_fkey_cutover_new\";"))
        #expect(down.contains("RENAME CONSTRAINT \"_cutover_shop_change_orders_cust_id_fkey\" TO \"orders_cust_id_fkey\";"))
        // Everything happens in the one guarded DO block (one transaction) with the column rename.
        #expect(PlanningHarness.statements(quarantine, .up).count == 1 && up.hasPrefix("DO $cutover$"))
        let names = plan.steps.map(\.slug)
        #expect(names.firstIndex(of: "orders_customer_id")! < names.firstIndex(of: "orders_customer_id_foreign_key_orders_cust_id_fkey")!)
    }

    @Test func postgresRewriteRenamesTheCarriedConstraintsInItsSwap() throws {
        let plan = try PlanningHarness.plan(PlanningHarness.spec(.postgresql, changes: """
                - alterColumn: {table: orders, column: qty, type: bigint}
            """), schema: Self.pgSchema)
        let check = try PlanningHarness.step(plan, slug: "orders_qty_new_check_orders_qty_positive")
        #expect(Self.text(check, .up).contains("CHECK (\"_cutover_shop_change_qty_new\" > 0) NOT VALID;"))
        let swap = try PlanningHarness.step(plan, slug: "alter_type_orders_qty_swap")
        #expect(Self.text(swap, .up).contains("ALTER TABLE \"orders\" RENAME CONSTRAINT \"orders_qty_positive_cutover_new\" TO \"orders_qty_positive\";"))
        #expect(Self.text(swap, .down).contains("ALTER TABLE \"orders\" RENAME CONSTRAINT \"_cutover_shop_change_orders_qty_positive\" TO \"orders_qty_positive\";"))
    }

    @Test func mysqlRenameMovesForeignKeysChecksAndIndexes() throws {
        let plan = try PlanningHarness.plan(PlanningHarness.spec(.mysql, changes: """
                - renameColumn: {table: orders, from: cust_id, to: customer_id}
                - renameColumn: {table: orders, from: code, to: reference}
            """), schema: Self.mySchema)
        // The server-made index of the foreign key and the unique key are built on the new column.
        let fkIndex = try PlanningHarness.step(plan, slug: "orders_customer_id_index_orders_cust_fk")
        #expect(Self.text(fkIndex, .up).contains("ADD INDEX `orders_cust_fk_cutover_new` (`customer_id`)"))
        let unique = try PlanningHarness.step(plan, slug: "orders_reference_index_orders_code_uq")
        #expect(Self.text(unique, .up).contains("ADD UNIQUE INDEX `orders_code_uq_cutover_new` (`reference`)"))
        // The check moves with a table copy, guarded on the column its clause names.
        let check = try PlanningHarness.step(plan, slug: "orders_reference_check_orders_code_format")
        #expect(check.title.contains("NOT ONLINE"))
        #expect(Self.text(check, .up).contains("'ALTER TABLE `orders` DROP CONSTRAINT `orders_code_format`, ADD CONSTRAINT `orders_code_format` CHECK (`reference` <> ''''), ALGORITHM=COPY, LOCK=SHARED'"))
        #expect(Self.text(check, .up).contains("LOCATE('`code`', check_clause) > 0"))
        #expect(Self.text(check, .down).contains("CHECK (`code` <> ''''), ALGORITHM=COPY"))
        #expect(Self.text(check, .down).contains("LOCATE('`reference`', check_clause) > 0"))
        // The foreign key is dropped with the quarantine rename and added again on the new column.
        let quarantine = try PlanningHarness.step(plan, slug: "quarantine_orders_cust_id")
        let statements = PlanningHarness.statements(quarantine, .up)
        #expect(statements.first == "SET SESSION foreign_key_checks = 0;")
        #expect(statements[1] == "LOCK TABLES `orders` WRITE, `customers` WRITE;")
        #expect(statements[2].contains("RENAME COLUMN `cust_id` TO `_cutover_shop_change_cust_id`, DROP FOREIGN KEY `orders_cust_fk`, RENAME INDEX `orders_cust_fk` TO `_cutover_shop_change_orders_cust_fk`, RENAME INDEX `orders_cust_fk_cutover_new` TO `orders_cust_fk`, ALGORITHM=INPLACE, LOCK=NONE"))
        #expect(statements[3].contains("ADD CONSTRAINT `orders_cust_fk` FOREIGN KEY (`customer_id`) REFERENCES `customers` (`id`) ON DELETE CASCADE, ALGORITHM=INPLACE, LOCK=NONE"))
        #expect(statements.suffix(2) == ["UNLOCK TABLES;", "SET SESSION foreign_key_checks = 1;"])
        #expect(Self.text(quarantine, .down).contains("FOREIGN KEY (`cust_id`) REFERENCES `customers` (`id`) ON DELETE CASCADE"))
    }

    @Test func mysqlRewriteDropsChecksInTheSwapAndAddsThemAgain() throws {
        let plan = try PlanningHarness.plan(PlanningHarness.spec(.mysql, changes: """
                - alterColumn: {table: orders, column: qty, type: BIGINT}
            """), schema: Self.mySchema)
        let swap = try PlanningHarness.step(plan, slug: "alter_type_orders_qty_swap")
        #expect(Self.text(swap, .up).contains("DROP CONSTRAINT `orders_qty_positive`"))
        #expect(Self.text(swap, .down).contains("ADD CONSTRAINT `orders_qty_positive` CHECK (qty > 0), ALGORITHM=COPY, LOCK=SHARED"))
        let again = try PlanningHarness.step(plan, slug: "alter_type_orders_qty_check_orders_qty_positive")
        #expect(again.phase == .contract && again.title.contains("NOT ONLINE"))
        #expect(plan.steps.firstIndex { $0.slug == swap.slug }! < plan.steps.firstIndex { $0.slug == again.slug }!)
    }

    @Test func mysqlDropColumnDropsTheChecksThatUseIt() throws {
        let plan = try PlanningHarness.plan(PlanningHarness.spec(.mysql, changes: """
                - dropColumn: {table: orders, column: qty, down: "1"}
            """), schema: Self.mySchema)
        let quarantine = try PlanningHarness.step(plan, slug: "quarantine_orders_qty")
        #expect(Self.text(quarantine, .up).contains("RENAME COLUMN `qty` TO `_cutover_shop_change_qty`, DROP CONSTRAINT `orders_qty_positive`"))
        #expect(Self.text(quarantine, .down).contains("ADD CONSTRAINT `orders_qty_positive` CHECK (qty > 0)"))
    }

    @Test func columnExpressionsRenameOnlyTheColumn() {
        #expect(ColumnExpression.rename("qty > 0 AND \"qty\" < max_qty AND f(qty) AND t.qty = 'qty' AND qty::text <> ''", from: "qty", to: "n", engine: .postgresql)
                == "\"n\" > 0 AND \"n\" < max_qty AND f(\"n\") AND t.\"n\" = 'qty' AND \"n\"::text <> ''")
        #expect(ColumnExpression.rename("`QTY` > 0 AND qty IN ('qty', \"qty\")", from: "qty", to: "n", engine: .mysql)
                == "`n` > 0 AND `n` IN ('qty', \"qty\")")
        #expect(ColumnExpression.uses("length(code) < 3", column: "code", engine: .postgresql))
        #expect(!ColumnExpression.uses("code_2 > 0 AND 'code' <> x", column: "code", engine: .postgresql))
        #expect(!ColumnExpression.uses("\"Code\" > 0", column: "code", engine: .postgresql))
    }

    @Test func theContextFollowsConstraintsThroughRenames() throws {
        let schema = SchemaReader(engine: .mysql).read(Self.mySchema)
        let spec = try PlanningHarness.plan(PlanningHarness.spec(.mysql, changes: "    - renameColumn: {table: orders, from: cust_id, to: customer_id}"),
                                            schema: Self.mySchema).spec
        var context = LoweringContext(spec: spec, schema: schema)
        #expect(context.implicitIndexes(coveredBy: ["cust_id", "id"], on: "orders").map(\.name) == ["orders_cust_fk"])
        context.apply(spec.changes[0].operation)
        #expect(context.constraints(on: "orders", column: "customer_id").map(\.name) == ["orders_cust_fk"])
        #expect(context.indexes(on: "orders", column: "customer_id").map(\.name) == ["orders_cust_fk"])
    }
}
