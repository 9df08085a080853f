@testable import CutoverPlan
@testable import CutoverSpec
@testable import CutoverCore
@testable import CutoverProof
import Foundation
import Testing

/// Every operation unit's examples are its tests, over the registry: each validates without errors on
/// its engine over its base schema, is planned into steps of its change, and every up/down pair of the
/// plan passes `verify` on a real server (PostgreSQL 15, MariaDB 10.11 for MySQL).
@Suite(.serialized) struct OperationExampleTests {
    struct ExampleCase: Sendable, CustomTestStringConvertible {
        var keyword: String
        var index: Int
        var example: OperationExample
        var testDescription: String { "\(keyword) #\(index + 1) (\(example.engine.rawValue))" }
    }

    static let cases = OperationUnits.all.flatMap { unit in
        unit.examples.enumerated().map { ExampleCase(keyword: unit.keyword, index: $0.offset, example: $0.element) }
    }
    static let postgres = cases.filter { $0.example.engine == .postgresql && $0.example.refusal == nil }
    static let mysql = cases.filter { $0.example.engine == .mysql && $0.example.refusal == nil }

    @Test func everyUnitHasAnExampleOnEachEngine() {
        for unit in OperationUnits.all {
            #expect(Set(unit.examples.map(\.engine)) == unit.engines, "\(unit.keyword) needs an example on each engine that has it")
            #expect(unit.examples.allSatisfy { $0.changes.contains("- \(unit.keyword):") }, "\(unit.keyword)'s examples must use it")
        }
    }

    @Test(arguments: cases)
    func exampleValidates(_ item: ExampleCase) throws {
        let diagnostics = try ValidationHarness.check(item.example.spec, files: ["schema.sql": item.example.schema])
        if let refusal = item.example.refusal {
            // An operation the engine does not have: refused with its rule, and nothing else.
            #expect(!diagnostics.isEmpty && diagnostics.allSatisfy { $0.rule == refusal }, "\(item): \(diagnostics.map(\.message))")
            return
        }
        #expect(!diagnostics.contains { $0.severity == .error }, "\(item): \(diagnostics.map(\.message))")
    }

    @Test(.enabled(if: DatabaseHarness.shouldRun(.postgresql), unavailable(.postgresql)), arguments: postgres)
    func postgresExamplePassesVerify(_ item: ExampleCase) throws {
        try Self.verify(item)
    }

    @Test(.enabled(if: DatabaseHarness.shouldRun(.mysql), unavailable(.mysql)), arguments: mysql)
    func mysqlExamplePassesVerify(_ item: ExampleCase) throws {
        try Self.verify(item)
    }

    /// An operation an engine lacks is refused there (CUT080), at the change: each example of the unit,
    /// moved to that engine, reports it.
    @Test func anEngineWithoutTheOperationRefusesIt() throws {
        for unit in OperationUnits.all {
            for engine in Set([MigrationSpec.Engine.postgresql, .mysql]).subtracting(unit.engines) {
                for example in unit.examples {
                    let moved = OperationExample(engine: engine, schema: "", changes: example.changes)
                    let spec = moved.spec.replacingOccurrences(of: "    schema: schema.sql\n", with: "")
                    let diagnostics = try ValidationHarness.check(spec, files: [:])
                    #expect(diagnostics.contains { $0.rule == .engineLacksOperation }, "\(unit.keyword) on \(engine.rawValue): \(diagnostics.map(\.message))")
                }
            }
        }
    }

    /// A broken example fails: the same spec with its constraint or index renamed to one the schema
    /// does not have is refused, so an example that stopped meaning anything would be caught.
    @Test func aBrokenExampleIsCaught() throws {
        let example = try #require(DropConstraint.examples.first)
        let broken = example.changes.replacingOccurrences(of: "pricing_amount_small", with: "pricing_amount_tiny")
        let diagnostics = try ValidationHarness.check(OperationExample(engine: example.engine, schema: example.schema, changes: broken).spec,
                                                      files: ["schema.sql": example.schema])
        #expect(diagnostics.contains { $0.rule == .unknownConstraint })
    }

    static func verify(_ item: ExampleCase) throws {
        let folder = TestPaths.temporaryFolder("operation-example")
        defer { try? FileManager.default.removeItem(at: folder) }
        try Data(item.example.schema.utf8).write(to: folder.appendingPathComponent("schema.sql"))
        let path = folder.appendingPathComponent("spec.yaml")
        try Data(item.example.spec.utf8).write(to: path)
        let compiler = Compiler()
        let result = try compiler.check(fileAt: path.path)
        let validated = try #require(result.validated, "\(item): \(result.diagnostics.map(\.message))")
        let plan = compiler.plan(validated)
        #expect(plan.steps.contains { $0.changeIndex == 0 }, "\(item) planned no step of its change")
        final class Lines: @unchecked Sendable { var all: [String] = [] }
        let lines = Lines()
        let verifier = Verifier(plan: plan, options: .init(databaseURL: try DatabaseHarness.shared.url(item.example.engine)),
                                emit: { lines.all.append($0) })
        let report = try verifier.run()
        #expect(!report.steps.isEmpty && report.passed, "\(item):\n\(lines.all.joined(separator: "\n"))")
    }
}
