extension RuleID {
    public static let resourceName = RuleID("CUT020")
}

/// CUT020 `resource-name`: metadata.name is not a short DNS-1123 label.
package enum ResourceNameRule: RuleUnit {
    package static let rule = Rule(
        id: .resourceName, name: "resource-name", severity: .error, checkedBy: [.shape],
        summary: "metadata.name is not a short DNS-1123 label",
        rationale: "The name prefixes every generated Kubernetes object and names the output folder; it must be lower case, digits and '-', at most 40 characters so that every derived name stays within 63.",
        triggering: [RuleExample(Snippets.spec().replacingOccurrences(of: "name: pricing-tiers", with: "name: Pricing_Tiers")).expecting((4, 9))],
        nonTriggering: [RuleExample(Snippets.spec())])
}

extension Message {
    public static func resourceName(_ text: String, problem: String) -> String {
        "'\(text)' is not a valid migration name: \(problem); it must be a DNS-1123 label of at most \(MigrationNames.maxLength) characters"
    }
}
