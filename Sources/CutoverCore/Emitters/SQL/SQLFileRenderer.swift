/// Renders one direction of a step as a complete SQL file: the generated-by header, the session
/// timeouts from `runner`, then the statements. Every SQL output format and the Kubernetes ConfigMaps
/// take their file text from here, so all of them run exactly the same SQL.
///
/// Layout of a statement: its comment lines, then (when it suppresses squawk rules) `-- safe: <reason>`
/// and `-- squawk-ignore <rules>` on the line directly above the statement (squawk ignores a
/// suppression with anything in between), then the statement.
public enum SQLFileRenderer {
    public enum Direction: String, Sendable { case up, down }

    public static func render(_ step: PlanStep, _ direction: Direction, plan: MigrationPlan) -> String {
        let spec = plan.spec
        var out = GeneratedHeader.sql(spec)
        out += "-- step \(step.number) (\(step.phase.rawValue)\(step.side.map { ", on \($0.rawValue)" } ?? "")), \(direction.rawValue): \(step.title)\n"
        out += sessionSettings(spec)
        let script = direction == .up ? step.up : step.down
        for statement in script.statements {
            out += render(statement)
        }
        return out
    }

    /// The per-file session settings: PostgreSQL lock and statement timeouts, MySQL lock_wait_timeout.
    public static func sessionSettings(_ spec: MigrationSpec) -> String {
        switch spec.database.engine {
        case .postgresql:
            return "SET lock_timeout = '\(LoweringContext.postgresDuration(spec.runner.lockTimeout))';\n"
                + "SET statement_timeout = '\(LoweringContext.postgresDuration(spec.runner.statementTimeout))';\n"
        case .mysql:
            return "SET SESSION lock_wait_timeout = \(max(1, spec.runner.lockTimeout.seconds));\n"
        }
    }

    public static func render(_ statement: SQLStatement) -> String {
        var out = ""
        if let comment = statement.comment {
            for line in comment.split(separator: "\n", omittingEmptySubsequences: false) {
                out += line.isEmpty ? "--\n" : "-- \(line)\n"
            }
        }
        if statement.suppressions.contains(where: { !$0.inline }) {
            var reasons: [String] = []
            var rules: [String] = []
            for suppression in statement.suppressions where !suppression.inline {
                if !reasons.contains(suppression.reason) { reasons.append(suppression.reason) }
                if !rules.contains(suppression.rule) { rules.append(suppression.rule) }
            }
            out += "-- safe: \(reasons.joined(separator: "; "))\n"
            out += "-- squawk-ignore \(rules.joined(separator: ", "))\n"
        }
        if !statement.text.isEmpty { out += statement.text + "\n" }
        return out
    }
}
