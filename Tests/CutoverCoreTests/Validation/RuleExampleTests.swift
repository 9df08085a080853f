import Foundation
import Testing
@testable import CutoverCore

/// Every rule's documented examples are its tests: the triggering spec reports the rule, the fixed spec
/// reports no error and nothing from that rule.
@Suite struct RuleExampleTests {
    @Test(arguments: RuleID.allCases)
    func triggeringExampleReportsTheRule(_ rule: RuleID) throws {
        let example = RuleDocumentation.entry(rule).trigger
        if rule == .duplicateMigration {
            // Reported by `generate` across specs: both specs are valid and share one name.
            let first = try ValidationHarness.check(example.spec)
            let second = try ValidationHarness.check(try #require(example.files["other.yaml"]))
            #expect(!first.contains { $0.severity == .error } && !second.contains { $0.severity == .error })
            #expect(Self.name(of: example.spec) == Self.name(of: example.files["other.yaml"]!))
            return
        }
        let diagnostics = try ValidationHarness.check(example.spec, files: example.files)
        #expect(diagnostics.contains { $0.rule == rule }, "\(rule.rawValue) not reported: \(diagnostics.map(\.message))")
        #expect(diagnostics.allSatisfy { $0.location.line >= 1 && $0.location.column >= 1 })
    }

    @Test(arguments: RuleID.allCases)
    func fixedExampleIsClean(_ rule: RuleID) throws {
        let example = RuleDocumentation.entry(rule).fix
        let diagnostics = try ValidationHarness.check(example.spec, files: example.files.filter { $0.key.hasSuffix(".sql") })
        #expect(!diagnostics.contains { $0.severity == .error }, "\(rule.rawValue) fix has errors: \(diagnostics.map(\.message))")
        #expect(!diagnostics.contains { $0.rule == rule })
        if rule == .duplicateMigration {
            #expect(Self.name(of: example.spec) != Self.name(of: example.files["other.yaml"]!))
        }
    }

    @Test(arguments: RuleID.allCases)
    func explainShowsEverything(_ rule: RuleID) {
        let text = RuleDocumentation.explain(rule)
        #expect(text.hasPrefix("\(rule.rawValue) \(rule.name) (\(rule.defaultSeverity.rawValue))"))
        #expect(text.contains("Triggers:") && text.contains("Fix:"))
        let summary = RuleDocumentation.summary(rule)
        #expect(!summary.isEmpty && !summary.hasSuffix(".") && summary.first?.isLowercase == true)
    }

    private static func name(of spec: String) -> String? {
        spec.split(separator: "\n").first { $0.hasPrefix("  name: ") }.map(String.init)
    }
}
