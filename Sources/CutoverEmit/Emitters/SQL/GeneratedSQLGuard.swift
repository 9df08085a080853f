import CutoverPlan

/// The last check before generated SQL leaves cutover: each step file is read with `SQLLexer` the way
/// the Jobs' psql or mysql client (and the runbook's `psql -f`) will read it. A client command (MySQL's
/// `DELIMITER`, which the trigger steps use, excepted) or an unterminated quote or comment in a generated
/// file is a bug in cutover, since validation refuses such input: it is an internal error and nothing is
/// written, rather than a file that makes the client run something on the Job's host.
public enum GeneratedSQLGuard {
    public static func check(_ sql: RenderedSQL, engine: MigrationSpec.Engine) throws {
        for index in sql.stems.indices {
            for direction in [SQLFileRenderer.Direction.up, .down] {
                try check(sql.text(index, direction), engine: engine, file: "\(sql.stems[index]).\(direction.rawValue).sql")
            }
        }
    }

    public static func check(_ text: String, engine: MigrationSpec.Engine, file: String) throws {
        let result = SQLLexer.check(text, engine: engine)
        if let command = result.forbiddenCommands(allowDumpRestrict: false).first {
            throw CutoverError.internalError(
                "generated \(file) has the client command '\(command.name)' at line \(command.line):\(command.column)"
                    + (command.assumption.map { " (\($0))" } ?? "") + "; nothing was written")
        }
        if let problem = result.problems.first {
            throw CutoverError.internalError(
                "generated \(file) has an unterminated \(problem.kind.rawValue) at line \(problem.line):\(problem.column)"
                    + (problem.assumption.map { " (\($0))" } ?? "") + "; nothing was written")
        }
    }
}
