extension RuleID {
    public static let retypedColumnKey = RuleID("CUT094")
    public static let retypedIndexColumns = RuleID("CUT095")
    public static let retypedIndexPredicate = RuleID("CUT078")
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
package enum RetypedColumnKeyRule: RuleUnit {
    package static let rule = Rule(
        id: .retypedColumnKey, name: "retyped-column-key", severity: .error, checkedBy: [.references],
        summary: "an index or constraint is added on a column an earlier change of the spec retypes through a copy column",
        rationale: "A type change that cannot happen in place adds a copy column in expand and swaps it in at contract, when the old column is quarantined under a `_cutover_` name. A createIndex, addUnique, addCheck or addForeignKey after it is lowered against the column as it stands, the old one, so after contract it sits on the quarantined column and the column under the final name has none (a check no longer holds, a unique key no longer refuses duplicates). Put the change before the alterColumn (the type change rebuilds the table's indexes and constraints on its copy), or make it in a migration of its own after this one. Only the second works for a PostgreSQL check when the type changes family (integer to numeric, text to integer: the check would be carried to the copy word for word, CUT108) and for a partial index that reads the column in its WHERE but not among its keys (it is not rebuilt on the copy, CUT078); the hint then offers only that.",
        triggering: [RuleExample(Snippets.spec(database: Snippets.pgDatabase + "    schema: schema.sql\n", changes: retype + index),
                                 files: ["schema.sql": Snippets.pricingSchema]).expecting((25, 19)),
                     RuleExample(Snippets.spec(database: Snippets.pgDatabase + "    schema: schema.sql\n", changes: retype + check),
                                 files: ["schema.sql": Snippets.pricingSchema]).expecting((25, 21))],
        nonTriggering: [RuleExample(Snippets.spec(database: Snippets.pgDatabase + "    schema: schema.sql\n", changes: index + retype),
                                    files: ["schema.sql": Snippets.pricingSchema])])

    static let indexRule = Rule(
        id: .retypedIndexColumns, name: "retyped-index-columns", severity: .error, checkedBy: [.references],
        summary: "two columns of one index or key are retyped through copy columns in the same spec",
        rationale: "Each type change through a copy column rebuilds the table's indexes and keys that include its column (as a key, or a PostgreSQL INCLUDE column) over its copy, under the index's name with a `_cutover_new` suffix. With two such columns in one index, the second rebuild finds that name taken (it is skipped, or fails), and contract's swap of the first column renames the index away from under the second (MySQL: error 1176; PostgreSQL: relation already exists): contract fails with the old version gone. Retype one column of the index per migration.",
        triggering: [RuleExample(Snippets.spec(database: Snippets.pgDatabase + "    schema: schema.sql\n", changes: twoRetypes),
                                 files: ["schema.sql": pairs]).expecting((25, 15)),
                     // An INCLUDE column counts (trial 14j: such an index is rebuilt on the copy too).
                     RuleExample(Snippets.spec(database: Snippets.pgDatabase + "    schema: schema.sql\n", changes: twoRetypes),
                                 files: ["schema.sql": pairsIncluded]).expecting((25, 15))],
        nonTriggering: [RuleExample(Snippets.spec(database: Snippets.pgDatabase + "    schema: schema.sql\n",
                                                  changes: "    - alterColumn:\n        table: pairs\n        column: a\n        type: numeric(20,2)\n"),
                                    files: ["schema.sql": pairs])])

    /// CUT078 `retyped-index-predicate` (trial 14h MUST-FIX 1, PostgreSQL): a partial index whose WHERE
    /// reads a column retyped through a copy keeps reading the quarantined column after contract (the
    /// index's keys move to the copy, its predicate does not), so a partial unique index no longer refuses
    /// what it did.
    static let predicateRule = Rule(
        id: .retypedIndexPredicate, name: "retyped-index-predicate", severity: .error, checkedBy: [.references],
        summary: "a partial index's WHERE reads a column the spec retypes through a copy column",
        rationale: "A type change through a copy column rebuilds the indexes that have the column among their keys on the copy (their WHERE rewritten with it), but not a partial index that only reads the column in its WHERE, so after contract that index reads the quarantined old column: a partial unique index stops refusing what it refused, and the planner stops using the index for the queries it served. Drop the index in this migration (dropIndex) and create it again in the next one, or retype the column in a migration of its own after dropping the index.",
        triggering: [RuleExample(Snippets.spec(database: Snippets.pgDatabase + "    schema: schema.sql\n", changes: retypeQty),
                                 files: ["schema.sql": stock]).expecting((21, 15))],
        nonTriggering: [RuleExample(Snippets.spec(database: Snippets.pgDatabase + "    schema: schema.sql\n",
                                                  changes: "    - dropIndex:\n        name: stock_live_sku_uq\n        table: stock\n" + retypeQty),
                                    files: ["schema.sql": stock])])

    private static let retypeQty = "    - alterColumn:\n        table: stock\n        column: qty\n        type: numeric(12,3)\n"
    private static let stock = "CREATE TABLE stock (\n    id  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,\n    sku text NOT NULL,\n    qty integer NOT NULL\n);\nCREATE UNIQUE INDEX stock_live_sku_uq ON stock (sku) WHERE qty > 0;\n"

    private static let retype = "    - alterColumn:\n        table: pricing\n        column: amount\n        type: numeric(12,2)\n"
    private static let index = "    - createIndex:\n        name: pricing_amount_idx\n        table: pricing\n        columns: [amount]\n"
    private static let check = "    - addCheck:\n        name: pricing_amount_positive\n        table: pricing\n        expression: amount > 0\n"
    private static let twoRetypes = "    - alterColumn:\n        table: pairs\n        column: a\n        type: numeric(20,2)\n"
        + "    - alterColumn:\n        table: pairs\n        column: b\n        type: numeric(20,2)\n"
    private static let pairsIncluded = "CREATE TABLE pairs (\n    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,\n    a  integer NOT NULL,\n    b  integer NOT NULL\n);\nCREATE INDEX pairs_a_inc ON pairs (a) INCLUDE (b);\n"
    private static let pairs = "CREATE TABLE pairs (\n    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,\n    a  integer NOT NULL,\n    b  integer NOT NULL\n);\nCREATE INDEX pairs_ab_idx ON pairs (a, b);\n"
}

extension Message {
    static func retypedColumnKey(_ column: String, table: String, line: Int, what: String) -> String {
        "'\(table).\(column)' is retyped through a copy column by the change at line \(line); \(what) here would be built on the old column, which contract quarantines, and the column under its final name would have none: put this change before that alterColumn, or in a migration of its own after this one"
    }
    /// CUT094 when the change cannot go before the retype either (`notBefore` says why).
    static func retypedColumnKeyAfterOnly(_ column: String, table: String, line: Int, what: String, notBefore: String) -> String {
        "'\(table).\(column)' is retyped through a copy column by the change at line \(line); \(what) here would be built on the old column, which contract quarantines, and the column under its final name would have none: make this change in a migration of its own, after this one's contract (\(notBefore))"
    }
    package static let indexBeforeRetype = "before that alterColumn it would not do either: an index that reads the column in its WHERE but not among its keys is not rebuilt on the copy, which CUT078 refuses"
    package static func checkBeforeFamilyRetype(old: String, new: String) -> String {
        "before that alterColumn it would not do either: the change retypes \(old) into \(new), another family of types, and a check on the column would be carried to the copy word for word, which CUT108 refuses"
    }
    static func retypedIndexPredicate(_ column: String, table: String, index: String) -> String {
        "partial index '\(index)' reads '\(table).\(column)' in its WHERE but not among its keys, and this type change goes through a copy column: such an index is not rebuilt on the copy, so after contract its WHERE would read the quarantined old column; drop the index in this migration and create it again in the next one"
    }
    static func retypedIndexColumns(_ column: String, table: String, index: String, other: String, line: Int) -> String {
        "'\(table).\(column)' and '\(other)' (retyped at line \(line)) are both in \(index), and both type changes go through copy columns: each rebuilds the index over its copy under one name, and contract would fail; retype one column of \(index) per migration"
    }
}
