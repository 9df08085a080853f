@testable import CutoverPlan
@testable import CutoverSpec
@testable import CutoverEmit
import Foundation
import Testing

/// Properties every plan must have, whatever the spec: quoting, escaping, file layout, slugs,
/// suppressions directly above their statement, CONCURRENTLY alone outside transactions.
@Suite struct SQLLoweringTests {
    @Test func identifiersAreQuotedAndEscaped() {
        let pg = SQLNames(engine: .postgresql), my = SQLNames(engine: .mysql)
        #expect(pg.quote("we\"ird") == "\"we\"\"ird\"")
        #expect(my.quote("we`ird") == "`we``ird`")
        // A quote followed by a combining mark is one Character but still a quote to the server.
        #expect(pg.quote("a\"\u{301}b\"\"") == "\"a\"\"\u{301}b\"\"\"\"\"")
        #expect(my.quote("`\u{301}") == "```\u{301}`")
        #expect(pg.quote("plain") == "\"plain\"")
        // The same in literals (SRE review 26: a view's `'a''\u{301}b'` broke out of the rebuild's EXECUTE).
        #expect(pg.literal("a'\u{301}b") == "'a''\u{301}b'")
        #expect(my.literal("\\\u{301}'\u{301}") == "'\\\\\u{301}''\u{301}'")
        #expect(SetComment.literal("x\\\u{301}'\u{301}", pg) == "E'x\\\\\u{301}''\u{301}'")
        #expect(EnumType.mysqlColumnType(["a'\u{301}"]) == "enum('a''\u{301}')")
        // Helm reads bytes: a `{{` or a backtick with a combining mark after it is still one.
        #expect(HelmEscaper.escape("a {{\u{301} x }} b") == "a {{`{{\u{301} x }}`}} b")
        #expect(HelmEscaper.escape("{{ `\u{301} }}") == "{{ \"{{ `\u{301} }}\" }}")
        #expect(HelmEscaper.escape("{{ \"`\" }} {{") == "{{ \"{{ \\\"`\\\" }}\" }} {{`{{`}}")
        #expect(pg.literal("it's") == "'it''s'")
        #expect(my.literal("it's\\") == "'it''s\\\\'")
        #expect(my.escapeInLiteral("ALTER TABLE `t` ADD COLUMN `c` text DEFAULT 'x'") == "ALTER TABLE `t` ADD COLUMN `c` text DEFAULT ''x''")
    }

    @Test func longNamesAreCutWithAStableHash() {
        let long = String(repeating: "a", count: 80)
        let fitted = SQLNames.fit(long, limit: 63)
        #expect(fitted.utf8.count == 63)
        #expect(fitted == SQLNames.fit(long, limit: 63))
        #expect(SQLNames.fit(long + "b", limit: 63) != fitted)
        #expect(SQLNames.fit("short", limit: 63) == "short")
    }

    @Test func slugsAreLowerCaseAndBounded() {
        #expect(SlugBuilder.slug("add_column Pricing Tier-Name", maxLength: 80) == "add_column_pricing_tier_name")
        let slug = SlugBuilder.slug(String(repeating: "x_", count: 100), maxLength: 50)
        #expect(slug.count <= 50)
        #expect(slug.allSatisfy { $0.isLowercase || $0.isNumber || $0 == "_" })
    }

    @Test func expressionRewriterTouchesOnlyBareColumns() {
        let out = ExpressionRewriter.rewrite("CASE WHEN a = 'a' THEN lower(a) ELSE t.a END", columns: ["a", "lower"]) { "NEW.\"\($0)\"" }
        #expect(out == "CASE WHEN NEW.\"a\" = 'a' THEN lower(NEW.\"a\") ELSE t.a END")
    }

    @Test func mysqlGuardEscapesUserQuotesInsidePrepare() {
        var spec = try! SQLGoldenTests.plan(SQLGoldenTests.specs.appendingPathComponent("my-all.yaml").path).spec
        spec.changes = []
        let b = MySQLBuilder(context: LoweringContext(spec: spec, schema: nil))
        let text = b.addColumn("t", "c", "VARCHAR(8) NOT NULL DEFAULT 'it''s'")
        #expect(text.contains("'ALTER TABLE `t` ADD COLUMN `c` VARCHAR(8) NOT NULL DEFAULT ''it''''s'', ALGORITHM=INSTANT'"))
    }

    static func allPlans() throws -> [MigrationPlan] {
        let specs = ["pg-all.yaml", "my-all.yaml"].map { SQLGoldenTests.specs.appendingPathComponent($0).path }
            + ["pricing-tiers", "orders-customer-ref", "ledger-pg14"].map { TestPaths.examples.appendingPathComponent("\($0).yaml").path }
        return try specs.map(SQLGoldenTests.plan)
    }

