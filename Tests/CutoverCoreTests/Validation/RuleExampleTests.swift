@testable import CutoverPlan
@testable import CutoverSpec
import Foundation
import Testing

/// Every rule's examples are its tests, over the registry: a triggering example reports exactly that
/// rule's diagnostics, at exactly the places it declares (1-based line:column, in the spec or in a file
/// beside it); a non-triggering example reports no error and nothing from that rule.
@Suite struct RuleExampleTests {
    static let triggering = RuleRegistry.rules.flatMap { rule in rule.triggering.indices.map { ExampleCase(rule: rule, index: $0) } }
    static let nonTriggering = RuleRegistry.rules.flatMap { rule in rule.nonTriggering.indices.map { ExampleCase(rule: rule, index: $0) } }

    struct ExampleCase: Sendable, CustomTestStringConvertible {
        var rule: Rule
        var index: Int
        var testDescription: String { "\(rule.id.rawValue) \(rule.name) #\(index + 1)" }
    }

    @Test(arguments: triggering)
    func triggeringExampleReportsTheRuleWhereItSays(_ item: ExampleCase) throws {
        let example = item.rule.triggering[item.index]
        #expect(!example.expected.isEmpty, "a triggering example must say where it reports")
        let places = try Self.places(of: item.rule, in: example)
        #expect(places == example.expected, "\(item.rule.id.rawValue) reported at \(places), example expects \(example.expected)")
    }

    @Test(arguments: nonTriggering)
    func nonTriggeringExampleIsClean(_ item: ExampleCase) throws {
        let example = item.rule.nonTriggering[item.index]
        #expect(example.expected.isEmpty, "a non-triggering example expects nothing")
        if item.rule.checkedBy == [.generate] {
            #expect(try Self.places(of: item.rule, in: example).isEmpty)
            return
        }
        let diagnostics = try ValidationHarness.check(example.spec, files: example.files.filter { $0.key.hasSuffix(".sql") })
        #expect(!diagnostics.contains { $0.severity == .error }, "\(item.rule.id.rawValue) example has errors: \(diagnostics.map(\.message))")
        #expect(!diagnostics.contains { $0.rule == item.rule.id })
    }

    @Test(arguments: RuleRegistry.rules.map(\.id))
    func explainShowsEverything(_ id: RuleID) {
        let rule = id.rule
        #expect(rule.explanation.hasPrefix("\(id.rawValue) \(rule.name) (\(rule.severity.rawValue))"))
        #expect(rule.explanation.contains("Triggers:") && rule.explanation.contains("Fix:"))
        #expect(!rule.summary.isEmpty && !rule.summary.hasSuffix(".") && rule.summary.first?.isLowercase == true)
        #expect(!rule.triggering.isEmpty && !rule.nonTriggering.isEmpty && !rule.checkedBy.isEmpty)
    }

    /// Ids are unique, `CUTnnn`, registered in order; names are unique kebab-case.
    @Test func registryIsWellFormed() {
        let ids = RuleRegistry.rules.map(\.id.rawValue)
        #expect(ids == ids.sorted() && Set(ids).count == ids.count)
        #expect(ids.allSatisfy { $0.wholeMatch(of: /CUT[0-9]{3}/) != nil })
        let names = RuleRegistry.rules.map(\.name)
        #expect(Set(names).count == names.count)
        #expect(names.allSatisfy { $0.wholeMatch(of: /[a-z]+(-[a-z]+)*/) != nil })
        #expect(RuleID.lookup("cut010") == .unknownKey && RuleID.lookup("unknown-key") == .unknownKey)
    }

    /// A wrong expectation fails: the same example, expected one column off, does not match.
    @Test func aWrongPlaceIsCaught() throws {
        let example = NotNullWithoutDefaultRule.rule.triggering[0]
        let places = try Self.places(of: NotNullWithoutDefaultRule.rule, in: example)
        let wrong = example.expected.map { RuleExample.Place(line: $0.line, column: $0.column + 1, file: $0.file) }
        #expect(places == example.expected && places != wrong)
        #expect(try Self.places(of: UnknownKeyRule.rule, in: example).isEmpty)
    }

    /// Where the rule is reported for this example, in order. `duplicate-migration` is reported by
    /// `generate` across specs: the spec and its `other.yaml` are validated and compared by name there.
    static func places(of rule: Rule, in example: RuleExample) throws -> [RuleExample.Place] {
        if rule.checkedBy == [.generate] {
            let first = try ValidationHarness.check(example.spec)
            let other = try #require(example.files["other.yaml"])
            let second = try ValidationHarness.check(other)
            #expect(!first.contains { $0.severity == .error } && !second.contains { $0.severity == .error })
            guard name(of: example.spec) == name(of: other) else { return [] }
            let line = other.split(separator: "\n", omittingEmptySubsequences: false).firstIndex { $0.hasPrefix("  name: ") }!
            return [RuleExample.Place(line: line + 1, column: 9, file: "other.yaml")]
        }
        let diagnostics = try ValidationHarness.check(example.spec, files: example.files)
        return Diagnostic.sorted(diagnostics.filter { $0.rule == rule.id }).map { diagnostic in
            let file = URL(fileURLWithPath: diagnostic.file).lastPathComponent
            return RuleExample.Place(line: diagnostic.location.line, column: diagnostic.location.column,
                                     file: file == "spec.yaml" ? nil : file)
        }
    }

    private static func name(of spec: String) -> String? {
        spec.split(separator: "\n").first { $0.hasPrefix("  name: ") }.map(String.init)
    }
}
