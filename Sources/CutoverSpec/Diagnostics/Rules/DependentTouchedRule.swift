extension RuleID {
    public static let dependentTouched = RuleID("CUT060")
}

/// CUT060 `dependent-touched`: a change touches views or partitions of the base schema, and the lowering handles them (warning).
package enum DependentTouchedRule: RuleUnit {
    package static let rule = Rule(
        id: .dependentTouched, name: "dependent-touched", severity: .warning, checkedBy: [.dependents],
        summary: "a change touches views or partitions of the base schema, and the lowering handles them (warning)",
        rationale: "PostgreSQL refuses to change the type of a column a view uses, and after a column swap a view goes on reading the column it was bound to, now quarantined. So views over a type-changed column are dropped and created again from the schema file's definitions in the same transaction as the change, with the owner, options, defaults, grants, comments, triggers and rules they have on the server when it runs. The owner must get each view back (a view reads with its owner's rights): where the Jobs' role cannot give it back (not a member of the owning role, or that role may not create in the view's schema, and no superuser), the step stops before changing anything and names the grant that mends it. CREATE INDEX CONCURRENTLY is refused on a partitioned table: the index is created on the parent only (ON ONLY), built concurrently on each partition and attached. The warning names what is touched, so a reviewer can check it.",
        triggering: [RuleExample(Snippets.spec(database: Snippets.pgDatabase + "    schema: schema.sql\n", changes: "    - alterColumn:\n        table: pricing\n        column: amount\n        type: bigint\n"),
                                 files: ["schema.sql": Snippets.pricingSchema + "CREATE VIEW pricing_amounts AS SELECT id, amount FROM pricing;\n"]).expecting((21, 15))],
        nonTriggering: [RuleExample(Snippets.spec(database: Snippets.pgDatabase + "    schema: schema.sql\n", changes: "    - alterColumn:\n        table: pricing\n        column: amount\n        type: bigint\n"),
                             files: ["schema.sql": Snippets.pricingSchema])])
}

extension Message {
    public static func viewsRecreated(_ views: [String], table: String, column: String) -> String {
        "the type change of '\(table).\(column)' recreates view\(views.count == 1 ? "" : "s") \(views.map { "'\($0)'" }.joined(separator: ", ")) from the schema file in the same transaction (PostgreSQL refuses to change a column a view uses, and a view keeps reading the column it was bound to), with the owner, options, defaults, grants, comments, triggers and rules they have on the server (the plan README says what is lost)"
    }

    public static func partitionedIndex(_ name: String, table: String, partitions: Int) -> String {
        "'\(table)' is partitioned: index '\(name)' is created on the parent only, built concurrently on each of its \(partitions) partition\(partitions == 1 ? "" : "s") and attached (PostgreSQL refuses CREATE INDEX CONCURRENTLY on a partitioned table)"
    }
}
