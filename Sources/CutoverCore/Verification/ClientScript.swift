/// A SQL file cut into the statements a command-line client would send, one by one, so a session
/// over the client library applies it exactly as `psql -f` or `mariadb < file` would, but with no
/// client commands: a backslash line stays in the statement text and the server calls it a syntax
/// error.
///
/// PostgreSQL follows psql's lexer (standard_conforming_strings on): '…', E'…' with backslash
/// escapes, "…", $tag$…$tag$, `--` and nested /* */ comments, and a `;` ends a statement only
/// outside parentheses. psql variables are substituted as psql does, outside quotes and comments
/// only: `:'name'` (a literal), `:"name"` (an identifier), `:name` (raw text); an undefined name
/// stays as written. MySQL follows the mariadb client: '…' and "…" with backslash escapes, `…`,
/// `#` and `-- ` comments (`--` then a space or control character), /* */ comments whose `/*!`
/// executable form is sent along to the server, and `DELIMITER x` at the start of a statement,
/// handled here and never sent.
///
/// An unterminated quote or comment ends the last statement at the end of the file; the server
/// then rejects it at once (no client waits for more input).
enum ClientScript {
    struct Statement: Equatable {
        /// What is sent to the server (the MySQL delimiter removed; psql variables substituted).
        var text: String
        /// 1-based line of the file where the statement starts.
        var line: Int
    }

    static func statements(in text: String, engine: MigrationSpec.Engine, variables: [String: String] = [:]) -> [Statement] {
        var scanner = Scanner(bytes: Array(text.utf8), mysql: engine == .mysql, variables: variables)
        return scanner.run()
    }

    private struct Scanner {
        let bytes: [UInt8]
        let mysql: Bool
        let variables: [String: String]
        var index = 0
        var line = 1
        var current: [UInt8] = []
        var startLine = 0
        /// Where in `current` the first content byte is: comments and blank lines before it are not sent.
        var contentStart = 0
        /// Something other than whitespace and plain comments is in `current`.
        var hasContent = false
        var delimiter: [UInt8] = Array(";".utf8)
        var depth = 0
        /// psql's heuristic for SQL-standard function bodies: in a statement that starts with
        /// CREATE [OR REPLACE] FUNCTION|PROCEDURE, BEGIN … END (and CASE … END inside it) nest, and
        /// a `;` inside does not end the statement.
        var words: [UInt8] = []
        var wordCount = 0
        var beginDepth = 0
        var output: [Statement] = []

        init(bytes: [UInt8], mysql: Bool, variables: [String: String]) {
            self.bytes = bytes
            self.mysql = mysql
            self.variables = variables
        }

        func peek(_ offset: Int = 0) -> UInt8? {
            index + offset < bytes.count ? bytes[index + offset] : nil
        }

        mutating func take(_ count: Int = 1) {
            for _ in 0..<count where index < bytes.count {
                if bytes[index] == 10 { line += 1 }
                current.append(bytes[index])
                index += 1
            }
        }

        mutating func content() {
            if !hasContent { hasContent = true; startLine = line; contentStart = current.count }
        }

        mutating func finish() {
            if hasContent {
                var text = String(decoding: current[contentStart...], as: UTF8.self)
                while let last = text.unicodeScalars.last, last == " " || last == "\n" || last == "\t" || last == "\r" {
                    text.unicodeScalars.removeLast()
                }
                output.append(Statement(text: text, line: startLine))
            }
            current.removeAll(keepingCapacity: true)
            hasContent = false
            depth = 0
            words.removeAll()
            wordCount = 0
            beginDepth = 0
        }

        /// A whole word (PostgreSQL), fed to the BEGIN ATOMIC heuristic.
        mutating func word() {
            var end = index
            while end < bytes.count, Self.isNamePart(bytes[end]) || bytes[end] == 36 { end += 1 }
            let lower = bytes[index..<end].map { $0 >= 65 && $0 <= 90 ? $0 + 32 : $0 }
            func isWord(_ text: String) -> Bool { lower.elementsEqual(text.utf8) }
            if ["create", "function", "procedure", "or", "replace"].contains(where: isWord), words.count < 4, words.count == wordCount {
                words.append(lower[0])
            }
            wordCount += 1
            let routine = words.count >= 2 && words[0] == 99
                && (words[1] == 102 || words[1] == 112 || (words.count >= 4 && words[1] == 111 && words[2] == 114 && (words[3] == 102 || words[3] == 112)))
            if routine && depth == 0 {
                if isWord("begin") { beginDepth += 1 }
                else if isWord("case") { if beginDepth >= 1 { beginDepth += 1 } }
                else if isWord("end") { if beginDepth > 0 { beginDepth -= 1 } }
            }
            take(end - index)
        }

        static func isSpace(_ b: UInt8) -> Bool { b == 32 || b == 9 || b == 10 || b == 13 || b == 12 || b == 11 }
        static func isNameStart(_ b: UInt8) -> Bool { (b >= 65 && b <= 90) || (b >= 97 && b <= 122) || b == 95 || b >= 128 }
        static func isNamePart(_ b: UInt8) -> Bool { isNameStart(b) || (b >= 48 && b <= 57) }

