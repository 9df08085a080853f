/// PostgreSQL's text for each `DDL` value: catalog-guarded DO blocks (one DO is one transaction, so a
/// rename and its view are atomic), squawk suppressions where a statement is safe by construction.
struct PostgreSQLRenderer {
    var b: PostgreSQLBuilder

    func render(_ ddl: DDL) -> [SQLStatement] {
        switch ddl {
        case .renameTableLeavingView(let from, let to):
            let view = "CREATE VIEW \(b.t(from))\(b.appViewOptions) AS SELECT * FROM \(b.t(to));"
            let up = b.guarded("to_regclass(\(b.lit(b.t(to)))) IS NULL AND to_regclass(\(b.lit(b.t(from)))) IS NOT NULL",
                               ["ALTER TABLE \(b.t(from)) RENAME TO \(b.q(to));", view])
            return [SQLStatement(up, comment: "Rename + compatibility view under the old name, atomically (one DO = one transaction). A simple\nSELECT * view is auto-updatable, so old app versions keep reading and writing \"\(from)\".\n(squawk does not see inside DO: renaming-table would fire; safe because of the view.)")]
        case .undoRenameTableLeavingView(let from, let to):
            return [SQLStatement(b.guarded("to_regclass(\(b.lit(b.t(to)))) IS NOT NULL",
                                           ["DROP VIEW IF EXISTS \(b.t(from));", "ALTER TABLE \(b.t(to)) RENAME TO \(b.q(from));"]))]
        case .compatibilityView(let name, let table):
            return [SQLStatement("CREATE OR REPLACE VIEW \(b.t(name))\(b.appViewOptions) AS SELECT * FROM \(b.t(table));")]
        case .dropCompatibilityView(let name):
            return [SQLStatement("DROP VIEW IF EXISTS \(b.t(name));",
                                 suppressions: .rules(["ban-drop-view"], "the compatibility view only served app versions that the contract phase has retired"))]
        case .guardedRenameTable(let from, let to):
            return [SQLStatement(b.guarded("to_regclass(\(b.lit(b.t(from)))) IS NOT NULL AND to_regclass(\(b.lit(b.t(to)))) IS NULL",
                                           ["ALTER TABLE \(b.t(from)) RENAME TO \(b.q(to));"]))]
        case .dropTable(let name, let reason):
            return [SQLStatement("DROP TABLE IF EXISTS \(b.t(name));", suppressions: .rules(["ban-drop-table"], reason))]
        case .createTable(let table):
            // Column comments in the same step: COMMENT ON sets the text, so a re-run changes nothing.
            return [createTable(table)] + partitions(table) + table.columns.compactMap { c in
                c.comment.map { SQLStatement("COMMENT ON COLUMN \(b.t(table.name)).\(b.q(c.name)) IS \($0);") }
            }
        }
    }

    /// Type-preference lints go right above the column's line (where squawk reports them), so the
    /// suppressions are inline. A primary key column is NOT NULL by the key, not by the column's line.
    func createTable(_ t: TableDefinition) -> SQLStatement {
        let reason = PostgreSQLDialect.typeReason
        var lines = t.columns.map { c -> String in
            var line = PostgreSQLDialect.inlineIgnore(SQLTypeFacts.postgresTypeLints(c.type), reason: reason)
            line += "    \(b.q(c.name)) \(c.type)"
            if !c.nullable && !t.primaryKey.contains(c.name) { line += " NOT NULL" }
            if let value = c.defaultValue { line += " DEFAULT \(value)" }
            return line
        }
        if !t.primaryKey.isEmpty { lines.append("    CONSTRAINT \(b.q(t.primaryKeyName)) PRIMARY KEY (\(b.n.quoteList(t.primaryKey)))") }
        for c in t.columns {
            if let check = c.check { lines.append("    " + constraint(.init(name: check.name, kind: .check(check.expression)))) }
            if let unique = c.unique { lines.append("    " + constraint(.init(name: unique, kind: .unique([c.name])))) }
            if let key = c.references { lines.append("    " + constraint(key)) }
        }
        lines += t.constraints.map { "    " + constraint($0) }
        let lints = Array(Set(t.columns.flatMap { SQLTypeFacts.postgresTypeLints($0.type) })).sorted()
        let partitionBy = t.partitioning.map { " PARTITION BY \($0.method.rawValue.uppercased()) (\(b.n.quoteList($0.columns)))" } ?? ""
        return SQLStatement("CREATE TABLE IF NOT EXISTS \(b.t(t.name)) (\n" + lines.joined(separator: ",\n") + "\n)\(partitionBy);",
                            suppressions: lints.map { .init(rule: $0, reason: reason, inline: true) })
    }

    /// Each partition of a partitioned new table, as its own CREATE TABLE … PARTITION OF (IF NOT EXISTS:
    /// a re-run passes); the parent is new and empty, so attaching takes no scan.
    func partitions(_ t: TableDefinition) -> [SQLStatement] {
        guard let p = t.partitioning else { return [] }
        return p.partitions.map { part in
            let bound: String
            if part.isDefault { bound = "DEFAULT" }
            else {
                switch p.method {
                case .range: bound = "FOR VALUES FROM (\(part.from.joined(separator: ", "))) TO (\(part.to.joined(separator: ", ")))"
                case .list: bound = "FOR VALUES IN (\(part.values.joined(separator: ", ")))"
                case .hash: bound = "FOR VALUES WITH (MODULUS \(part.modulus ?? 1), REMAINDER \(part.remainder ?? 0))"
                }
            }
            return SQLStatement("CREATE TABLE IF NOT EXISTS \(b.t(part.name)) PARTITION OF \(b.t(t.name)) \(bound);")
        }
    }

    func constraint(_ c: TableDefinition.Constraint) -> String {
        ConstraintClause.text(c, b.n, table: b.t)
    }
}
