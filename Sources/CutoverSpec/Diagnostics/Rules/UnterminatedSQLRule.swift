extension RuleID {
    public static let unterminatedSQL = RuleID("CUT028")
}

/// CUT028 `unterminated-sql`: a script or schema has an unterminated quote, dollar quote, quoted name or comment, or reads too many ways.
package enum UnterminatedSQLRule: RuleUnit {
    package static let rule = Rule(
        id: .unterminatedSQL, name: "unterminated-sql", severity: .error, checkedBy: [.scripts, .schemaFile],
        summary: "a script or schema has an unterminated quote, dollar quote, quoted name or comment, or reads too many ways",
        rationale: "The client would read the rest of the file into the open quote or comment and wait for more (or send one huge statement that fails). Also reported here: a PostgreSQL client encoding other than UTF8 (psql would read every later byte differently), and text whose strings read differently with standard_conforming_strings or NO_BACKSLASH_ESCAPES in so many places that the readings cannot all be followed; write '' instead of \\' to quote a quote.",
        triggering: [RuleExample(Snippets.spec(changes: "    - sql:\n        name: add-tier\n        up: ALTER TABLE pricing ADD COLUMN tier text DEFAULT 'basic;\n        down: ALTER TABLE pricing DROP COLUMN tier;\n")).expecting((19, 62))],
        nonTriggering: [RuleExample(Snippets.spec(changes: "    - sql:\n        name: add-tier\n        up: ALTER TABLE pricing ADD COLUMN tier text DEFAULT 'basic';\n        down: ALTER TABLE pricing DROP COLUMN tier;\n"))])
}

extension Message {
    public static func lexProblem(_ problem: SQLLexProblem, in what: String, engine: MigrationSpec.Engine) -> String {
        let reading = problem.assumption.map { " (\($0))" } ?? ""
        let client = engine == .postgresql ? "psql" : "the mysql client"
        switch problem.kind {
        case .encodingChange:
            return "\(what) sets a client encoding other than UTF8; \(client) would read every later byte differently from how cutover checked it"
        case .tooAmbiguous:
            return "\(what) reads differently with standard_conforming_strings or sql_mode in too many places to check; quote quotes by doubling them ('') rather than with backslashes"
        default:
            return "\(what) has an unterminated \(problem.kind.rawValue) starting here\(reading); \(client) would read the rest of the script into it"
        }
    }
}
