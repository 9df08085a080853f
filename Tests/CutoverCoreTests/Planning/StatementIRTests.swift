@testable import CutoverPlan
@testable import CutoverSpec
@testable import CutoverCore
import Foundation
import Testing

/// The plan's statements carry what they do as values (`StatementKind`, `MySQLTrigger`): the planner
/// decides transactions from those values, never from the text, and the text of a value is written last.
@Suite struct StatementIRTests {
    @Test func mysqlTriggerRendersFromItsValue() {
        let names = SQLNames(engine: .mysql)
        var trigger = MySQLTrigger(name: "_cutover_t_c_ins", timing: .before, event: .insert, table: "o`rders", body: "  SET NEW.`c` = 1;")
        #expect(StatementRendering.text(of: trigger, names) == "CREATE TRIGGER `_cutover_t_c_ins` BEFORE INSERT ON `o``rders` FOR EACH ROW\n  SET NEW.`c` = 1;")
        trigger.precedes = "late`r"
        #expect(StatementRendering.text(of: trigger, names) == "CREATE TRIGGER `_cutover_t_c_ins` BEFORE INSERT ON `o``rders` FOR EACH ROW PRECEDES `late``r`\n  SET NEW.`c` = 1;")
        let delimited = MySQLTrigger(name: "u", timing: .before, event: .update, table: "t", body: "BEGIN\n  SET NEW.`c` = 1;\nEND;;", delimited: true)
        #expect(StatementRendering.text(of: delimited, names) == "DELIMITER ;;\nCREATE TRIGGER `u` BEFORE UPDATE ON `t` FOR EACH ROW\nBEGIN\n  SET NEW.`c` = 1;\nEND;;\nDELIMITER ;")
    }

    @Test func transactionsFollowTheStatementKinds() {
        let plain = SQLStatement("ALTER TABLE \"t\" ADD COLUMN \"c\" text DEFAULT 'CONCURRENTLY NOT VALID VALIDATE CONSTRAINT';")
        #expect(Planner.fitsOneTransaction([plain]), "a word in a literal is not what the statement does")
        #expect(!Planner.fitsOneTransaction([plain, SQLStatement("CREATE INDEX CONCURRENTLY i ON t (c);", kind: .concurrentIndex)]))
        #expect(!Planner.fitsOneTransaction([SQLStatement("DO $$ … COMMIT; … $$;", kind: .batchedLoop)]))
        let add = SQLStatement("ALTER TABLE t ADD CONSTRAINT k CHECK (c > 0) NOT VALID;", kind: .addNotValid)
        let validate = SQLStatement("ALTER TABLE t VALIDATE CONSTRAINT k;", kind: .validateConstraint)
        #expect(Planner.fitsOneTransaction([add]))
        #expect(Planner.fitsOneTransaction([validate]))
        #expect(!Planner.fitsOneTransaction([add, validate]), "the scan would run under the ADD's ACCESS EXCLUSIVE lock")
        // The escape hatch's text is all cutover has: its facts are read from it.
        #expect(!Planner.fitsOneTransaction([SQLStatement("CREATE INDEX CONCURRENTLY i ON t (c);", kind: .userSQL)]))
        #expect(Planner.fitsOneTransaction([SQLStatement("UPDATE t SET c = 1;", kind: .userSQL)]))
    }

    @Test func locksFollowTheStatementKinds() {
        #expect(StatementKind.concurrentIndex.lock == .shareUpdateExclusive)
        #expect(StatementKind.validateConstraint.lock == .shareUpdateExclusive)
        #expect(StatementKind.addNotValid.lock == .accessExclusiveBrief)
        #expect(StatementKind.batchedLoop.lock == .rowLocksPerBatch)
        #expect(StatementKind.tableCopy(table: "orders").lock == .tableCopyWritesBlocked)
        #expect(SQLStatement("ALTER TABLE `orders` ADD CONSTRAINT c CHECK (a > 0), ALGORITHM=COPY, LOCK=SHARED;", kind: .tableCopy(table: "orders")).copiedTable == "orders")
        #expect(SQLStatement("ALTER TABLE `orders` ADD CONSTRAINT c CHECK (a > 0), ALGORITHM=COPY, LOCK=SHARED;").copiedTable == nil)
        #expect(StatementKind.plain.lock == nil)
    }

