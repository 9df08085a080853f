/// One rule as a value, in the shape of SwiftLint's and swift-format's rules: its stable id, its name
/// and default severity, its documentation (what `cutover explain` prints and docs/rules.md lists), the
/// specs that trigger it and the specs that do not, and the check units that report it. The examples
/// are run as tests (Tests/CutoverCoreTests/Validation/RuleExampleTests.swift): each triggering example
/// must report exactly this rule's diagnostics at the expected places, each non-triggering one none.
///
/// A rule lives in one file, `Diagnostics/Rules/<Name>Rule.swift` (or beside its check when the check
/// is its own type, like `ReplicaIdentityRule`), with its id, this value and its message builders, and is
/// registered by one line in `RuleRegistry`. docs/architecture.md says how to add one.
public struct Rule: Sendable {
    public var id: RuleID
    /// The kebab-case name shown beside the id in `explain` and SARIF.
    public var name: String
    public var severity: Diagnostic.Severity
    /// The check units that report this rule.
    public var checkedBy: [RuleCheck]
    /// One line, lower case, no trailing period.
    public var summary: String
    public var rationale: String
    /// Specs that report the rule; the first is the documented one ("Triggers:").
    public var triggering: [RuleExample] { makeTriggering() }
    /// Specs that do not; the first is the documented fix ("Fix:").
    public var nonTriggering: [RuleExample] { makeNonTriggering() }

    /// The examples are built when asked for (explain, docs, tests), not when a diagnostic asks for
    /// its rule's severity: validating a spec never pays for them.
    private let makeTriggering: @Sendable () -> [RuleExample]
    private let makeNonTriggering: @Sendable () -> [RuleExample]

    public init(id: RuleID, name: String, severity: Diagnostic.Severity, checkedBy: [RuleCheck], summary: String,
                rationale: String, triggering: @autoclosure @escaping @Sendable () -> [RuleExample],
                nonTriggering: @autoclosure @escaping @Sendable () -> [RuleExample]) {
        self.id = id
        self.name = name
        self.severity = severity
        self.checkedBy = checkedBy
        self.summary = summary
        self.rationale = rationale
        self.makeTriggering = triggering
        self.makeNonTriggering = nonTriggering
    }

    /// The text `cutover explain CUTnnn` prints.
    public var explanation: String {
        var text = "\(id.rawValue) \(name) (\(severity.rawValue))\n\n\(summary)\n\n\(rationale)\n\n"
        text += "Triggers:\n\n" + Self.render(triggering[0]) + "\nFix:\n\n" + Self.render(nonTriggering[0])
        return text
    }

    private static func render(_ example: RuleExample) -> String {
        var text = indent(example.spec)
        for name in example.files.keys.sorted() {
            text += "\n  with \(name) beside it:\n\n" + indent(example.files[name]!)
        }
        return text
    }

    private static func indent(_ text: String) -> String {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { $0.isEmpty ? "" : "    " + $0 }
        while lines.last?.isEmpty == true { lines.removeLast() }
        return lines.joined(separator: "\n") + "\n"
    }
}

/// A type that holds one rule: `enum UnknownKeyRule: RuleUnit { static let rule = Rule(...) }`.
package protocol RuleUnit {
    static var rule: Rule { get }
}
