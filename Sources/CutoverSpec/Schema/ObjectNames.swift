/// The names cutover gives the keys and constraints a spec declares without naming them: a table's
/// primary key and a column's `unique`, `check` and `references`. One function per name, used by
/// Validation (clash checks, `SymbolicSchema`) and Planning (the DDL and the evolving `DatabaseSchema`),
/// so the two can never disagree. PostgreSQL: `<table>_pkey`, `<table>_<column>_key|_check|_fkey`, cut
/// to the identifier limit with a stable hash (the DDL names them explicitly, so the server keeps
/// exactly this name). MySQL calls every primary key `PRIMARY`, whatever the DDL says.
/// (A server-named object of a schema file follows the server's own rule instead: `ImplicitNames`.)
package struct ObjectNames: Sendable {
    package var names: SQLNames

    package init(engine: MigrationSpec.Engine) { names = SQLNames(engine: engine) }
    package init(names: SQLNames) { self.names = names }

    /// The primary key's name in the catalog.
    package func primaryKey(table: String) -> String { names.engine == .mysql ? "PRIMARY" : declaredPrimaryKey(table: table) }
    /// The name the CREATE TABLE writes in `CONSTRAINT … PRIMARY KEY` (MySQL accepts and ignores it).
    package func declaredPrimaryKey(table: String) -> String { names.fit("\(table)_pkey") }
    /// A column's `unique: true`.
    package func columnUnique(table: String, column: String) -> String { names.fit("\(table)_\(column)_key") }
    /// A column's `check:`.
    package func columnCheck(table: String, column: String) -> String { names.fit("\(table)_\(column)_check") }
    /// A column's `references:`.
    package func columnForeignKey(table: String, column: String) -> String { names.fit("\(table)_\(column)_fkey") }
}
