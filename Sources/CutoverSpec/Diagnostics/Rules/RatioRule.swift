extension RuleID {
    public static let ratio = RuleID("CUT031")
}

/// CUT031 `ratio`: a ratio is outside [0, 1] or a number of seconds is negative.
package enum RatioRule: RuleUnit {
    package static let rule = Rule(
        id: .ratio, name: "ratio", severity: .error, checkedBy: [.shape],
        summary: "a ratio is outside [0, 1] or a number of seconds is negative",
        rationale: "Error ratios gate the canary analysis; a value over 1 would never abort.",
        triggering: [RuleExample(Snippets.spec(extra: Snippets.rollout(analysis: "      maxErrorRatio: 1.5\n"))).expecting((22, 22))],
        nonTriggering: [RuleExample(Snippets.spec(extra: Snippets.rollout(analysis: "      maxErrorRatio: 0.01\n")))])
}
