/// Collects the diagnostics of one spec file while the stages run; stages add, never throw.
public struct DiagnosticBag: Sendable {
    public let file: String
    public private(set) var diagnostics: [Diagnostic] = []
    /// Where a reported rule's default severity comes from: every rule, injected from above Validation
    /// (`RuleRegistry.table`; `DiagnosticBag(file:)` is declared there), since the operations' rules and
    /// the plan-time checks' are declared there.
    package let rules: RuleTable

    package init(file: String, rules: RuleTable) {
        self.file = file
        self.rules = rules
    }

    public mutating func report(_ rule: RuleID, _ message: String, at location: SourceLocation, severity: Diagnostic.Severity? = nil) {
        diagnostics.append(Diagnostic(rule, severity ?? rules.severity(rule), message, file: file, at: location))
    }

    public mutating func append(contentsOf other: [Diagnostic]) {
        diagnostics.append(contentsOf: other)
    }

    public var hasErrors: Bool {
        diagnostics.contains { $0.severity == .error }
    }
}
