/// `alterColumn`: metadata-only changes (a type change the engine does in place, default, nullability)
/// as single steps; a rewriting type change through a copy column kept in sync by triggers, a batched
/// backfill and a swap in contract. The engines differ in what they do in place and how the swap locks,
/// so each has its half beside this file (`PostgreSQLAlterColumn`, `MySQLAlterColumn`).
public struct AlterColumn: OperationUnit {
    public var table: Name
    public var column: Name
    public var type: Located<String>?
    public var nullable: Located<Bool>?
    public var defaultValue: Located<String>?
    public var dropDefault: Bool
    public var up: Located<String>?
    public var down: Located<String>?

    package static let keyword = "alterColumn"

    /// Whether any change of `spec` gives a column a new type: the rules about retyped columns walk the
    /// whole spec only then.
    static func retypes(_ spec: MigrationSpec) -> Bool {
        spec.changes.contains { $0.operation.unit(AlterColumn.self)?.type != nil }
    }

    package static let field = Field("alterColumn", .object(ObjectShape("alterColumn", "change a column's type, nullability or default", [
        Field("table", SpecShape.identifier, required: true, "table to alter"),
        Field("column", SpecShape.identifier, required: true, "column to change"),
        Field("type", .text(.sqlType), "new SQL type"),
        Field("nullable", .boolean, "new nullability; false fills the NULLs of existing rows with up, else with the new default, and the rollback puts them back"),
        Field("default", SpecShape.expression, "new default expression"),
        Settings.Operation.dropDefault.field,
        Field("up", SpecShape.expression, "expression converting old values to the new type (default: a cast); given, every row is converted through a copy column, even where the type change alone is metadata-only (a widening)"),
        Field("down", SpecShape.expression, "expression converting new values back (default: a cast)"),
    ])), "change a column: metadata-only changes in one statement, rewrites through a new column, triggers and a swap")

    package static func read(_ node: SyntaxNode, _ reader: SpecBuilder) -> AlterColumn? {
        guard let table = reader.name(node["table"]), let column = reader.name(node["column"]) else { return nil }
        return AlterColumn(
            table: table, column: column, type: reader.located(node["type"]),
            nullable: node["nullable"].flatMap { n in reader.bool(n).map { Located($0, at: n.location) } },
            defaultValue: reader.located(node["default"]), dropDefault: Settings.Operation.dropDefault.value(in: node),
            up: reader.located(node["up"]), down: reader.located(node["down"]))
    }

    /// A rewriting type change (through a copy column) and a default on the other engine's side.
    package static let examples = [
        OperationExample(engine: .postgresql, schema: OperationExample.pricing,
                         changes: "    - alterColumn:\n        table: pricing\n        column: amount\n        type: numeric(12,2)\n"),
        OperationExample(engine: .postgresql, schema: OperationExample.pricing,
                         changes: "    - alterColumn:\n        table: pricing\n        column: amount\n        default: \"0\"\n"),
        OperationExample(engine: .mysql, schema: OperationExample.pricingMySQL,
                         changes: "    - alterColumn:\n        table: pricing\n        column: amount\n        type: bigint\n"),
        OperationExample(engine: .mysql, schema: OperationExample.pricingMySQL,
                         changes: "    - alterColumn:\n        table: pricing\n        column: amount\n        default: \"0\"\n"),
    ]

    package var tables: [Name] { [table] }
    /// The column must be there before the migration (the preflight checks it).
    package var existingColumns: [(table: Name, column: Name)] { [(table, column)] }
    package var columnTypes: [Located<String>] { type.map { [$0] } ?? [] }
    /// A new default, or letting the column accept NULL, is one expand step; a dropped default waits for contract.
    package func tableWithLaterSteps(engine: MigrationSpec.Engine) -> Name? {
        type != nil || nullable?.value == false || dropDefault ? table : nil
    }

    /// CUT014 for a change that says nothing (or a default with dropDefault), CUT052 for a column changed
    /// twice, CUT049 for a rewrite of a key column, a backfill without a primary key, or NULLs allowed in a
    /// primary-key column, CUT107 for (MySQL) an integer type a foreign key would no longer match, CUT053 for NULLs allowed without a down.
    package func check(_ rules: inout ReferenceRules, change: Change) {
        let line = change.location.line
        guard rules.requireTable(table), rules.requireColumn(column, of: table.value) else { return }
        rules.requireExpressionColumns(up, of: table.value)
        rules.requireExpressionColumns(down, of: table.value)
        if type == nil && nullable == nil && defaultValue == nil && !dropDefault {
            rules.report(.operationShape, Message.alterNothing(column.value), column)
            return
        }
        if let value = defaultValue, dropDefault {
            rules.report(.operationShape, Message.defaultAndDropDefault, value)
        }
        rules.changing(table.value, column, "alterColumn", line: line)
        let key = rules.schema.columnKey(column.value)
        let current = rules.schema.tables[table.value]?.columns[key]
        if let type = type { checkForeignKeyType(&rules, columnKey: key, type: type) }
        if let type = type, rewrites(from: current?.type, to: type.value, engine: rules.engine) {
            rules.checkReplacedColumn(table.value, column, by: "this type change", at: type)
            RenameTable.RenamedTableColumnsRule.check(&rules, table: table, "the type change of '\(column.value)' (through a copy column)")
            rules.checkRetypedIndexColumns(column, of: table.value, line: line, at: type)
            RetypedIndexOptionsRule.check(&rules, column, of: table.value, from: current?.type, to: type)
            if rules.engine == .postgresql, let old = current?.type,
               SQLTypeFacts.postgresFamily(old) != SQLTypeFacts.postgresFamily(type.value) {
                rules.familyChanges[rules.columnIdentity(table.value, column.value)] = (old, type.value)
            }
            rules.requirePrimaryKey(table, for: "copying '\(column.value)' into its \(type.value) copy in batches")
            // Relaxed in expand as a plain relax is; the type change's `down` maps values, it is no refill.
            if let nullable, nullable.value, current?.nullable == false {
                rules.report(.unsafeRollback, Message.relaxRetypedNotNull(column.value), at: nullable.location)
            }
        } else if nullable?.value == false, up != nil, current?.nullable != false {
            rules.requirePrimaryKey(table, for: "filling NULLs of '\(column.value)' in batches")
        } else if let nullable, nullable.value, rules.schema.tables[table.value]?.primaryKey.contains(key) == true {
            rules.report(.referenceMismatch, Message.nullablePrimaryKeyColumn(column.value, table: table.value), at: nullable.location)
        } else if let nullable, nullable.value, current?.isIdentity == true {
            rules.report(.referenceMismatch, Message.nullableIdentityColumn(column.value, table: table.value), at: nullable.location)
        } else if let nullable = nullable, nullable.value, down == nil, current?.nullable == false {
            rules.report(.unsafeRollback, Message.relaxNotNullWithoutDown(column.value), at: nullable.location)
        }
        rules.schema.update(table.value) { state in
            if let nullable = nullable { state.columns[key]?.nullable = nullable.value }
            if let type = type { state.columns[key]?.type = type.value }
            if defaultValue != nil { state.columns[key]?.hasDefault = true } else if dropDefault { state.columns[key]?.hasDefault = false }
        }
    }

