/// `createIndex`, in expand: PostgreSQL builds it CONCURRENTLY (after dropping an INVALID leftover of a
/// failed build; a partitioned table's per partition, `PostgreSQLPartitionedIndex`), MySQL in place
/// (ALGORITHM=INPLACE, LOCK=NONE). What MySQL cannot build (other methods, a WHERE clause) is built as
/// BTREE over every row, said in the title and the comment; on MySQL the new index may replace an
/// index the server made for a foreign key, which the down restores.
extension CreateIndex: OperationRecipe {
    func lower(_ r: Recipe) -> [StepDraft] {
        let name = self.name.value, table = self.table.value, columns = self.columns.map(\.value)
        let title = "create \(unique ? "unique " : "")index \(name) on \(table)"
        if r.capabilities.concurrentIndexes {
            let b = r.postgres
            if let partitioned = PostgreSQLPartitionedIndex(self, b) { return [partitioned.lowerCreate(change: r.change, b)] }
            let build = b.createIndexConcurrently(name: name, table: table, unique: unique, method: method.rawValue,
                                                  columns: b.n.quoteList(columns), whereClause: whereClause?.value)
            return [StepDraft(.expand, slug: "create_index \(name)", title: title + " concurrently", change: r.change,
                              up: build, down: [b.dropIndexConcurrently(name)], transactional: false)]
        }
        let b = r.mysql
        var notes: [String] = []
        var suffix = ""
        if method != .btree {
            notes.append("InnoDB has no \(method.rawValue) indexes: built as BTREE.")
            suffix += " (MySQL: BTREE instead of \(method.rawValue))"
        }
        if let whereClause {
            notes.append("MySQL has no partial indexes: the predicate (\(whereClause.value)) is ignored and the index covers every row.")
            suffix += " (MySQL: WHERE ignored)"
        }
        let implicit = r.context.implicitIndexes(coveredBy: columns, on: table)
        if !implicit.isEmpty {
            notes.append("The index covers a foreign key whose index the server created by itself (\(implicit.map { "`\($0.name)`" }.joined(separator: ", "))): the server\n"
                         + "drops that one now; the ALTER names it so a re-run after the down gives the same schema.")
        }
        let up = SQLStatement(b.addIndex(table, name, unique: unique, columns: b.n.quoteList(columns), replacing: implicit),
                              comment: notes.isEmpty ? nil : notes.joined(separator: "\n"))
        return [StepDraft(.expand, slug: "create_index \(name)", title: title + " in place" + suffix, change: r.change,
                          up: [up], down: [b.dropIndex(table, name, restoring: implicit)])]
    }

    /// The index, and on MySQL the server's foreign-key indexes it makes redundant are gone.
    func apply(to schema: inout DatabaseSchema, engine: MigrationSpec.Engine) {
        schema.dropImplicitIndexes(coveredBy: columns.map(\.value), on: table.value, engine: engine)
        schema.indexes.append(DatabaseSchema.Index(name: name.value, table: table.value, columns: columns.map(\.value), unique: unique,
                                                   method: method.rawValue, definition: "", predicate: whereClause?.value))
    }
}
