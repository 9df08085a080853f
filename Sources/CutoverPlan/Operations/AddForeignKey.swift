/// `addForeignKey`, in complete. PostgreSQL: NOT VALID, then VALIDATE (`NotValidConstraint`). MySQL:
/// in place with foreign_key_checks=0, which never checks existing rows, so a verify step looks for orphans.
struct AddForeignKey: OperationUnit {
    var name: Name
    var table: Name
    var columns: [Name]
    var references: TableReference
    var onDelete: ReferentialAction

    static let keyword = "addForeignKey"
    /// The references form's rules (CUT092, CUT093), declared with it; every foreign key is checked by them.
    static let rules = ForeignKeyActions.rules

    static let field = Field("addForeignKey", .object(ObjectShape("addForeignKey", "add a foreign key without a long lock", [
        Field("name", SpecShape.identifier, required: true, "constraint name"),
        Field("table", SpecShape.identifier, required: true, "referencing table"),
        Field("columns", SpecShape.identifiers, required: true, "referencing columns"),
        Field("references", .object(SpecShape.references), required: true, "referenced table and columns, and the key's actions"),
        Settings.Operation.onDelete.field,
    ])), "add a foreign key: NOT VALID first, validated as a later step (PostgreSQL)")

    static func read(_ node: SyntaxNode, _ reader: SpecBuilder) -> AddForeignKey? {
        guard let constraint = reader.name(node["name"]), let table = reader.name(node["table"]),
              var references = reader.tableReference(node["references"]) else { return nil }
        let onDelete = reader.onDelete(node, &references)
        return AddForeignKey(name: constraint, table: table, columns: reader.names(node["columns"]), references: references, onDelete: onDelete)
    }

    static let examples = [MigrationSpec.Engine.postgresql, .mysql].map {
        OperationExample(engine: $0, schema: OperationExample.subscriptions($0), changes: Snippets.fkChange)
    } + [
        // The one references form with its actions; deferrable keys are PostgreSQL only (CUT092).
        OperationExample(engine: .postgresql, schema: OperationExample.subscriptions(.postgresql),
                         changes: Snippets.fkChange + "          onDelete: cascade\n          onUpdate: cascade\n          initiallyDeferred: true\n"),
        OperationExample(engine: .mysql, schema: OperationExample.subscriptions(.mysql),
                         changes: Snippets.fkChange + "          onDelete: cascade\n          onUpdate: cascade\n"),
    ]

    var tables: [Name] { [table, references.table] }
    func tableWithLaterSteps(engine: MigrationSpec.Engine) -> Name? { table }

    /// CUT041/CUT042 for an unknown table or column, CUT044 for a name already taken, CUT049 for a key
    /// that references no unique column set or sets NULL in a NOT NULL column.
    func check(_ rules: inout ReferenceRules, change: Change) {
        guard rules.requireTable(table) else { return }
        var columnsKnown = true
        for column in columns where !rules.requireColumn(column, of: table.value) { columnsKnown = false }
        rules.checkRetypedKeyColumns(columns, of: table.value, what: "foreign key '\(name.value)'")
        guard rules.claim(name, table: table.value, kind: .foreignKey) else { return }
        rules.checkForeignKey(columns: columns, references: references)
        rules.checkPartitionedForeignKey(table: table.value, references: references.table.value, declaredWithTable: false, at: name.location)
        if columnsKnown && onDelete == .setNull {
            for column in columns {
                if rules.schema.tables[table.value]?.columns[rules.schema.columnKey(column.value)]?.nullable == false {
                    rules.report(.referenceMismatch, Message.setNullOnNotNull(column.value), column)
                    break
                }
            }
        }
        rules.schema.register(.init(name: name.value, table: table.value, kind: .foreignKey, columns: columns.map { rules.schema.columnKey($0.value) },
                                    referencedTable: references.table.value, referencedColumns: rules.referencedKeys(references)))
    }

    private var referencedTable: String { references.table.value }
    private var referencedColumns: [String] { references.columns.map(\.value) }

    func lower(_ r: Recipe) -> [StepDraft] {
        let name = self.name.value, table = self.table.value, columns = self.columns.map(\.value)
        // Complete and verify run after every expand step: the referenced table by its name then.
        guard r.capabilities.notValidConstraints else {
            return [Self.mysql(table, name, columns, r.tableName(referencedTable, in: .complete), referencedColumns, onDelete: onDelete, actions: references.actions, change: r.change, r.mysql),
                    Self.orphanCheck(table, name, columns, r.tableName(referencedTable, in: .verify), referencedColumns, change: r.change, r.mysql)]
        }
        let b = r.postgres
        let definition = "FOREIGN KEY (\(b.n.quoteList(columns))) REFERENCES \(b.t(r.tableName(referencedTable, in: .complete))) (\(b.n.quoteList(referencedColumns))) ON DELETE \(onDelete.sql)"
            + references.actions.clause
        return NotValidConstraint.postgres(table, name, definition: definition, kind: "add_foreign_key", what: "foreign key", change: r.change, b)
    }

