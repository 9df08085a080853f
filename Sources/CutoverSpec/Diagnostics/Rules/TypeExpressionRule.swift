extension RuleID {
    public static let typeExpression = RuleID("CUT023")
}

/// CUT023 `type-expression`: a column type is not a type expression.
package enum TypeExpressionRule: RuleUnit {
    package static let rule = Rule(
        id: .typeExpression, name: "type-expression", severity: .error, checkedBy: [.shape],
        summary: "a column type is not a type expression",
        rationale: "Types such as 'numeric(12,2)', 'timestamp with time zone', 'text[]' or 'VARCHAR(1024)' are accepted; anything that could end the statement is not.",
        triggering: [RuleExample(Snippets.spec(changes: Snippets.tierChange.replacingOccurrences(of: "type: text", with: "type: varchar(32"))).expecting((21, 17))],
        nonTriggering: [RuleExample(Snippets.spec(changes: Snippets.tierChange.replacingOccurrences(of: "type: text", with: "type: varchar(32)")))])
}

extension Message {
    public static func typeExpression(_ text: String, problem: String) -> String {
        "'\(text)' is not a valid type expression: \(problem)"
    }
}
