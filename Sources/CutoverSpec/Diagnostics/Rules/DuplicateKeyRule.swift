extension RuleID {
    public static let duplicateKey = RuleID("CUT005")
}

/// CUT005 `duplicate-key`: a key appears twice in one mapping.
package enum DuplicateKeyRule: RuleUnit {
    package static let rule = Rule(
        id: .duplicateKey, name: "duplicate-key", severity: .error, checkedBy: [.syntax],
        summary: "a key appears twice in one mapping",
        rationale: "YAML parsers disagree on which duplicate wins; cutover refuses to guess.",
        triggering: [RuleExample(Snippets.spec().replacingOccurrences(of: "  namespace: billing", with: "  namespace: billing\n  namespace: payments")).expecting((6, 3))],
        nonTriggering: [RuleExample(Snippets.spec())])
}

extension Message {
    public static func duplicateKey(_ key: String) -> String { "duplicate key '\(key)'" }
}
