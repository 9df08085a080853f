/// The `unique`, `check` and `references` of a column that addColumn adds: the table-level operations'
/// recipes, under the names `ObjectNames` gives them (the same names Validation checks). Written once
/// for both engines.
enum ColumnConstraints {
    static func lower(_ table: String, _ column: ColumnDefinition, _ r: Recipe) -> [StepDraft] {
        let name = column.name.value
        let objects = ObjectNames(names: r.context.names)
        var steps: [StepDraft] = []
        if column.unique {
            steps += AddUnique(name: Located(objects.columnUnique(table: table, column: name), at: column.location), table: Located(table, at: column.location),
                                columns: [column.name]).lower(r)
        }
        if let check = column.check {
            steps += AddCheck(name: Located(objects.columnCheck(table: table, column: name), at: check.location), table: Located(table, at: check.location), expression: check).lower(r)
        }
        if let ref = column.references {
            steps += AddForeignKey(name: Located(objects.columnForeignKey(table: table, column: name), at: column.location), table: Located(table, at: column.location),
                                   columns: [column.name], references: TableReference(table: ref.table, columns: [ref.column], actions: ref.actions), onDelete: ref.onDelete).lower(r)
        }
        return steps
    }
}
