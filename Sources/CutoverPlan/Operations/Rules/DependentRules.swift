/// CUT060 (warning) says which views, triggers and partitions of the base schema a change touches and
/// how the lowering handles them; CUT061 (error) refuses a change that would leave a dependent broken
/// or stale: a view or trigger that names a column a rename or drop retires (PostgreSQL views would go
/// on reading the quarantined column, MySQL views and every trigger would fail on their next use once
/// contract renames it away), a materialized view over a type-changed column (recreating it would
/// recompute it inside the swap), a MySQL view over a table that is renamed or dropped, and a generated
/// column over a column retyped through a copy column (on MySQL, not for a change in place).
struct DependentRules {
    let schema: DatabaseSchema
    let engine: MigrationSpec.Engine
    private(set) var diagnostics: DiagnosticBag

    init(schema: DatabaseSchema, engine: MigrationSpec.Engine, file: String) {
        self.schema = schema
        self.engine = engine
        self.diagnostics = DiagnosticBag(file: file)
    }

    private var mysql: Bool { engine == .mysql }

    mutating func check(_ spec: MigrationSpec) {
        // Only the first change to a column meets the base schema's dependents as the dump has them.
        var seen: Set<String> = []
        func first(_ table: String, _ column: String) -> Bool {
            seen.insert(table + "\u{0}" + (mysql ? column.lowercased() : column)).inserted
        }
        for change in spec.changes {
            let operation = change.operation
            if let index = operation.unit(CreateIndex.self), !mysql, let table = schema.table(index.table.value), table.partitioned {
                let partitions = schema.partitions(of: table.name)
                diagnostics.report(.dependentTouched, Message.partitionedIndex(index.name.value, table: table.name, partitions: partitions.count),
                                   at: index.table.location)
            } else if let rename = operation.unit(RenameColumn.self) {
                guard first(rename.table.value, rename.from.value) else { continue }
                refuseUsers(of: rename.table.value, rename.from.value, by: "the rename", at: rename.from)
            } else if let drop = operation.unit(DropColumn.self) {
                guard first(drop.table.value, drop.column.value) else { continue }
                refuseUsers(of: drop.table.value, drop.column.value, by: "the drop", at: drop.column)
            } else if let rename = operation.unit(RenameTable.self) {
                refuseViews(over: rename.from, by: "the rename")
            } else if let drop = operation.unit(DropTable.self) {
                refuseViews(over: drop.name, by: "the drop")
            } else if let alter = operation.unit(AlterColumn.self) {
                guard let type = alter.type, first(alter.table.value, alter.column.value),
                      let column = schema.table(alter.table.value)?.columns.first(where: { DDLParser.same($0.name, alter.column.value, mysql) }),
                      !SQLTypeFacts.isSameType(column.type, type.value) else { continue }
                if mysql {
                    // A type change through a copy column (as `MySQLAlterColumn.lower` decides) ends with the
                    // swap renaming the column away: MySQL rewrites a generated column's expression to follow
                    // the rename, so it computes from the quarantined column, NULL for every new row (trial 14i,
                    // g3). A change in place keeps the column, and MySQL views name columns as text.
                    guard alter.converts || !MySQLAlterColumn.changesInPlace(column, of: schema.table(alter.table.value), to: type.value) else { continue }
                    for generated in generatedColumns(using: alter.column.value, of: alter.table.value) {
                        diagnostics.report(.dependentBreaks, Message.generatedColumnUses(generated, table: alter.table.value, column: alter.column.value,
                                                                                          by: "the type change (through a copy column)"), at: type.location)
                    }
                    continue
                }
                for generated in generatedColumns(using: alter.column.value, of: alter.table.value) {
                    diagnostics.report(.dependentBreaks, Message.generatedColumnUses(generated, table: alter.table.value, column: alter.column.value,
                                                                                      by: "the type change"), at: type.location)
                }
                let views = schema.dependents.views(using: alter.column.value, of: alter.table.value, mysql: false)
                if let materialized = views.first(where: \.materialized) {
                    diagnostics.report(.dependentBreaks, Message.materializedViewOverTypeChange(
                        materialized.name, line: materialized.line, table: alter.table.value, column: alter.column.value), at: type.location)
                } else if !views.isEmpty {
                    diagnostics.report(.dependentTouched, Message.viewsRecreated(views.map(\.name), table: alter.table.value, column: alter.column.value),
                                       at: type.location)
                }
            }
        }
    }

    /// A MySQL view names its tables as text, so one over a table renamed or quarantined breaks (a PostgreSQL view follows the table).
    private mutating func refuseViews(over table: Name, by what: String) {
        guard mysql else { return }
        for view in schema.dependents.views where view.relations.contains(where: { DDLParser.same($0, table.value, true) }) {
            diagnostics.report(.dependentBreaks, Message.viewOverRetiredTable(view.name, line: view.line, table: table.value, by: what),
                               at: table.location)
        }
    }

    private mutating func refuseUsers(of table: String, _ column: String, by what: String, at name: Name) {
        for generated in generatedColumns(using: column, of: table) {
            diagnostics.report(.dependentBreaks, Message.generatedColumnUses(generated, table: table, column: column, by: what), at: name.location)
        }
        for view in schema.dependents.views(using: column, of: table, mysql: mysql) {
            diagnostics.report(.dependentBreaks, Message.viewUsesRetiredColumn(view.name, line: view.line, table: table, column: column, by: what,
                                                                                mysql: mysql), at: name.location)
        }
        for trigger in schema.dependents.triggers(using: column, of: table, mysql: mysql) {
            diagnostics.report(.dependentBreaks, Message.triggerUsesRetiredColumn(trigger.name, line: trigger.line, table: table, column: column,
                                                                                   by: what), at: name.location)
        }
    }
}

extension DependentRules {
    /// Generated columns of `table` whose expression names `column` (PostgreSQL binds them to the
    /// column itself, like a view: after a swap they would compute from the quarantined column).
    func generatedColumns(using column: String, of table: String) -> [String] {
        (schema.table(table)?.columns ?? []).filter { candidate in
            guard let expression = candidate.generated, !DDLParser.same(candidate.name, column, mysql) else { return false }
            return ColumnExpression.uses(expression, column: column, engine: engine)
        }.map(\.name)
    }
}
