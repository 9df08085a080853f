/// CUT027 client commands and CUT028 unterminated quotes or comments in the hand-written SQL of `sql`
/// changes, read with `SQLLexer` the way psql or the mysql client will read them, each reported at its
/// own place inside the script. (Expression fields — defaults, checks, `up`/`down` expressions,
/// predicates — refuse every backslash, comment and `;` already: CUT022.) The base schema file is checked
/// the same way when it is loaded (`SpecValidator`).
struct ScriptRules {
    typealias Engine = MigrationSpec.Engine

    let source: SourceFile

    func check(_ root: SyntaxNode, diagnostics: inout DiagnosticBag) {
        guard let spec = root["spec"], spec.entries != nil,
              let engine = spec["database"]?["engine"]?.scalarValue.flatMap(Engine.init(rawValue:)) else { return }
        for item in spec["changes"]?.items ?? [] {
            guard let entries = item.entries, entries.count == 1, let entry = entries.first, entry.key == "sql",
                  entry.value.entries != nil else { continue }
            for field in ["up", "down"] {
                guard let node = entry.value[field], !node.isNull, let text = node.scalarValue else { continue }
                let findings = Self.findings(in: text, engine: engine, field: "'sql.\(field)'", allowDumpRestrict: false)
                for finding in findings {
                    let location = ScalarLocator.location(line: finding.line, column: finding.column, in: node, source: source)
                    diagnostics.report(finding.rule, finding.message, at: location)
                }
            }
        }
    }

    struct Finding {
        var rule: RuleID
        var message: String
        var line: Int
        var column: Int
    }

    /// What a script carries that the client would run itself or read past its end. `what` names the
    /// script in messages (`'sql.up'`, `schema file 'schema.sql'`).
    static func findings(in text: String, engine: Engine, field what: String, allowDumpRestrict: Bool) -> [Finding] {
        let result = SQLLexer.check(text, engine: engine)
        var findings: [Finding] = []
        for command in result.forbiddenCommands(allowDumpRestrict: allowDumpRestrict) {
            findings.append(Finding(rule: .clientCommand, message: Message.clientCommand(command, in: what, engine: engine),
                                    line: command.line, column: command.column))
        }
        for problem in result.problems {
            findings.append(Finding(rule: .unterminatedSQL, message: Message.lexProblem(problem, in: what, engine: engine),
                                    line: problem.line, column: problem.column))
        }
        return findings
    }
}

extension Message {
    public static func clientCommand(_ command: SQLClientCommand, in what: String, engine: MigrationSpec.Engine) -> String {
        let client = engine == .postgresql ? "psql" : "the mysql client"
        let name = command.name.count > 40 ? String(command.name.prefix(40)) + "…" : command.name
        let reading = command.assumption.map { " (\($0))" } ?? ""
        let exception = engine == .postgresql ? " (pg_dump's '\\restrict KEY' lines are the only exception)" : ""
        if engine == .mysql && name.lowercased() == "load" {
            return "\(what) has 'LOAD … LOCAL INFILE', which makes the mysql client read a file on its own host\(reading); SQL must not carry client commands"
        }
        if name.hasPrefix(":") {
            return "\(what) has '\(name)', which psql replaces with its variable's value and reads as input (a value can hold a meta-command)\(reading); SQL must not use psql variables"
        }
        return "\(what) has '\(name)', which \(client) runs itself instead of sending it to the server\(reading); SQL must not carry client commands\(exception)"
    }

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