    /// A default whose text holds CONCURRENTLY: the old text scan ran the add outside a transaction.
    @Test func aLiteralDoesNotChangeTheTransaction() throws {
        let spec = PlanningHarness.spec(.postgresql, changes: "    - addColumn: {table: orders, column: {name: note, type: text, nullable: true, default: \"'CONCURRENTLY'\"}}")
        let plan = try PlanningHarness.plan(spec, schema: "CREATE TABLE orders (id bigint PRIMARY KEY);")
        let step = try PlanningHarness.step(plan, slug: "add_column_orders_note")
        #expect(step.transactional)
        let index = try PlanningHarness.plan(PlanningHarness.spec(.postgresql, changes: "    - createIndex: {name: orders_id_idx, table: orders, columns: [id]}"),
                                             schema: "CREATE TABLE orders (id bigint PRIMARY KEY);")
        #expect(try !PlanningHarness.step(index, slug: "create_index_orders_id_idx").transactional)
    }

    /// A MySQL down that re-creates a sync trigger goes before the triggers created after it (PRECEDES).
    @Test func mysqlTriggerOrderSetsPrecedesOnTheValue() throws {
        let spec = PlanningHarness.spec(.mysql, changes: """
                - renameColumn: {table: orders, from: note, to: remark}
                - addColumn: {table: orders, column: {name: tier, type: text, nullable: true}, up: "'basic'"}
            """)
        let plan = try PlanningHarness.plan(spec, schema: "CREATE TABLE orders (id bigint PRIMARY KEY, note text);")
        let creates = plan.steps.flatMap { $0.down.statements }.filter { $0.text.hasPrefix("CREATE TRIGGER") || $0.text.hasPrefix("DELIMITER ;;\nCREATE TRIGGER") }
        #expect(!creates.isEmpty)
        #expect(creates.allSatisfy { if case .mysqlTrigger = $0.kind { return true } else { return false } })
        let reordered = creates.filter { $0.text.contains(" PRECEDES ") }
        #expect(!reordered.isEmpty, "the rename's unsync down re-creates its triggers before the later fill triggers")
        for statement in reordered {
            guard case .mysqlTrigger(let trigger) = statement.kind, let other = trigger.precedes else { Issue.record("no value"); continue }
            #expect(statement.text.contains("FOR EACH ROW PRECEDES `\(other)`\n"))
        }
    }

    static func context(_ engine: MigrationSpec.Engine) throws -> LoweringContext {
        let plan = try PlanningHarness.plan(PlanningHarness.spec(engine, changes: "    - renameTable: {from: orders, to: purchases}"),
                                            schema: "CREATE TABLE orders (id bigint PRIMARY KEY);")
        return LoweringContext(spec: plan.spec, schema: nil)
    }

