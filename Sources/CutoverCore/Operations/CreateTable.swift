/// `createTable`, in expand: one CREATE TABLE IF NOT EXISTS with every key and constraint named (the
/// table is new, so nothing waits on it); the down drops it. The definition is a value
/// (`TableDefinition`) that each engine's renderer spells.
struct CreateTable: OperationRecipe {
    var name: String
    var columns: [ColumnDefinition]
    var primaryKey: [String]
    var constraints: [TableConstraint]

    func definition(_ names: SQLNames) -> TableDefinition {
        let objects = ObjectNames(names: names)
        let columns = self.columns.map { column -> TableDefinition.Column in
            let c = column.name.value
            return TableDefinition.Column(
                name: c, type: column.type.value, nullable: column.nullable && !primaryKey.contains(c), defaultValue: column.defaultValue?.value,
                unique: column.unique ? objects.columnUnique(table: name, column: c) : nil,
                check: column.check.map { (objects.columnCheck(table: name, column: c), $0.value) },
                references: column.references.map {
                    .init(name: objects.columnForeignKey(table: name, column: c),
                          kind: .foreignKey(columns: [c], table: $0.table.value, referencedColumns: [$0.column.value], onDelete: $0.onDelete))
                })
        }
        let constraints = self.constraints.compactMap { constraint -> TableDefinition.Constraint? in
            guard let kind = constraint.kind else { return nil }
            switch kind {
            case .check(let expression): return .init(name: constraint.name.value, kind: .check(expression.value))
            case .unique(let cols): return .init(name: constraint.name.value, kind: .unique(cols.map(\.value)))
            case .foreignKey(let cols, let ref, let onDelete):
                return .init(name: constraint.name.value, kind: .foreignKey(columns: cols.map(\.value), table: ref.table.value,
                                                                            referencedColumns: ref.columns.map(\.value), onDelete: onDelete))
            }
        }
        return TableDefinition(name: name, columns: columns, primaryKeyName: objects.declaredPrimaryKey(table: name), primaryKey: primaryKey,
                               constraints: constraints)
    }

    func lower(_ r: Recipe) -> [StepDraft] {
        [StepDraft(.expand, slug: "create_table \(name)", title: "create table \(name)", change: r.change,
                   up: [SQLStatement(.createTable(definition(r.context.names)))],
                   down: [SQLStatement(.dropTable(name: name, reason: "drops only the table that this pair's up created"))])]
    }

    /// The table with its types and keys; its primary key, unique, check and foreign keys under the
    /// names the CREATE TABLE gives them; on MySQL the indexes the server makes for the foreign keys.
    func apply(to schema: inout DatabaseSchema, engine: MigrationSpec.Engine) {
        let objects = ObjectNames(engine: engine)
        let keyNames = Set(primaryKey)
        let cols = columns.map {
            DatabaseSchema.Column(name: $0.name.value, type: $0.type.value, nullable: $0.nullable && !keyNames.contains($0.name.value),
                                  defaultValue: $0.defaultValue?.value, isIdentity: SQLTypeFacts.isIdentityType($0.type.value))
        }
        schema.tables.append(DatabaseSchema.Table(name: name, columns: cols, primaryKey: primaryKey))
        if !primaryKey.isEmpty {
            schema.constraints.append(.init(name: objects.primaryKey(table: name), table: name, kind: .primaryKey, columns: primaryKey))
        }
        var foreignKeys: [DatabaseSchema.Constraint] = []
        for column in columns {
            let c = column.name.value
            if column.unique { schema.constraints.append(.init(name: objects.columnUnique(table: name, column: c), table: name, kind: .unique, columns: [c])) }
            if let check = column.check {
                schema.constraints.append(.init(name: objects.columnCheck(table: name, column: c), table: name, kind: .check, columns: [], expression: check.value))
            }
            if let ref = column.references {
                foreignKeys.append(.init(name: objects.columnForeignKey(table: name, column: c), table: name, kind: .foreignKey, columns: [c],
                                         referencedTable: ref.table.value, referencedColumns: [ref.column.value],
                                         actions: "ON DELETE \(ref.onDelete.sql)"))
            }
        }
        for constraint in constraints {
            guard let kind = constraint.kind else { continue }
            switch kind {
            case .check(let expression):
                schema.constraints.append(.init(name: constraint.name.value, table: name, kind: .check, columns: [], expression: expression.value))
            case .unique(let cols):
                schema.constraints.append(.init(name: constraint.name.value, table: name, kind: .unique, columns: cols.map(\.value)))
            case .foreignKey(let cols, let ref, let onDelete):
                foreignKeys.append(.init(name: constraint.name.value, table: name, kind: .foreignKey, columns: cols.map(\.value),
                                         referencedTable: ref.table.value, referencedColumns: ref.columns.map(\.value),
                                         actions: "ON DELETE \(onDelete.sql)"))
            }
        }
        // Keys first, then the foreign keys (which may need implicit indexes), as the server does.
        for key in foreignKeys {
            schema.constraints.append(key)
            schema.addImplicitIndexIfNeeded(for: key, engine: engine)
        }
    }
}
