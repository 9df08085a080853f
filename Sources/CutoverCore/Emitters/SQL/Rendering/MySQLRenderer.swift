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
        }
    }

    /// What every CREATE TABLE of cutover's ends with on MySQL.
    static let tableOptions = "ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci"

    func viewSQL(_ name: String, over table: String) -> String { "CREATE OR REPLACE VIEW \(b.q(name)) AS SELECT * FROM \(b.q(table));" }
}
