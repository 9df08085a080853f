/// Renders one direction of a step as a complete SQL file: the generated-by header, the session
/// timeouts from `runner`, then the statements. Every SQL output format and the Kubernetes ConfigMaps
/// take their file text from here, so all of them run exactly the same SQL.
public enum SQLFileRenderer {
    public enum Direction: String, Sendable { case up, down }

    public static func render(_ step: PlanStep, _ direction: Direction, plan: MigrationPlan) -> String {
        let spec = plan.spec
        var out = GeneratedHeader.sql(spec)
        out += "-- step \(step.number) (\(step.phase.rawValue)), \(direction.rawValue): \(step.title)\n"
        let script = direction == .up ? step.up : step.down
        for statement in script.statements {
            if let comment = statement.comment { out += "-- \(comment)\n" }
            out += statement.text + "\n"
        }
        return out
    }
}
