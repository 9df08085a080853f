extension RuleID {
    public static let notNullWithoutDefault = RuleID("CUT040")
}

/// CUT040 `not-null-without-default`: a NOT NULL column with neither a default nor an 'up' expression.
package enum NotNullWithoutDefaultRule: RuleUnit {
    package static let rule = Rule(
        id: .notNullWithoutDefault, name: "not-null-without-default", severity: .error, checkedBy: [.consistency],
        summary: "a NOT NULL column with neither a default nor an 'up' expression",
        rationale: "Existing rows need a value. With a default the column is added in one metadata-only statement; with 'up' it is added nullable, backfilled in batches, then constrained. Without either, the migration cannot succeed on a non-empty table.",
        triggering: [RuleExample(Snippets.spec(changes: Snippets.tierChange.replacingOccurrences(of: "type: text", with: "type: text\n          nullable: false"))).expecting((22, 21))],
        nonTriggering: [RuleExample(Snippets.spec(changes: Snippets.tierChange.replacingOccurrences(of: "type: text", with: "type: text\n          nullable: false\n          default: \"'basic'\"")))])
}

extension Message {
    public static func notNullWithoutDefault(_ column: String) -> String {
        "NOT NULL column '\(column)' needs a 'default' or an 'up' expression to fill existing rows"
    }
}
