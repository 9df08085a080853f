extension RuleID {
    public static let count = RuleID("CUT032")
}

/// CUT032 `count`: a count (replicas, instances, batch size) is out of range.
package enum CountRule: RuleUnit {
    package static let rule = Rule(
        id: .count, name: "count", severity: .error, checkedBy: [.shape],
        summary: "a count (replicas, instances, batch size) is out of range",
        rationale: "Zero replicas or a zero batch size would stop the workload or the backfill.",
        triggering: [RuleExample(Snippets.spec(app: Snippets.app + "    replicas: 0\n")).expecting((16, 15))],
        nonTriggering: [RuleExample(Snippets.spec(app: Snippets.app + "    replicas: 2\n"))])
}
