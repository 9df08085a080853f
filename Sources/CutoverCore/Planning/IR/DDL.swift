/// A DDL statement as a value, for the recipes written once for both engines (`Operations/`): what it
/// does, not how an engine spells it. `StatementRendering` turns each into the engine's statements last
/// (`PostgreSQLRenderer`, `MySQLRenderer`), asking `EngineCapabilities` where the engines differ.
public enum DDL: Sendable, Equatable {
    /// Rename a table and leave an auto-updatable `SELECT *` view under the old name, so the old app
    /// version keeps reading and writing it (atomically where DDL is transactional).
    case renameTableLeavingView(from: String, to: String)
    /// The down of `renameTableLeavingView`: drop the view, rename the table back.
    case undoRenameTableLeavingView(from: String, to: String)
    /// Where DDL commits per statement (MySQL): an updatable `ALGORITHM=MERGE` `SELECT *` view under the
    /// NEW name over the table, which keeps its old name, so neither app version ever misses its name.
    case viewUnderNewName(table: String, view: String)
    /// The contract of `viewUnderNewName`, once no pod of the old version serves: one atomic
    /// `RENAME TABLE view TO parked, table TO view`, then the parked view is dropped.
    case swapViewForTable(table: String, view: String, parked: String)
    /// The down of `swapViewForTable`, while the new version serves: the table takes its old name back
    /// and the view returns under the new name in one atomic RENAME TABLE (a stand-in view under the old
    /// name lets the new view be created first, since CREATE VIEW needs its table to exist).
    case unswapViewForTable(table: String, view: String, parkedView: String, parkedTable: String)
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
