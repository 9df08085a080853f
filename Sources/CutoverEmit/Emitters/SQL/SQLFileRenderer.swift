import CutoverPlan
import Foundation

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
        render(step, direction, header: GeneratedHeader.sql(plan.spec), settings: sessionSettings(plan.spec))
    }

    /// `render` with the plan's header and session settings computed once by the caller.
    static func render(_ step: PlanStep, _ direction: Direction, header: String, settings: String) -> String {
        let script = direction == .up ? step.up : step.down
        var out = ""
        out.reserveCapacity(header.utf8.count + settings.utf8.count + 160
                            + script.statements.reduce(0) { $0 + $1.text.utf8.count + 2 })
        out += header
        out += "-- step \(step.number) (\(step.phase.rawValue)\(step.side.map { ", on \($0.rawValue)" } ?? "")), \(direction.rawValue): \(step.title)\n"
        out += settings
        for statement in script.statements {
            render(statement, into: &out)
        }
        return out
    }

    /// The per-file session settings: PostgreSQL lock and statement timeouts, MySQL lock_wait_timeout
    /// and the statement timeout MySQL's server has (`mysqlStatementTimeout`).
    /// PostgreSQL with a `database.schemaName` other than `public`: `search_path` leads with it, so
    /// what the user writes bare (raw `sql`, `up`/`down`, a column's type naming an enum) resolves
    /// there as the generated statements do (they name the schema: `PostgreSQLBuilder.t`); `public`
    /// stays after it for extensions' objects.
    public static func sessionSettings(_ spec: MigrationSpec) -> String {
        switch spec.database.engine {
        case .postgresql:
            let schema = spec.database.schemaName
            return "SET lock_timeout = '\(LoweringContext.postgresDuration(spec.runner.lockTimeout))';\n"
                + "SET statement_timeout = '\(LoweringContext.postgresDuration(spec.runner.statementTimeout))';\n"
                + (schema == "public" ? "" : "SET search_path = \(SQLNames(engine: .postgresql).quote(schema)), public;\n")
        case .mysql:
            return "SET SESSION lock_wait_timeout = \(max(1, spec.runner.lockTimeout.seconds));\n"
                + mysqlStatementTimeout(spec.runner.statementTimeout)
        }
    }

    /// `runner.statementTimeout` on MySQL. MySQL 8 has no timeout for every statement:
    /// `max_execution_time` (milliseconds) ends read-only SELECTs only (the checks and checksums),
    /// while DDL and DML wait at most `lock_wait_timeout` / `innodb_lock_wait_timeout` for their
    /// locks and are otherwise bounded by the Job's activeDeadlineSeconds. MariaDB (which stands in
    /// for MySQL 8 in verify and rehearse, and which users run too) has no `max_execution_time`
    /// (setting it fails with ER_UNKNOWN_SYSTEM_VARIABLE) but `max_statement_time` (seconds), which
    /// ends any statement, DDL included, though not the statements a stored procedure runs (the
    /// batched backfill). The server picks its own variable, with plain statements every client
    /// (mysql, Flyway, Liquibase) sends as they are; an executable comment (`/*!80000 … */`) would
    /// leave an empty statement that MySQL refuses over JDBC.
    static func mysqlStatementTimeout(_ timeout: Duration) -> String {
        let milliseconds = max(1, timeout.milliseconds)
        let seconds = milliseconds % 1000 == 0 ? "\(milliseconds / 1000)" : String(format: "%.3f", Double(milliseconds) / 1000)
        return "SET @cutover_timeout = IF(VERSION() LIKE '%MariaDB%', "
            + "'SET SESSION max_statement_time = \(seconds)', 'SET SESSION max_execution_time = \(milliseconds)');\n"
            + "PREPARE cutover_timeout FROM @cutover_timeout;\n"
            + "EXECUTE cutover_timeout;\n"
            + "DEALLOCATE PREPARE cutover_timeout;\n"
    }

    public static func render(_ statement: SQLStatement) -> String {
        var out = ""
        render(statement, into: &out)
        return out
    }

    static func render(_ statement: SQLStatement, into out: inout String) {
        if let comment = statement.comment {
            // Split at "\n" bytes; with a "\r" ("\r\n" is one Character) split as Characters, as before.
            let lines: [Substring] = comment.utf8.contains(0x0D)
                ? comment.split(separator: "\n", omittingEmptySubsequences: false)
                : comment.utf8.split(separator: 0x0A, omittingEmptySubsequences: false).map { Substring($0) }
            for line in lines {
                if line.isEmpty {
                    out += "--\n"
                } else {
                    out += "-- "
                    out += line
                    out += "\n"
                }
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
        if !statement.text.isEmpty {
            out += statement.text
            out += "\n"
        }
    }
}

/// Every step's two files rendered once per plan, with the step's file stem: the SQL emitters, the
/// Liquibase changelog and the Jobs' ConfigMaps all hold the same text, so it is built once and
/// shared (Swift strings are copy-on-write) instead of once per output format.
public struct RenderedSQL: Sendable {
    /// By index into `plan.steps`.
    public let up: [String]
    public let down: [String]
    /// `PlanStep.fileStem` by index into `plan.steps`.
    public let stems: [String]

    public init(_ plan: MigrationPlan) {
        let header = GeneratedHeader.sql(plan.spec), settings = SQLFileRenderer.sessionSettings(plan.spec)
        up = plan.steps.map { SQLFileRenderer.render($0, .up, header: header, settings: settings) }
        down = plan.steps.map { SQLFileRenderer.render($0, .down, header: header, settings: settings) }
        stems = plan.steps.map(\.fileStem)
    }

    public func text(_ index: Int, _ direction: SQLFileRenderer.Direction) -> String {
        direction == .up ? up[index] : down[index]
    }
}
