import CutoverPlan
import CutoverCore
import CutoverProof
import Foundation
import Testing

/// The verifier on hand-built plans, in process, on the harness servers; and its pure parts.
@Suite(.serialized) struct VerifierTests {
    /// A compiled plan for the spec, with its steps replaced by `steps`.
    static func plan(_ fixture: String, steps: [PlanStep]) throws -> MigrationPlan {
        let path = TestPaths.fixtures.appendingPathComponent("broken/\(fixture)").path
        let compiler = Compiler()
        let result = try compiler.check(fileAt: path)
        let validated = try #require(result.validated, "\(result.diagnostics)")
        var plan = compiler.plan(validated)
        plan.steps = steps
        return plan
    }

    static func step(_ number: Int, _ phase: Phase, _ slug: String, up: [String], down: [String],
                     transactional: Bool = true, reversible: Bool = true) -> PlanStep {
        PlanStep(number: number, phase: phase, slug: slug, title: slug, changeIndex: nil,
                 up: SQLScript(up.map { SQLStatement($0) }), down: SQLScript(down.map { SQLStatement($0) }),
                 reversible: reversible, transactional: transactional)
    }

    static func run(_ plan: MigrationPlan, engine: MigrationSpec.Engine) throws -> (VerificationReport, [String]) {
        let url = try DatabaseHarness.shared.url(engine)
        final class Lines: @unchecked Sendable { var all: [String] = [] }
        let lines = Lines()
        let verifier = Verifier(plan: plan, options: .init(databaseURL: url), emit: { lines.all.append($0) })
        return (try verifier.run(), lines.all)
    }

    @Test(.enabled(if: DatabaseHarness.shouldRun(.postgresql), unavailable(.postgresql)))
    func handBuiltPostgresPlanPasses() throws {
        let plan = try Self.plan("pg-not-idempotent.yaml", steps: [
            Self.step(1, .expand, "add_nickname", up: ["ALTER TABLE accounts ADD COLUMN IF NOT EXISTS nickname text;"],
                      down: ["ALTER TABLE accounts DROP COLUMN IF EXISTS nickname;"]),
            Self.step(2, .expand, "index_nickname", up: ["CREATE INDEX CONCURRENTLY IF NOT EXISTS accounts_nickname_idx ON accounts (nickname);"],
                      down: ["DROP INDEX CONCURRENTLY IF EXISTS accounts_nickname_idx;"], transactional: false),
            Self.step(3, .contract, "quarantine_owner", up: [
                "DO $$ BEGIN IF EXISTS (SELECT 1 FROM information_schema.columns WHERE table_name = 'accounts' AND column_name = 'owner') THEN ALTER TABLE accounts RENAME COLUMN owner TO _cutover_owner; END IF; END $$;",
            ], down: [
                "DO $$ BEGIN IF EXISTS (SELECT 1 FROM information_schema.columns WHERE table_name = 'accounts' AND column_name = '_cutover_owner') THEN ALTER TABLE accounts RENAME COLUMN _cutover_owner TO owner; END IF; END $$;",
            ]),
            Self.step(4, .purge, "purge_owner", up: ["ALTER TABLE accounts DROP COLUMN IF EXISTS _cutover_owner;"],
                      down: ["SELECT 1;"], reversible: false),
        ])
        let (report, lines) = try Self.run(plan, engine: .postgresql)
        #expect(report.passed, "\(lines.joined(separator: "\n"))")
        #expect(report.steps.map(\.name) == plan.steps.map(\.fileStem))
        #expect(lines.contains { $0.hasPrefix("PASS 0004_purge_purge_owner") && $0.contains("irreversible") }, "\(lines)")
        #expect(lines.last == "verified: 4 steps, 0 failed")
    }

    @Test(.enabled(if: DatabaseHarness.shouldRun(.postgresql), unavailable(.postgresql)))
    func handBuiltPostgresPlanWithBadDownFails() throws {
        let plan = try Self.plan("pg-not-idempotent.yaml", steps: [
            Self.step(1, .expand, "add_nickname", up: ["ALTER TABLE accounts ADD COLUMN IF NOT EXISTS nickname text;"],
                      down: ["ALTER TABLE accounts DROP COLUMN IF EXISTS nickname;"]),
            Self.step(2, .expand, "add_check", up: [
                "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conname = 'owner_nonempty') THEN ALTER TABLE accounts ADD CONSTRAINT owner_nonempty CHECK (owner <> '') NOT VALID; END IF; END $$;",
            ], down: ["SELECT 1;"]),
            // A step that changes the schema (an expand up that changes nothing fails on its own).
            Self.step(3, .expand, "after_it", up: ["ALTER TABLE accounts ADD COLUMN IF NOT EXISTS note text;"],
                      down: ["ALTER TABLE accounts DROP COLUMN IF EXISTS note;"]),
        ])
        let (report, lines) = try Self.run(plan, engine: .postgresql)
        #expect(!report.passed)
        #expect(report.failedSteps == 1, "\(lines.joined(separator: "\n"))")
        let fail = lines.first { $0.hasPrefix("FAIL 0002_expand_add_check") }
        // The down leaves the constraint behind; the rollback stops there.
        #expect(fail?.contains("down did not restore the schema") == true, "\(lines)")
        #expect(lines.contains { $0.hasPrefix("FAIL 0002_expand_add_check (rollback)") }, "\(lines)")
        #expect(lines.contains { $0.hasPrefix("PASS 0003_expand_after_it") }, "\(lines)")
        #expect(lines.contains { $0.contains("+   CONSTRAINT owner_nonempty CHECK") && $0.contains("NOT VALID") }, "\(lines)")
    }

