/// CUT112 (warning): the generated columns of a base table that make MariaDB refuse a step's online
/// ALTER (trial 14i MUST-FIX 4; measured on MariaDB 10.11.19, see `MariaDBGeneratedColumnOnlineDDLRule`).
/// The statements are those the MySQL recipes write (`MySQLBuilder.addColumn`: ADD COLUMN …
/// ALGORITHM=INSTANT; `modify`: MODIFY COLUMN … ALGORITHM=INPLACE, LOCK=NONE; `dropColumn`), in the
/// order the phases run them; the first that fails is named, once per change. Run by `SemanticRules`
/// with the base schema, on MySQL specs (cutover's MySQL target runs on MariaDB too).
struct MariaDBGeneratedColumnRules {
    let schema: DatabaseSchema
    private(set) var diagnostics: DiagnosticBag

    init(schema: DatabaseSchema, file: String) {
        self.schema = schema
        self.diagnostics = DiagnosticBag(file: file)
    }

    /// A statement of a change's forward steps that MariaDB refuses on such a table.
    private struct Refused {
        var statement: String
        var error: String
    }

    private static let addColumnError = "1845 ALGORITHM=INSTANT is not supported; with ALGORITHM=INPLACE, LOCK=NONE: 1846 online rebuild with indexed virtual columns"
    private static let rebuildError = "1846 LOCK=NONE is not supported: online rebuild with indexed virtual columns"
    private static let notNullError = "1845 ALGORITHM=INPLACE is not supported, try ALGORITHM=COPY"

    mutating func check(_ spec: MigrationSpec) {
        guard spec.database.engine == .mysql, spec.strategy == .expandContract else { return }
        for change in spec.changes {
            guard let (table, rebuild, notNull) = refusedStatements(change.operation, purge: spec.purge),
                  let base = schema.table(table) else { continue }
            let generated = base.columns.filter { $0.generated != nil }
            let indexedVirtual = generated.first { !$0.generatedStored && indexed($0.name, of: table) }
            if let column = indexedVirtual, let refused = rebuild ?? notNull {
                diagnostics.report(.mariadbGeneratedColumnOnlineDDL, Message.mariadbGeneratedColumnDDL(
                    table: table, generated: column.name, stored: false, statement: refused.statement, error: refused.error), at: change.location)
            } else if let column = generated.first(where: \.generatedStored), let refused = notNull {
                diagnostics.report(.mariadbGeneratedColumnOnlineDDL, Message.mariadbGeneratedColumnDDL(
                    table: table, generated: column.name, stored: true, statement: refused.statement, error: refused.error), at: change.location)
            }
        }
    }

    /// Whether an index or a unique or primary key of `table` has `column` among its columns.
    private func indexed(_ column: String, of table: String) -> Bool {
        let name = column.lowercased()
        return schema.indexes.contains { $0.table == table && $0.columns.contains { $0.lowercased() == name } }
            || schema.constraints.contains { $0.table == table && [.unique, .primaryKey].contains($0.kind) && $0.columns.contains { $0.lowercased() == name } }
    }

    /// The change's table, its first statement that rebuilds the table online (refused with an indexed
    /// VIRTUAL column) and its in-place NOT NULL (refused with any STORED or indexed VIRTUAL column).
    private func refusedStatements(_ operation: Operation, purge: Bool) -> (String, Refused?, Refused?)? {
        func column(_ table: String, _ name: String) -> DatabaseSchema.Column? {
            schema.table(table)?.columns.first { $0.name.lowercased() == name.lowercased() }
        }
        func notNull(_ phase: String, _ table: String, _ name: String) -> Refused {
            Refused(statement: "\(phase)'s ALTER TABLE `\(table)` MODIFY COLUMN `\(name)` … NOT NULL, ALGORITHM=INPLACE, LOCK=NONE", error: Self.notNullError)
        }
        func relax(_ table: String, _ name: String) -> Refused {
            Refused(statement: "expand's ALTER TABLE `\(table)` MODIFY COLUMN `\(name)` … NULL, ALGORITHM=INPLACE, LOCK=NONE", error: Self.rebuildError)
        }
        func adding(_ table: String, _ column: String) -> Refused {
            Refused(statement: "expand's ALTER TABLE `\(table)` ADD COLUMN \(column) …, ALGORITHM=INSTANT", error: Self.addColumnError)
        }
        if let add = operation.unit(AddColumn.self) {
            let table = add.table.value, definition = add.column, name = definition.name.value
            let volatile = definition.defaultValue.map { SQLTypeFacts.isVolatileDefault($0.value) } ?? false
            // Added nullable, filled and made NOT NULL in complete unless a constant default is added with it.
            let later = !definition.nullable && (definition.defaultValue == nil || volatile || add.up != nil)
            return (table, adding(table, "`\(name)`"), later ? notNull("complete", table, name) : nil)
        }
        if let rename = operation.unit(RenameColumn.self) {
            let table = rename.table.value
            let old = column(table, rename.from.value)
            return (table, adding(table, "`\(rename.to.value)` (the new name)"), old.map(\.nullable) == false ? notNull("complete", table, rename.to.value) : nil)
        }
        if let alter = operation.unit(AlterColumn.self) {
            let table = alter.table.value, name = alter.column.value
            guard let old = column(table, name) else { return nil }
            let rewrite = alter.type.map { type in
                !(SQLTypeFacts.isSameType(old.type, type.value)
                  || (!alter.converts && MySQLAlterColumn.changesInPlace(old, of: schema.table(table), to: type.value)))
            } ?? false
            if rewrite {
                let final = !(alter.nullable?.value ?? old.nullable)
                return (table, adding(table, "(the copy of `\(name)`)"), final ? notNull("contract", table, name) : nil)
            }
            if alter.nullable?.value == true, !old.nullable { return (table, relax(table, name), nil) }
            if alter.nullable?.value == false, old.nullable { return (table, nil, notNull("complete", table, name)) }
            return nil
        }
        if let drop = operation.unit(DropColumn.self) {
            let table = drop.table.value
            guard let old = column(table, drop.column.value) else { return nil }
            if !old.nullable, old.defaultValue == nil, !old.isIdentity { return (table, relax(table, old.name), nil) }
            if purge {
                return (table, Refused(statement: "purge's ALTER TABLE `\(table)` DROP COLUMN … ALGORITHM=INPLACE, LOCK=NONE", error: Self.rebuildError), nil)
            }
        }
        return nil
    }
}
