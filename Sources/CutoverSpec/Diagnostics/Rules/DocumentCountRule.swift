extension RuleID {
    public static let documentCount = RuleID("CUT006")
}

/// CUT006 `document-count`: the file holds no document or more than one.
package enum DocumentCountRule: RuleUnit {
    package static let rule = Rule(
        id: .documentCount, name: "document-count", severity: .error, checkedBy: [.syntax],
        summary: "the file holds no document or more than one",
        rationale: "One spec file is one migration, so output folders and diagnostics map one-to-one to files.",
        triggering: [RuleExample(Snippets.spec() + "---\n" + Snippets.spec()).expecting((22, 1))],
        nonTriggering: [RuleExample(Snippets.spec())])
}

extension Message {
    public static let noDocument = "file holds no YAML document; a spec is one mapping"
    public static let multipleDocuments = "file holds more than one YAML document; put each migration in its own file"
}
