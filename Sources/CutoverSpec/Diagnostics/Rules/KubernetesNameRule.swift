extension RuleID {
    public static let kubernetesName = RuleID("CUT024")
}

/// CUT024 `kubernetes-name`: a Kubernetes name, label or flag key is not valid.
package enum KubernetesNameRule: RuleUnit {
    package static let rule = Rule(
        id: .kubernetesName, name: "kubernetes-name", severity: .error, checkedBy: [.shape],
        summary: "a Kubernetes name, label or flag key is not valid",
        rationale: "Namespaces, Secrets, Services and labels end up in manifests; the API server would reject them later, so cutover rejects them now.",
        triggering: [RuleExample(Snippets.spec().replacingOccurrences(of: "namespace: billing", with: "namespace: Billing")).expecting((5, 14))],
        nonTriggering: [RuleExample(Snippets.spec())])
}

extension Message {
    public static func kubernetesName(_ text: String, field: String, problem: String) -> String {
        "'\(text)' is not a valid value for '\(field)': \(problem)"
    }
    public static func flagKey(_ text: String) -> String {
        "'\(text)' is not a valid feature-flag key: use letters, digits, '_', '-' and '.'"
    }
}