        mutating func run() -> [Statement] {
            while let b = peek() {
                if mysql, !hasContent, atDelimiterCommand() { continue }
                if !mysql ? (b == 59 && depth == 0 && beginDepth == 0) : matchesDelimiter() {
                    if mysql {
                        index += delimiter.count  // the client strips the delimiter
                    } else {
                        content(); take()
                    }
                    finish()
                    continue
                }
                switch b {
                case 45 where peek(1) == 45 && (!mysql || peek(2).map { Self.isSpace($0) || $0 < 32 } ?? true):
                    lineComment()
                case 35 where mysql:
                    lineComment()
                case 47 where peek(1) == 42:
                    if mysql && (peek(2) == 33 || peek(2) == 43) { content() }  // /*! and /*+ reach the server
                    blockComment()
                case 39, 34, 96:
                    content()
                    if !mysql && b == 39 && current.last.map({ $0 == 69 || $0 == 101 }) == true
                        && !(current.dropLast().last.map(Self.isNamePart) ?? false) {
                        quoted(39, backslash: true)  // E'…'
                    } else {
                        quoted(b, backslash: mysql && b != 96)
                    }
                case 36 where !mysql:
                    content()
                    dollar()
                case 58 where !mysql && !variables.isEmpty:
                    content()
                    variable()
                case 40 where !mysql:
                    content(); depth += 1; take()
                case 41 where !mysql:
                    content(); depth = max(0, depth - 1); take()
                case _ where !mysql && Self.isNameStart(b) && !(current.last.map(Self.isNamePart) ?? false):
                    content()
                    word()
                default:
                    if !Self.isSpace(b) { content() }
                    take()
                }
            }
            finish()
            return output
        }

        func matchesDelimiter() -> Bool {
            guard index + delimiter.count <= bytes.count else { return false }
            return bytes[index..<(index + delimiter.count)].elementsEqual(delimiter)
        }

        /// `DELIMITER x` (any case) as the first word of a statement: the rest of the line's first
        /// word becomes the delimiter; the command itself is consumed.
        mutating func atDelimiterCommand() -> Bool {
            let word = Array("delimiter".utf8)
            guard index + word.count < bytes.count else { return false }
            for (offset, letter) in word.enumerated() where bytes[index + offset] | 0x20 != letter { return false }
            let after = bytes[index + word.count]
            guard after == 32 || after == 9 else { return false }
            var cursor = index + word.count
            while cursor < bytes.count, bytes[cursor] == 32 || bytes[cursor] == 9 { cursor += 1 }
            var end = cursor
            while end < bytes.count, !Self.isSpace(bytes[end]) { end += 1 }
            guard end > cursor else { return false }
            delimiter = Array(bytes[cursor..<end])
            while end < bytes.count, bytes[end] != 10 { end += 1 }
            index = end
            current.removeAll(keepingCapacity: true)
            return true
        }

        mutating func lineComment() {
            while let b = peek(), b != 10 { take() }
        }

        mutating func blockComment() {
            take(2)
            var nesting = 1
            while peek() != nil {
                if peek() == 42 && peek(1) == 47 {
                    take(2)
                    nesting -= 1
                    if nesting == 0 || mysql { return }
                } else if !mysql && peek() == 47 && peek(1) == 42 {
                    take(2)
                    nesting += 1
                } else {
                    take()
                }
            }
        }

        mutating func quoted(_ quote: UInt8, backslash: Bool) {
            take()
            while let b = peek() {
                if backslash && b == 92 { take(2); continue }
                take()
                if b == quote {
                    if peek() == quote { take(); continue }  // doubled quote
                    return
                }
            }
        }

        /// `$tag$ … $tag$`; a `$` that does not open one (a positional parameter, a name part) is plain.
        mutating func dollar() {
            if let previous = current.last, Self.isNamePart(previous) { take(); return }
            var end = index + 1
            while end < bytes.count, Self.isNamePart(bytes[end]) { end += 1 }
            guard end < bytes.count, bytes[end] == 36,
                  index + 1 == end || !(bytes[index + 1] >= 48 && bytes[index + 1] <= 57) else { take(); return }
            let tag = Array(bytes[index...end])
            take(tag.count)
            while index < bytes.count {
                if bytes[index] == 36, index + tag.count <= bytes.count, bytes[index..<(index + tag.count)].elementsEqual(tag) {
                    take(tag.count)
                    return
                }
                take()
            }
        }

        /// psql's `:name`, `:'name'`, `:"name"` (a `::` cast is left alone).
        mutating func variable() {
            if peek(1) == 58 { take(2); return }
            var quote: UInt8?
            var nameStart = index + 1
            if let q = peek(1), q == 39 || q == 34 { quote = q; nameStart += 1 }
            var end = nameStart
            while end < bytes.count, Self.isNamePart(bytes[end]) { end += 1 }
            guard end > nameStart else { take(); return }
            if let quote { guard end < bytes.count, bytes[end] == quote else { take(); return } }
            let name = String(decoding: bytes[nameStart..<end], as: UTF8.self)
            guard let value = variables[name] else { take(); return }
            let replacement: String
            switch quote {
            case 39?: replacement = Self.literal(value)
            case 34?: replacement = "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
            default: replacement = value
            }
            current.append(contentsOf: Array(replacement.utf8))
            index = quote == nil ? end : end + 1
        }

        /// The literal psql's PQescapeLiteral makes: quotes doubled, and E'' with doubled
        /// backslashes when the value has a backslash.
        static func literal(_ value: String) -> String {
            let doubled = value.replacingOccurrences(of: "'", with: "''")
            if value.contains("\\") { return " E'" + doubled.replacingOccurrences(of: "\\", with: "\\\\") + "'" }
            return "'" + doubled + "'"
        }
    }
}
