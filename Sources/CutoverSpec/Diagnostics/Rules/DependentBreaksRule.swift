extension RuleID {
    public static let dependentBreaks = RuleID("CUT061")
}

/// CUT061 `dependent-breaks`: a view, trigger or generated column of the base schema would break or go stale after the change.
package enum DependentBreaksRule: RuleUnit {
    package static let rule = Rule(
        id: .dependentBreaks, name: "dependent-breaks", severity: .error, checkedBy: [.dependents],
        summary: "a view, trigger or generated column of the base schema would break or go stale after the change",
        rationale: "A rename or drop retires the column under a quarantine name in contract. A PostgreSQL view bound to it would go on serving the quarantined, no longer written values; a MySQL view, and a trigger on either engine, names the column and fails on its next use (every write to the table, for a trigger). cutover cannot rewrite a view or trigger body safely, so the change is refused: change the view or trigger in a migration before this one (a `sql` change in the same spec does not count: the dependents are read from the schema file, which that migration's new dump then reflects). A PostgreSQL generated column computed from the column is refused for the same reason (and for a type change, which the server refuses under it). On MySQL, so is a generated column computed from a column whose type change goes through a copy column (not one MySQL makes in place, such as a VARCHAR widening without `up`): the swap renames the column away, MySQL rewrites the generated column to follow it, and it would compute from the quarantined column (NULL for every new row). A materialized view over a type-changed column is refused too (recreating it would recompute it under the swap's lock), and on MySQL a view over a renamed or dropped table.",
        triggering: [RuleExample(Snippets.spec(database: Snippets.pgDatabase + "    schema: schema.sql\n", changes: "    - renameColumn:\n        table: pricing\n        from: amount\n        to: amount_cents\n"),
                                 files: ["schema.sql": Snippets.pricingSchema + "CREATE VIEW pricing_amounts AS SELECT id, amount FROM pricing;\n"]).expecting((20, 15))],
        nonTriggering: [RuleExample(Snippets.spec(database: Snippets.pgDatabase + "    schema: schema.sql\n", changes: "    - renameColumn:\n        table: pricing\n        from: amount\n        to: amount_cents\n"),
                             files: ["schema.sql": Snippets.pricingSchema])])
}

extension Message {
    public static func materializedViewOverTypeChange(_ view: String, line: Int, table: String, column: String) -> String {
        "materialized view '\(view)' (schema line \(line)) uses '\(table).\(column)': recreating it would recompute it while the table is locked; drop it in a migration before this one and create it again after this one (this check reads the schema file: a `sql` change in this spec does not lift it)"
    }

    public static func viewUsesRetiredColumn(_ view: String, line: Int, table: String, column: String, by what: String, mysql: Bool) -> String {
        "view '\(view)' (schema line \(line)) uses '\(table).\(column)': after \(what) it would \(mysql ? "fail on every use once contract renames the column away" : "go on reading the quarantined column and serve stale values"); change the view in a migration before this one (this check reads the schema file: a `sql` change in this spec does not lift it)"
    }

    public static func triggerUsesRetiredColumn(_ trigger: String, line: Int, table: String, column: String, by what: String) -> String {
        "trigger '\(trigger)' (schema line \(line)) uses '\(table).\(column)': after \(what) every write it fires on would fail once contract renames the column away; change the trigger in a migration before this one (this check reads the schema file: a `sql` change in this spec does not lift it)"
    }

    public static func generatedColumnUses(_ generated: String, table: String, column: String, by what: String) -> String {
        "generated column '\(table).\(generated)' is computed from '\(column)': after \(what) it would \(what == "the type change" ? "block the change (the server refuses to change a column a generated column uses)" : "compute from the quarantined column or fail"); change it in a migration before this one (this check reads the schema file: a `sql` change in this spec does not lift it)"
    }

    public static func viewOverRetiredTable(_ view: String, line: Int, table: String, by what: String) -> String {
        "view '\(view)' (schema line \(line)) reads '\(table)': after \(what) it fails on every use once contract removes the old name; change the view in a migration before this one (this check reads the schema file: a `sql` change in this spec does not lift it)"
    }
}
