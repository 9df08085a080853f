extension RuleID {
    public static let renamedAfterUse = RuleID("CUT057")
}

/// CUT057 `renamed-after-use`: a table is renamed after a change that still has steps to run on it later.
enum RenamedAfterUseRule: RuleUnit {
    static let rule = Rule(
        id: .renamedAfterUse, name: "renamed-after-use", severity: .error, checkedBy: [.references],
        summary: "a table is renamed after a change that still has steps to run on it later",
        rationale: "Each change is lowered against the tables as they stand at that change, and every expand step runs before any complete or contract step. A change on a table (a unique key, a validated check or foreign key, a NOT NULL, a column rename, retype or drop) followed by a renameTable of that table would run its complete and contract steps under the old name, where only the compatibility view is left by then: an index, a constraint or a column change on a view fails. Rename the table first, and name the new table in the changes after it.",
        triggering: [RuleExample(Snippets.spec(database: Snippets.pgDatabase + "    schema: schema.sql\n",
                                      changes: "    - addCheck:\n        name: pricing_amount_positive\n        table: pricing\n        expression: \"amount > 0\"\n    - renameTable:\n        from: pricing\n        to: prices\n"),
                                 files: ["schema.sql": Snippets.pricingSchema]).expecting((23, 15))],
        nonTriggering: [RuleExample(Snippets.spec(database: Snippets.pgDatabase + "    schema: schema.sql\n",
                                  changes: "    - renameTable:\n        from: pricing\n        to: prices\n    - addCheck:\n        name: pricing_amount_positive\n        table: prices\n        expression: \"amount > 0\"\n"),
                             files: ["schema.sql": Snippets.pricingSchema])])
}

extension Message {
    public static func renamedAfterUse(_ table: String, to: String, earlier: String, line: Int) -> String {
        "table '\(table)' is renamed after the \(earlier) on line \(line), whose complete or contract steps would then find '\(table)' as the compatibility view; put this renameTable first and name '\(to)' in that change"
    }
}
