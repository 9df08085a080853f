extension RuleID {
    public static let schemaFile = RuleID("CUT045")
}

/// CUT045 `schema-file`: database.schema cannot be used.
package enum SchemaFileRule: RuleUnit {
    package static let rule = Rule(
        id: .schemaFile, name: "schema-file", severity: .error, checkedBy: [.shape, .schemaFile],
        summary: "database.schema cannot be used",
        rationale: "The schema file is read relative to the spec and must stay inside the spec's folder, exist, be UTF-8 and within the size limit.",
        triggering: [RuleExample(Snippets.spec(database: Snippets.pgDatabase + "    schema: missing.sql\n")).expecting((13, 13))],
        nonTriggering: [RuleExample(Snippets.spec(database: Snippets.pgDatabase + "    schema: schema.sql\n"), files: ["schema.sql": Snippets.pricingSchema])])
}

extension Message {
    public static func path(_ text: String, problem: String) -> String { "schema path '\(text)' is not allowed: \(problem)" }
}
