extension RuleID {
    public static let complexKey = RuleID("CUT008")
}

/// CUT008 `complex-key`: a mapping key is not a plain string.
package enum ComplexKeyRule: RuleUnit {
    package static let rule = Rule(
        id: .complexKey, name: "complex-key", severity: .error, checkedBy: [.syntax],
        summary: "a mapping key is not a plain string",
        rationale: "Every key in the spec language is a name; lists or mappings as keys are never meaningful.",
        triggering: [RuleExample(Snippets.spec().replacingOccurrences(of: "  namespace: billing", with: "  namespace: billing\n  labels:\n    ? [team, owner]\n    : analytics")).expecting((7, 7))],
        nonTriggering: [RuleExample(Snippets.spec().replacingOccurrences(of: "  namespace: billing", with: "  namespace: billing\n  labels:\n    team: analytics"))])
}

extension Message {
    public static let complexKey = "mapping keys must be plain strings"
}
