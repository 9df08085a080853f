extension RuleID {
    public static let columnChangedTwice = RuleID("CUT052")
}

/// CUT052 `column-changed-twice`: one column is changed by more than one change.
package enum ColumnChangedTwiceRule: RuleUnit {
    package static let rule = Rule(
        id: .columnChangedTwice, name: "column-changed-twice", severity: .error, checkedBy: [.references],
        summary: "one column is changed by more than one change",
        rationale: "Each change is lowered on its own into steps that run in phase order, against the column as it stands when the migration is planned (MySQL's MODIFY restates the whole column definition). A second change of the same column (rename then alter, add then alter, alter twice, alter then drop) would run against a column that is not what either change expects. Where one change can say both, merge them: one alterColumn with the type, nullability and default together, an addColumn that declares the column as it should end. No change renames a column and changes it otherwise, so a rename and a retype (or any other change of the column) take two migrations: the second one after the first one's contract.",
        triggering: [RuleExample(Snippets.spec(changes: "    - renameColumn:\n        table: pricing\n        from: amount\n        to: price\n    - alterColumn:\n        table: pricing\n        column: price\n        type: numeric(12,2)\n")).expecting((23, 17))],
        nonTriggering: [RuleExample(Snippets.spec(changes: "    - renameColumn:\n        table: pricing\n        from: amount\n        to: price\n"))])
}

extension Message {
    /// `operation`: the later change. The hint names what the user can do for the pair: no change renames a
    /// column and alters it too, an addColumn can declare the column as it should end.
    public static func columnChangedTwice(_ column: String, table: String, earlier: String, line: Int, operation: String) -> String {
        let hint: String
        if earlier == "addColumn" {
            hint = operation == "dropColumn" ? "leave out both changes" : "declare the column in that addColumn as it should end instead"
        } else if earlier == "renameColumn" || operation == "renameColumn" {
            hint = "no change both renames a column and changes it otherwise, so use two migrations: the rename in one, the other change in the next (after this one's contract)"
        } else {
            hint = "merge them into one change or use two migrations"
        }
        return "column '\(table).\(column)' is already changed by the \(earlier) at line \(line); cutover cannot combine two changes of one column in one migration: \(hint)"
    }
}
