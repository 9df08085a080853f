extension RuleID {
    public static let anchorAlias = RuleID("CUT004")
}

/// CUT004 `anchor-alias`: anchors, aliases and merge keys are not allowed.
package enum AnchorAliasRule: RuleUnit {
    package static let rule = Rule(
        id: .anchorAlias, name: "anchor-alias", severity: .error, checkedBy: [.syntax],
        summary: "anchors, aliases and merge keys are not allowed",
        rationale: "Aliases make a reviewer chase values across the file and allow exponential expansion ('billion laughs'). Write every value out.",
        triggering: [RuleExample(Snippets.spec().replacingOccurrences(of: "  namespace: billing", with: "  namespace: &ns billing\n  labels:\n    team: *ns")).expecting((5, 14))],
        nonTriggering: [RuleExample(Snippets.spec().replacingOccurrences(of: "  namespace: billing", with: "  namespace: billing\n  labels:\n    team: billing"))])
}

extension Message {
    public static let alias = "YAML aliases are not allowed in specs; write the value out"
    public static let anchor = "YAML anchors are not allowed in specs; write the value out"
    public static let mergeKey = "YAML merge keys '<<' are not allowed in specs; write the keys out"
}
