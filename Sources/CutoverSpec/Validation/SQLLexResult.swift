/// What `SQLLexer.scan` found in one script.
public struct SQLLexResult: Sendable {
    /// The statements of the default reading (standard_conforming_strings on / default sql_mode), in order.
    public var statements: [SQLScriptStatement]
    /// Every client command any reading finds, sorted by offset (`DELIMITER` and pg_dump's
    /// `\restrict` lines included, with their own kinds).
    public var commands: [SQLClientCommand]
    /// Every unterminated quote or comment any reading finds, sorted by offset.
    public var problems: [SQLLexProblem]

    public init(statements: [SQLScriptStatement], commands: [SQLClientCommand], problems: [SQLLexProblem]) {
        self.statements = statements
        self.commands = commands
        self.problems = problems
    }

    /// The commands that would run something: everything but `DELIMITER` and, when `allowDumpRestrict`,
    /// pg_dump's `\restrict` lines.
    public func forbiddenCommands(allowDumpRestrict: Bool) -> [SQLClientCommand] {
        commands.filter { command in
            switch command.kind {
            case .command: return true
            case .delimiter: return false
            case .dumpRestrict: return !allowDumpRestrict
            }
        }
    }
}
