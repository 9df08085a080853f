extension RuleID {
    public static let url = RuleID("CUT038")
}

/// CUT038 `url`: a URL is not a plain http(s) address.
package enum URLRule: RuleUnit {
    package static let rule = Rule(
        id: .url, name: "url", severity: .error, checkedBy: [.shape],
        summary: "a URL is not a plain http(s) address",
        rationale: "The Prometheus address goes into the AnalysisTemplate; it must be http or https and carry no credentials.",
        triggering: [RuleExample(Snippets.spec(extra: Snippets.rollout(prometheus: "ftp://prometheus.monitoring.svc:9090"))).expecting((21, 19))],
        nonTriggering: [RuleExample(Snippets.spec(extra: Snippets.rollout()))])
}

extension Message {
    public static func url(_ text: String, field: String, problem: String) -> String {
        "'\(text)' is not a valid URL for '\(field)': \(problem)"
    }
}
