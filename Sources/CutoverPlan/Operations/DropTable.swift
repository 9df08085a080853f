/// `dropTable`: contract renames the table into quarantine (`_cutover_<migration>_<table>`), so the data
/// stays for a rollback; the opt-in purge drops the quarantined table. Its down can only re-create the
/// table EMPTY from the base schema (each engine's CREATE TABLE, below).
package struct DropTable: OperationUnit {
    package var name: Name

    package static let keyword = "dropTable"

    package static let field = Field("dropTable", .object(ObjectShape("dropTable", "retire a table (contract)", [
        Field("name", SpecShape.identifier, required: true, "table to retire"),
    ])), "retire a table: renamed to a quarantine name in contract, dropped only by the opt-in purge")

    package static func read(_ node: SyntaxNode, _ reader: SpecBuilder) -> DropTable? {
        reader.name(node["name"]).map { DropTable(name: $0) }
    }

    package static let examples = [
        OperationExample(engine: .postgresql, schema: OperationExample.subscriptions(.postgresql), changes: "    - dropTable:\n        name: subscriptions\n"),
        OperationExample(engine: .mysql, schema: OperationExample.subscriptions(.mysql), changes: "    - dropTable:\n        name: subscriptions\n"),
    ]

    package var tables: [Name] { [name] }
    /// Its contract step renames the table away: no later change can name it.
    package func tableWithLaterSteps(engine: MigrationSpec.Engine) -> Name? { nil }

    /// CUT041 for an unknown table; later changes find it gone (and its name not free: `SymbolicSchema.formerTables`).
    package func check(_ rules: inout ReferenceRules, change: Change) {
        guard rules.requireTable(name) else { return }
        rules.schema.remove(table: name.value, reason: "it was dropped at line \(change.location.line)")
    }

    func lower(_ r: Recipe) -> [StepDraft] {
        let name = self.name.value
        let quarantine = r.context.derived.quarantine(name)
        // PostgreSQL's comment says why in more words (the same fact: rename, not drop).
        let why = r.capabilities.transactionalDDL ? " (data kept for rollback)" : ""
        var steps = [StepDraft(.contract, slug: "drop_table \(name)", title: "quarantine table \(name) as \(quarantine)", change: r.change,
                               up: [SQLStatement(.guardedRenameTable(from: name, to: quarantine),
                                                 comment: "Quarantine instead of DROP TABLE\(why); purge is a separate opt-in step.")],
                               down: [SQLStatement(.guardedRenameTable(from: quarantine, to: name))])]
        guard r.context.spec.purge else { return steps }
        var down = r.note("IRREVERSIBLE: the data is gone.")
        if let table = r.context.table(name) {
            down = [r.engine == .postgresql ? postgresRecreate(table, as: quarantine, r.postgres) : mysqlRecreate(table, as: quarantine, r.mysql)]
        }
        steps.append(StepDraft(.purge, slug: "drop_table \(quarantine)", title: "IRREVERSIBLE: drop quarantined table \(quarantine)", change: r.change,
                               up: [SQLStatement(.dropTable(name: quarantine, reason: "quarantined by the contract phase; no app version references it"),
                                                 comment: "IRREVERSIBLE (opt-in purge): drops the quarantined table and its data.")],
                               down: down, reversible: false))
        return steps
    }

    /// Nothing: the quarantined table still counts for verify (`SymbolicSchema.formerTables`), and no later change may use the name.
    func apply(to schema: inout DatabaseSchema, engine: MigrationSpec.Engine) {}

    static let recreateComment = "IRREVERSIBLE: the data is gone. Re-creates the quarantined table EMPTY from the base schema"

    func postgresRecreate(_ table: DatabaseSchema.Table, as quarantine: String, _ b: PostgreSQLBuilder) -> SQLStatement {
        let reason = "the column types are copied from the base schema"
        var lines = table.columns.map {
            PostgreSQLDialect.inlineIgnore(SQLTypeFacts.postgresTypeLints($0.type), reason: reason)
                + "    \(b.q($0.name)) \($0.type)\($0.nullable ? "" : " NOT NULL")\($0.defaultValue.map { " DEFAULT \($0)" } ?? "")"
        }
        if !table.primaryKey.isEmpty { lines.append("    PRIMARY KEY (\(b.n.quoteList(table.primaryKey)))") }
        let lints = Array(Set(table.columns.flatMap { SQLTypeFacts.postgresTypeLints($0.type) })).sorted()
        return SQLStatement("CREATE TABLE IF NOT EXISTS \(b.t(quarantine)) (\n" + lines.joined(separator: ",\n") + "\n);",
                            comment: Self.recreateComment + " (indexes and incoming foreign keys are not restored).",
                            suppressions: lints.map { .init(rule: $0, reason: reason, inline: true) })
    }

    func mysqlRecreate(_ table: DatabaseSchema.Table, as quarantine: String, _ b: MySQLBuilder) -> SQLStatement {
        var lines = table.columns.map { "  \(b.q($0.name)) \(b.definition(type: $0.type, nullable: $0.nullable, defaultValue: $0.defaultValue))" }
        if !table.primaryKey.isEmpty { lines.append("  PRIMARY KEY (\(b.n.quoteList(table.primaryKey)))") }
        for index in b.context.schema.indexes where index.table == name.value {
            lines.append("  \(index.unique ? "UNIQUE " : "")KEY \(b.q(index.name)) (\(b.n.quoteList(index.columns)))")
        }
        return SQLStatement("CREATE TABLE IF NOT EXISTS \(b.q(quarantine)) (\n" + lines.joined(separator: ",\n") + "\n) \(MySQLRenderer.tableOptions);",
                            comment: Self.recreateComment + " (incoming foreign keys are not restored).")
    }
}
