/// The check every operation that replaces a column by a copy (renameColumn, a rewriting alterColumn)
/// runs; it asks the generated and partitioned column checks, which read the operations' own facts
/// (`ServerFilledColumns`, `TablePartitioning`), so it lives beside them, above Validation.
extension ReferenceRules {
    /// CUT049: a rename or rewrite moves the data to a new column and retires the old one; a primary key or
    /// the foreign keys of other tables would stay on the retired column.
    mutating func checkReplacedColumn(_ table: String, _ column: Name, by what: String, at value: Located<String>) {
        checkGeneratedColumnCopied(table, column, by: what)
        checkPartitionedReplacedColumn(table, column, by: what, at: value)
        let key = schema.columnKey(column.value)
        if let state = schema.tables[table], state.primaryKey.contains(key) {
            report(.referenceMismatch, Message.replacesPrimaryKey(column.value, table: table, what: what), value)
        } else if let key = schema.incomingForeignKeys(table: table, columnKey: key).first {
            report(.referenceMismatch, Message.replacesReferencedColumn(column.value, table: table, what: what, foreignKey: key.name, from: key.table), value)
        }
    }
}
