extension RuleID {
    public static let sqlIdentifier = RuleID("CUT021")
}

/// CUT021 `sql-identifier`: a table, column, index or constraint name is not a plain SQL identifier.
package enum SQLIdentifierRule: RuleUnit {
    package static let rule = Rule(
        id: .sqlIdentifier, name: "sql-identifier", severity: .error, checkedBy: [.shape, .consistency],
        summary: "a table, column, index or constraint name is not a plain SQL identifier",
        rationale: "Names are quoted in the generated SQL, but must still be portable: a letter or '_', then letters, digits, '_' or '$', at most 63 characters on PostgreSQL (64 on MySQL). Anything else is usually an injection attempt or a typo.",
        triggering: [RuleExample(Snippets.spec(changes: Snippets.tierChange.replacingOccurrences(of: "table: pricing", with: "table: pricing-v2"))).expecting((18, 16))],
        nonTriggering: [RuleExample(Snippets.spec(changes: Snippets.tierChange.replacingOccurrences(of: "table: pricing", with: "table: pricing_v2")))])
}

extension Message {
    public static func sqlIdentifier(_ text: String, field: String, problem: String) -> String {
        "'\(text)' in '\(field)' is not a valid SQL identifier: \(problem)"
    }
    public static func postgresIdentifierLength(_ text: String) -> String {
        "'\(text)' is longer than 63 characters, PostgreSQL's limit for identifiers"
    }
}
