/// The mysql and mariadb clients' reading of a script (`client/mysql.cc`: `read_and_execute`, `add_line`,
/// `find_command`, `com_delimiter`). Line by line: a line that starts with `--` or `#` is skipped; a
/// named command (`system`, `source`, `use`, `delimiter`…) is run when it starts a statement; inside the
/// line, a backslash outside strings and `/* */` comments is a command (also inside `/*! */`, whose
/// contents are SQL), `#` and `-- ` (a dash pair followed by a blank or the line end, so `--1` is not a
/// comment) drop the rest of the line, and the delimiter ends the statement. A statement whose first word
/// is a named command is run by the client too (`system id;`).
///
/// The readings that depend on the session or the client follow every possibility (see `SQLLexer`):
/// backslash escapes in `'…'` (off under NO_BACKSLASH_ESCAPES) and in `"…"` (off under it or ANSI_QUOTES),
/// which the client re-reads after every statement; `/*+ */` (a hint, read as code by mysql 8) and
/// `/*M! */` (code for mariadb); whether the client skips whole lines that start with `--`.
struct MySQLScanner {
    struct State: Hashable {
        var pos = 0
        var atLineStart = true
        var inString: UInt8 = 0
        var stringStart = 0
        var mlComment = false
        var commentStart = 0
        /// 0 none, 1 `/*!` or `/*M!` (executable), 2 `/*+` (hint); the client resets it every line.
        var serverSide: UInt8 = 0
        var bufferStart = -1
        var delimiter: [UInt8] = [0x3B]
        var escapesInSingle: Bool?
        var escapesInDouble: Bool?
        var trackedNoBackslashEscapes = false
        var trackedAnsiQuotes = false
        /// 0 not yet observed, 1 mysql, 2 mariadb.
        var flavour: UInt8 = 0
        /// Lines starting with `--`/`#`: 0 not yet observed, 1 skipped outside comments (mariadb 10.11),
        /// 2 never skipped, 3 always skipped.
        var skipsCommentLines: UInt8 = 0
    }

    static let readNoBackslashEscapes: UInt8 = 1
    static let readBackslashEscapes: UInt8 = 2
    static let readMariaDB: UInt8 = 4
    static let readCommentLines: UInt8 = 8

    static func describe(_ assumption: UInt8) -> String? {
        var parts: [String] = []
        if assumption & readNoBackslashEscapes != 0 { parts.append("when sql_mode has NO_BACKSLASH_ESCAPES or ANSI_QUOTES") }
        if assumption & readBackslashEscapes != 0 { parts.append("when sql_mode has no NO_BACKSLASH_ESCAPES") }
        if assumption & readMariaDB != 0 { parts.append("with the mariadb client") }
        if assumption & readCommentLines != 0 { parts.append("with a client that treats lines starting with '--' differently") }
        return parts.isEmpty ? nil : parts.joined(separator: " and ")
    }

    /// The client's commands: name, short form, whether it takes arguments (mysql 8 and mariadb 10.11).
    static let commands: [(name: StaticString, short: UInt8, takesParameters: Bool)] = [
        ("?", 0x3F, true), ("clear", 0x63, false), ("connect", 0x72, true), ("delimiter", 0x64, true),
        ("edit", 0x65, false), ("ego", 0x47, false), ("exit", 0x71, false), ("go", 0x67, false),
        ("help", 0x68, true), ("nopager", 0x6E, false), ("notee", 0x74, false), ("nowarning", 0x77, false),
        ("pager", 0x50, true), ("print", 0x70, false), ("prompt", 0x52, true), ("quit", 0x71, false),
        ("rehash", 0x23, false), ("source", 0x2E, true), ("status", 0x73, false), ("system", 0x21, true),
        ("tee", 0x54, true), ("use", 0x75, true), ("charset", 0x43, true), ("warnings", 0x57, false),
        ("resetconnection", 0x78, false), ("sandbox", 0x2D, false), ("query_attributes", 0, true),
        ("ssl_session_data_print", 0, true),
    ]

    let b: UnsafeBufferPointer<UInt8>
    let n: Int
    let recorder: SQLLexRecorder
    var queue = SQLForkQueue<State>()
    /// The default reading's statement text (comments dropped as the client drops them).
    var text: [UInt8] = []
    var needSpace = false
    var collecting = false

