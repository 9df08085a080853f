/// CUT110 and CUT111: what MySQL's sync and fill triggers cannot see. The MySQL lowering evaluates
/// these in BEFORE INSERT / BEFORE UPDATE triggers from expand until contract (read from the recipes):
/// - an addColumn's `up` (`MySQLDialect.fillTriggers`);
/// - an alterColumn through a copy column (`MySQLAlterColumn.rewrite`): the column itself, its `up`,
///   and with the version databases (two-way sync) its `down`;
/// - an alterColumn that makes a nullable column NOT NULL in place: its fill (`up`, else the new default);
/// - a dropColumn's `down` (inserts only);
/// - a renameColumn: the column itself, both ways.
/// In a BEFORE INSERT trigger the AUTO_INCREMENT column is still 0 (CUT110), and InnoDB's foreign-key
/// actions change a child column without firing any trigger (CUT111). Only base tables have triggers
/// (a table the spec creates has no old-version writers); the checks follow the base schema, as each
/// column is changed once (CUT052).
struct MySQLTriggerRules {
    let spec: MigrationSpec
    let schema: DatabaseSchema
    private(set) var diagnostics: DiagnosticBag

    /// A foreign key whose action changes its own columns: ON DELETE SET NULL / SET DEFAULT, ON UPDATE
    /// CASCADE / SET NULL / SET DEFAULT.
    struct ActingKey {
        var name: String
        var table: String
        var columns: [String]
        var action: String
    }

    private var actingKeys: [ActingKey] = []
    /// Columns added earlier in the spec, by table: a later `up` may read one (and its key's action).
    private var added: [String: [String]] = [:]

    init(spec: MigrationSpec, schema: DatabaseSchema, file: String) {
        self.spec = spec
        self.schema = schema
        self.diagnostics = DiagnosticBag(file: file)
        actingKeys = schema.constraints.compactMap { constraint in
            guard constraint.kind == .foreignKey, let action = Self.columnAction(constraint.actions) else { return nil }
            return ActingKey(name: constraint.name, table: constraint.table, columns: constraint.columns, action: action)
        }
    }

    /// The part of a key's `ON DELETE … ON UPDATE …` text that changes the key's columns, or nil.
    static func columnAction(_ actions: String) -> String? {
        let words = actions.uppercased().split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" }).joined(separator: " ")
        for changing in ["ON DELETE SET NULL", "ON DELETE SET DEFAULT", "ON UPDATE CASCADE", "ON UPDATE SET NULL", "ON UPDATE SET DEFAULT"]
        where words.contains(changing) {
            return changing
        }
        return nil
    }

    /// The same for a key of the spec: its `onDelete` and `onUpdate`.
    static func columnAction(onDelete: ReferentialAction, onUpdate: ReferentialAction) -> String? {
        if [.setNull, .setDefault].contains(onDelete) { return "ON DELETE \(onDelete.sql)" }
        if [.cascade, .setNull, .setDefault].contains(onUpdate) { return "ON UPDATE \(onUpdate.sql)" }
        return nil
    }

    private func same(_ a: String, _ b: String) -> Bool { a.lowercased() == b.lowercased() }

    mutating func check() {
        guard spec.database.engine == .mysql, spec.strategy == .expandContract else { return }
        for change in spec.changes {
            let operation = change.operation
            if let add = operation.unit(AddColumn.self) {
                if let up = add.up { expression(up, "the addColumn's `up`", table: add.table.value) }
                if let reference = add.column.references,
                   let action = Self.columnAction(onDelete: reference.onDelete, onUpdate: reference.actions.onUpdate) {
                    let name = ObjectNames(engine: .mysql).columnForeignKey(table: add.table.value, column: add.column.name.value)
                    actingKeys.append(ActingKey(name: name, table: add.table.value, columns: [add.column.name.value], action: action))
                }
                added[add.table.value, default: []].append(add.column.name.value)
            } else if let key = operation.unit(AddForeignKey.self) {
                if let action = Self.columnAction(onDelete: key.onDelete, onUpdate: key.references.actions.onUpdate) {
                    actingKeys.append(ActingKey(name: key.name.value, table: key.table.value, columns: key.columns.map(\.value), action: action))
                }
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

    private func actingKey(on table: String, _ column: String) -> ActingKey? {
        actingKeys.first { $0.table == table && $0.columns.contains(where: { same($0, column) }) }
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
        if !base.primaryKey.contains(where: { same($0, column.value) }), let key = actingKey(on: table, column.value) {
            diagnostics.report(.mysqlForeignKeyActionSync, Message.foreignKeyActionSync(what, table: table, column: column.value, foreignKey: key.name,
                                                                                         action: key.action, copy: copy), at: column.location)
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
        let names = read.map(\.name) + (added[table] ?? []).filter { ColumnExpression.uses(value.value, column: $0, engine: .mysql) }
        if let (column, key) = names.compactMap({ column in actingKey(on: table, column).map { (column, $0) } }).first {
            diagnostics.report(.mysqlForeignKeyActionSync, Message.foreignKeyActionSync(what, table: table, column: column, foreignKey: key.name,
                                                                                         action: key.action, copy: nil), at: value.location)
        }
    }
}
