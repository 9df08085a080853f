/// One engine's lowering: every operation of the spec language into phase-assigned up/down drafts.
/// PostgreSQL and MySQL each implement all operations; the planner orders and numbers the drafts.
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
