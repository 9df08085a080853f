/// One engine's lowering of a change into phase-assigned up/down drafts; the planner orders and numbers
/// them. Operations written once for both engines (`Operations/`, `OperationRecipes`) are delegated there;
/// each dialect still holds the column operations (addColumn, dropColumn, renameColumn, alterColumn).
public protocol SQLDialect: Sendable {
    /// The drafts for one change, in the order they must run within their phases.
    func lower(_ change: Change, context: LoweringContext) -> [StepDraft]
    /// The replication plumbing of a blue-green migration (empty where the engine has none).
    func blueGreen(context: LoweringContext) -> [StepDraft]
}

public enum SQLDialects {
    public static func dialect(for engine: MigrationSpec.Engine) -> any SQLDialect {
        switch engine {
        case .postgresql: return PostgreSQLDialect()
        case .mysql: return MySQLDialect()
        }
    }
}
