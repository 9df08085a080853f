/// The base schema's dependents of a column, for the lowering: expression indexes (a rename or a
/// rewriting type change must rebuild them on the new column, not leave them on the quarantined one),
/// views and triggers.
extension LoweringContext {
    /// Indexes on `table` whose key names `column`, as a plain column or inside an expression
    /// (`lower((email)::text)`, `to_tsvector('english', description)`).
    /// PostgreSQL: also those that INCLUDE it (rebuilt on the copy too, else the contract's quarantined
    /// column would take them along when it is dropped).
    public func indexesUsing(_ table: String, column: String) -> [DatabaseSchema.Index] {
        schema.indexes.filter { index in
            index.table == table && (index.columns.contains { item in
                sameName(item, column) || (Self.isExpression(item) && ColumnExpression.uses(item, column: column, engine: engine))
            } || IndexKeyText.includes(index.options, column: column, engine: engine))
        }
    }

    /// An index item that is not a bare column name.
    static func isExpression(_ item: String) -> Bool {
        item.contains("(") || item.contains(" ") || item.contains(":")
    }

    /// Views of the base schema that use `table.column`, directly or through other views, in creation order.
    public func views(using column: String, of table: String) -> [SchemaDependents.View] {
        schema.dependents.views(using: column, of: table, mysql: engine == .mysql)
    }

    /// Triggers of the base schema that name `table.column`.
    public func triggers(using column: String, of table: String) -> [SchemaDependents.Trigger] {
        schema.dependents.triggers(using: column, of: table, mysql: engine == .mysql)
    }

    /// Whether `table` is a partitioned parent in the base schema.
    public func isPartitioned(_ table: String) -> Bool { schema.table(table)?.partitioned ?? false }
}
