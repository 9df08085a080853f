/// `CONSTRAINT name CHECK (…) | UNIQUE (…) | FOREIGN KEY (…) REFERENCES t (…) ON DELETE …`, the same
/// on both engines apart from quoting. `table`: how the referenced table is named (PostgreSQL:
/// `PostgreSQLBuilder.t`, in the spec's schema); names inside the table are always quoted alone.
enum ConstraintClause {
    static func text(_ c: TableDefinition.Constraint, _ n: SQLNames, table quoteTable: ((String) -> String)? = nil) -> String {
        switch c.kind {
        case .check(let expression): return "CONSTRAINT \(n.quote(c.name)) CHECK (\(expression))"
        case .unique(let columns): return "CONSTRAINT \(n.quote(c.name)) UNIQUE (\(n.quoteList(columns)))"
        case .foreignKey(let columns, let table, let referenced, let onDelete):
            return "CONSTRAINT \(n.quote(c.name)) FOREIGN KEY (\(n.quoteList(columns))) REFERENCES \((quoteTable ?? n.quote)(table)) (\(n.quoteList(referenced))) ON DELETE \(onDelete.sql)\(c.actions)"
        }
    }
}