    @Test(.enabled(if: DatabaseHarness.shouldRun(.postgresql), unavailable(.postgresql)))
    func failedUpStopsTheRun() throws {
        let plan = try Self.plan("pg-not-idempotent.yaml", steps: [
            Self.step(1, .expand, "broken", up: ["ALTER TABLE no_such_table ADD COLUMN x int;"], down: ["SELECT 1;"]),
            Self.step(2, .expand, "after", up: ["SELECT 1;"], down: ["SELECT 1;"]),
        ])
        let (report, lines) = try Self.run(plan, engine: .postgresql)
        #expect(report.failedSteps == 2)
        #expect(lines.contains { $0.hasPrefix("FAIL 0001_expand_broken") && $0.contains("up failed") })
        #expect(lines.contains { $0.contains("relation \"no_such_table\" does not exist") }, "\(lines)")
        #expect(lines.contains { $0.hasPrefix("FAIL 0002_expand_after") && $0.contains("not checked") })
    }

    @Test(.enabled(if: DatabaseHarness.shouldRun(.mysql), unavailable(.mysql)))
    func handBuiltMariaDBPlanPasses() throws {
        let guardAdd = """
        SET @s = IF((SELECT COUNT(*) FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'accounts' AND COLUMN_NAME = 'nickname') = 0,
          'ALTER TABLE `accounts` ADD COLUMN `nickname` VARCHAR(64) NULL, ALGORITHM=INSTANT', 'DO 0');
        PREPARE cutover_stmt FROM @s;
        EXECUTE cutover_stmt;
        DEALLOCATE PREPARE cutover_stmt;
        """
        let guardDrop = """
        SET @s = IF((SELECT COUNT(*) FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'accounts' AND COLUMN_NAME = 'nickname') > 0,
          'ALTER TABLE `accounts` DROP COLUMN `nickname`', 'DO 0');
        PREPARE cutover_stmt FROM @s;
        EXECUTE cutover_stmt;
        DEALLOCATE PREPARE cutover_stmt;
        """
        let plan = try Self.plan("mysql-not-idempotent.yaml", steps: [
            Self.step(1, .expand, "add_nickname", up: [guardAdd], down: [guardDrop]),
            Self.step(2, .expand, "trigger", up: [
                "DROP TRIGGER IF EXISTS accounts_owner_trim;",
                "DELIMITER $$",
                "CREATE TRIGGER accounts_owner_trim BEFORE INSERT ON accounts FOR EACH ROW BEGIN SET NEW.owner = TRIM(NEW.owner); END$$",
                "DELIMITER ;",
            ], down: ["DROP TRIGGER IF EXISTS accounts_owner_trim;"]),
        ])
        let (report, lines) = try Self.run(plan, engine: .mysql)
        #expect(report.passed, "\(lines.joined(separator: "\n"))")
        #expect(lines.last == "verified: 2 steps, 0 failed")
    }

    @Test func diffShowsRemovedAndAddedLinesWithContext() {
        let before = SchemaSnapshot(lines: ["TABLE a", "  COLUMN id int", "  COLUMN x text", "TABLE b"])
        let after = SchemaSnapshot(lines: ["TABLE a", "  COLUMN id int", "  COLUMN y text", "TABLE b"])
        let diff = before.diff(to: after, expectedLabel: "before", actualLabel: "after")
        #expect(diff == ["--- before", "+++ after", "@@", "  TABLE a", "    COLUMN id int", "-   COLUMN x text", "+   COLUMN y text", "  TABLE b"])
        #expect(before.diff(to: before, expectedLabel: "a", actualLabel: "b").isEmpty)
        let long = SchemaSnapshot(lines: (0..<100).map { "line \($0)" })
        let limited = SchemaSnapshot(lines: []).diff(to: long, expectedLabel: "a", actualLabel: "b")
        #expect(limited.count == 21)
        #expect(limited.last?.hasPrefix("… ") == true)
    }

    @Test func databaseURLsParse() throws {
        let pg = try ConnectionParameters.parse("postgresql://app:s%40cret@db.example:6432/shop?sslmode=require")
        #expect(pg.engine == .postgresql && pg.host == "db.example" && pg.port == 6432)
        #expect(pg.user == "app" && pg.password == "s@cret" && pg.database == "shop" && pg.sslMode == "require")
        #expect(pg.libpqURI == "postgresql://app:s%40cret@db.example:6432/shop?sslmode=require")
        let socket = try ConnectionParameters.parse("postgres:///postgres?host=/tmp/x%20y&port=5433")
        #expect(socket.host == "/tmp/x y" && socket.port == 5433 && socket.user == "postgres")
        #expect(socket.libpqURI == "postgresql://postgres@/postgres?host=%2Ftmp%2Fx%20y&port=5433")
        let my = try ConnectionParameters.parse("mysql://root@/?socket=/run/mysqld/mysqld.sock")
        #expect(my.engine == .mysql && my.socket == "/run/mysqld/mysqld.sock" && my.user == "root" && my.database == "")
        #expect(throws: VerificationError.self) { try ConnectionParameters.parse("oracle://x") }
    }
}
