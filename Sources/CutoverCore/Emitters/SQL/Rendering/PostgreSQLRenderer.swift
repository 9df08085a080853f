/// PostgreSQL's text for each `DDL` value: catalog-guarded DO blocks (one DO is one transaction, so a
/// rename and its view are atomic), squawk suppressions where a statement is safe by construction.
struct PostgreSQLRenderer {
    var b: PostgreSQLBuilder

    func render(_ ddl: DDL) -> [SQLStatement] {
        switch ddl {
        case .renameTableLeavingView(let from, let to):
            let view = "CREATE VIEW \(b.q(from)) AS SELECT * FROM \(b.q(to));"
            let up = b.guarded("to_regclass(\(b.lit(b.q(to)))) IS NULL AND to_regclass(\(b.lit(b.q(from)))) IS NOT NULL",
                               ["ALTER TABLE \(b.q(from)) RENAME TO \(b.q(to));", view])
            return [SQLStatement(up, comment: "Rename + compatibility view under the old name, atomically (one DO = one transaction). A simple\nSELECT * view is auto-updatable, so old app versions keep reading and writing \"\(from)\".\n(squawk does not see inside DO: renaming-table would fire; safe because of the view.)")]
        case .undoRenameTableLeavingView(let from, let to):
            return [SQLStatement(b.guarded("to_regclass(\(b.lit(b.q(to)))) IS NOT NULL",
                                           ["DROP VIEW IF EXISTS \(b.q(from));", "ALTER TABLE \(b.q(to)) RENAME TO \(b.q(from));"]))]
        case .compatibilityView(let name, let table):
            return [SQLStatement("CREATE OR REPLACE VIEW \(b.q(name)) AS SELECT * FROM \(b.q(table));")]
        case .dropCompatibilityView(let name):
            return [SQLStatement("DROP VIEW IF EXISTS \(b.q(name));",
                                 suppressions: .rules(["ban-drop-view"], "the compatibility view only served app versions that the contract phase has retired"))]
        case .guardedRenameTable(let from, let to):
            return [SQLStatement(b.guarded("to_regclass(\(b.lit(b.q(from)))) IS NOT NULL AND to_regclass(\(b.lit(b.q(to)))) IS NULL",
                                           ["ALTER TABLE \(b.q(from)) RENAME TO \(b.q(to));"]))]
        case .dropTable(let name, let reason):
            return [SQLStatement("DROP TABLE IF EXISTS \(b.q(name));", suppressions: .rules(["ban-drop-table"], reason))]
        }
    }
}
