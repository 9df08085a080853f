/// What an operation's recipe, written once for both engines, works with: the change's position, the
/// schema as it stands before the change, the engine's capabilities (the questions where engines
/// differ), and the engine's builder for the statements not yet typed as `DDL` values (a small
/// engine-specific branch inside the operation's file).
struct Recipe {
    var context: LoweringContext
    var change: Int

    var capabilities: EngineCapabilities { EngineCapabilities(engine: context.engine) }
    var engine: MigrationSpec.Engine { context.engine }
    var postgres: PostgreSQLBuilder { PostgreSQLBuilder(context: context) }
    var mysql: MySQLBuilder { MySQLBuilder(context: context) }

    /// The name a step of `phase` gives a table the change names (`LoweringContext.tableName(_:in:)`):
    /// after expand, a table a later renameTable renames has its new name.
    func tableName(_ table: String, in phase: Phase) -> String { context.tableName(table, in: phase) }

    /// A comment-only down: `DO 0;` after it where the engine's tools need a statement.
    func note(_ text: String) -> [SQLStatement] {
        [.note(text)] + (capabilities.needsNoOpStatement ? [SQLStatement("DO 0;")] : [])
    }
}
