extension RuleID {
    public static let yamlTag = RuleID("CUT007")
}

/// CUT007 `yaml-tag`: a YAML tag other than the core ones is used.
package enum YAMLTagRule: RuleUnit {
    package static let rule = Rule(
        id: .yamlTag, name: "yaml-tag", severity: .error, checkedBy: [.syntax],
        summary: "a YAML tag other than the core ones is used",
        rationale: "Custom tags ('!include', '!!python/object') ask a loader to run code or read files; a spec is plain data.",
        triggering: [RuleExample(Snippets.spec().replacingOccurrences(of: "namespace: billing", with: "namespace: !include billing.txt")).expecting((5, 14))],
        nonTriggering: [RuleExample(Snippets.spec())])
}

extension Message {
    public static func tag(_ tag: String) -> String { "YAML tag '\(tag)' is not allowed in specs" }
}
