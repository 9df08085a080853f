import CutoverPlan
import CutoverCore
import Foundation

/// A file of the app's own statements for one version (`rehearse --traffic-old/--traffic-new`).
/// It is untrusted input like the spec: read bounded, lexed as the engine's client would read it,
/// and refused whole when it holds a client command (`\!`, `\connect`, `system`, `source`…) or an
/// unterminated quote or comment, since the statements must be exactly what the server receives.
public struct TrafficScript: Sendable, Equatable {
    public var path: String
    public var statements: [SQLScriptStatement]

    /// Why the file is refused: one `path:line:column: error: …` line per problem.
    public struct Refusal: Error, CustomStringConvertible, Sendable {
        public var description: String
    }

    public static let maxBytes = 1 << 20
    public static let maxStatements = 1_000

    /// The file's statements; a `Refusal` listing every problem otherwise.
    public static func load(_ path: String, engine: MigrationSpec.Engine) throws -> TrafficScript {
        let text: String
        do { text = try BoundedFile.text(path, limit: maxBytes) } catch let error as CutoverError {
            throw Refusal(description: "error: \(error)")
        }
        let scanned = SQLLexer.scan(text, engine: engine)
        var errors: [String] = []
        for command in scanned.forbiddenCommands(allowDumpRestrict: false) {
            errors.append("\(path):\(command.line):\(command.column): error: client command '\(command.name)' is refused: the app sends statements to the server, nothing runs in a client")
        }
        for problem in scanned.problems {
            errors.append("\(path):\(problem.line):\(problem.column): error: \(problem.kind.rawValue) not closed: the client would read the rest of the file differently")
        }
        let statements = scanned.statements.filter { !$0.text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty }
        if errors.isEmpty && statements.isEmpty { errors.append("\(path):1:1: error: no statement in the file") }
        if statements.count > maxStatements {
            errors.append("\(path):\(statements[maxStatements].line):\(statements[maxStatements].column): error: more than \(maxStatements) statements")
        }
        guard errors.isEmpty else { throw Refusal(description: errors.joined(separator: "\n")) }
        return TrafficScript(path: path, statements: statements)
    }

    /// The tables its UPDATE and DELETE statements name (the last part of a qualified name, lower
    /// case where unquoted): rows of the derived traffic there may be changed or deleted by these
    /// statements, which the row check after the rollback cannot tell from a lost write.
    public func writtenTables() -> (updated: Set<String>, deleted: Set<String>) {
        var updated = Set<String>(), deleted = Set<String>()
        let name = #"((?:[`"]?[A-Za-z_][A-Za-z0-9_$]*[`"]?\s*\.\s*)?[`"]?([A-Za-z_][A-Za-z0-9_$]*)([`"]?))"#
        for statement in statements {
            let text = statement.text
            for (pattern, isUpdate) in [(#"^\s*UPDATE\s+(?:ONLY\s+)?"# + name, true), (#"^\s*DELETE\s+FROM\s+(?:ONLY\s+)?"# + name, false)] {
                guard let regex = try? NSRegularExpression(pattern: pattern, options: [.caseInsensitive]),
                      let match = regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)),
                      let range = Range(match.range(at: 2), in: text) else { continue }
                let quoted = Range(match.range(at: 3), in: text).map { !text[$0].isEmpty } ?? false
                let table = quoted ? String(text[range]) : String(text[range]).lowercased()
                if isUpdate { updated.insert(table) } else { deleted.insert(table) }
            }
        }
        return (updated, deleted)
    }
}