    static func scan(_ bytes: UnsafeBufferPointer<UInt8>, _ recorder: SQLLexRecorder) {
        var scanner = MySQLScanner(b: bytes, n: bytes.count, recorder: recorder)
        scanner.collecting = recorder.collect
        scanner.run(State(), assumption: 0, primary: true)
        scanner.collecting = false
        while let next = scanner.queue.pending.popLast() {
            scanner.run(next.state, assumption: next.assumption, primary: false)
        }
    }

    mutating func run(_ start: State, assumption: UInt8, primary: Bool) {
        var s = start
        let limit = primary ? Int.max : recorder.limit(from: start.pos)
        defer { if !primary { recorder.spent(from: start.pos, to: s.pos, stopped: s.pos < n && s.pos >= limit) } }
        while s.pos < n {
            if s.pos >= limit { return }
            var lineEnd = s.pos
            while lineEnd < n && b[lineEnd] != 0x0A { lineEnd += 1 }
            if s.atLineStart {
                s.atLineStart = false
                s.serverSide = 0
                if skipCommentLine(&s, lineEnd, assumption) || lineCommand(&s, lineEnd, assumption) {
                    s.pos = lineEnd + 1
                    s.atLineStart = true
                    continue
                }
            }
            if !line(&s, lineEnd, assumption) { return }
            if collecting && s.bufferStart >= 0 && !s.mlComment { text.append(0x0A) }
            s.pos = lineEnd + 1
            s.atLineStart = true
        }
        let described = Self.describe(assumption)
        if s.inString != 0 {
            recorder.problem(s.inString == 0x60 ? .unterminatedIdentifier : .unterminatedString, at: s.stringStart, assumption: described)
        }
        if s.mlComment { recorder.problem(.unterminatedComment, at: s.commentStart, assumption: described) }
        // The client sends what is left at the end of the file, without looking for a named command
        // (mariadb 10.11 sends a last `delimiter //` line to the server); other commands are still
        // reported, in case another client version runs them.
        endStatement(&s, end: n, assumption: assumption, atEnd: true)
    }

    // MARK: whole lines

    /// `read_and_execute` skips a line that starts with `#` or `--` outside strings and `/* */` comments
    /// (mariadb 10.11, observed: `--1` at the start of a line hides the line, in the middle of one it is
    /// not a comment). Other client versions may read such a line, or skip it inside a comment too: where
    /// that differs, the other readings are followed as well.
    private mutating func skipCommentLine(_ s: inout State, _ lineEnd: Int, _ assumption: UInt8) -> Bool {
        guard s.inString == 0, s.pos < lineEnd else { return false }
        let first = b[s.pos]
        let dashes = first == 0x2D && s.pos + 1 < lineEnd && b[s.pos + 1] == 0x2D
        guard first == 0x23 || dashes else { return false }
        let commentAnyway = !s.mlComment && (first == 0x23 || s.pos + 2 >= lineEnd || Self.isSpace(b[s.pos + 2]))
        if commentAnyway { return true }
        if s.skipsCommentLines == 0 {
            for reading: UInt8 in [2, 3] {
                var other = s
                other.skipsCommentLines = reading
                queue.fork(other, assumption: assumption | Self.readCommentLines, recorder: recorder)
            }
            s.skipsCommentLines = 1
        }
        switch s.skipsCommentLines {
        case 1: return !s.mlComment
        case 2: return false
        default: return true
        }
    }

    /// A named command at the start of a line while no statement is being read (`system id`, `source f`,
    /// `DELIMITER //`); the whole line is the command.
    private mutating func lineCommand(_ s: inout State, _ lineEnd: Int, _ assumption: UInt8) -> Bool {
        guard s.bufferStart < 0, !s.mlComment, s.inString == 0 else { return false }
        guard let (index, wordStart) = namedCommand(s.pos, lineEnd) else { return false }
        if contains(s.pos, lineEnd, [0x5C, 0x67]) { return false }
        let isDelimiter = Self.commands[index].short == 0x64
        if !isDelimiter && contains(s.pos, lineEnd, s.delimiter) { return false }
        if isDelimiter {
            recorder.command(.delimiter, at: wordStart, end: wordStart + 9, assumption: Self.describe(assumption))
            if let delimiter = delimiterArgument(wordStart + 9, lineEnd) { s.delimiter = delimiter }
        } else {
            recorder.command(.command, at: wordStart, end: wordStart + Self.commands[index].name.utf8CodeUnitCount,
                             assumption: Self.describe(assumption))
        }
        return true
    }

