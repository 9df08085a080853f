/// A one-pass lexer for the plain DDL of `database.schema`. It knows the quoting and comment rules of
/// both engines well enough to find statement ends: strings, quoted identifiers, PostgreSQL dollar
/// quotes and nested block comments, MySQL backticks, `#` comments and backslash escapes. Every loop
/// moves forward, so the cost is linear in the input, whatever the input is.
package struct SchemaLexer {
    package enum Kind: Equatable {
        case word, quotedIdentifier, string, number, dollarBody, punctuation, terminator
    }

    /// 16 bytes: a 2 MB dump is some 400,000 tokens, and their memory is most of the reader's page faults.
    package struct Token {
        var kind: Kind
        private var start32: UInt32
        private var end32: UInt32
        private var line32: UInt32

        init(kind: Kind, start: Int, end: Int, line: Int) {
            self.kind = kind
            self.start32 = UInt32(truncatingIfNeeded: start)
            self.end32 = UInt32(truncatingIfNeeded: end)
            self.line32 = UInt32(truncatingIfNeeded: line)
        }

        var start: Int { Int(start32) }
        var end: Int { Int(end32) }
        var line: Int { Int(line32) }
    }

    /// The longest dollar-quote tag accepted (PostgreSQL's identifier limit); a longer one is read as
    /// plain `$` so that finding the closing tag stays linear.
    static let maxDollarTag = 63
    /// The newest MySQL version whose executable comments are read as code (MySQL 8.0.99).
    static let executableVersion = 80099
    /// The longest `DELIMITER` accepted (the mysql client's own limit is 16 bytes).
    static let maxDelimiter = 16

    let bytes: [UInt8]
    let mysql: Bool
    /// PostgreSQL: the schema whose tables the spec names unqualified (`database.schemaName`). The
    /// readers drop this qualifier and keep any other (`sales.orders`), so schemas stay apart. Carried
    /// by the lexer because every cursor and helper of the readers already has it.
    let defaultSchema: String
    /// `defaultSchema` in ASCII lower case, for `DependentFocus`, which folds every name it compares
    /// (quoted or not: it asks whether a statement may name a table), so `"App".orders` and `App.orders`
    /// both count as the default schema's `orders` with `schemaName: App` (the readers proper keep
    /// a quoted name's case: `"App"` is the schema `App`, unquoted `App` is `app`).
    let defaultSchemaBytes: [UInt8]

    init(_ text: String, mysql: Bool, defaultSchema: String = "public") {
        self.bytes = Array(text.utf8)
        self.mysql = mysql
        self.defaultSchema = defaultSchema
        self.defaultSchemaBytes = Self.folded(defaultSchema)
    }

    static func folded(_ name: String) -> [UInt8] {
        name.utf8.map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 }
    }

    /// The bytes as read from the file (UTF-8 already checked), without another copy.
    init(bytes: [UInt8], mysql: Bool, defaultSchema: String = "public") {
        self.bytes = bytes
        self.mysql = mysql
        self.defaultSchema = defaultSchema
        self.defaultSchemaBytes = Self.folded(defaultSchema)
    }

    func text(_ token: Token) -> String {
        String(decoding: bytes[token.start..<token.end], as: UTF8.self)
    }

    /// The name inside a quoted identifier's text (`"a""b"`, `` `a``b` ``): the quotes taken off and a
    /// doubled quote made single. Foundation's replacement goes through NSString (6% of reading a
    /// MySQL dump, where every name is quoted), so it runs only where the quote occurs inside.
    static func unquoted(_ text: String) -> String? {
        guard let quote = text.first else { return nil }
        var body = Substring(text.dropFirst())
        if body.last == quote { body = body.dropLast() }
        guard let byte = quote.utf8.first, body.utf8.contains(byte) else { return String(body) }
        return body.replacingOccurrences(of: String([quote, quote]), with: String(quote))
    }

    func text(from start: Int, to end: Int) -> String {
        guard start < end else { return "" }
        return String(decoding: bytes[start..<end], as: UTF8.self)
    }

    /// True when `token` is the word `keyword` (ASCII, compared case-insensitively; keyword upper case).
    func isWord(_ token: Token, _ keyword: StaticString) -> Bool {
        guard token.kind == .word, token.end - token.start == keyword.utf8CodeUnitCount else { return false }
        let pointer = keyword.utf8Start
        for offset in 0..<keyword.utf8CodeUnitCount {
            var byte = bytes[token.start + offset]
            if byte >= 0x61 && byte <= 0x7A { byte -= 0x20 }
            if byte != pointer[offset] { return false }
        }
        return true
    }

    /// Whether a token has an ASCII capital (most of a pg_dump is lower case: no folding needed then).
    func hasUpperCase(_ token: Token) -> Bool {
        for index in token.start..<token.end where bytes[index] >= 0x41 && bytes[index] <= 0x5A { return true }
        return false
    }

    func isPunctuation(_ token: Token, _ character: UInt8) -> Bool {
        token.kind == .punctuation && bytes[token.start] == character
    }

    /// Where `next(_:into:)` goes on from: the lexer's state between two statements.
    package struct Position {
        var index = 0
        var line = 1
        var delimiter: [UInt8] = [0x3B]
        var inExecutable = false
        var lineStart = true
    }

    /// Whether the text fits the 32-bit offsets of `Token` (input limits keep schema files far below 4 GiB).
    var fitsOffsets: Bool { bytes.count < Int(UInt32.max) }

    /// Every token of the text, statement after statement.
    func tokenize() -> [Token] {
        guard fitsOffsets else { return [] }
        var tokens: [Token] = []
        tokens.reserveCapacity(bytes.count / 4)
        var position = Position()
        while position.index < bytes.count { next(&position, into: &tokens) }
        return tokens
    }

    /// Appends the tokens of the next statement, up to and including its terminator (or to the end of
    /// the text), and moves `position` past them. The schema reader calls it with an emptied array per
    /// statement, so a 2 MB dump never holds all its tokens at once; `tokenize()` calls it with one
    /// growing array. Either way a token's decisions look back only within its statement (`tokens.last`
    /// is nil or a terminator at a statement's start), so both read the same tokens.
    func next(_ position: inout Position, into tokens: inout [Token]) {
        guard fitsOffsets else {
            position.index = bytes.count
            return
        }
        var index = position.index
        var line = position.line
        var delimiter = position.delimiter
        var inExecutable = position.inExecutable
        var lineStart = position.lineStart
        defer {
            position = Position(index: index, line: line, delimiter: delimiter, inExecutable: inExecutable, lineStart: lineStart)
        }
        let count = bytes.count

        @inline(__always) func isWordStart(_ b: UInt8) -> Bool {
            (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x5F || b >= 0x80
        }
        @inline(__always) func isWordPart(_ b: UInt8) -> Bool {
            isWordStart(b) || (b >= 0x30 && b <= 0x39) || b == 0x24
        }

        while index < count {
            let byte = bytes[index]
            if mysql && lineStart && (byte == 0x44 || byte == 0x64), tokens.last.map({ $0.kind == .terminator }) ?? true, let next = delimiterLine(at: index) {
                delimiter = next.delimiter
                index = next.end
                continue
            }
            if byte != 0x20 && byte != 0x09 && byte != 0x0D { lineStart = byte == 0x0A }
            if mysql && delimiter != [0x3B] && byte == delimiter[0] && index + delimiter.count <= count
                && Array(bytes[index..<index + delimiter.count]) == delimiter {
                tokens.append(Token(kind: .terminator, start: index, end: index + delimiter.count, line: line))
                index += delimiter.count
                return
            }
            if inExecutable && byte == 0x2A && index + 1 < count && bytes[index + 1] == 0x2F {
                inExecutable = false
                index += 2
                continue
            }
            switch byte {
            case 0x3B where !mysql || delimiter == [0x3B]:
                tokens.append(Token(kind: .terminator, start: index, end: index + 1, line: line))
                index += 1
                return
            case 0x2F where mysql && !inExecutable && index + 2 < count && bytes[index + 1] == 0x2A && bytes[index + 2] == 0x21:
                // /*!NNNNN code */: code for a server at least that version.
                var digitsEnd = index + 3
                while digitsEnd < count && digitsEnd < index + 8 && bytes[digitsEnd] >= 0x30 && bytes[digitsEnd] <= 0x39 { digitsEnd += 1 }
                var version = 0
                for offset in index + 3..<min(digitsEnd, index + 8) { version = version * 10 + Int(bytes[offset] - 0x30) }
                if digitsEnd - (index + 3) > 5 { version = Int.max } // six digits: a MariaDB version
                if version <= Self.executableVersion {
                    inExecutable = true
                    index = digitsEnd
                } else {
                    index = skipComment(from: index, line: &line)
                }
            case 0x0A:
                line += 1
                index += 1
            case 0x20, 0x09, 0x0D, 0x0C, 0x0B:
                index += 1
            case 0x2D where index + 1 < count && bytes[index + 1] == 0x2D, // -- comment
                 0x23 where mysql: // # comment
                while index < count && bytes[index] != 0x0A { index += 1 }
            case 0x2F where index + 1 < count && bytes[index + 1] == 0x2A: // /* comment */, nested on PostgreSQL
                index = skipComment(from: index, line: &line)
            case 0x5C where !mysql: // a psql meta-command line (\connect, \restrict): not SQL
                while index < count && bytes[index] != 0x0A { index += 1 }
            case 0x27, 0x22, 0x60: // ' " `
                let startLine = line
                let start = index
                let kind: Kind = byte == 0x27 || (byte == 0x22 && mysql) ? .string : .quotedIdentifier
                if byte == 0x60 && !mysql {
                    tokens.append(Token(kind: .punctuation, start: index, end: index + 1, line: line))
                    index += 1
                    continue
                }
                // Backslash escapes: MySQL strings, PostgreSQL E'...' strings.
                var escapes = mysql && kind == .string
                if !mysql && byte == 0x27, let previous = tokens.last, previous.end == start, previous.kind == .word,
                   previous.end - previous.start == 1, bytes[previous.start] | 0x20 == 0x65 {
                    escapes = true
                }
                index += 1
                while index < count {
                    let b = bytes[index]
                    if b == 0x0A { line += 1 }
                    if escapes && b == 0x5C {
                        if index + 1 < count && bytes[index + 1] == 0x0A { line += 1 }
                        index += 2
                        continue
                    }
                    if b == byte {
                        if index + 1 < count && bytes[index + 1] == byte {
                            index += 2
                            continue
                        }
                        index += 1
                        break
                    }
                    index += 1
                }
                tokens.append(Token(kind: kind, start: start, end: min(index, count), line: startLine))
            case 0x24 where !mysql: // $tag$ ... $tag$
                var tagEnd = index + 1
                while tagEnd < count && tagEnd - index <= Self.maxDollarTag && bytes[tagEnd] != 0x24 && isWordPart(bytes[tagEnd]) && bytes[tagEnd] != 0x24 {
                    tagEnd += 1
                }
                let tagOK = tagEnd < count && bytes[tagEnd] == 0x24
                    && (tagEnd == index + 1 || !(bytes[index + 1] >= 0x30 && bytes[index + 1] <= 0x39))
                guard tagOK else {
                    tokens.append(Token(kind: .punctuation, start: index, end: index + 1, line: line))
                    index += 1
                    continue
                }
                let tag = Array(bytes[index...tagEnd])
                let start = index
                let startLine = line
                index = tagEnd + 1
                var closed = false
                while index < count {
                    if bytes[index] == 0x0A { line += 1 }
                    if bytes[index] == 0x24 && index + tag.count <= count {
                        var match = true
                        for offset in 1..<tag.count where bytes[index + offset] != tag[offset] {
                            match = false
                            break
                        }
                        if match {
                            index += tag.count
                            closed = true
                            break
                        }
                    }
                    index += 1
                }
                _ = closed
                tokens.append(Token(kind: .dollarBody, start: start, end: min(index, count), line: startLine))
            default:
                if isWordStart(byte) {
                    let start = index
                    while index < count && isWordPart(bytes[index]) { index += 1 }
                    tokens.append(Token(kind: .word, start: start, end: index, line: line))
                } else if byte >= 0x30 && byte <= 0x39 {
                    let start = index
                    while index < count && (isWordPart(bytes[index]) || bytes[index] == 0x2E) { index += 1 }
                    tokens.append(Token(kind: .number, start: start, end: index, line: line))
                } else {
                    tokens.append(Token(kind: .punctuation, start: index, end: index + 1, line: line))
                    index += 1
                }
            }
        }
    }

    /// Past the end of the block comment at `start`; nested on PostgreSQL.
    private func skipComment(from start: Int, line: inout Int) -> Int {
        let count = bytes.count
        var depth = 1
        var index = start + 2
        while index < count && depth > 0 {
            let b = bytes[index]
            if b == 0x0A { line += 1 }
            if b == 0x2A && index + 1 < count && bytes[index + 1] == 0x2F {
                depth -= 1
                index += 2
            } else if !mysql && b == 0x2F && index + 1 < count && bytes[index + 1] == 0x2A {
                depth += 1
                index += 2
            } else {
                index += 1
            }
        }
        return index
    }

    /// A `DELIMITER xx` line at `start` (the start of a line): the new delimiter and where the line ends.
    private func delimiterLine(at start: Int) -> (delimiter: [UInt8], end: Int)? {
        let word: [UInt8] = Array("delimiter".utf8)
        let count = bytes.count
        guard start + word.count < count else { return nil }
        for offset in 0..<word.count where bytes[start + offset] | 0x20 != word[offset] { return nil }
        var index = start + word.count
        guard bytes[index] == 0x20 || bytes[index] == 0x09 else { return nil }
        while index < count && (bytes[index] == 0x20 || bytes[index] == 0x09) { index += 1 }
        let delimiterStart = index
        while index < count && bytes[index] != 0x20 && bytes[index] != 0x09 && bytes[index] != 0x0A && bytes[index] != 0x0D { index += 1 }
        let length = index - delimiterStart
        guard length > 0 && length <= Self.maxDelimiter else { return nil }
        let delimiter = Array(bytes[delimiterStart..<index])
        while index < count && bytes[index] != 0x0A { index += 1 }
        return (delimiter, index)
    }
}
