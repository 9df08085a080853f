/// CUT027 client commands and CUT028 unterminated quotes or comments in the hand-written SQL of `sql`
/// changes, read with `SQLLexer` the way psql or the mysql client will read them, each reported at its
/// own place inside the script. (Expression fields — defaults, checks, `up`/`down` expressions,
/// predicates — refuse every backslash, comment and `;` already: CUT022.) The base schema file is checked
/// the same way when it is loaded (`SpecValidator`).
package struct ScriptRules {
    package typealias Engine = MigrationSpec.Engine

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

    package struct Finding {
        var rule: RuleID
        var message: String
        var line: Int
        var column: Int
    }

    /// What a script carries that the client would run itself or read past its end. `what` names the
    /// script in messages (`'sql.up'`, `schema file 'schema.sql'`).
    static func findings(in text: String, engine: Engine, field what: String, allowDumpRestrict: Bool) -> [Finding] {
        findings(of: SQLLexer.check(text, engine: engine), engine: engine, field: what, allowDumpRestrict: allowDumpRestrict)
    }

    /// The same for a file read as bytes (UTF-8 already checked): the base schema.
    static func findings(in bytes: [UInt8], engine: Engine, field what: String, allowDumpRestrict: Bool) -> [Finding] {
        findings(of: SQLLexer.check(bytes: bytes, engine: engine), engine: engine, field: what, allowDumpRestrict: allowDumpRestrict)
    }

    private static func findings(of result: SQLLexResult, engine: Engine, field what: String, allowDumpRestrict: Bool) -> [Finding] {
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