    /// `find_command` on a line or a statement: the first word (up to a space or tab), case-insensitive;
    /// a command that takes no arguments only when nothing follows it.
    private func namedCommand(_ start: Int, _ end: Int) -> (Int, Int)? {
        var p = start
        while p < end && Self.isSpace(b[p]) { p += 1 }
        let wordStart = p
        while p < end && b[p] != 0x20 && b[p] != 0x09 { p += 1 }
        let length = p - wordStart
        guard length > 0, length <= 22 else { return nil }
        while p < end && Self.isSpace(b[p]) { p += 1 }
        let hasArguments = p < end
        for (index, command) in Self.commands.enumerated() where command.name.utf8CodeUnitCount == length {
            if matches(wordStart, command.name) && (!hasArguments || command.takesParameters) { return (index, wordStart) }
        }
        return nil
    }

    // MARK: inside a line (add_line)

    /// False when this reading merged into one already followed.
    private mutating func line(_ s: inout State, _ lineEnd: Int, _ assumption: UInt8) -> Bool {
        while s.pos < lineEnd {
            let c = b[s.pos]
            if s.bufferStart < 0 && Self.isSpace(c) {
                s.pos += 1
                continue
            }
            if !s.mlComment && c == 0x5C && backslashIsActive(&s, assumption) {
                let start = s.pos
                s.pos += 1
                if s.pos >= lineEnd { break }
                let command = b[s.pos]
                if s.inString != 0 || command == 0x4E { // an escape, or \N (NULL)
                    keep(&s, at: start)
                    keep(&s, at: s.pos)
                    s.pos += 1
                    continue
                }
                recorder.command(.command, at: start, end: s.pos + 1, assumption: Self.describe(assumption))
                let known = Self.commands.first { $0.short == command && $0.short != 0 }
                switch command {
                case 0x67, 0x47: // \g \G send the statement
                    endStatement(&s, end: start, assumption: assumption)
                    if !queue.continues(s) { return false }
                case 0x63: // \c clears it
                    s.bufferStart = -1
                    if collecting { text.removeAll(keepingCapacity: true) }
                case 0x64: // \d sets the delimiter
                    if let delimiter = delimiterArgument(s.pos + 1, lineEnd) { s.delimiter = delimiter }
                default:
                    break
                }
                if known?.takesParameters == true {
                    var p = s.pos + 1
                    if s.serverSide != 0 {
                        while p < lineEnd && !(b[p] == 0x2A && p + 1 < lineEnd && b[p + 1] == 0x2F) { p += 1 }
                        s.pos = p
                    } else {
                        while p < lineEnd && !isDelimiter(p, lineEnd, s.delimiter) { p += 1 }
                        s.pos = p < lineEnd ? p + s.delimiter.count : lineEnd
                    }
                } else {
                    s.pos += 1
                }
                continue
            }
            if !s.mlComment && s.inString == 0 && isDelimiter(s.pos, lineEnd, s.delimiter) {
                let end = s.pos
                s.pos += s.delimiter.count
                endStatement(&s, end: end, assumption: assumption)
                if !queue.continues(s) { return false }
                continue
            }
            let next: UInt8 = s.pos + 1 < lineEnd ? b[s.pos + 1] : 0
            if !s.mlComment && s.inString == 0
                && (c == 0x23 || (c == 0x2D && next == 0x2D && (s.pos + 2 >= lineEnd || Self.isSpace(b[s.pos + 2])))) {
                needSpace = true
                s.pos = lineEnd
                break
            }
            if s.inString == 0 && c == 0x2F && next == 0x2A && !isServerSide(&s, lineEnd, assumption) {
                if !s.mlComment { s.commentStart = s.pos }
                s.mlComment = true
                s.pos += 2
                continue
            }
            if s.mlComment && s.serverSide == 0 && c == 0x2A && next == 0x2F {
                s.mlComment = false
                needSpace = true
                s.pos += 2
                continue
            }
            if s.inString == 0 && c == 0x2F && next == 0x2A {
                s.serverSide = s.pos + 2 < lineEnd && b[s.pos + 2] == 0x2B ? 2 : 1
            } else if s.inString == 0 && s.serverSide != 0 && c == 0x2A && next == 0x2F {
                s.serverSide = 0
            }
            if s.inString != 0 && c == s.inString {
                s.inString = 0
            } else if !s.mlComment && s.inString == 0 && s.serverSide != 2 && (c == 0x27 || c == 0x22 || c == 0x60) {
                s.inString = c
                s.stringStart = s.pos
            }
            if !s.mlComment { keep(&s, at: s.pos) }
            s.pos += 1
        }
        return true
    }

