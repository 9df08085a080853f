@testable import CutoverPlan
@testable import CutoverSpec
@testable import CutoverCore
import Foundation
import Testing

/// `sql` changes keep the reference checks on as far as their up can be read; SQL keywords in the spec
/// are read in any case.
@Suite struct RawSQLAndKeywordTests {
    let base = SemanticRuleTests()

    func diagnostics(_ changes: String, engine: String = "postgresql") throws -> [Diagnostic] {
        try ValidationHarness.check(base.spec(changes, engine: engine), files: ["schema.sql": SemanticRuleTests.pricingSchema])
    }

    @Test func aReadableSQLChangeIsAppliedToTheSchema() throws {
        let found = try diagnostics("""
                - sql:
                    name: reshape
                    up: "ALTER TABLE pricing ADD COLUMN tier text, DROP COLUMN amount; CREATE INDEX pricing_tier ON pricing (tier); UPDATE pricing SET tier = 'a';"
                    down: "SELECT 1"
                - dropColumn:
                    table: pricing
                    column: amount
                - dropIndex:
                    name: pricing_tier
                    table: pricing
                - dropColumn:
                    table: pricing
                    column: tier
            """)
        let errors = found.filter { $0.severity == .error }
        #expect(errors.map(\.rule) == [.unknownColumn], "\(found.map(\.message))")
        #expect(errors.first?.message.contains("dropped by the sql change 'reshape'") == true, "\(errors.map(\.message))")
    }

    @Test func anUnreadableSQLChangeSaysWhichChecksStop() throws {
        let found = try diagnostics("""
                - sql:
                    name: dynamic
                    up: "DO $$ BEGIN EXECUTE 'ALTER TABLE pricing DROP COLUMN amount'; END $$;"
                    down: "SELECT 1"
                - dropColumn:
                    table: pricing
                    column: nosuch
            """)
        #expect(!found.contains { $0.rule == .unknownColumn }, "\(found.map(\.message))")
        let note = try #require(found.first { $0.rule == .schemaStatementSkipped && $0.message.contains("sql change 'dynamic'") })
        #expect(note.message.contains("line 1 of its up ('DO"))
        #expect(note.location.line == 20)
    }

    @Test func keywordsAreReadInAnyCase() throws {
        let found = try diagnostics("""
                - addForeignKey:
                    name: pricing_customer_fk
                    table: pricing
                    columns: [id]
                    references:
                      table: customers
                      columns: [id]
                    onDelete: CASCADE
                - createIndex:
                    name: pricing_plan_code
                    table: pricing
                    columns: [plan_code]
                    method: BTree
            """)
        #expect(found.filter { $0.severity == .error }.isEmpty, "\(found.map(\.message))")
        let wrong = try diagnostics("""
                - addForeignKey:
                    name: pricing_customer_fk
                    table: pricing
                    columns: [id]
                    references:
                      table: customers
                      columns: [id]
                    onDelete: CASCADES
            """)
        #expect(wrong.contains { $0.rule == .invalidEnum && $0.message.contains("did you mean 'cascade'") }, "\(wrong.map(\.message))")
    }

    @Test func anUppercaseOnDeleteLowersLikeTheLowercaseOne() throws {
        func sql(_ action: String) throws -> String {
            let text = base.spec("""
                    - addForeignKey:
                        name: pricing_customer_fk
                        table: pricing
                        columns: [id]
                        references:
                          table: customers
                          columns: [id]
                        onDelete: \(action)
                """)
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cutover-kw-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: folder) }
            try Data(SemanticRuleTests.pricingSchema.utf8).write(to: folder.appendingPathComponent("schema.sql"))
            try Data(text.utf8).write(to: folder.appendingPathComponent("spec.yaml"))
            let compiler = Compiler()
            let validated = try #require(try compiler.check(fileAt: folder.appendingPathComponent("spec.yaml").path).validated)
            return compiler.plan(validated).steps.map { $0.up.statements.map(\.text).joined() }.joined(separator: "\n")
        }
        #expect(try sql("CASCADE") == (try sql("cascade")))
        #expect(try sql("No  Action") == (try sql("no action")))
    }
}
