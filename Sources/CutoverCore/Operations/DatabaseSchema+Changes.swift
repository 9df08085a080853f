/// The effect of each operation on the shared schema model (kept in Operations/, beside the recipes, so
/// that Schema/ refers to nothing above it): what Planning's later changes see (types
/// and keys of new tables and columns, indexes and constraints, and on MySQL the indexes the server adds
/// and drops for foreign keys). Names of undeclared keys come from `ObjectNames`, as Validation's do.
extension DatabaseSchema {
    /// Records the effect of a change so later changes see it (types and keys of new tables and columns,
    /// indexes and constraints, and on MySQL the indexes the server adds and drops for foreign keys).
    mutating func apply(_ operation: Operation, engine: MigrationSpec.Engine) {
        if let recipe = OperationRecipes.recipe(for: operation) { return recipe.apply(to: &self, engine: engine) }
        let objects = ObjectNames(engine: engine)
        switch operation {
        case .addColumn(let table, let column, _):
            let t = table.value, c = column.name.value
            mutateTable(t) {
                $0.columns.append(DatabaseSchema.Column(name: c, type: column.type.value, nullable: column.nullable,
                                                        defaultValue: column.defaultValue?.value, isIdentity: false))
            }
            if column.unique { self.constraints.append(.init(name: objects.columnUnique(table: t, column: c), table: t, kind: .unique, columns: [c])) }
            if let check = column.check {
                self.constraints.append(.init(name: objects.columnCheck(table: t, column: c), table: t, kind: .check, columns: [], expression: check.value))
            }
            if let ref = column.references {
                let key = DatabaseSchema.Constraint(name: objects.columnForeignKey(table: t, column: c), table: t, kind: .foreignKey, columns: [c],
                                                    referencedTable: ref.table.value, referencedColumns: [ref.column.value],
                                                    actions: "ON DELETE \(ref.onDelete.sql)")
                self.constraints.append(key)
                addImplicitIndexIfNeeded(for: key, engine: engine)
            }
        case .renameColumn(let table, let from, let to):
            let t = table.value
            let rule = ColumnNames(mysql: engine == .mysql)
            let sameName = rule.same
            mutateTable(t) { table in
                if let index = table.columns.firstIndex(where: { sameName($0.name, from.value) }) {
                    table.columns[index].name = to.value
                    table.primaryKey = table.primaryKey.map { sameName($0, from.value) ? to.value : $0 }
                }
            }
            for i in indexes.indices where indexes[i].table == t {
                indexes[i].columns = indexes[i].columns.map { sameName($0, from.value) ? to.value : $0 }
            }
            for i in constraints.indices {
                if constraints[i].table == t {
                    constraints[i].columns = constraints[i].columns.map { sameName($0, from.value) ? to.value : $0 }
                    if let expression = constraints[i].expression {
                        constraints[i].expression = ColumnExpression.rename(expression, from: from.value, to: to.value, engine: engine)
                    }
                }
                if constraints[i].referencedTable == t {
                    constraints[i].referencedColumns = constraints[i].referencedColumns.map { sameName($0, from.value) ? to.value : $0 }
                }
            }
        case .alterColumn(let alter):
            let sameName = ColumnNames(mysql: engine == .mysql).same
            mutateTable(alter.table.value) { table in
                guard let index = table.columns.firstIndex(where: { sameName($0.name, alter.column.value) }) else { return }
                if let type = alter.type { table.columns[index].type = type.value }
                if let nullable = alter.nullable { table.columns[index].nullable = nullable.value }
                if let value = alter.defaultValue { table.columns[index].defaultValue = value.value }
                if alter.dropDefault { table.columns[index].defaultValue = nil }
            }
        case .dropColumn:
            break
        default:
            break  // an operation of Operations/ (OperationRecipes), applied above
        }
    }

    private mutating func mutateTable(_ name: String, _ body: (inout Table) -> Void) {
        guard let index = tables.firstIndex(where: { $0.name == name }) else { return }
        body(&tables[index])
    }

    /// MySQL: the index the server created for each foreign key of the base schema that no index leads with.
    mutating func addImplicitIndexes(engine: MigrationSpec.Engine) {
        guard engine == .mysql else { return }
        for constraint in constraints where constraint.kind == .foreignKey {
            addImplicitIndexIfNeeded(for: constraint, engine: engine)
        }
    }

    /// Whether some index, primary key or unique constraint of `table` leads with `columns`.
    func isCovered(_ columns: [String], on table: String, engine: MigrationSpec.Engine) -> Bool {
        let rule = ColumnNames(mysql: engine == .mysql)
        if let key = self.table(table)?.primaryKey, rule.covers(key, columns) { return true }
        if indexes.contains(where: { $0.table == table && $0.predicate == nil && rule.covers($0.columns, columns) }) { return true }
        return constraints.contains { ($0.kind == .unique || $0.kind == .primaryKey) && $0.table == table && rule.covers($0.columns, columns) }
    }

    /// MySQL creates an index for a foreign key whose columns no index leads with.
    mutating func addImplicitIndexIfNeeded(for constraint: Constraint, engine: MigrationSpec.Engine) {
        guard engine == .mysql, constraint.kind == .foreignKey, !isCovered(constraint.columns, on: constraint.table, engine: engine) else { return }
        let name = constraint.implicitIndexName ?? constraint.name
        indexes.append(Index(name: name, table: constraint.table, columns: constraint.columns, unique: false,
                                                   method: nil, definition: "", implicit: true))
    }

    /// The server drops implicit foreign-key indexes that a new index covers.
    mutating func dropImplicitIndexes(coveredBy columns: [String], on table: String, engine: MigrationSpec.Engine) {
        guard engine == .mysql else { return }
        let rule = ColumnNames(mysql: true)
        indexes.removeAll { $0.implicit && $0.table == table && rule.covers(columns, $0.columns) }
    }
}
