extension RuleID {
    public static let apiVersion = RuleID("CUT015")
}

/// CUT015 `api-version`: apiVersion or kind is not cutover.dev/v1alpha1 Migration.
package enum ApiVersionRule: RuleUnit {
    package static let rule = Rule(
        id: .apiVersion, name: "api-version", severity: .error, checkedBy: [.shape],
        summary: "apiVersion or kind is not cutover.dev/v1alpha1 Migration",
        rationale: "The version tells cutover which language the file is written in; only v1alpha1 exists.",
        triggering: [RuleExample(Snippets.spec().replacingOccurrences(of: "cutover.dev/v1alpha1", with: "cutover.dev/v2")).expecting((1, 13))],
        nonTriggering: [RuleExample(Snippets.spec())])
}

extension Message {
    public static func apiVersion(_ value: String) -> String {
        "apiVersion must be 'cutover.dev/v1alpha1', found '\(value)'"
    }
    public static func kind(_ value: String) -> String { "kind must be 'Migration', found '\(value)'" }
}
