extension RuleID {
    public static let unsafeSQL = RuleID("CUT022")
}

/// CUT022 `unsafe-sql`: an SQL fragment could end the statement or hide text.
package enum UnsafeSQLRule: RuleUnit {
    package static let rule = Rule(
        id: .unsafeSQL, name: "unsafe-sql", severity: .error, checkedBy: [.shape],
        summary: "an SQL fragment could end the statement or hide text",
        rationale: "Defaults, expressions and checks are spliced into generated statements; ';', comments, unbalanced quotes or parentheses, dollar quotes or backslashes could run other SQL. Client commands in hand-written 'sql' scripts are CUT027.",
        triggering: [RuleExample(Snippets.spec(changes: Snippets.tierChange.replacingOccurrences(of: "type: text", with: "type: text\n          default: \"'basic'; DROP TABLE pricing\""))).expecting((22, 20))],
        nonTriggering: [RuleExample(Snippets.spec(changes: Snippets.tierChange.replacingOccurrences(of: "type: text", with: "type: text\n          default: \"'basic'\"")))])
}

extension Message {
    public static func unsafeSQL(_ field: String, problem: String) -> String {
        "'\(field)' is not a safe SQL expression: \(problem)"
    }
}
