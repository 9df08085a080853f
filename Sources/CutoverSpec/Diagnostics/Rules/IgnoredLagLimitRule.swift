extension RuleID {
    public static let ignoredLagLimit = RuleID("CUT054")
}

/// CUT054 `ignored-lag-limit`: an expand-contract lag limit without a lag query, which nothing checks (warning).
package enum IgnoredLagLimitRule: RuleUnit {
    package static let rule = Rule(
        id: .ignoredLagLimit, name: "ignored-lag-limit", severity: .warning, checkedBy: [.consistency],
        summary: "an expand-contract lag limit without a lag query, which nothing checks (warning)",
        rationale: "Expand-contract's analysis has no replication lag query of its own: the metric depends on the operator, the exporter and which replicas matter. Without 'replicationLagQuery' the AnalysisTemplate and the alerts leave lag out, so 'maxReplicationLagSeconds' would never abort the canary. Give the PromQL that returns the lag in seconds, or remove the limit.",
        triggering: [RuleExample(Snippets.spec(extra: Snippets.rollout(analysis: "      maxReplicationLagSeconds: 5\n      maxErrorRatio: 0.001\n"))).expecting((22, 7))],
        nonTriggering: [RuleExample(Snippets.spec(extra: Snippets.rollout(analysis: "      maxReplicationLagSeconds: 5\n      replicationLagQuery: max(pg_replication_lag_seconds)\n      maxErrorRatio: 0.001\n")))])

    /// Expand-contract has no lag query of its own (the app's database may not be the one whose
    /// replicas matter): a lag limit without `replicationLagQuery` is dropped, so say so.
    static func check(_ spec: SyntaxNode, diagnostics: inout DiagnosticBag) {
        guard let analysis = spec["rollout"]?["analysis"], let lag = analysis.entry("maxReplicationLagSeconds"),
              let value = lag.value.scalarValue.flatMap(Double.init), value >= 0,
              analysis["replicationLagQuery"] == nil else { return }
        diagnostics.report(.ignoredLagLimit, Message.ignoredLagLimit, at: lag.keyLocation)
    }
}

extension Message {
    public static let ignoredLagLimit = "'maxReplicationLagSeconds' is ignored for expand-contract without 'replicationLagQuery': "
        + "the canary is not aborted on replication lag; give 'replicationLagQuery' (PromQL for the lag in seconds) or remove the limit"
}
