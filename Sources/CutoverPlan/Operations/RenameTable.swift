/// `renameTable`: in expand the table takes its new name and a `SELECT *` view keeps the old one (simple
/// views are updatable, so the old app version keeps reading and writing it); contract drops the view.
/// The old name exists at every moment (spec-language.md, Phases): PostgreSQL renames and creates the view
/// in one transaction; MySQL commits each DDL, so its renderer puts the view in place first and swaps
/// names in one atomic multi-table RENAME TABLE (`MySQLRenderer`).
package struct RenameTable: OperationUnit {
    package var from: Name
    package var to: Name

    package static let keyword = "renameTable"

    package static let field = Field("renameTable", .object(ObjectShape("renameTable", "rename a table with a compatibility view", [
        Field("from", SpecShape.identifier, required: true, "current name"),
        Field("to", SpecShape.identifier, required: true, "new name"),
    ])), "rename a table; a view under the old name keeps old readers working until contract")

    package static func read(_ node: SyntaxNode, _ reader: SpecBuilder) -> RenameTable? {
        guard let from = reader.name(node["from"]), let to = reader.name(node["to"]) else { return nil }
        return RenameTable(from: from, to: to)
    }

    package static let examples = [
        OperationExample(engine: .postgresql, schema: OperationExample.pricing,
                         changes: "    - renameTable:\n        from: pricing\n        to: prices\n"),
        OperationExample(engine: .mysql, schema: OperationExample.pricingMySQL,
                         changes: "    - renameTable:\n        from: pricing\n        to: prices\n"),
    ]

    package static let rules = [RenamedAfterUseRule.rule, RenamedTableColumnsRule.rule]

    /// The name each table ends up with once every renameTable of `changes` ran in order (a table no
    /// rename starts from keeps its name: absent here). Worked out backwards in one pass: from a change
    /// on, `from` ends up where `to` ends up from the next change on.
    static func finalNames(_ changes: [Change]) -> [String: String] {
        var names: [String: String] = [:]
        for change in changes.reversed() {
            guard let rename = change.operation.unit(RenameTable.self) else { continue }
            names[rename.from.value] = names[rename.to.value] ?? rename.to.value
        }
        return names
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

    /// CUT105 `renamed-table-columns`: a change after a renameTable adds a column to the renamed table in
    /// expand (addColumn, renameColumn, a type change through a copy column). Trial 14f found both
    /// lowerings wrong there: PostgreSQL's version schemas give the renamed table no view of its own (the
    /// new version reads the old type), and a rollback from contract re-creates the compatibility view as
    /// `SELECT *` of the renamed table, which then pins the columns expand added (PostgreSQL: the rollback
    /// of expand cannot drop them; MySQL: the old version's statements fail on the view, 1356). Refused
    /// until the lowering carries it; the rename alone, or changes that add no column, are fine.
    enum RenamedTableColumnsRule: RuleUnit {
        static let rule = Rule(
            id: .renamedTableColumns, name: "renamed-table-columns", severity: .error, checkedBy: [.references],
            summary: "a column is added, renamed or retyped through a copy on a table the same spec renames",
            rationale: "A renamed table keeps its old name as a compatibility view until contract, and an addColumn, a renameColumn or a type change through a copy column adds a column to it in expand. cutover does not carry such a column across that view and the version schemas yet: on PostgreSQL the new version's schema gets no view of the renamed table (it reads the old type), and a rollback from contract re-creates the compatibility view over every column of the renamed table, so the rollback of expand cannot drop the added column (PostgreSQL) or the old version's statements fail on the view while it runs (MySQL, error 1356). Rename the table in a migration of its own, and change its columns in the next one (or the other way round).",
            triggering: [RuleExample(Snippets.spec(database: Snippets.pgDatabase + "    schema: schema.sql\n",
                                          changes: "    - renameTable:\n        from: pricing\n        to: prices\n    - addColumn:\n        table: prices\n        column: {name: tier, type: text}\n"),
                                     files: ["schema.sql": Snippets.pricingSchema]).expecting((22, 16))],
            nonTriggering: [RuleExample(Snippets.spec(database: Snippets.pgDatabase + "    schema: schema.sql\n",
                                      changes: "    - addColumn:\n        table: pricing\n        column: {name: tier, type: text}\n    - renameTable:\n        from: pricing\n        to: prices\n"),
                                 files: ["schema.sql": Snippets.pricingSchema]),
                            RuleExample(Snippets.spec(database: Snippets.pgDatabase + "    schema: schema.sql\n",
                                      changes: "    - renameTable:\n        from: pricing\n        to: prices\n    - createIndex:\n        name: prices_amount_idx\n        table: prices\n        columns: [amount]\n"),
                                 files: ["schema.sql": Snippets.pricingSchema])])

        /// Reports `what` (the change's operation and column) when `table` was renamed earlier in the spec.
        static func check(_ rules: inout ReferenceRules, table: Name, _ what: String) {
            guard let renamed = rules.renamedTables[table.value] else { return }
            rules.report(.renamedTableColumns, Message.renamedTableColumns(table.value, from: renamed.from, line: renamed.line, what: what), table)
        }
    }

    /// The old name must be there; the new one is the spec's from here on.
    package var tables: [Name] { [from, to] }
    package var createdTables: [Name] { [to] }
    /// Its contract step drops the view, which no later change names.
    package func tableWithLaterSteps(engine: MigrationSpec.Engine) -> Name? { nil }

    /// CUT044 for a rename to itself or to a name taken (on PostgreSQL by an index too), CUT041 for an
    /// unknown table, CUT057 when an earlier change still has complete or contract steps on the table.
    package func check(_ rules: inout ReferenceRules, change: Change) {
        if from.value == to.value {
            rules.report(.alreadyExists, Message.renameToItself("table", from.value), to)
            return
        }
        guard rules.requireTable(from) else { return }
        if let earlier = rules.laterPhases[from.value] {
            rules.report(.renamedAfterUse, Message.renamedAfterUse(from.value, to: to.value, earlier: earlier.operation, line: earlier.line), from)
        }
        guard rules.claimTable(to) else { return }
        rules.renamedTables[to.value] = (from: rules.renamedTables[from.value]?.from ?? from.value, line: change.location.line)
        rules.compatibilityViews[from.value] = (table: to.value, line: change.location.line)
        rules.schema.rename(table: from.value, to: to.value, reason: "it was renamed to '\(to.value)' at line \(change.location.line)")
        rules.tableIdentity[to.value] = rules.tableIdentity[from.value] ?? from.value
    }

    func lower(_ r: Recipe) -> [StepDraft] {
        let from = self.from.value, to = self.to.value
        return [
            StepDraft(.expand, slug: "rename_table \(from)",
                      title: "rename table \(from) to \(to), with a compatibility view \(from)", change: r.change,
                      up: [SQLStatement(.renameTableLeavingView(from: from, to: to))],
                      down: [SQLStatement(.undoRenameTableLeavingView(from: from, to: to))]),
            StepDraft(.contract, slug: "rename_table \(from) drop_view", title: "drop the compatibility view \(from)", change: r.change,
                      up: [SQLStatement(.dropCompatibilityView(name: from))],
                      down: [SQLStatement(.compatibilityView(name: from, table: to))]),
        ]
    }

    /// The table, its indexes and constraints, and foreign keys that reference it follow the new name.
    func apply(to schema: inout DatabaseSchema, engine: MigrationSpec.Engine) {
        let from = self.from.value, to = self.to.value
        if let index = schema.tables.firstIndex(where: { $0.name == from }) { schema.tables[index].name = to }
        for i in schema.indexes.indices where schema.indexes[i].table == from { schema.indexes[i].table = to }
        for i in schema.constraints.indices {
            if schema.constraints[i].table == from { schema.constraints[i].table = to }
            if schema.constraints[i].referencedTable == from { schema.constraints[i].referencedTable = to }
        }
    }
}

extension RuleID {
    public static let renamedAfterUse = RuleID("CUT057")
    public static let renamedTableColumns = RuleID("CUT105")
}

extension Message {
    public static func renamedTableColumns(_ table: String, from: String, line: Int, what: String) -> String {
        "table '\(table)' is renamed from '\(from)' on line \(line) of this spec, and \(what) adds a column to it in expand, which cutover does not carry across the compatibility view and the version schemas yet (a rollback from contract would fail); rename the table in a migration of its own and change its columns in the next one"
    }
    public static func renamedAfterUse(_ table: String, to: String, earlier: String, line: Int) -> String {
        "table '\(table)' is renamed after the \(earlier) on line \(line), whose complete or contract steps would then find '\(table)' as the compatibility view; rename the table in a migration of its own (a column change after the rename is CUT105), or put this renameTable first and name '\(to)' in a change that adds no column"
    }
}
