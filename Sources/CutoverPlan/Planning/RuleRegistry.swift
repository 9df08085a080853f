/// Every rule, in id order: the spec's own (`SpecRules`), each operation's (declared in its file,
/// `OperationUnits.rules`), the checks that read one operation's typed value (`OperationChecks.rules`)
/// and the plan-time checks that lower the spec (`PlanChecks.rules`). `cutover explain`, docs/rules.md,
/// SARIF and the rule example tests read this list; the validator gets it injected (`SpecLanguage.cutover`).
package enum RuleRegistry {
    package static let table = RuleTable(SpecRules.rules + OperationUnits.rules + OperationChecks.rules + PlanChecks.rules)

    package static var rules: [Rule] { table.rules }

    static func rule(_ id: RuleID) -> Rule { table.rule(id) }
}

extension RuleID {
    /// The rule this id names, with its documentation and examples.
    public var rule: Rule { RuleRegistry.rule(self) }

    /// The kebab-case name shown beside the id in `explain` and SARIF.
    public var name: String { rule.name }

    public var defaultSeverity: Diagnostic.Severity { RuleRegistry.table.severity(self) }

    /// Every registered rule's id, in id order.
    public static var allCases: [RuleID] { RuleRegistry.rules.map(\.id) }

    /// Finds a rule by id (`CUT010`, case-insensitive) or by name (`unknown-key`).
    public static func lookup(_ text: String) -> RuleID? {
        allCases.first { $0.rawValue.lowercased() == text.lowercased() || $0.name == text.lowercased() }
    }
}

extension DiagnosticBag {
    /// A bag that knows every rule's default severity.
    public init(file: String) {
        self.init(file: file, rules: RuleRegistry.table)
    }
}

extension DiagnosticFormatter {
    /// A formatter that names every rule.
    public init(format: Format, color: Bool = false, excerpts: Bool = false) {
        self.init(format: format, rules: RuleRegistry.table, color: color, excerpts: excerpts)
    }
}