    @Test func everyFileSetsItsTimeoutsAndStemsStayShort() throws {
        for plan in try Self.allPlans() {
            var slugs = Set<String>()
            for step in plan.steps {
                #expect(step.fileStem.count <= 100)
                #expect(slugs.insert(step.slug).inserted, "duplicate slug \(step.slug)")
                #expect(step.slug.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "_" })
                for direction in [SQLFileRenderer.Direction.up, .down] {
                    let text = SQLFileRenderer.render(step, direction, plan: plan)
                    if plan.spec.database.engine == .postgresql {
                        #expect(text.contains("SET lock_timeout = '") && text.contains("SET statement_timeout = '"))
                    } else {
                        #expect(text.contains("SET SESSION lock_wait_timeout = "))
                    }
                    if plan.spec.database.engine == .mysql {
                        for mariaDBOnly in ["ADD COLUMN IF", "DROP COLUMN IF", "CREATE INDEX IF", "INDEX IF NOT", "CREATE OR REPLACE TRIGGER", "RENAME TABLE IF"] {
                            #expect(!text.contains(mariaDBOnly), "MariaDB-only syntax in \(step.fileStem)")
                        }
                    }
                }
            }
        }
    }

    @Test func squawkIgnoreSitsDirectlyAboveItsStatementWithTheReasonAbove() throws {
        for plan in try Self.allPlans() where plan.spec.database.engine == .postgresql {
            for step in plan.steps {
                for direction in [SQLFileRenderer.Direction.up, .down] {
                    let lines = SQLFileRenderer.render(step, direction, plan: plan).split(separator: "\n").map(String.init)
                    for (i, line) in lines.enumerated() where line.trimmingCharacters(in: .whitespaces).hasPrefix("-- squawk-ignore ") {
                        #expect(i > 0 && lines[i - 1].trimmingCharacters(in: .whitespaces).hasPrefix("-- safe: "))
                        #expect(i + 1 < lines.count && !lines[i + 1].trimmingCharacters(in: .whitespaces).hasPrefix("--"))
                    }
                }
            }
        }
    }

    @Test func concurrentStatementsRunOutsideTransactions() throws {
        for plan in try Self.allPlans() {
            for step in plan.steps {
                let all = (step.up.statements + step.down.statements).map(\.text).joined(separator: "\n")
                if all.contains("CONCURRENTLY") || all.contains("COMMIT;") { #expect(!step.transactional, "\(step.fileStem)") }
            }
        }
    }

    @Test func purgeIsIrreversibleAndSeparate() throws {
        for plan in try Self.allPlans() {
            for step in plan.steps where step.phase == .purge {
                #expect(!step.reversible)
                #expect(StepFiles.folder(for: step) == "sql/purge")
            }
        }
    }

    @Test func blueGreenStepsAreSidedAndReadTheConnectionFromASetting() throws {
        let plan = try SQLGoldenTests.plan(TestPaths.examples.appendingPathComponent("ledger-pg14.yaml").path)
        #expect(!plan.steps.isEmpty)
        #expect(plan.steps.allSatisfy { $0.side != nil })
        let phases = Set(plan.steps.map(\.phase))
        #expect(phases == [.replicate, .sequenceSync, .reverseReplicate, .cleanup])
        let subscription = try #require(plan.steps.first { $0.side == .green && $0.phase == .replicate })
        #expect(SQLFileRenderer.render(subscription, .up, plan: plan).contains("current_setting('cutover.blue_conninfo')"))
    }

    @Test func emittersWriteEveryFormat() throws {
        let plan = try SQLGoldenTests.plan(TestPaths.examples.appendingPathComponent("pricing-tiers.yaml").path)
        let flyway = FlywayEmitter().emit(plan).map(\.path)
        #expect(flyway.contains("flyway/V1__preflight_check_server_and_base_schema.sql"))
        #expect(flyway.contains("flyway/V2__expand_add_column_pricing_tier.sql"))
        #expect(flyway.contains("flyway/U2__expand_add_column_pricing_tier.sql"))
        #expect(flyway.contains { $0.hasSuffix(".sql.conf") })
        let golang = GolangMigrateEmitter().emit(plan).map(\.path)
        #expect(golang.count == plan.steps.count * 2)
        let liquibase = try #require(LiquibaseEmitter().emit(plan).first { $0.path == "liquibase/changelog.yaml" })
        #expect(liquibase.contents.contains("runInTransaction: false"))
        #expect(liquibase.contents.contains("rollback:"))
        #expect(liquibase.contents.contains("author: 'cutover'"))
    }
}
