/// MySQL 8's text for each `DDL` value: information_schema + PREPARE guards (MySQL 8 has no IF [NOT]
/// EXISTS on most DDL), one statement per DDL since MySQL commits each (so no multi-statement atomicity).
struct MySQLRenderer {
    var b: MySQLBuilder

    func render(_ ddl: DDL) -> [SQLStatement] {
        switch ddl {
        case .renameTableLeavingView(let from, let to):
            return [SQLStatement(b.renameTable(from, to, baseTableOnly: true),
                                 comment: "RENAME TABLE + compatibility view under the old name (simple view: updatable and insertable).\nNot atomic on MySQL (DDL commits): `\(from)` is missing for a moment between the two statements."),
                    SQLStatement(viewSQL(from, over: to))]
        case .undoRenameTableLeavingView(let from, let to):
            return [SQLStatement("DROP VIEW IF EXISTS \(b.q(from));"), SQLStatement(b.renameTable(to, from, baseTableOnly: true))]
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
        var lines = t.columns.map { "  \(b.q($0.name)) \(b.definition(type: $0.type, nullable: $0.nullable, defaultValue: $0.defaultValue))" }
        if !t.primaryKey.isEmpty { lines.append("  CONSTRAINT \(b.q(t.primaryKeyName)) PRIMARY KEY (\(b.n.quoteList(t.primaryKey)))") }
        for c in t.columns {
            if let unique = c.unique { lines.append("  " + ConstraintClause.text(.init(name: unique, kind: .unique([c.name])), b.n)) }
            if let check = c.check { lines.append("  " + ConstraintClause.text(.init(name: check.name, kind: .check(check.expression)), b.n)) }
            if let key = c.references { lines.append("  " + ConstraintClause.text(key, b.n)) }
        }
        lines += t.constraints.map { "  " + ConstraintClause.text($0, b.n) }
        return "CREATE TABLE IF NOT EXISTS \(b.q(t.name)) (\n" + lines.joined(separator: ",\n") + "\n) \(Self.tableOptions);"
    }

    func viewSQL(_ name: String, over table: String) -> String { "CREATE OR REPLACE VIEW \(b.q(name)) AS SELECT * FROM \(b.q(table));" }
}
