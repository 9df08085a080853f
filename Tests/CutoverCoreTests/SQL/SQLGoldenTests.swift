@testable import CutoverPlan
@testable import CutoverSpec
@testable import CutoverEmit
@testable import CutoverCore
import Foundation
import Testing

/// Pins the SQL of every operation on both engines: the two all-operations specs in `SQL/specs/` and
/// the shared examples are planned and every step file is rendered and compared with `SQL/golden/`.
/// `CUTOVER_UPDATE_GOLDEN=1 swift test --filter SQLGoldenTests` rewrites the golden files.
@Suite struct SQLGoldenTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    static let specs = folder.appendingPathComponent("specs")
    static let golden = folder.appendingPathComponent("golden")

    static func plan(_ path: String) throws -> MigrationPlan {
        let compiler = Compiler()
        let result = try compiler.check(fileAt: path)
        let validated = try #require(result.validated, "\(result.diagnostics)")
        return compiler.plan(validated)
    }

    /// Every step's up and down file, in plan order, each under a `==> path` line.
    static func rendered(_ plan: MigrationPlan) -> String {
        var out = ""
        for step in plan.steps {
            let paths = StepFiles.paths(for: step, plan: plan)
            out += "==> \(paths[0]) [reversible: \(step.reversible), transactional: \(step.transactional)]\n"
            out += SQLFileRenderer.render(step, .up, plan: plan)
            out += "==> \(paths[1])\n"
            out += SQLFileRenderer.render(step, .down, plan: plan)
        }
        return out
    }

    func check(_ specPath: String, golden name: String) throws {
        let text = Self.rendered(try Self.plan(specPath))
        let url = Self.golden.appendingPathComponent(name)
        if ProcessInfo.processInfo.environment["CUTOVER_UPDATE_GOLDEN"] == "1" {
            try text.write(to: url, atomically: true, encoding: .utf8)
            return
        }
        let expected = try String(contentsOf: url, encoding: .utf8)
        if text != expected {
            let a = text.split(separator: "\n", omittingEmptySubsequences: false)
            let b = expected.split(separator: "\n", omittingEmptySubsequences: false)
            let line = zip(a, b).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? min(a.count, b.count)
            Issue.record("\(name) differs from the golden file at line \(line + 1):\n  got:      \(line < a.count ? a[line] : "<end>")\n  expected: \(line < b.count ? b[line] : "<end>")")
        }
    }

    @Test func everyOperationOnPostgreSQL() throws {
        try check(Self.specs.appendingPathComponent("pg-all.yaml").path, golden: "pg-all.sql")
    }

    @Test func everyOperationOnMySQL() throws {
        try check(Self.specs.appendingPathComponent("my-all.yaml").path, golden: "my-all.sql")
    }

    @Test(arguments: ["pricing-tiers", "orders-customer-ref", "ledger-pg14"])
    func sharedExample(_ name: String) throws {
        try check(TestPaths.examples.appendingPathComponent("\(name).yaml").path, golden: "\(name).sql")
    }
}
