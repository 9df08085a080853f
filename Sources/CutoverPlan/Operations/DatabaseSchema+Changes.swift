/// The effect of each operation on the shared schema model (kept in Operations/, beside the recipes, so
/// that Schema/ refers to nothing above it): what Planning's later changes see (types
/// and keys of new tables and columns, indexes and constraints, and on MySQL the indexes the server adds
/// and drops for foreign keys). Names of undeclared keys come from `ObjectNames`, as Validation's do.
extension DatabaseSchema {
    /// Records the effect of a change so later changes see it (types and keys of new tables and columns,
    /// indexes and constraints, and on MySQL the indexes the server adds and drops for foreign keys).
    mutating func apply(_ operation: Operation, engine: MigrationSpec.Engine) {
        operation.unit.apply(to: &self, engine: engine)
    }

    mutating func mutateTable(_ name: String, _ body: (inout Table) -> Void) {
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
