extension RuleID {
    public static let retypedColumnKey = RuleID("CUT094")
    public static let retypedIndexColumns = RuleID("CUT095")
}

/// CUT094 `retyped-column-key`: an index or constraint a change adds on a column that an earlier
/// alterColumn of the same spec retypes through a copy column. Each change is lowered against the
/// columns as they stand, so it is built on the old column, which contract quarantines: the index or
/// constraint ends on `_cutover_…` and the column under the final name has none (trial 14g MUST-FIX 1,
/// both engines; an addCheck `qty >= 0` let `qty = -5` in after contract). Before the type change, the
/// type change rebuilds it on the copy.
///
/// CUT095 `retyped-index-columns`: a second column of one index (or unique or primary key) retyped
/// through a copy in the same spec. Each type change rebuilds the index over its own copy under one
/// name, so the second build is skipped or collides and contract fails (trial 14g MUST-FIX 2: MySQL
/// 1176, PostgreSQL "relation … already exists").
///
/// Both refused until the lowering builds these on the copy columns. Reported from `ReferenceRules`
/// (`checkRetypedKeyColumns`, `checkRetypedIndexColumns`).
enum RetypedColumnKeyRule: RuleUnit {
    static let rule = Rule(
        id: .retypedColumnKey, name: "retyped-column-key", severity: .error, checkedBy: [.references],
        summary: "an index or constraint is added on a column an earlier change of the spec retypes through a copy column",
        rationale: "A type change that cannot happen in place adds a copy column in expand and swaps it in at contract, when the old column is quarantined under a `_cutover_` name. A createIndex, addUnique, addCheck or addForeignKey after it is lowered against the column as it stands, the old one, so after contract it sits on the quarantined column and the column under the final name has none (a check no longer holds, a unique key no longer refuses duplicates). Put the change before the alterColumn (the type change rebuilds the table's indexes and constraints on its copy), or make it in a migration of its own after this one.",
        triggering: [RuleExample(Snippets.spec(database: Snippets.pgDatabase + "    schema: schema.sql\n", changes: retype + index),
                                 files: ["schema.sql": Snippets.pricingSchema]).expecting((25, 19))],
        nonTriggering: [RuleExample(Snippets.spec(database: Snippets.pgDatabase + "    schema: schema.sql\n", changes: index + retype),
                                    files: ["schema.sql": Snippets.pricingSchema])])

    static let indexRule = Rule(
        id: .retypedIndexColumns, name: "retyped-index-columns", severity: .error, checkedBy: [.references],
        summary: "two columns of one index or key are retyped through copy columns in the same spec",
        rationale: "Each type change through a copy column rebuilds the table's indexes and keys that include its column over its copy, under the index's name with a `_cutover_new` suffix. With two such columns in one index, the second rebuild finds that name taken (it is skipped, or fails), and contract's swap of the first column renames the index away from under the second (MySQL: error 1176; PostgreSQL: relation already exists): contract fails with the old version gone. Retype one column of the index per migration.",
        triggering: [RuleExample(Snippets.spec(database: Snippets.pgDatabase + "    schema: schema.sql\n", changes: twoRetypes),
                                 files: ["schema.sql": pairs]).expecting((25, 15))],
        nonTriggering: [RuleExample(Snippets.spec(database: Snippets.pgDatabase + "    schema: schema.sql\n",
                                                  changes: "    - alterColumn:\n        table: pairs\n        column: a\n        type: numeric(20,2)\n"),
                                    files: ["schema.sql": pairs])])

    private static let retype = "    - alterColumn:\n        table: pricing\n        column: amount\n        type: numeric(12,2)\n"
    private static let index = "    - createIndex:\n        name: pricing_amount_idx\n        table: pricing\n        columns: [amount]\n"
    private static let twoRetypes = "    - alterColumn:\n        table: pairs\n        column: a\n        type: numeric(20,2)\n"
        + "    - alterColumn:\n        table: pairs\n        column: b\n        type: numeric(20,2)\n"
    private static let pairs = "CREATE TABLE pairs (\n    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,\n    a  integer NOT NULL,\n    b  integer NOT NULL\n);\nCREATE INDEX pairs_ab_idx ON pairs (a, b);\n"
}

extension Message {
    static func retypedColumnKey(_ column: String, table: String, line: Int, what: String) -> String {
        "'\(table).\(column)' is retyped through a copy column by the change at line \(line); \(what) here would be built on the old column, which contract quarantines, and the column under its final name would have none: put this change before that alterColumn, or in a migration of its own after this one"
    }
    static func retypedIndexColumns(_ column: String, table: String, index: String, other: String, line: Int) -> String {
        "'\(table).\(column)' and '\(other)' (retyped at line \(line)) are both in \(index), and both type changes go through copy columns: each rebuilds the index over its copy under one name, and contract would fail; retype one column of \(index) per migration"
    }
}
