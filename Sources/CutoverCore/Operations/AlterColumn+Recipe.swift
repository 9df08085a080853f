/// `alterColumn`: metadata-only changes (a type change the engine does in place, default, nullability)
/// as single steps; a rewriting type change through a copy column kept in sync by triggers, a batched
/// backfill and a swap in contract. The engines differ in what they do in place and how the swap locks,
/// so each has its half beside this file (`PostgreSQLAlterColumn`, `MySQLAlterColumn`).
extension AlterColumn: OperationRecipe {
    func lower(_ r: Recipe) -> [StepDraft] {
        r.engine == .postgresql ? PostgreSQLAlterColumn(b: r.postgres, alter: self, change: r.change).lower()
                                : MySQLAlterColumn(b: r.mysql, alter: self, change: r.change).lower()
    }

    /// The column's new type, nullability and default.
    func apply(to schema: inout DatabaseSchema, engine: MigrationSpec.Engine) {
        let sameName = ColumnNames(mysql: engine == .mysql).same
        schema.mutateTable(table.value) { table in
            guard let index = table.columns.firstIndex(where: { sameName($0.name, column.value) }) else { return }
            if let type = type { table.columns[index].type = type.value }
            if let nullable = nullable { table.columns[index].nullable = nullable.value }
            if let value = defaultValue { table.columns[index].defaultValue = value.value }
            if dropDefault { table.columns[index].defaultValue = nil }
        }
    }
}
