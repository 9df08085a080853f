/// A readable `sql` change applied to the symbolic schema: later changes are checked against what it
/// created, dropped and renamed, instead of every check going quiet for the rest of the spec.
extension SymbolicSchema {
    package mutating func apply(_ effects: RawSQLSchemaEffects, name: String, line: Int) {
        let reason = "sql change '\(name)' at line \(line)"
        for effect in effects.effects {
            switch effect {
            case .createTable(let table, let indexes):
                var state = Table(name: table.name, complete: true, createdInSpec: true, origin: "the \(reason)")
                for column in table.columns {
                    state.columns[columnKey(column.name)] = Column(name: column.name, nullable: column.nullable, type: column.type,
                                                                   hasDefault: column.defaultValue != nil, isIdentity: column.isIdentity)
                }
                state.primaryKey = table.primaryKey.map(columnKey)
                state.generation = generation
                store(state)
                for index in indexes where conflict(name: index.name, table: table.name, kind: .index) == nil {
                    register(Object(name: index.name, table: table.name, kind: .index, columns: index.columns.map(columnKey)))
                }
            case .addColumn(let table, let column):
                let key = columnKey(column.name)
                update(table) { state in
                    state.columns[key] = Column(name: column.name, nullable: column.nullable, type: column.type,
                                                hasDefault: column.defaultValue != nil, isIdentity: column.isIdentity)
                    state.gone[key] = nil
                }
            case .dropColumn(let table, let column):
                let key = columnKey(column)
                update(table) { state in
                    state.columns[key] = nil
                    state.gone[key] = "it was dropped by the \(reason)"
                }
            case .renameColumn(let table, let from, let to):
                let fromKey = columnKey(from), toKey = columnKey(to)
                update(table) { state in
                    if var column = state.columns.removeValue(forKey: fromKey) {
                        column.name = to
                        state.columns[toKey] = column
                    }
                    state.gone[fromKey] = "it was renamed to '\(to)' by the \(reason)"
                    state.gone[toKey] = nil
                }
            case .renameTable(let from, let to):
                if exists(table: from) { rename(table: from, to: to, reason: "it was renamed to '\(to)' by the \(reason)") }
            case .dropTable(let table):
                if exists(table: table) { remove(table: table, reason: "it was dropped by the \(reason)") }
            case .createIndex(let index):
                if conflict(name: index.name, table: index.table, kind: .index) == nil {
                    register(Object(name: index.name, table: index.table, kind: .index, columns: index.columns.map(columnKey)))
                }
            case .dropIndex(let name, let table):
                let owner = table ?? tables.values.first { indexNames(on: $0.name).contains(name) }?.name
                if let owner { remove(index: name, table: owner, reason: "it was dropped by the \(reason)") }
            }
        }
    }
}
