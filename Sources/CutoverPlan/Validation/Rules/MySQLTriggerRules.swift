/// CUT110: what MySQL's sync and fill triggers cannot see. The MySQL lowering evaluates
/// these in BEFORE INSERT / BEFORE UPDATE triggers from expand until contract (read from the recipes):
/// - an addColumn's `up` (`MySQLDialect.fillTriggers`);
/// - an alterColumn through a copy column (`MySQLAlterColumn.rewrite`): the column itself, its `up`,
///   and with the version databases (two-way sync) its `down`;
/// - an alterColumn that makes a nullable column NOT NULL in place: its fill (`up`, else the new default);
/// - a dropColumn's `down` (inserts only);
/// - a renameColumn: the column itself, both ways.
/// In a BEFORE INSERT trigger the AUTO_INCREMENT column is still 0 (CUT110). Only base tables have triggers
/// (a table the spec creates has no old-version writers); the checks follow the base schema, as each
/// column is changed once (CUT052).
struct MySQLTriggerRules {
    let spec: MigrationSpec
    let schema: DatabaseSchema
    private(set) var diagnostics: DiagnosticBag

    init(spec: MigrationSpec, schema: DatabaseSchema, file: String) {
        self.spec = spec
        self.schema = schema
        self.diagnostics = DiagnosticBag(file: file)
    }

    private func same(_ a: String, _ b: String) -> Bool { a.lowercased() == b.lowercased() }

    mutating func check() {
        guard spec.database.engine == .mysql, spec.strategy == .expandContract else { return }
        for change in spec.changes {
            let operation = change.operation
            if let add = operation.unit(AddColumn.self) {
                if let up = add.up { expression(up, "the addColumn's `up`", table: add.table.value) }
            } else if let alter = operation.unit(AlterColumn.self) {
                check(alter)
            } else if let drop = operation.unit(DropColumn.self), let down = drop.down {
                expression(down, "the dropColumn's `down`", table: drop.table.value)
            } else if let rename = operation.unit(RenameColumn.self) {
                copied(rename.from, table: rename.table.value, by: "the rename", into: "'\(rename.to.value)'")
            }
        }
    }

    private mutating func check(_ alter: AlterColumn) {
        let table = alter.table.value
        guard let old = column(alter.column.value, of: table) else { return }
        // As `MySQLAlterColumn.lower` decides: the same type, or (without a conversion) a change MySQL
        // makes in place, changes the column itself; every other type change goes through a copy.
        let rewrite = alter.type.map { type in
            !(SQLTypeFacts.isSameType(old.type, type.value)
              || (!alter.converts && MySQLAlterColumn.changesInPlace(old, of: schema.table(table), to: type.value)))
        } ?? false
        if rewrite, let type = alter.type {
            let copyReported = copied(Located(alter.column.value, at: type.location), table: table, by: "the type change", into: "its copy")
            if let up = alter.up, !copyReported { expression(up, "the alterColumn's `up`", table: table) }
            // Two-way sync (`MySQLAlterColumn.twoWaySync`): the insert trigger writes `down` of the new
            // version's value into the old column.
            if spec.app.versionSchemas, let down = alter.down { expression(down, "the alterColumn's `down`", table: table) }
        } else if alter.nullable?.value == false, old.nullable {
            if let up = alter.up {
                expression(up, "the alterColumn's `up` (the fill of its NULLs)", table: table)
            } else if let value = alter.defaultValue {
                expression(value, "the alterColumn's new default (the fill of its NULLs)", table: table)
            }
        }
    }

    /// A column of a base table (MySQL compares column names without case).
    private func column(_ name: String, of table: String) -> DatabaseSchema.Column? {
        schema.table(table)?.columns.first { same($0.name, name) }
    }

    /// `column` itself copied into its twin by the sync triggers (rename, copy of a type change). Not for
    /// a primary-key column: CUT049 refuses its rename or copy already.
    @discardableResult
    private mutating func copied(_ column: Name, table: String, by what: String, into copy: String) -> Bool {
        guard let base = schema.table(table), self.column(column.value, of: table) != nil else { return false }
        var reported = false
        if let auto = base.columns.first(where: \.isIdentity), same(auto.name, column.value),
           !base.primaryKey.contains(where: { same($0, auto.name) }) {
            diagnostics.report(.mysqlTriggerAutoIncrement, Message.autoIncrementCopied(auto.name, table: table, by: what, copy: copy), at: column.location)
            reported = true
        }
        return reported
    }

    /// An expression over the row that a trigger evaluates.
    private mutating func expression(_ value: Located<String>, _ what: String, table: String) {
        guard let base = schema.table(table) else { return }
        let read = base.columns.filter { ColumnExpression.uses(value.value, column: $0.name, engine: .mysql) }
        if let auto = read.first(where: \.isIdentity) {
            diagnostics.report(.mysqlTriggerAutoIncrement, Message.triggerReadsAutoIncrement(what, table: table, column: auto.name), at: value.location)
        }
    }
}