    /// Whether a backslash here is an escape or command (true) or a plain character (false): plain in
    /// backticks, in `"…"` under ANSI_QUOTES, in any string under NO_BACKSLASH_ESCAPES.
    private mutating func backslashIsActive(_ s: inout State, _ assumption: UInt8) -> Bool {
        switch s.inString {
        case 0: return true
        case 0x60: return false
        case 0x27:
            if let known = s.escapesInSingle { return known }
            let preferred = !s.trackedNoBackslashEscapes
            var other = s
            other.escapesInSingle = !preferred
            queue.fork(other, assumption: assumption | (preferred ? Self.readNoBackslashEscapes : Self.readBackslashEscapes), recorder: recorder)
            s.escapesInSingle = preferred
            return preferred
        default:
            if let known = s.escapesInDouble { return known }
            let preferred = !s.trackedNoBackslashEscapes && !s.trackedAnsiQuotes
            var other = s
            other.escapesInDouble = !preferred
            queue.fork(other, assumption: assumption | (preferred ? Self.readNoBackslashEscapes : Self.readBackslashEscapes), recorder: recorder)
            s.escapesInDouble = preferred
            return preferred
        }
    }

    /// `/*!` is code for both clients, `/*+` for mysql 8 (a hint), `/*M!` for mariadb.
    private mutating func isServerSide(_ s: inout State, _ lineEnd: Int, _ assumption: UInt8) -> Bool {
        let third: UInt8 = s.pos + 2 < lineEnd ? b[s.pos + 2] : 0
        if third == 0x21 { return true }
        let hint = third == 0x2B
        let mariaDB = third == 0x4D && s.pos + 3 < lineEnd && b[s.pos + 3] == 0x21
        guard hint || mariaDB else { return false }
        if s.flavour == 0 {
            var other = s
            other.flavour = 2
            queue.fork(other, assumption: assumption | Self.readMariaDB, recorder: recorder)
            s.flavour = 1
        }
        return hint ? s.flavour == 1 : s.flavour == 2
    }

    @inline(__always) private mutating func keep(_ s: inout State, at index: Int) {
        if s.bufferStart < 0 { s.bufferStart = index }
        guard collecting else { return }
        let c = b[index]
        if needSpace && !Self.isSpace(c) && !text.isEmpty { text.append(0x20) }
        needSpace = false
        text.append(c)
    }

    /// The delimiter (or `\g`) ends the statement: the client runs it itself when its first word is a
    /// named command, else sends it. The session's sql_mode may change from here on.
    private mutating func endStatement(_ s: inout State, end: Int, assumption: UInt8, atEnd: Bool = false) {
        defer {
            s.bufferStart = -1
            s.escapesInSingle = nil
            s.escapesInDouble = nil
            if collecting { text.removeAll(keepingCapacity: true) }
            needSpace = false
        }
        guard s.bufferStart >= 0, s.bufferStart < end else { return }
        if let (index, wordStart) = namedCommand(s.bufferStart, end), !(atEnd && Self.commands[index].short == 0x64) {
            let isDelimiter = Self.commands[index].short == 0x64
            recorder.command(isDelimiter ? .delimiter : .command, at: wordStart,
                             end: wordStart + Self.commands[index].name.utf8CodeUnitCount, assumption: Self.describe(assumption))
            if isDelimiter, let delimiter = delimiterArgument(wordStart + 9, end) { s.delimiter = delimiter }
            return
        }
        if let local = loadLocal(s.bufferStart, end) {
            // The client itself reads the named file on its host and sends it to the server.
            recorder.command(.command, at: local, end: local + 4, assumption: Self.describe(assumption))
        }
        trackSQLMode(&s, s.bufferStart, end)
        if collecting {
            while let last = text.last, Self.isSpace(last) { text.removeLast() }
            if !text.isEmpty { recorder.statement(at: s.bufferStart, text: text) }
        }
    }

