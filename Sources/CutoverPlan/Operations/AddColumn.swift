/// `addColumn`, in expand: one metadata-only ADD COLUMN when the column is nullable or has a constant
/// default (MySQL: ALGORITHM=INSTANT); otherwise added nullable, filled for the old app version's writes
/// (a trigger, when the spec gives `up`) and for existing rows (batched backfill), then made NOT NULL
/// in complete (PostgreSQL: a NOT VALID check, VALIDATE, SET NOT NULL; MySQL: MODIFY in place). Its
/// unique, check and references are the table-level operations' recipes (`ColumnConstraints`). The
/// steps have the same shape on both engines; their statements differ in nearly every line, so each
/// engine's branch is below.
package struct AddColumn: OperationUnit {
    package var table: Name
    package var column: ColumnDefinition
    package var up: Located<String>?

    package static let keyword = "addColumn"

    package static let field = Field("addColumn", .object(ObjectShape("addColumn", "add a column (expand)", [
        Field("table", SpecShape.identifier, required: true, "table to alter"),
        Field("column", .object(SpecShape.column), required: true, "the new column"),
        Field("up", SpecShape.expression, "expression that fills existing rows (required for NOT NULL without a default)",
              example: "CASE WHEN interval_months = 12 THEN 'yearly' ELSE 'monthly' END"),
    ])), "add a column; a NOT NULL column without a default is added nullable, backfilled with 'up', then constrained")

    package static func read(_ node: SyntaxNode, _ reader: SpecBuilder) -> AddColumn? {
        guard let table = reader.name(node["table"]), let column = node["column"].flatMap(reader.columnDefinition) else { return nil }
        return AddColumn(table: table, column: column, up: reader.located(node["up"]))
    }

    /// A NOT NULL column filled by `up` (added nullable, backfilled, then constrained), and one with a
    /// constant default and a check.
    package static let examples = ColumnKinds.addColumnExamples + [
        OperationExample(engine: .postgresql, schema: OperationExample.pricing,
                         changes: "    - addColumn:\n        table: pricing\n        column:\n          name: tier\n          type: text\n          nullable: false\n        up: \"'basic'\"\n"),
        OperationExample(engine: .postgresql, schema: OperationExample.pricing,
                         changes: "    - addColumn:\n        table: pricing\n        column:\n          name: currency\n          type: char(3)\n          default: \"'EUR'\"\n          check: currency <> ''\n"),
        OperationExample(engine: .mysql, schema: OperationExample.pricingMySQL,
                         changes: "    - addColumn:\n        table: pricing\n        column:\n          name: tier\n          type: varchar(16)\n          nullable: false\n        up: \"'basic'\"\n"),
        OperationExample(engine: .mysql, schema: OperationExample.pricingMySQL,
                         changes: "    - addColumn:\n        table: pricing\n        column:\n          name: currency\n          type: char(3)\n          default: \"'EUR'\"\n          check: currency <> ''\n"),
    ]

    package var tables: [Name] { [table] }
    package var introducedColumns: [(table: Name, column: Name)] { [(table, column.name)] }
    /// The table its foreign key references, which the checks look up.
    package var readTables: [Name] { [table] + (column.references.map { [$0.table] } ?? []) }
    package var columnTypes: [Located<String>] { [column.type] }
    /// Nullable, or NOT NULL with a default, and no key or check: expand (and backfill) only.
    package func tableWithLaterSteps(engine: MigrationSpec.Engine) -> Name? {
        (!column.nullable && column.defaultValue == nil) || column.unique || column.check != nil || column.references != nil ? table : nil
    }

    /// CUT041 for an unknown table, CUT044 for a column there, CUT052 for a column changed twice, CUT049
    /// for a batched fill on a table without a primary key, and the foreign key's checks.
    package func check(_ rules: inout ReferenceRules, change: Change) {
        let line = change.location.line
        guard rules.requireTable(table) else { return }
        rules.requireExpressionColumns(up, of: table.value)
        if rules.schema.hasColumn(column.name.value, in: table.value) {
            rules.report(.alreadyExists, Message.columnExists(column.name.value, table: table.value), column.name)
            return
        }
        rules.changing(table.value, column.name, "addColumn", line: line)
        RenameTable.RenamedTableColumnsRule.check(&rules, table: table, "the addColumn of '\(column.name.value)'")
        guard rules.checkColumnKinds(column, keyed: nil, up: up), rules.checkServerFilledColumn(column, table: table.value) else { return }
        let volatile = column.defaultValue.map { SQLTypeFacts.isVolatileDefault($0.value) } ?? false
        if (up != nil && !column.nullable && column.defaultValue == nil) || volatile {
            rules.requirePrimaryKey(table, for: "filling '\(column.name.value)' in batches")
        }
        let key = rules.schema.columnKey(column.name.value)
        rules.schema.update(table.value) { state in
            state.columns[key] = .init(name: column.name.value, nullable: column.nullable && column.identity == nil, type: column.type.value,
                                       hasDefault: column.defaultValue != nil, isIdentity: column.serverNumbered, generated: column.generated != nil)
            state.gone[key] = nil
            if column.unique { state.uniqueSets.append([key]) }
        }
        if let reference = column.references {
            rules.checkColumnReference(column, reference, table: table.value)
            rules.checkPartitionedForeignKey(table: table.value, references: reference.table.value, declaredWithTable: false, at: reference.table.location)
        }
        if column.unique { rules.checkPartitionKey([key], table: table.value, kind: "unique column", at: column.name.location) }
    }

    func lower(_ r: Recipe) -> [StepDraft] {
        let table = self.table.value, up = self.up?.value
        return r.engine == .postgresql ? postgres(table, column, up: up, change: r.change, r.postgres)
                                       : mysql(table, column, up: up, change: r.change, r.mysql)
    }

    /// The column, and its unique, check and foreign key under the names `ObjectNames` gives them; on MySQL
    /// the index the server makes for the key.
    func apply(to schema: inout DatabaseSchema, engine: MigrationSpec.Engine) {
        let objects = ObjectNames(engine: engine)
        let t = table.value, c = column.name.value
        schema.mutateTable(t) {
            $0.columns.append(column.databaseColumn(engine, nullable: column.nullable))
        }
        if column.unique { schema.constraints.append(.init(name: objects.columnUnique(table: t, column: c), table: t, kind: .unique, columns: [c])) }
        if let check = column.check {
            schema.constraints.append(.init(name: objects.columnCheck(table: t, column: c), table: t, kind: .check, columns: [], expression: check.value))
        }
        if let ref = column.references {
            let key = DatabaseSchema.Constraint(name: objects.columnForeignKey(table: t, column: c), table: t, kind: .foreignKey, columns: [c],
                                                referencedTable: ref.table.value, referencedColumns: [ref.column.value],
                                                actions: "ON DELETE \(ref.onDelete.sql)" + ref.actions.clause)
            schema.constraints.append(key)
            schema.addImplicitIndexIfNeeded(for: key, engine: engine)
        }
    }

    /// Each engine's column step library (fill triggers, NOT NULL, quarantine purge, carry-over), shared
    /// with the other column operations.
    private var pg: PostgreSQLDialect { PostgreSQLDialect() }
    private var my: MySQLDialect { MySQLDialect() }

    // MARK: PostgreSQL

    func columnDefinition(_ column: ColumnDefinition, withDefault: Bool, notNull: Bool) -> String {
        var text = column.sqlType(.postgresql)
        if notNull { text += " NOT NULL" }
        if withDefault, let value = column.defaultValue { text += " DEFAULT \(value.value)" }
        return text
    }

    func postgres(_ table: String, _ column: ColumnDefinition, up upValue: String?, change: Int, _ b: PostgreSQLBuilder) -> [StepDraft] {
        let name = column.name.value
        let lints = b.typeLints(column.type.value, reason: "the column type is the one the spec asks for (a type preference, not a locking hazard)")
        let volatile = column.defaultValue.map { SQLTypeFacts.isVolatileDefault($0.value) } ?? false
        let constantDefault = column.defaultValue != nil && !volatile
        // One metadata-only statement: nullable, or NOT NULL with a constant default, and no `up` to fill rows with.
        let simple = (column.nullable || constantDefault) && upValue == nil
        var steps: [StepDraft] = []
        let slug = "add_column \(table) \(name)"
        if simple {
            steps.append(StepDraft(.expand, slug: slug, title: "add column \(table).\(name)", change: change,
                                   up: [SQLStatement(b.addColumn(table, name, columnDefinition(column, withDefault: true, notNull: !column.nullable)),
                                                     suppressions: lints)],
                                   down: [b.dropAddedColumn(table, name)]))
            steps[0].up += commentStatements(b)
        } else {
            let why = upValue != nil
                ? "Filled with the spec's up: add nullable without a default, a trigger fills rows the old version writes, the backfill fills existing rows."
                : volatile ? "The default is volatile (evaluated per row): add the column without it, set it for new rows, backfill existing rows in batches."
                           : "NOT NULL without a default: add nullable, backfill in batches, then enforce NOT NULL without a long lock."
            var up = [SQLStatement(b.addColumn(table, name, column.type.value), comment: why, suppressions: lints)]
            // With `up`, the default is set in complete: until then the trigger, not a default, fills what the old version leaves out.
            if volatile, upValue == nil, let value = column.defaultValue {
                up.append(SQLStatement("ALTER TABLE \(b.t(table)) ALTER COLUMN \(b.q(name)) SET DEFAULT \(value.value);",
                                       suppressions: .rules(["prefer-robust-stmts"], "SET DEFAULT is metadata-only and naturally idempotent")))
            }
            steps.append(StepDraft(.expand, slug: slug, title: "add column \(table).\(name) (nullable until backfilled)", change: change,
                                   up: up + commentStatements(b), down: [b.dropAddedColumn(table, name)]))
            if let upValue {
                steps += pg.fillTrigger(table, name, value: upValue, who: "the old app version", change: change, b)
            }
            let fill = upValue ?? column.defaultValue?.value ?? "NULL"
            steps.append(StepDraft(.backfill, slug: "\(table) \(name)", title: "backfill \(table).\(name)", change: change,
                                   up: b.backfill(table: table, assignments: "\(b.q(name)) = (\(fill))", pending: "\(b.q(name)) IS NULL",
                                                  comment: "Fill existing rows of \(table).\(name)."),
                                   down: [.note("Nothing to undo: the backfill only wrote data into a column that an earlier step's down drops.")],
                                   transactional: false))
            if upValue != nil, let value = column.defaultValue {
                steps.append(StepDraft(.complete, slug: "default \(table) \(name)", title: "set the default of \(table).\(name)", change: change,
                                       up: [SQLStatement("ALTER TABLE \(b.t(table)) ALTER COLUMN \(b.q(name)) SET DEFAULT \(value.value);",
                                                         suppressions: .rules(["prefer-robust-stmts"], "SET DEFAULT is metadata-only and naturally idempotent"))],
                                       down: [SQLStatement("ALTER TABLE \(b.t(table)) ALTER COLUMN \(b.q(name)) DROP DEFAULT;",
                                                           suppressions: .rules(["ban-drop-default", "prefer-robust-stmts"], "removes only the default this pair's up set"))]))
            }
            if !column.nullable {
                steps += pg.notNullSteps(table, name, slug: "\(table) \(name)", change: change, b)
            }
        }
        steps += ColumnConstraints.lower(table, column, Recipe(context: b.context, change: change))
        return steps
    }

    // MARK: MySQL

    func mysql(_ table: String, _ column: ColumnDefinition, up: String?, change: Int, _ b: MySQLBuilder) -> [StepDraft] {
        let name = column.name.value
        // The identity or generated clause rides in the type, the comment closes the definition (MODIFY keeps it).
        let type = column.sqlType(.mysql)
        let comment = column.comment.map { " COMMENT \(SetComment.literal($0.value, b.n))" } ?? ""
        let volatile = column.defaultValue.map { SQLTypeFacts.isVolatileDefault($0.value) } ?? false
        let simple = (column.nullable || column.defaultValue != nil) && !volatile && up == nil
        var steps: [StepDraft] = []
        let down = [SQLStatement(b.dropColumn(table, name))]
        if simple {
            steps.append(StepDraft(.expand, slug: "add_column \(table) \(name)", title: "add column \(table).\(name)", change: change,
                                   up: [SQLStatement(b.addColumn(table, name, b.definition(type: type, nullable: column.nullable, defaultValue: column.defaultValue?.value) + comment))],
                                   down: down))
        } else {
            steps.append(StepDraft(.expand, slug: "add_column \(table) \(name)", title: "add column \(table).\(name) (nullable until backfilled)", change: change,
                                   up: [SQLStatement(b.addColumn(table, name, b.definition(type: type, nullable: true, defaultValue: nil) + comment),
                                                     comment: up != nil ? "Filled with the spec's up: add nullable without a default, triggers fill rows the old version writes, the backfill fills existing rows."
                                                              : volatile ? "The default is evaluated per row: add the column without it, backfill, then set the final definition."
                                                                       : "NOT NULL without a default: add nullable, backfill in batches, then MODIFY to NOT NULL.")],
                                   down: down))
            if let up {
                steps += my.fillTriggers(table, name, value: up, who: "the old app version", change: change, b)
            }
            let fill = up ?? column.defaultValue?.value ?? "NULL"
            steps.append(StepDraft(.backfill, slug: "\(table) \(name)", title: "backfill \(table).\(name)", change: change,
                                   up: b.backfill(table: table, column: name, assignments: "\(b.q(name)) = (\(fill))", pending: "\(b.q(name)) IS NULL",
                                                  comment: "Fill existing rows of \(table).\(name)."),
                                   down: [.note("Nothing to undo: data only, in a column that an earlier step's down drops."), SQLStatement("DO 0;")],
                                   transactional: false))
            if column.nullable && column.defaultValue == nil { return steps + ColumnConstraints.lower(table, column, Recipe(context: b.context, change: change)) }
            let condition = column.nullable ? "column_default IS NULL" : "is_nullable = 'YES'"
            steps.append(StepDraft(.complete, slug: "\(table) \(name) \(column.nullable ? "default" : "not_null")",
                                   title: column.nullable ? "set the default of \(table).\(name)" : "set NOT NULL on \(table).\(name) (in-place rebuild, DML allowed)",
                                   change: change,
                                   up: [SQLStatement(b.modify(table, name, type: type, nullable: column.nullable, defaultValue: column.defaultValue?.value,
                                                              keeping: column.comment == nil ? nil : column.databaseColumn(.mysql, nullable: true), condition: condition),
                                                     comment: "MODIFY repeats the full column definition.")],
                                   down: [SQLStatement(b.modify(table, name, type: type, nullable: true, defaultValue: nil,
                                                                keeping: column.comment == nil ? nil : column.databaseColumn(.mysql, nullable: true),
                                                                condition: column.nullable ? "column_default IS NOT NULL" : "is_nullable = 'NO'"))]))
        }
        return steps + ColumnConstraints.lower(table, column, Recipe(context: b.context, change: change))
    }
}

extension AddColumn {
    /// PostgreSQL: the column's comment, set in the step that adds it (COMMENT ON sets the text: a re-run changes nothing).
    func commentStatements(_ b: PostgreSQLBuilder) -> [SQLStatement] {
        guard let comment = column.comment else { return [] }
        return [SQLStatement("COMMENT ON COLUMN \(b.t(table.value)).\(b.q(column.name.value)) IS \(SetComment.literal(comment.value, b.n));")]
    }
}
