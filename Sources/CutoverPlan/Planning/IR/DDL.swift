/// A DDL statement as a value, for the recipes written once for both engines (`Operations/`): what it
/// does, not how an engine spells it. `StatementRendering` turns each into the engine's statements last
/// (`PostgreSQLRenderer`, `MySQLRenderer`), asking `EngineCapabilities` where the engines differ.
public enum DDL: Sendable, Equatable {
    /// Rename a table and leave an auto-updatable `SELECT *` view under the old name, so the old app
    /// version keeps reading and writing it; the old name exists at every moment (one transaction on
    /// PostgreSQL, one multi-table RENAME TABLE on MySQL).
    case renameTableLeavingView(from: String, to: String)
    /// The down of `renameTableLeavingView`: the table takes its old name back from the view, without a gap.
    case undoRenameTableLeavingView(from: String, to: String)
    /// The compatibility view `name` over `table` (`CREATE OR REPLACE VIEW … AS SELECT *`).
    case compatibilityView(name: String, table: String)
    /// DROP VIEW IF EXISTS of a compatibility view cutover created, once no app version reads it.
    case dropCompatibilityView(name: String)
    /// Rename a table when it exists and the new name is free (quarantine and its undo), guarded on the catalog.
    case guardedRenameTable(from: String, to: String)
    /// DROP TABLE IF EXISTS of a table cutover created or quarantined; `reason` says why that is safe.
    case dropTable(name: String, reason: String)
    /// CREATE TABLE IF NOT EXISTS with every key and constraint named.
    case createTable(TableDefinition)
}
