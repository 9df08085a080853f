/// A list of rules with lookups by id: what a `DiagnosticBag` takes a default severity from and what
/// `DiagnosticFormatter` names a rule with. The whole list is `RuleRegistry.table`, built above
/// Validation (it holds the operations' and the plan-time checks' rules), and injected from there.
package struct RuleTable: Sendable {
    /// In id order.
    package let rules: [Rule]
    private let byID: [RuleID: Rule]
    /// Every diagnostic asks for its rule's severity: a small table, not a copy of the whole rule.
    private let severities: [RuleID: Diagnostic.Severity]

    package init(_ rules: [Rule]) {
        self.rules = rules.sorted { $0.id < $1.id }
        self.byID = Dictionary(uniqueKeysWithValues: rules.map { ($0.id, $0) })
        self.severities = Dictionary(uniqueKeysWithValues: rules.map { ($0.id, $0.severity) })
    }

    package func rule(_ id: RuleID) -> Rule {
        guard let rule = byID[id] else { preconditionFailure("rule \(id.rawValue) is not registered in RuleRegistry") }
        return rule
    }

    package func severity(_ id: RuleID) -> Diagnostic.Severity {
        guard let severity = severities[id] else { preconditionFailure("rule \(id.rawValue) is not registered in RuleRegistry") }
        return severity
    }
}