    /// A type change with `up` (or a `down` that is not the refill of `nullable: true`) converts the
    /// values: it goes through the copy column even where the type change alone is metadata-only (a
    /// widening), as a PostgreSQL user's `ALTER … TYPE … USING` rewrites every row. Ignored, the plan
    /// said metadata-only, existing rows were never converted, and the rollback asked for the down
    /// the spec had (issue #14, second trial).
    package var converts: Bool { up != nil || (down != nil && nullable?.value != true) }

    /// Whether a type change goes through a copy column (a rewrite) rather than one in-place statement.
    private func rewrites(from old: String?, to new: String, engine: MigrationSpec.Engine) -> Bool {
        guard let old else { return true }
        if SQLTypeFacts.isSameType(old, new) { return false }
        if converts { return true }
        return engine == .postgresql ? !SQLTypeFacts.isPostgresMetadataOnly(from: old, to: new)
                                     : !SQLTypeFacts.isMySQLInPlaceWidening(from: old, to: new)
    }

    /// CUT107 on MySQL: InnoDB refuses a foreign key between integer columns of different types (INT
    /// and BIGINT), so a type change of one side would fail where the key is put back, in contract.
    private func checkForeignKeyType(_ rules: inout ReferenceRules, columnKey key: String, type: Located<String>) {
        let table = self.table.value
        guard rules.engine == .mysql, let new = Self.integerFamily(type.value) else { return }
        for foreignKey in rules.schema.outgoingForeignKeys(table: table, columnKey: key) {
            guard let position = foreignKey.columns.firstIndex(of: key), let referencedTable = foreignKey.referencedTable,
                  position < foreignKey.referencedColumns.count else { continue }
            let referenced = foreignKey.referencedColumns[position]
            guard let other = rules.schema.tables[referencedTable]?.columns[referenced]?.type, let old = Self.integerFamily(other), old != new else { continue }
            rules.report(.mysqlForeignKeyType, Message.foreignKeyTypeMismatch(type.value, foreignKey: foreignKey.name, table: referencedTable,
                                                                     column: rules.schema.tables[referencedTable]?.columns[referenced]?.name ?? referenced, type: other), type)
        }
    }

    /// `int`, `bigint unsigned`…: the integer type and signedness InnoDB compares; nil for other types.
    static func integerFamily(_ type: String) -> String? {
        var spaced = ""  // "int(11) unsigned" -> "int (11) unsigned", without Foundation's NSString replacement
        for character in type.lowercased() {
            if character == "(" { spaced.append(" ") }
            spaced.append(character)
        }
        let words = spaced.split(separator: " ").map(String.init)
        guard let base = words.first, ["tinyint", "smallint", "mediumint", "int", "integer", "bigint"].contains(base) else { return nil }
        return (base == "integer" ? "int" : base) + (words.contains("unsigned") ? " unsigned" : "")
    }

    /// What fills the existing NULLs when the column is made NOT NULL in place: the spec's `up`, else
    /// its new `default` (what a user means by "NOT NULL, default X", as for an added column, and what
    /// CUT040 asks for), else nothing (the complete phase then fails on rows that are NULL).
    public var fill: (value: String, source: String)? {
        if let up = up?.value { return (up, "the spec's up expression") }
        if let value = defaultValue?.value { return (value, "the spec's new default, as no up expression is given") }
        return nil
    }

    func lower(_ r: Recipe) -> [StepDraft] {
        r.engine == .postgresql ? PostgreSQLAlterColumn(b: r.postgres, alter: self, change: r.change).lower()
                                : MySQLAlterColumn(b: r.mysql, alter: self, change: r.change).lower()
    }

    /// The column's new type, nullability and default.
    func apply(to schema: inout DatabaseSchema, engine: MigrationSpec.Engine) {
        let sameName = ColumnNames(mysql: engine == .mysql).same
        schema.mutateTable(table.value) { table in
            guard let index = table.columns.firstIndex(where: { sameName($0.name, column.value) }) else { return }
            if let type { table.columns[index].type = type.value }
            if let nullable { table.columns[index].nullable = nullable.value }
            if let value = defaultValue { table.columns[index].defaultValue = value.value }
            if dropDefault { table.columns[index].defaultValue = nil }
        }
    }
}