    /// `LOAD DATA LOCAL INFILE` / `LOAD XML LOCAL INFILE` (also inside `/*! */`): the offset of `LOAD`.
    private func loadLocal(_ start: Int, _ end: Int) -> Int? {
        var p = start
        if p + 3 <= end && b[p] == 0x2F && b[p + 1] == 0x2A && b[p + 2] == 0x21 {
            p += 3
            while p < end && Self.isDigit(b[p]) { p += 1 }
        }
        while p < end && Self.isSpace(b[p]) { p += 1 }
        let load = p
        guard p + 4 <= end, matches(p, "load") else { return nil }
        p += 4
        var words = 0
        while p < end && words < 2 {
            while p < end && Self.isSpace(b[p]) { p += 1 }
            let word = p
            while p < end && !Self.isSpace(b[p]) { p += 1 }
            if words == 1 { return p - word == 5 && matches(word, "local") ? load : nil }
            guard (p - word == 4 && matches(word, "data")) || (p - word == 3 && matches(word, "xml")) else { return nil }
            words += 1
        }
        return nil
    }

    /// The default reading follows `SET … sql_mode = …` statements (also inside `/*!40101 … */`).
    private func trackSQLMode(_ s: inout State, _ start: Int, _ end: Int) {
        var p = start
        if p + 3 <= end && b[p] == 0x2F && b[p + 1] == 0x2A && b[p + 2] == 0x21 {
            p += 3
            while p < end && Self.isDigit(b[p]) { p += 1 }
            while p < end && Self.isSpace(b[p]) { p += 1 }
        }
        guard p + 3 <= end, matches(p, "set"), end - p < 4096 else { return }
        guard let at = find(p, end, "sql_mode") else { return }
        s.trackedNoBackslashEscapes = find(at, end, "no_backslash_escapes") != nil
        s.trackedAnsiQuotes = find(at, end, "ansi") != nil
    }

    /// `com_delimiter` / `get_arg`: the first argument, quoted or up to a space; refused when empty or
    /// when it contains a backslash (the delimiter then stays as it was). At most 15 bytes.
    private func delimiterArgument(_ start: Int, _ end: Int) -> [UInt8]? {
        var p = start
        while p < end && Self.isSpace(b[p]) { p += 1 }
        guard p < end else { return nil }
        var quote: UInt8 = 0
        if b[p] == 0x27 || b[p] == 0x22 || b[p] == 0x60 {
            quote = b[p]
            p += 1
        }
        var out: [UInt8] = []
        while p < end {
            let c = b[p]
            if c == 0x5C && p + 1 < end {
                out.append(b[p + 1])
                p += 2
                continue
            }
            if quote != 0 && c == quote && p + 1 < end && b[p + 1] == quote {
                out.append(quote)
                p += 2
                continue
            }
            if c == (quote != 0 ? quote : 0x20) {
                quote = 0
                break
            }
            out.append(c)
            p += 1
        }
        if quote != 0 || out.isEmpty || out.contains(0x5C) { return nil }
        return Array(out.prefix(15))
    }

    // MARK: bytes

    @inline(__always) private func isDelimiter(_ p: Int, _ lineEnd: Int, _ delimiter: [UInt8]) -> Bool {
        guard b[p] == delimiter[0], p + delimiter.count <= lineEnd else { return false }
        var offset = 1
        while offset < delimiter.count {
            if b[p + offset] != delimiter[offset] { return false }
            offset += 1
        }
        return true
    }

    private func contains(_ start: Int, _ end: Int, _ needle: [UInt8]) -> Bool {
        guard !needle.isEmpty, end - start >= needle.count else { return false }
        var p = start
        while p + needle.count <= end {
            if isDelimiter(p, end, needle) { return true }
            p += 1
        }
        return false
    }

    private func find(_ start: Int, _ end: Int, _ word: StaticString) -> Int? {
        var p = start
        while p + word.utf8CodeUnitCount <= end {
            if matches(p, word) { return p }
            p += 1
        }
        return nil
    }

    /// Case-insensitive ASCII comparison with a lower-case word.
    private func matches(_ start: Int, _ word: StaticString) -> Bool {
        let length = word.utf8CodeUnitCount
        guard start + length <= n else { return false }
        let pointer = word.utf8Start
        for offset in 0..<length {
            var byte = b[start + offset]
            if byte >= 0x41 && byte <= 0x5A { byte |= 0x20 }
            if byte != pointer[offset] { return false }
        }
        return true
    }

    /// The client's `my_isspace`.
    @inline(__always) static func isSpace(_ c: UInt8) -> Bool {
        c == 0x20 || (c >= 0x09 && c <= 0x0D)
    }

    @inline(__always) static func isDigit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }
}