    /// The key, and on MySQL the index the server creates for it when no index leads with its columns.
    func apply(to schema: inout DatabaseSchema, engine: MigrationSpec.Engine) {
        let name = self.name.value, table = self.table.value, columns = self.columns.map(\.value)
        let key = DatabaseSchema.Constraint(name: name, table: table, kind: .foreignKey, columns: columns,
                                            referencedTable: referencedTable, referencedColumns: referencedColumns,
                                            actions: "ON DELETE \(onDelete.sql)" + references.actions.clause)
        schema.constraints.append(key)
        schema.addImplicitIndexIfNeeded(for: key, engine: engine)
    }

    static func mysql(_ table: String, _ name: String, _ columns: [String], _ refTable: String, _ refColumns: [String],
                       onDelete: ReferentialAction, actions: ForeignKeyActions = ForeignKeyActions(), change: Int, _ b: MySQLBuilder) -> StepDraft {
        let ddl = "ALTER TABLE \(b.q(table)) ADD CONSTRAINT \(b.q(name)) FOREIGN KEY (\(b.n.quoteList(columns))) REFERENCES \(b.q(refTable)) (\(b.n.quoteList(refColumns))) ON DELETE \(onDelete.sql)\(actions.clause), ALGORITHM=INPLACE, LOCK=NONE"
        let condition = ["constraint_name = \(b.lit(name))", "constraint_type = 'FOREIGN KEY'"]
        return StepDraft(.complete, slug: "add_foreign_key \(name)", title: "add foreign key \(name) on \(table) in place (existing rows not checked)", change: change,
                         up: [SQLStatement("SET SESSION foreign_key_checks = 0;",
                                           comment: "MySQL adds a foreign key in place (LOCK=NONE) only with foreign_key_checks=0, and then never checks existing\nrows (there is no VALIDATE): like PostgreSQL NOT VALID forever. Check for orphans separately (verify phase)."),
                              SQLStatement(b.guarded(ddl, whenFound: false, in: .tableConstraints, table: table, condition)),
                              SQLStatement("SET SESSION foreign_key_checks = 1;")],
                         down: [SQLStatement(b.guarded("ALTER TABLE \(b.q(table)) DROP FOREIGN KEY \(b.q(name)), ALGORITHM=INPLACE, LOCK=NONE",
                                                       whenFound: true, in: .tableConstraints, table: table, condition)),
                                SQLStatement(b.dropIndex(table, name),
                                             comment: "MySQL created an index of the same name for the columns when none covered them: drop it too.")])
    }

    /// The check MySQL's in-place foreign key skips (it never validates existing rows): fails the
    /// verify Job, naming the key, when a child row points at no parent. MATCH SIMPLE: a row with a
    /// NULL in the key columns is not checked, as MySQL does not check it either.
    static func orphanCheck(_ table: String, _ name: String, _ columns: [String], _ refTable: String, _ refColumns: [String],
                     change: Int, _ b: MySQLBuilder) -> StepDraft {
        let procedure = b.q(b.context.derived.procedure("orphans", table: table, column: name))
        let notNull = columns.map { "c.\(b.q($0)) IS NOT NULL" }.joined(separator: " AND ")
        let join = zip(columns, refColumns).map { "p.\(b.q($1)) = c.\(b.q($0))" }.joined(separator: " AND ")
        let message = "orphan rows in \(table) for foreign key \(name): fix or delete them, then re-run verify"
        let body = b.refusal(procedure: procedure, when: """
            SELECT 1 FROM \(b.q(table)) c WHERE \(notNull)
                           AND NOT EXISTS (SELECT 1 FROM \(b.q(refTable)) p WHERE \(join))
            """, message: message)
        return StepDraft(.verify, slug: "orphans \(name)", title: "check that no row of \(table) breaks foreign key \(name)", change: change,
                         up: [SQLStatement(body, comment: "MySQL never validated the rows that existed when the key was added in place: look for orphans now.\nNeeds the mysql client (DELIMITER). The procedure is dropped again, so the schema is unchanged.")],
                         down: [.note("Nothing to undo: a read-only check."), SQLStatement("DO 0;")], transactional: false)
    }
}
