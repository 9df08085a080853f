/// `CONSTRAINT name CHECK (…) | UNIQUE (…) | FOREIGN KEY (…) REFERENCES t (…) ON DELETE …`, the same
/// on both engines apart from quoting.
enum ConstraintClause {
    static func text(_ c: TableDefinition.Constraint, _ n: SQLNames) -> String {
        switch c.kind {
        case .check(let expression): return "CONSTRAINT \(n.quote(c.name)) CHECK (\(expression))"
        case .unique(let columns): return "CONSTRAINT \(n.quote(c.name)) UNIQUE (\(n.quoteList(columns)))"
        case .foreignKey(let columns, let table, let referenced, let onDelete):
            return "CONSTRAINT \(n.quote(c.name)) FOREIGN KEY (\(n.quoteList(columns))) REFERENCES \(n.quote(table)) (\(n.quoteList(referenced))) ON DELETE \(onDelete.sql)\(c.actions)"
        }
    }
}
