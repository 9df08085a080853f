import CutoverPlan
import CutoverCore

/// A SQL file as the statements a command-line client would send, one by one, so a session over
/// the client library applies it exactly as `psql -f` or `mariadb < file` would, with no client in
/// between. The statements come from `SQLLexer` (psql's and the mysql client's reading: quotes,
/// dollar quotes, comments, BEGIN ATOMIC, DELIMITER, `/*! */` kept for the server).
///
/// What a client would do itself is refused before anything is sent: a client command (`\!`,
/// `\connect`, `system`, `source`…, in any reading of the text) and an unterminated quote or comment
/// (the client would wait for more input, or send a broken statement). A dump tool's own guard line
/// (pg_dump's `\restrict`, mariadb-dump's sandbox comment) is not a command and never runs.
///
/// psql variables are substituted as psql does, outside quotes and comments only: `:'name'` (a
/// literal), `:"name"` (an identifier), `:name` (raw text); an undefined name stays as written.
enum ClientScript {
    struct Statement: Equatable {
        /// What is sent to the server (the MySQL delimiter removed; psql variables substituted).
        var text: String
        /// 1-based line of the file where the statement starts.
        var line: Int
    }

    /// Why a script is not sent at all.
    struct Refusal: Error, Equatable {
        var line: Int
        var message: String
    }

    /// A script file's text, read through `BoundedFile` (at most `maxFileBytes`): what both sessions'
    /// `apply(file:)` run. Unreadable, too large or not UTF-8 is an `SQLFailure` naming the file.
    static func read(_ path: String) throws -> String {
        do { return try BoundedFile.text(path, limit: maxFileBytes) } catch let error as CutoverError {
            throw SQLFailure("cannot read \(path): \(error)")
        }
    }

    /// A base schema is held to the spec's input limit when validated; generated scripts are far
    /// smaller. This bound only keeps a hostile path (a device, a huge file) from costing its size.
    static let maxFileBytes = 64 << 20

    static func statements(in text: String, engine: MigrationSpec.Engine, variables: [String: String] = [:]) throws -> [Statement] {
        let result = SQLLexer.scan(text, engine: engine)
        if let command = result.forbiddenCommands(allowDumpRestrict: true).first {
            let client = engine == .postgresql ? "psql meta-command" : "mysql client command"
            throw Refusal(line: command.line, message: "\(client) '\(command.name)' refused: cutover verify sends SQL to the server only"
                          + (command.assumption.map { " (read \($0))" } ?? ""))
        }
        if let problem = result.problems.first(where: { $0.assumption == nil }) {
            throw Refusal(line: problem.line, message: "unterminated \(problem.kind.rawValue): a client would read past the end of the file")
        }
        return result.statements.map { statement in
            let sent = engine == .postgresql && !variables.isEmpty ? substitute(statement.text, variables) : statement.text
            return Statement(text: sent, line: statement.line)
        }
    }

    /// psql's variable interpolation in one statement: outside '…', E'…', "…", $tag$…$tag$ and
    /// comments; `::` is a cast.
    static func substitute(_ text: String, _ variables: [String: String]) -> String {
        let bytes = Array(text.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var index = 0
        func isNameStart(_ b: UInt8) -> Bool { (b >= 65 && b <= 90) || (b >= 97 && b <= 122) || b == 95 || b >= 128 }
        func isNamePart(_ b: UInt8) -> Bool { isNameStart(b) || (b >= 48 && b <= 57) }
        func copy(until end: Int) {
            let stop = min(end, bytes.count)
            if stop > index { out.append(contentsOf: bytes[index..<stop]) }
            index = max(index, stop)
        }
        func find(_ needle: [UInt8], from start: Int) -> Int? {
            guard !needle.isEmpty, bytes.count >= needle.count else { return nil }
            var cursor = start
            while cursor + needle.count <= bytes.count {
                if bytes[cursor..<(cursor + needle.count)].elementsEqual(needle) { return cursor }
                cursor += 1
            }
            return nil
        }
        while index < bytes.count {
            let b = bytes[index]
            let next: UInt8? = index + 1 < bytes.count ? bytes[index + 1] : nil
            switch b {
            case 45 where next == 45:  // -- comment
                var end = index
                while end < bytes.count, bytes[end] != 10 { end += 1 }
                copy(until: end)
            case 47 where next == 42:  // /* nested */
                var end = index + 2, depth = 1
                while end < bytes.count, depth > 0 {
                    if bytes[end] == 42, end + 1 < bytes.count, bytes[end + 1] == 47 { depth -= 1; end += 2 }
                    else if bytes[end] == 47, end + 1 < bytes.count, bytes[end + 1] == 42 { depth += 1; end += 2 }
                    else { end += 1 }
                }
                copy(until: end)
            case 39, 34:
                let escapes = b == 39 && index > 0 && (bytes[index - 1] | 0x20) == 101
                    && !(index > 1 && isNamePart(bytes[index - 2]))
                var end = index + 1
                while end < bytes.count {
                    if escapes && bytes[end] == 92 { end += 2; continue }
                    if bytes[end] == b {
                        if end + 1 < bytes.count, bytes[end + 1] == b { end += 2; continue }
                        end += 1
                        break
                    }
                    end += 1
                }
                copy(until: end)
            case 36 where !(index > 0 && isNamePart(bytes[index - 1])):
                var end = index + 1
                while end < bytes.count, isNamePart(bytes[end]) { end += 1 }
                if end < bytes.count, bytes[end] == 36, !(index + 1 < end && bytes[index + 1] >= 48 && bytes[index + 1] <= 57) {
                    let tag = Array(bytes[index...end])
                    let close = find(tag, from: end + 1).map { $0 + tag.count } ?? bytes.count
                    copy(until: close)
                } else {
                    copy(until: index + 1)
                }
            case 58 where next == 58:
                copy(until: index + 2)
            case 58:
                var quote: UInt8?
                var nameStart = index + 1
                if let q = next, q == 39 || q == 34 { quote = q; nameStart += 1 }
                var end = nameStart
                while end < bytes.count, isNamePart(bytes[end]) { end += 1 }
                let closed = quote == nil || (end < bytes.count && bytes[end] == quote)
                let name = String(decoding: bytes[nameStart..<end], as: UTF8.self)
                guard end > nameStart, closed, let value = variables[name] else { copy(until: index + 1); continue }
                switch quote {
                case 39?: out.append(contentsOf: Array(literal(value).utf8))
                case 34?: out.append(contentsOf: Array(("\"" + value.doublingScalars("\"") + "\"").utf8))
                default: out.append(contentsOf: Array(value.utf8))
                }
                index = quote == nil ? end : end + 1
            default:
                if isNamePart(b) {
                    var end = index
                    while end < bytes.count, isNamePart(bytes[end]) || bytes[end] == 36 { end += 1 }
                    copy(until: end)
                } else {
                    copy(until: index + 1)
                }
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The literal psql's PQescapeLiteral makes: quotes doubled, and E'' with doubled backslashes
    /// when the value has a backslash.
    static func literal(_ value: String) -> String {
        if value.containsScalar("\\") { return " E'" + value.doublingScalars("'", "\\") + "'" }
        return "'" + value.doublingScalars("'") + "'"
    }
}
