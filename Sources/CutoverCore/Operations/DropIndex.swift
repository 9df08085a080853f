/// `dropIndex`, in contract (the old app version may still need it until then): PostgreSQL drops it
/// CONCURRENTLY (outside a transaction; a partitioned table's index by catalog, `PostgreSQLPartitionedIndex`),
/// MySQL in place. The down rebuilds it from the base schema's definition, the same way it would be
/// built; without one it cannot, and the step says so.
struct DropIndex: OperationRecipe {
    var name: String
    var table: String

    func lower(_ r: Recipe) -> [StepDraft] {
        let base = r.context.index(named: name)
        if r.engine == .postgresql, let base, let partitioned = PostgreSQLPartitionedIndex(rebuilding: base, r.postgres) {
            return [partitioned.lowerDrop(change: r.change, r.postgres)]
        }
        let concurrent = r.capabilities.concurrentIndexes
        var down = r.note("The base schema does not define \(name): the down cannot rebuild it.")
        if let base { down = rebuild(base, r) }
        return [StepDraft(.contract, slug: "drop_index \(name)", title: "drop index \(name) on \(table) \(concurrent ? "concurrently" : "in place")", change: r.change,
                          up: [concurrent ? r.postgres.dropIndexConcurrently(name) : SQLStatement(r.mysql.dropIndex(table, name))],
                          down: down, reversible: base != nil, transactional: !concurrent)]
    }

    /// The index as the base schema defines it, built the engine's online way.
    func rebuild(_ index: DatabaseSchema.Index, _ r: Recipe) -> [SQLStatement] {
        let comment = "Re-create from the definition in the base schema."
        guard r.engine == .postgresql else {
            let b = r.mysql
            return [SQLStatement(b.addIndex(index.table, name, unique: index.unique, columns: b.n.quoteList(index.columns)), comment: comment)]
        }
        let b = r.postgres
        let columns = index.columns.map { SQLText.identifierProblem($0, maxLength: 64) == nil ? b.q($0) : $0 }.joined(separator: ", ")
        var statements = b.createIndexConcurrently(name: name, table: index.table, unique: index.unique, method: index.method ?? "btree",
                                                   columns: columns, whereClause: PostgreSQLDialect.whereClause(of: index.definition) ?? index.predicate)
        statements[0].comment = comment + "\n" + (statements[0].comment ?? "")
        return statements
    }

    func apply(to schema: inout DatabaseSchema, engine: MigrationSpec.Engine) {
        schema.indexes.removeAll { $0.name == name && $0.table == table }
    }
}
