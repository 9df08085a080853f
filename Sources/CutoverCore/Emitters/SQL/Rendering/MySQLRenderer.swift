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
        case .viewUnderNewName(let table, let view):
            return [SQLStatement(b.guarded(mergeViewSQL(view, over: table), when: "NOT " + b.objectExists(view)),
                                 comment: "The new name as an updatable ALGORITHM=MERGE view over the table, which keeps its old name until\ncontract: the old app version keeps the table, the new one reads and writes through the view\n(AUTO_INCREMENT and LAST_INSERT_ID() included). No name is missing at any moment.")]
        case .swapViewForTable(let table, let view, let parked):
            let ready = b.objectExists(view, type: "VIEW") + " AND " + b.objectExists(table, type: "BASE TABLE")
            return [SQLStatement(b.guarded("RENAME TABLE \(b.q(view)) TO \(b.q(parked)), \(b.q(table)) TO \(b.q(view))", when: ready),
                                 comment: "One atomic RENAME TABLE: the table takes the name of its view, which steps aside; \(b.q(view)) exists\nat every moment. \(b.q(table)) goes: no pod of the old app version serves in contract."),
                    SQLStatement("DROP VIEW IF EXISTS \(b.q(parked));")]
        case .unswapViewForTable(let table, let view, let parkedView, let parkedTable):
            let swapped = b.objectExists(view, type: "BASE TABLE")
            let standIn = b.objectExists(table, type: "VIEW") + " AND " + swapped
            return [SQLStatement(b.guarded(mergeViewSQL(table, over: view), when: "NOT " + b.objectExists(table) + " AND " + swapped),
                                 comment: "CREATE VIEW needs its table to exist: a stand-in view under the old name first, then the view\nunder the new name over it, then one atomic RENAME TABLE that puts the table back under its old\nname and the view under the new name; \(b.q(view)) exists at every moment."),
                    SQLStatement(b.guarded(mergeViewSQL(parkedView, over: table, replace: true), when: standIn)),
                    SQLStatement(b.guarded("RENAME TABLE \(b.q(table)) TO \(b.q(parkedTable)), \(b.q(view)) TO \(b.q(table)), \(b.q(parkedView)) TO \(b.q(view))",
                                           when: standIn + " AND " + b.objectExists(parkedView, type: "VIEW"))),
                    SQLStatement("DROP VIEW IF EXISTS \(b.q(parkedTable));")]
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

    /// MERGE keeps the view insertable and updatable (a TEMPTABLE view is neither).
    func mergeViewSQL(_ name: String, over table: String, replace: Bool = false) -> String {
        "CREATE \(replace ? "OR REPLACE " : "")ALGORITHM=MERGE VIEW \(b.q(name)) AS SELECT * FROM \(b.q(table))"
    }

    func viewSQL(_ name: String, over table: String) -> String { "CREATE OR REPLACE VIEW \(b.q(name)) AS SELECT * FROM \(b.q(table));" }
}
