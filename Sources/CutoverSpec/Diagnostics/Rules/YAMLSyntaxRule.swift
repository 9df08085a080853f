extension RuleID {
    public static let yamlSyntax = RuleID("CUT001")
}

/// CUT001 `yaml-syntax`: the file is not well-formed YAML.
package enum YAMLSyntaxRule: RuleUnit {
    package static let rule = Rule(
        id: .yamlSyntax, name: "yaml-syntax", severity: .error, checkedBy: [.syntax],
        summary: "the file is not well-formed YAML",
        rationale: "A spec must parse before anything else can be checked. The message names the problem libyaml found and where.",
        triggering: [RuleExample(Snippets.spec().replacingOccurrences(of: "namespace: billing", with: "namespace: [billing")).expecting((6, 5))],
        nonTriggering: [RuleExample(Snippets.spec())])
}

extension Message {
    public static let parserUnavailable = "the YAML parser could not start"
    public static func yamlSyntax(problem: String, context: String?) -> String {
        if let context, !context.isEmpty { return "invalid YAML: \(problem) (\(context))" }
        return "invalid YAML: \(problem)"
    }
}
