/// MySQL 8's text for each `DDL` value: information_schema + PREPARE guards (MySQL 8 has no IF [NOT]
/// EXISTS on most DDL), one statement per DDL since MySQL commits each (so no multi-statement atomicity;
/// a multi-table RENAME TABLE is the one atomic swap of names).
struct MySQLRenderer {
    var b: MySQLBuilder

    func render(_ ddl: DDL) -> [SQLStatement] {
        switch ddl {
        case .renameTableLeavingView(let from, let to):
            // CREATE VIEW needs its table to exist and a view keeps naming what it named, so the view that
            // will carry the old name is created first, over a stand-in view under the new name; one
            // multi-table RENAME TABLE (atomic) then moves the stand-in aside, the table to its new name and
            // the view to the old name. Each statement is guarded, so a re-run after a failure resumes.
            let standIn = b.context.derived.parked(to), view = b.context.derived.parked(from)
            let before = b.objectExists(from, type: "BASE TABLE")
            let staged = before + " AND " + b.objectExists(to, type: "VIEW")
            return [SQLStatement(b.guarded("CREATE VIEW \(b.q(to)) AS SELECT * FROM \(b.q(from))", when: before + " AND NOT " + b.objectExists(to)),
                                 comment: "RENAME TABLE + compatibility view under the old name (simple view: updatable and insertable), with\nno moment where `\(from)` is missing: MySQL commits each DDL, so the view is built first (over a\nstand-in view `\(to)`) and one multi-table RENAME TABLE swaps the names atomically."),
                    SQLStatement(b.guarded("CREATE OR REPLACE VIEW \(b.q(view)) AS SELECT * FROM \(b.q(to))", when: staged)),
                    SQLStatement(b.guarded("RENAME TABLE \(b.q(to)) TO \(b.q(standIn)), \(b.q(from)) TO \(b.q(to)), \(b.q(view)) TO \(b.q(from))",
                                           when: staged + " AND " + b.objectExists(view, type: "VIEW"))),
                    SQLStatement("DROP VIEW IF EXISTS \(b.q(standIn));")]
        case .undoRenameTableLeavingView(let from, let to):
            // One RENAME TABLE moves the compatibility view aside and gives the table its old name back.
            let parked = b.context.derived.parked(from)
            let renamed = b.objectExists(from, type: "VIEW") + " AND " + b.objectExists(to, type: "BASE TABLE")
            return [SQLStatement(b.guarded("RENAME TABLE \(b.q(from)) TO \(b.q(parked)), \(b.q(to)) TO \(b.q(from))", when: renamed),
                                 comment: "The table takes its old name back from the compatibility view in one atomic RENAME TABLE:\n`\(from)` exists at every moment."),
                    SQLStatement("DROP VIEW IF EXISTS \(b.q(parked));")]
        case .compatibilityView(let name, let table):
            return [SQLStatement(viewSQL(name, over: table))]
        case .dropCompatibilityView(let name):
            return [SQLStatement("DROP VIEW IF EXISTS \(b.q(name));")]
        case .guardedRenameTable(let from, let to):
            return [SQLStatement(b.renameTable(from, to))]
        case .dropTable(let name, _):
            return [SQLStatement("DROP TABLE IF EXISTS \(b.q(name));")]
        case .createTable(let table):
            return [SQLStatement(createTable(table))]
        }
    }

    /// What every CREATE TABLE of cutover's ends with on MySQL.
    static let tableOptions = "ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci"

    /// Every column states NULL or NOT NULL (MySQL's default for a TIMESTAMP is not NULL).
    func createTable(_ t: TableDefinition) -> String {
        // A column that takes a referenced column's encoding gets a placeholder, filled when the Job runs.
        let mark = "\u{1}"
        var lines = t.columns.enumerated().map { i, c in
            "  \(b.q(c.name)) \(b.definition(type: c.type + (c.encodingOf != nil ? " \(mark)\(i)\(mark)" : ""), nullable: c.nullable, defaultValue: c.defaultValue))\(c.comment.map { " COMMENT \($0)" } ?? "")"
        }
        if !t.primaryKey.isEmpty { lines.append("  CONSTRAINT \(b.q(t.primaryKeyName)) PRIMARY KEY (\(b.n.quoteList(t.primaryKey)))") }
        for c in t.columns {
            if let unique = c.unique { lines.append("  " + ConstraintClause.text(.init(name: unique, kind: .unique([c.name])), b.n)) }
            if let check = c.check { lines.append("  " + ConstraintClause.text(.init(name: check.name, kind: .check(check.expression)), b.n)) }
            if let key = c.references { lines.append("  " + ConstraintClause.text(key, b.n)) }
        }
        lines += t.constraints.map { "  " + ConstraintClause.text($0, b.n) }
        let text = "CREATE TABLE IF NOT EXISTS \(b.q(t.name)) (\n" + lines.joined(separator: ",\n") + "\n) \(Self.tableOptions)\(partitionClause(t));"
        guard t.columns.contains(where: { $0.encodingOf != nil }) else { return text }
        let pieces = String(text.dropLast()).components(separatedBy: mark).enumerated().map { k, part -> String in
            guard k % 2 == 1, let i = Int(part), let ref = t.columns[i].encodingOf else { return b.lit(part) }
            return "COALESCE((SELECT CONCAT('CHARACTER SET ', character_set_name, ' COLLATE ', collation_name) FROM information_schema.columns\n"
                + "  WHERE table_schema = DATABASE() AND table_name = \(b.lit(ref.table)) AND column_name = \(b.lit(ref.column))), '')"
        }
        return b.executing("CONCAT(" + pieces.joined(separator: ",\n  ") + ")")
    }

    /// `PARTITION BY RANGE COLUMNS|LIST COLUMNS|KEY (…) (PARTITION … , …)`: the COLUMNS forms take
    /// dates and text (plain RANGE and LIST take integers only), KEY hashes any type.
    func partitionClause(_ t: TableDefinition) -> String {
        guard let p = t.partitioning else { return "" }
        let columns = b.n.quoteList(p.columns)
        let method: String
        switch p.method {
        case .range: method = "RANGE COLUMNS(\(columns))"
        case .list: method = "LIST COLUMNS(\(columns))"
        case .hash: method = "KEY (\(columns))"
        }
        let parts = p.partitions.map { part -> String in
            switch p.method {
            case .range: return "  PARTITION \(b.q(part.name)) VALUES LESS THAN (\(part.to.joined(separator: ", ")))"
            case .list: return "  PARTITION \(b.q(part.name)) VALUES IN (\(part.values.joined(separator: ", ")))"
            case .hash: return "  PARTITION \(b.q(part.name))"
            }
        }
        return "\nPARTITION BY \(method) (\n" + parts.joined(separator: ",\n") + "\n)"
    }

    func viewSQL(_ name: String, over table: String) -> String { "CREATE OR REPLACE VIEW \(b.q(name)) AS SELECT * FROM \(b.q(table));" }
}
