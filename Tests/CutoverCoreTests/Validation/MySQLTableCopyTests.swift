@testable import CutoverPlan
@testable import CutoverSpec
@testable import CutoverCore
import Foundation
import Testing

/// CUT073: every MySQL step, forward or rollback, that copies a table (ALTER TABLE … ALGORITHM=COPY,
/// LOCK=SHARED: writes blocked for the whole copy) is warned about at its change, and its title and the
/// plan README say so; nothing else is. Checked against the plans themselves: the shared examples, the
/// valid fixtures and the warning fixtures 174-176.
@Suite struct MySQLTableCopyTests {
    static let root = ValidationHarness.packageRoot

    static let specs: [String] = ValidationHarness.files(in: "fixtures/valid", ending: ".yaml").map { "fixtures/valid/\($0)" }
        + ["fixtures/invalid/174-mysql-add-check-table-copy.yaml", "fixtures/invalid/175-mysql-rollback-table-copy.yaml",
           "fixtures/invalid/176-mysql-rename-checked-column.yaml"]
        + ((try? FileManager.default.contentsOfDirectory(atPath: root.deletingLastPathComponent().appendingPathComponent("shared/examples").path)) ?? [])
            .filter { $0.hasSuffix(".yaml") }.sorted().map { "../shared/examples/\($0)" }

    static func compile(_ relative: String) throws -> (result: Compiler.Result, plan: MigrationPlan) {
        let result = try Compiler().check(fileAt: root.appendingPathComponent(relative).path)
        let validated = try #require(result.validated, "\(relative): \(result.diagnostics.map(\.message))")
        return (result, Compiler().plan(validated))
    }

    /// The statement's kind is what its text does: every ALGORITHM=COPY a recipe writes is marked as a
    /// table copy of its table, and nothing else is. (Read from the text here only, to hold the recipes to it.)
    @Test(arguments: specs)
    func everyCopyStatementIsMarked(_ relative: String) throws {
        let plan = try Self.compile(relative).plan
        for step in plan.steps {
            for statement in step.up.statements + step.down.statements {
                let copies = statement.text.contains("ALGORITHM=COPY")
                #expect(copies == (statement.copiedTable != nil), "\(relative) step \(step.number) '\(step.title)': \(statement.text.prefix(160))")
                if let table = statement.copiedTable {
                    #expect(statement.text.contains("ALTER TABLE `\(table)`"), "\(relative) step \(step.number): \(table)")
                }
            }
        }
    }

