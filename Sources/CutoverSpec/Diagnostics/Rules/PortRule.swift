extension RuleID {
    public static let port = RuleID("CUT033")
}

/// CUT033 `port`: a port is not in 1..65535.
package enum PortRule: RuleUnit {
    package static let rule = Rule(
        id: .port, name: "port", severity: .error, checkedBy: [.shape],
        summary: "a port is not in 1..65535",
        rationale: "Ports go into Services, probes and NetworkPolicies.",
        triggering: [RuleExample(Snippets.spec(app: Snippets.app + "    port: 70000\n")).expecting((16, 11))],
        nonTriggering: [RuleExample(Snippets.spec(app: Snippets.app + "    port: 8080\n"))])
}
