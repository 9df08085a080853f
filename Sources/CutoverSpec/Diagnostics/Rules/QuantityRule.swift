extension RuleID {
    public static let quantity = RuleID("CUT037")
}

/// CUT037 `quantity`: a resource amount is not a Kubernetes quantity.
package enum QuantityRule: RuleUnit {
    package static let rule = Rule(
        id: .quantity, name: "quantity", severity: .error, checkedBy: [.shape],
        summary: "a resource amount is not a Kubernetes quantity",
        rationale: "CPU, memory and volume sizes are written into manifests as quantities such as '500m' or '1Gi'.",
        triggering: [RuleExample(Snippets.spec(app: Snippets.app + "    resources:\n      requests:\n        memory: lots\n")).expecting((18, 17))],
        nonTriggering: [RuleExample(Snippets.spec(app: Snippets.app + "    resources:\n      requests:\n        memory: 256Mi\n"))])
}

extension Message {
    public static func quantity(_ text: String, field: String) -> String {
        "'\(text)' is not a valid Kubernetes quantity for '\(field)', e.g. '500m', '1Gi'"
    }
}
