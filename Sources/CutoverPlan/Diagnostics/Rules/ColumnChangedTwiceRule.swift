extension RuleID {
    public static let columnChangedTwice = RuleID("CUT052")
}

/// CUT052 `column-changed-twice`: one column is changed by more than one change.
enum ColumnChangedTwiceRule: RuleUnit {
    static let rule = Rule(
        id: .columnChangedTwice, name: "column-changed-twice", severity: .error, checkedBy: [.references],
        summary: "one column is changed by more than one change",
        rationale: "Each change is lowered on its own into steps that run in phase order, against the column as it stands when the migration is planned (MySQL's MODIFY restates the whole column definition). A second change of the same column (rename then alter, add then alter, alter twice, alter then drop) would run against a column that is not what either change expects. Merge them into one change, or use two migrations.",
        triggering: [RuleExample(Snippets.spec(changes: "    - renameColumn:\n        table: pricing\n        from: amount\n        to: price\n    - alterColumn:\n        table: pricing\n        column: price\n        type: numeric(12,2)\n")).expecting((23, 17))],
        nonTriggering: [RuleExample(Snippets.spec(changes: "    - renameColumn:\n        table: pricing\n        from: amount\n        to: price\n"))])
}

extension Message {
    public static func columnChangedTwice(_ column: String, table: String, earlier: String, line: Int) -> String {
        "column '\(table).\(column)' is already changed by the \(earlier) at line \(line); cutover cannot combine two changes of one column in one migration: merge them into one change or use two migrations"
    }
}