    /// The warnings are the plan's copy steps, one per step and direction, at the step's change; the
    /// titles say it (forward: a table copy; rollback only: its rollback is one).
    @Test(arguments: specs)
    func warningsNameExactlyThePlansCopySteps(_ relative: String) throws {
        let (result, plan) = try Self.compile(relative)
        let spec = plan.spec
        func accepted(_ table: String) -> Bool { spec.acceptedTableCopies.contains { $0.value.lowercased() == table.lowercased() } }
        var expected: [String] = []
        for step in plan.steps {
            let forward = step.up.statements.compactMap(\.copiedTable), rollback = step.down.statements.compactMap(\.copiedTable)
            if !forward.isEmpty {
                #expect(step.title.hasSuffix(MySQLDialect.tableCopyTitle), "\(relative): \(step.title)")
            } else if !rollback.isEmpty {
                #expect(step.title.hasSuffix(MySQLDialect.rollbackCopyTitle), "\(relative): \(step.title)")
            } else {
                #expect(!step.title.contains("table copy"), "\(relative): \(step.title)")
            }
            guard !(forward + rollback).isEmpty else { continue }
            let change = try #require(spec.changes.first { $0.index == step.changeIndex }, "\(relative) step \(step.number) copies a table but belongs to no change")
            let at = "\(change.location.line):\(change.location.column)"
            if forward.contains(where: { !accepted($0) }) { expected.append("\(at) forward \(step.title)") }
            if rollback.contains(where: { !accepted($0) }) { expected.append("\(at) rollback \(step.title)") }
        }
        let reported = try result.diagnostics.filter { $0.rule == .mysqlTableCopy }.map { diagnostic -> String in
            let message = diagnostic.message
            let start = try #require(message.range(of: " step '")), end = try #require(message.range(of: "' copies table"))
            let direction = message.hasPrefix("the rollback of ") ? "rollback" : "forward"
            return "\(diagnostic.location.line):\(diagnostic.location.column) \(direction) \(message[start.upperBound..<end.lowerBound])"
        }
        #expect(reported.sorted() == expected.sorted(), "\(relative)")
        #expect(result.diagnostics.filter { $0.rule == .mysqlTableCopy }.allSatisfy { $0.severity == .warning })
        if spec.database.engine == .postgresql { #expect(reported.isEmpty) }
    }

    /// An in-place widening is online forward and not reported for it; its rollback narrows with a copy
    /// and is, naming the table, the phase and the way out. The README's step table and note say the same.
    @Test func inPlaceWideningIsReportedForItsRollbackOnly() throws {
        let (result, plan) = try Self.compile("../shared/examples/orders-customer-ref.yaml")
        let warnings = result.diagnostics.filter { $0.rule == .mysqlTableCopy }
        #expect(warnings.count == 1)
        let message = try #require(warnings.first?.message)
        #expect(message.hasPrefix("the rollback of expand step 'widen orders.note to VARCHAR(1024) in place (metadata-only)"))
        #expect(message.contains("copies table 'orders' on MySQL (ALGORITHM=COPY, LOCK=SHARED)"))
        #expect(message.contains("gh-ost") && message.contains("acceptTableCopies"))
        let widen = try #require(plan.steps.first { $0.title.hasPrefix("widen orders.note") })
        #expect(widen.up.statements.allSatisfy { $0.copiedTable == nil })
        #expect(widen.down.statements.contains { $0.copiedTable == "orders" })
        let readme = try #require(Compiler().emit(plan).first { $0.path == "README.md" }?.contents)
        #expect(readme.contains("| \(widen.number) | \(widen.title) |"))
        #expect(readme.contains("rollback is a table copy: writes blocked |"))
        #expect(readme.contains("**Table copies.** The rollback of step \(widen.number) copies table `orders` (MySQL ALTER TABLE … ALGORITHM=COPY, LOCK=SHARED; warning CUT073)"))
    }

    /// `acceptTableCopies` silences the warning for the tables it lists, and only for them.
    @Test func acceptedTablesAreNotReported() throws {
        let path = Self.root.appendingPathComponent("fixtures/invalid/176-mysql-rename-checked-column.yaml").path
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let schema = try String(contentsOfFile: Self.root.appendingPathComponent("fixtures/invalid/schemas/shop-mysql-checks.sql").path, encoding: .utf8)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cutover-table-copy-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("schemas"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try schema.write(to: folder.appendingPathComponent("schemas/shop-mysql-checks.sql"), atomically: true, encoding: .utf8)
        func tables(_ spec: String) throws -> [String] {
            try spec.write(to: folder.appendingPathComponent("spec.yaml"), atomically: true, encoding: .utf8)
            let result = try Compiler().check(fileAt: folder.appendingPathComponent("spec.yaml").path)
            #expect(!result.hasErrors, "\(result.diagnostics.map(\.message))")
            return result.diagnostics.filter { $0.rule == .mysqlTableCopy }.compactMap { diagnostic in
                diagnostic.message.range(of: "copies table '").map { String(diagnostic.message[$0.upperBound...].prefix { $0 != "'" }) }
            }
        }
        #expect(try tables(text) == ["orders", "orders", "orders"])
        let none = try tables(text.replacingOccurrences(of: "acceptTableCopies: [customers]", with: "acceptTableCopies: [Orders, customers]"))
        #expect(none.isEmpty)
        let all = try tables(text.replacingOccurrences(of: "  acceptTableCopies: [customers]\n", with: ""))
        #expect(all.sorted() == ["customers", "customers", "orders", "orders", "orders"])
    }

    /// No PostgreSQL step copies a table: `acceptTableCopies` there is refused where it is written (CUT035).
    @Test func acceptTableCopiesIsMySQLOnly() throws {
        let spec = Snippets.spec(database: Snippets.pgDatabase + "    schema: schema.sql\n", extra: "  acceptTableCopies: [pricing]\n")
        let diagnostics = try ValidationHarness.check(spec, files: ["schema.sql": Snippets.pricingSchema])
        #expect(ValidationHarness.summary(diagnostics) == ["CUT035 17:22"])
        #expect(diagnostics.first?.message.contains("'acceptTableCopies' is for MySQL") == true)
        let mysql = Snippets.spec(database: Snippets.mysqlDatabase + "    schema: schema.sql\n", extra: "  acceptTableCopies: [pricing]\n")
        #expect(try ValidationHarness.check(mysql, files: ["schema.sql": OperationExample.pricingMySQL]).isEmpty)
    }
}
