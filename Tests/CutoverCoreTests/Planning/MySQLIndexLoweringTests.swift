@testable import CutoverPlan
@testable import CutoverSpec
import Foundation
import Testing

/// MySQL index steps: the exact SQL of dropIndex, and indexes that cover a foreign key whose index the
/// server created by itself (MySQL drops that index silently, and refuses to drop the last index a
/// foreign key can use).
@Suite struct MySQLIndexLoweringTests {
    static let schema = """
        CREATE TABLE customers (
            id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
            name VARCHAR(255) NOT NULL,
            KEY customers_name_idx (name)
        ) ENGINE=InnoDB;
        CREATE TABLE orders (
            id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
            customer_id BIGINT NOT NULL,
            placed_at DATETIME NOT NULL,
            CONSTRAINT orders_customer_fk FOREIGN KEY (customer_id) REFERENCES customers (id)
        ) ENGINE=InnoDB;

        """

    @Test func dropIndexIsAGuardedInPlaceDropWhoseDownRebuildsTheIndex() throws {
        let plan = try PlanningHarness.plan(PlanningHarness.spec(.mysql, changes: """
                - dropIndex:
                    name: customers_name_idx
                    table: customers
            """), schema: Self.schema)
        let step = try PlanningHarness.step(plan, slug: "drop_index_customers_name_idx")
        #expect(step.phase == .contract && step.reversible)
        #expect(PlanningHarness.statements(step, .up) == ["""
            SET @cutover_ddl = (SELECT IF(COUNT(*) > 0,
              'ALTER TABLE `customers` DROP INDEX `customers_name_idx`, ALGORITHM=INPLACE, LOCK=NONE',
              'DO 0')
              FROM information_schema.statistics
              WHERE table_schema = DATABASE() AND table_name = 'customers' AND index_name = 'customers_name_idx');
            PREPARE cutover_stmt FROM @cutover_ddl;
            EXECUTE cutover_stmt;
            DEALLOCATE PREPARE cutover_stmt;
            """])
        #expect(PlanningHarness.statements(step, .down) == ["""
            SET @cutover_ddl = (SELECT IF(COUNT(*) = 0,
              'ALTER TABLE `customers` ADD INDEX `customers_name_idx` (`name`), ALGORITHM=INPLACE, LOCK=NONE',
              'DO 0')
              FROM information_schema.statistics
              WHERE table_schema = DATABASE() AND table_name = 'customers' AND index_name = 'customers_name_idx');
            PREPARE cutover_stmt FROM @cutover_ddl;
            EXECUTE cutover_stmt;
            DEALLOCATE PREPARE cutover_stmt;
            """])
    }

    @Test func dropIndexOfAnUnknownIndexIsIrreversible() throws {
        let plan = try PlanningHarness.plan(PlanningHarness.spec(.mysql, changes: """
                - dropIndex:
                    name: orders_old_idx
                    table: orders
            """, schema: false))
        let step = try PlanningHarness.step(plan, slug: "drop_index_orders_old_idx")
        #expect(!step.reversible)
    }

    @Test func indexCoveringAForeignKeyDropsAndRestoresItsImplicitIndex() throws {
        let plan = try PlanningHarness.plan(PlanningHarness.spec(.mysql, changes: """
                - createIndex:
                    name: orders_customer_placed_idx
                    table: orders
                    columns: [customer_id, placed_at]
            """), schema: Self.schema)
        let step = try PlanningHarness.step(plan, slug: "create_index_orders_customer_placed_idx")
        let up = PlanningHarness.statements(step, .up).joined(separator: "\n")
        let down = PlanningHarness.statements(step, .down).joined(separator: "\n")
        #expect(up.contains("'ALTER TABLE `orders` ADD INDEX `orders_customer_placed_idx` (`customer_id`, `placed_at`)'"))
        #expect(up.contains("', DROP INDEX `orders_customer_fk`'"))
        #expect(down.contains("'ADD INDEX `orders_customer_fk` (`customer_id`), '"))
        #expect(down.contains("'DROP INDEX `orders_customer_placed_idx`, ALGORITHM=INPLACE, LOCK=NONE'"))
        // The ADD comes first in the same ALTER: the foreign key always has an index.
        let add = try #require(down.range(of: "ADD INDEX `orders_customer_fk`"))
        let drop = try #require(down.range(of: "DROP INDEX `orders_customer_placed_idx`"))
        #expect(add.lowerBound < drop.lowerBound)
    }

    @Test func indexNotLeadingWithTheKeyLeavesTheImplicitIndexAlone() throws {
        let plan = try PlanningHarness.plan(PlanningHarness.spec(.mysql, changes: """
                - createIndex:
                    name: orders_placed_customer_idx
                    table: orders
                    columns: [placed_at, customer_id]
            """), schema: Self.schema)
        let step = try PlanningHarness.step(plan, slug: "create_index_orders_placed_customer_idx")
        let all = (PlanningHarness.statements(step, .up) + PlanningHarness.statements(step, .down)).joined(separator: "\n")
        #expect(!all.contains("orders_customer_fk"))
    }

    @Test func foreignKeyAddedAfterACoveringIndexGetsNoImplicitIndex() throws {
        // The index exists first, so the server reuses it: a later unique on the same column drops nothing.
        let plan = try PlanningHarness.plan(PlanningHarness.spec(.mysql, changes: """
                - createIndex:
                    name: customers_name_id_idx
                    table: customers
                    columns: [name, id]
                - addForeignKey:
                    name: customers_self_fk
                    table: customers
                    columns: [name]
                    references: {table: customers, columns: [name]}
                - addUnique:
                    name: customers_name_uq
                    table: customers
                    columns: [name]
            """), schema: Self.schema.replacingOccurrences(of: "KEY customers_name_idx (name)", with: "UNIQUE KEY customers_name_key (name)"))
        let step = try PlanningHarness.step(plan, slug: "add_unique_customers_name_uq")
        #expect(!PlanningHarness.statements(step, .down).joined().contains("customers_self_fk"))
    }

    @Test func unnamedForeignKeysGetTheirIndexNamedAfterTheFirstColumn() {
        let schema = SchemaReader(engine: .mysql).read("""
            CREATE TABLE p (id INT PRIMARY KEY);
            CREATE TABLE c (id INT PRIMARY KEY, a INT, b INT, KEY a (b), FOREIGN KEY (a) REFERENCES p (id) ON DELETE CASCADE);
            CREATE TABLE d (id INT PRIMARY KEY, a INT, FOREIGN KEY fk_idx (a) REFERENCES p (id));
            """)
        let c = schema.constraints.first { $0.table == "c" && $0.kind == .foreignKey }
        #expect(c?.implicitIndexName == "a_2")
        #expect(c?.actions == "ON DELETE CASCADE")
        #expect(schema.constraints.first { $0.table == "d" && $0.kind == .foreignKey }?.implicitIndexName == "fk_idx")
    }
}