    /// One DDL value, each engine's text: atomic in one DO on PostgreSQL, two statements on MySQL.
    @Test func renameTableLeavingViewRendersPerEngine() throws {
        let postgres = PostgreSQLRenderer(b: PostgreSQLBuilder(context: try Self.context(.postgresql)))
        let pg = postgres.render(.renameTableLeavingView(from: "orders", to: "purchases"))
        #expect(pg.count == 1)
        #expect(pg[0].text == """
            DO $cutover$
            BEGIN
              IF to_regclass('"purchases"') IS NULL AND to_regclass('"orders"') IS NOT NULL THEN
                ALTER TABLE "orders" RENAME TO "purchases";
                CREATE VIEW "orders" WITH (security_invoker = true) AS SELECT * FROM "purchases";
              END IF;
            END
            $cutover$;
            """)
        let mysql = MySQLRenderer(b: MySQLBuilder(context: try Self.context(.mysql)))
        let my = mysql.render(.renameTableLeavingView(from: "orders", to: "purchases"))
        // MySQL: the view first (over a stand-in under the new name), then one atomic RENAME TABLE.
        #expect(my.count == 4 && my[0].text.contains("'CREATE VIEW `purchases` AS SELECT * FROM `orders`'"))
        #expect(my[1].text.contains("'CREATE OR REPLACE VIEW `_cutover_shop_change_orders_swap` AS SELECT * FROM `purchases`'"))
        #expect(my[2].text.contains("'RENAME TABLE `purchases` TO `_cutover_shop_change_purchases_swap`, `orders` TO `purchases`, `_cutover_shop_change_orders_swap` TO `orders`'"))
        #expect(my.map(\.text).last == "DROP VIEW IF EXISTS `_cutover_shop_change_purchases_swap`;")
        #expect(!my.contains { $0.text.contains("RENAME TABLE `orders` TO `purchases`") }, "a RENAME on its own leaves `orders` missing until the view")
        // squawk lints PostgreSQL only: the suppression (and its reason) comes with the PostgreSQL text.
        #expect(postgres.render(.dropCompatibilityView(name: "orders")).flatMap(\.suppressions).map(\.rule) == ["ban-drop-view"])
        #expect(mysql.render(.dropCompatibilityView(name: "orders")).flatMap(\.suppressions).isEmpty)
    }

    /// The recipe is written once; the plan holds the rendered text per engine; both keep the old name at every moment.
    @Test func renameTableRecipeIsOneForBothEngines() throws {
        for engine in [MigrationSpec.Engine.postgresql, .mysql] {
            let plan = try PlanningHarness.plan(PlanningHarness.spec(engine, changes: "    - renameTable: {from: orders, to: purchases}"),
                                                schema: "CREATE TABLE orders (id bigint PRIMARY KEY);")
            let step = try PlanningHarness.step(plan, slug: "rename_table_orders")
            #expect(step.title == "rename table orders to purchases, with a compatibility view orders")
            #expect(step.up.statements.allSatisfy { !$0.text.isEmpty }, "every DDL value is rendered by Compiler.plan")
            #expect(step.transactional)
        }
    }

    /// One table value, each engine's spelling: PostgreSQL leaves NOT NULL of a key column to the key and
    /// puts the type lint's ignore above the column; MySQL states NULL/NOT NULL on every column.
    @Test func createTableRendersPerEngine() throws {
        let table = TableDefinition(
            name: "plans",
            columns: [.init(name: "id", type: "integer", nullable: false, defaultValue: nil, unique: nil, check: nil, references: nil),
                      .init(name: "code", type: "text", nullable: false, defaultValue: "'x'", unique: "plans_code_key", check: ("plans_code_check", "code <> ''"),
                            references: nil)],
            primaryKeyName: "plans_pkey", primaryKey: ["id"], constraints: [.init(name: "plans_code_u", kind: .unique(["code", "id"]))])
        let pg = PostgreSQLRenderer(b: PostgreSQLBuilder(context: try Self.context(.postgresql))).render(.createTable(table))
        #expect(pg.map(\.text) == ["""
            CREATE TABLE IF NOT EXISTS "plans" (
                -- safe: the column type is the one the spec asks for (a type preference, not a locking hazard)
                -- squawk-ignore prefer-bigint-over-int
                "id" integer,
                "code" text NOT NULL DEFAULT 'x',
                CONSTRAINT "plans_pkey" PRIMARY KEY ("id"),
                CONSTRAINT "plans_code_check" CHECK (code <> ''),
                CONSTRAINT "plans_code_key" UNIQUE ("code"),
                CONSTRAINT "plans_code_u" UNIQUE ("code", "id")
            );
            """])
        #expect(pg[0].suppressions.map(\.rule) == ["prefer-bigint-over-int"] && pg[0].suppressions.allSatisfy(\.inline))
        let my = MySQLRenderer(b: MySQLBuilder(context: try Self.context(.mysql))).render(.createTable(table))
        #expect(my.map(\.text) == ["""
            CREATE TABLE IF NOT EXISTS `plans` (
              `id` integer NOT NULL,
              `code` text NOT NULL DEFAULT 'x',
              CONSTRAINT `plans_pkey` PRIMARY KEY (`id`),
              CONSTRAINT `plans_code_key` UNIQUE (`code`),
              CONSTRAINT `plans_code_check` CHECK (code <> ''),
              CONSTRAINT `plans_code_u` UNIQUE (`code`, `id`)
            ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
            """])
        #expect(my[0].suppressions.isEmpty)
    }
}
