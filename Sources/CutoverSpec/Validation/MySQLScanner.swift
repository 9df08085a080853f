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
package struct MySQLScanner {
    package struct State: SQLReadingState {
        var pos = 0
        var atLineStart = true
        var inString: UInt8 = 0
        var stringStart = 0
        var mlComment = false
        var commentStart = 0
        /// 0 none, 1 `/*!` or `/*M!` (executable), 2 `/*+` (hint); the client resets it every line.
        var serverSide: UInt8 = 0
        var bufferStart = -1
        var delimiter = SQLShortBytes([0x3B])!
        var escapesInSingle: Bool?
        var escapesInDouble: Bool?
        var trackedNoBackslashEscapes = false
        var trackedAnsiQuotes = false
        /// The session's NO_BACKSLASH_ESCAPES and ANSI_QUOTES as known from `SET sql_mode = '…'`
        /// statements (nil: unknown, both readings are followed). Stored programs restore the caller's
        /// sql_mode, so only a `SET` of it (or `EXECUTE` of a prepared one) changes it.
        var knownNoBackslashEscapes: Bool?
        var knownAnsiQuotes: Bool?
        /// `SET @saved = @@sql_mode` snapshots, for mysqldump's `SET sql_mode = @saved` around routines.
        var savedModes = SavedModes()
        /// 0 not yet observed, 1 mysql, 2 mariadb.
        var flavour: UInt8 = 0
        /// Lines starting with `--`/`#`: 0 not yet observed, 1 skipped outside comments (mariadb 10.11),
        /// 2 never skipped, 3 always skipped.
        var skipsCommentLines: UInt8 = 0

        /// Readings are compared at statement boundaries; hashing the place alone keeps that cheap
        /// (equal states still compare every field).
        package func hash(into hasher: inout Hasher) {
            hasher.combine(pos)
            hasher.combine(bufferStart)
        }

        package var kind: Int { Int(flavour) * 4 + Int(skipsCommentLines) }

        package static func kind(_ from: Int, canBecome to: Int) -> Bool {
            (from / 4 == 0 || from / 4 == to / 4) && (from % 4 == 0 || from % 4 == to % 4)
        }
    }

    package struct SavedMode: Hashable {
        var noBackslashEscapes: Bool?
        var ansiQuotes: Bool?
    }

    /// Two saved snapshots at most (mysqldump uses one at a time); a third replaces the older one,
    /// which is then unknown.
    package struct SavedModes: Hashable {
        struct Slot: Hashable {
            var name: SQLShortBytes
            var mode: SavedMode
        }
        var newer: Slot?
        var older: Slot?

        var isEmpty: Bool { newer == nil && older == nil }

        subscript(name: SQLShortBytes) -> SavedMode? {
            get {
                if newer?.name == name { return newer?.mode }
                if older?.name == name { return older?.mode }
                return nil
            }
            set {
                if newer?.name == name { newer = nil } else if older?.name == name { older = nil }
                if newer == nil { newer = older; older = nil }
                guard let newValue else { return }
                older = newer
                newer = Slot(name: name, mode: newValue)
            }
        }
    }

    static let backslashG = SQLShortBytes([0x5C, 0x67])!

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
        while let next = scanner.queue.next() {
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
        if contains(s.pos, lineEnd, Self.backslashG) { return false }
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
        var index = 0
        while index < Self.commands.count {
            let command = Self.commands[index]
            if command.name.utf8CodeUnitCount == length && matches(wordStart, command.name)
                && (!hasArguments || command.takesParameters) {
                return (index, wordStart)
            }
            index += 1
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
                recorder.command(isSandboxLine(start, lineEnd) ? .dumpRestrict : .command, at: start, end: s.pos + 1,
                                 assumption: Self.describe(assumption))
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

    /// mariadb-dump's first line, `/*M!999999\- enable the sandbox mode */`, exactly (a trailing blank
    /// allowed): it turns the mariadb client's shell and file commands off for the rest of the file.
    private func isSandboxLine(_ command: Int, _ lineEnd: Int) -> Bool {
        let expected: StaticString = "/*M!999999\\- enable the sandbox mode */"
        let start = command - 10
        guard start >= 0, start == 0 || b[start - 1] == 0x0A else { return false }
        var end = lineEnd
        if end > start && b[end - 1] == 0x0D { end -= 1 }
        if end > start && b[end - 1] == 0x20 { end -= 1 }
        guard end - start == expected.utf8CodeUnitCount else { return false }
        let pointer = expected.utf8Start
        for offset in 0..<expected.utf8CodeUnitCount where b[start + offset] != pointer[offset] { return false }
        return true
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
            s.escapesInSingle = s.knownNoBackslashEscapes.map { !$0 }
            switch (s.knownNoBackslashEscapes, s.knownAnsiQuotes) {
            case (true?, _): s.escapesInDouble = false
            case (false?, let ansi?): s.escapesInDouble = !ansi
            default: s.escapesInDouble = nil
            }
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

    /// The default reading follows `SET … sql_mode = …` statements (also inside `/*!40101 … */`), and
    /// so does what is known: after `SET sql_mode = 'literal'` NO_BACKSLASH_ESCAPES and ANSI_QUOTES are
    /// known, unless the statement can fail (a mode one of the servers does not have, such as
    /// NO_AUTO_CREATE_USER on MySQL 8) and the old value was different or unknown. Any other mention
    /// of sql_mode in a statement, and `EXECUTE`, make them unknown.
    private func trackSQLMode(_ s: inout State, _ start: Int, _ end: Int) {
        // The first word, after `/*!NNNNN` and mariadb-dump's sandbox comment (which can lead the
        // statement in the mariadb client's reading, where it is code gated to version 99.99.99).
        var p = start
        while p < end {
            while p < end && Self.isSpace(b[p]) { p += 1 }
            guard p < end else { break }
            if p + 10 <= end && b[p] == 0x2F && b[p + 1] == 0x2A && b[p + 2] == 0x4D && b[p + 3] == 0x21 && b[p + 4] == 0x39 {
                while p + 1 < end && !(b[p] == 0x2A && b[p + 1] == 0x2F) { p += 1 }
                p = min(p + 2, end)
            } else if p + 3 <= end && b[p] == 0x2F && b[p + 1] == 0x2A && b[p + 2] == 0x21 {
                p += 3
                while p < end && Self.isDigit(b[p]) { p += 1 }
            } else if b[p] == 0x23 || (p + 2 < end && b[p] == 0x2D && b[p + 1] == 0x2D && Self.isSpace(b[p + 2])) {
                while p < end && b[p] != 0x0A { p += 1 }
            } else {
                break
            }
        }
        if p + 7 <= end && matches(p, "execute") {
            s.knownNoBackslashEscapes = nil
            s.knownAnsiQuotes = nil
            return
        }
        let setAt = p
        let isSet = p + 4 <= end && matches(p, "set") && Self.isSpace(b[p + 3])
        if !s.savedModes.isEmpty { forgetReassignedVariables(&s, start, end, isSet: isSet, setAt: setAt) }
        guard var at = find(start, end, "sql_mode") else { return }
        if isSet, let (variable, saved) = savedMode(&s, setAt + 3, end) {
            s.savedModes[variable] = saved
            return
        }
        while true {
            let previous: UInt8 = at > start ? b[at - 1] : 0x20
            var q = at + 8
            while q < end && Self.isSpace(b[q]) { q += 1 }
            let assigned = q < end && (b[q] == 0x3D || (b[q] == 0x3A && q + 1 < end && b[q + 1] == 0x3D))
            let partOfName = Self.isWordByte(previous) || (q < end && Self.isWordByte(b[at + 8 < end ? at + 8 : at]))
            if assigned && !partOfName && !isGlobal(at, start) {
                q += b[q] == 0x3D ? 1 : 2
                while q < end && Self.isSpace(b[q]) { q += 1 }
                if isSet, let variable = userVariable(q, end)?.name, let saved = s.savedModes[variable] {
                    s.knownNoBackslashEscapes = saved.noBackslashEscapes
                    s.knownAnsiQuotes = saved.ansiQuotes
                } else if isSet, let (noBackslashEscapes, ansiQuotes, canFail) = modeLiteral(q, end) {
                    s.trackedNoBackslashEscapes = noBackslashEscapes
                    s.trackedAnsiQuotes = ansiQuotes
                    let oldEscapes = s.knownNoBackslashEscapes, oldAnsi = s.knownAnsiQuotes
                    s.knownNoBackslashEscapes = canFail && oldEscapes != noBackslashEscapes ? nil : noBackslashEscapes
                    s.knownAnsiQuotes = canFail && oldAnsi != ansiQuotes ? nil : ansiQuotes
                } else {
                    s.trackedNoBackslashEscapes = find(q, end, "no_backslash_escapes") != nil
                    s.trackedAnsiQuotes = find(q, end, "ansi") != nil
                    s.knownNoBackslashEscapes = nil
                    s.knownAnsiQuotes = nil
                }
            } else if !assigned && !partOfName && !(previous == 0x40 || previous == 0x2E) {
                // sql_mode named some other way (SET STATEMENT …, a function): not followed.
                s.knownNoBackslashEscapes = nil
                s.knownAnsiQuotes = nil
            }
            guard let next = find(at + 8, end, "sql_mode") else { break }
            at = next
        }
    }

    /// `SET @name = @@sql_mode` (or `@@SESSION.sql_mode`), the whole statement: the name and the mode now.
    private func savedMode(_ s: inout State, _ start: Int, _ end: Int) -> (SQLShortBytes, SavedMode)? {
        var p = start
        while p < end && Self.isSpace(b[p]) { p += 1 }
        guard let (variable, length) = userVariable(p, end), let name = variable else { return nil }
        p += length + 1
        while p < end && Self.isSpace(b[p]) { p += 1 }
        guard p < end, b[p] == 0x3D else { return nil }
        p += 1
        while p < end && Self.isSpace(b[p]) { p += 1 }
        guard p + 2 <= end, b[p] == 0x40, b[p + 1] == 0x40 else { return nil }
        p += 2
        if p + 8 <= end && matches(p, "session.") { p += 8 }
        guard p + 8 <= end, matches(p, "sql_mode") else { return nil }
        p += 8
        while p < end && (Self.isSpace(b[p]) || b[p] == 0x2A || b[p] == 0x2F) { p += 1 }
        guard p == end else { return nil }
        return (name, SavedMode(noBackslashEscapes: s.knownNoBackslashEscapes, ansiQuotes: s.knownAnsiQuotes))
    }

    /// `@name` at `start` (letters, digits, `_`, `$`, `.`): the lower-cased name and its length; the
    /// name is nil when longer than 16 bytes (not followed: restoring from it leaves sql_mode unknown).
    private func userVariable(_ start: Int, _ end: Int) -> (name: SQLShortBytes?, length: Int)? {
        guard start < end, b[start] == 0x40, start + 1 < end, b[start + 1] != 0x40 else { return nil }
        var p = start + 1
        while p < end && (Self.isWordByte(b[p]) || b[p] == 0x24 || b[p] == 0x2E) { p += 1 }
        guard p > start + 1 else { return nil }
        return (SQLShortBytes(b, (start + 1)..<p, lowercased: true), p - start - 1)
    }

    /// A saved snapshot stays valid only while nothing else writes its variable: any statement naming
    /// it, other than saving into it or restoring from it, drops it.
    private func forgetReassignedVariables(_ s: inout State, _ start: Int, _ end: Int, isSet: Bool, setAt: Int) {
        var p = start
        while p < end {
            if b[p] == 0x40, let (variable, length) = userVariable(p, end), let name = variable, s.savedModes[name] != nil {
                var q = p + 1 + length
                while q < end && Self.isSpace(b[q]) { q += 1 }
                let assignedHere = q < end && (b[q] == 0x3D || b[q] == 0x3A)
                var before = p - 1
                while before >= start && Self.isSpace(b[before]) { before -= 1 }
                let restoredFrom = isSet && before >= start && b[before] == 0x3D
                let savedInto = isSet && assignedHere && savedModeStatement(setAt, end)
                if !(restoredFrom || savedInto) { s.savedModes[name] = nil }
                p = q
            } else {
                p += 1
            }
        }
    }

    private func savedModeStatement(_ setAt: Int, _ end: Int) -> Bool {
        var copy = State()
        return savedMode(&copy, setAt + 3, end) != nil
    }

    /// `@@GLOBAL.sql_mode` or `GLOBAL sql_mode`: only later sessions.
    private func isGlobal(_ at: Int, _ start: Int) -> Bool {
        var p = at - 1
        if p >= start && b[p] == 0x2E { p -= 1 }
        while p >= start && Self.isSpace(b[p]) { p -= 1 }
        return p - 5 >= start && matches(p - 5, "global")
    }

    /// A quoted list of modes: whether it has NO_BACKSLASH_ESCAPES, ANSI_QUOTES (or ANSI), and whether
    /// setting it can fail on MySQL 8 or MariaDB (a mode not both have). Nil for anything else.
    private func modeLiteral(_ start: Int, _ end: Int) -> (Bool, Bool, Bool)? {
        guard start < end, b[start] == 0x27 || b[start] == 0x22 else { return nil }
        let quote = b[start]
        var p = start + 1
        var modes: [String] = []
        var current: [UInt8] = []
        while p < end && b[p] != quote {
            let c = b[p]
            if c == 0x5C { return nil }
            if c == 0x2C {
                modes.append(String(decoding: current, as: UTF8.self).uppercased())
                current = []
            } else if !Self.isSpace(c) {
                current.append(c)
            }
            p += 1
        }
        guard p < end else { return nil }
        modes.append(String(decoding: current, as: UTF8.self).uppercased())
        modes.removeAll { $0.isEmpty }
        let noBackslashEscapes = modes.contains("NO_BACKSLASH_ESCAPES")
        let ansiQuotes = modes.contains("ANSI_QUOTES") || modes.contains("ANSI")
        let canFail = modes.contains { !Self.modesOfBoth.contains($0) }
        return (noBackslashEscapes, ansiQuotes, canFail)
    }

    /// sql_mode values both MySQL 8 and MariaDB 10.11 accept.
    static let modesOfBoth: Set<String> = [
        "ALLOW_INVALID_DATES", "ANSI_QUOTES", "ERROR_FOR_DIVISION_BY_ZERO", "HIGH_NOT_PRECEDENCE", "IGNORE_SPACE",
        "NO_AUTO_VALUE_ON_ZERO", "NO_BACKSLASH_ESCAPES", "NO_DIR_IN_CREATE", "NO_ENGINE_SUBSTITUTION",
        "NO_UNSIGNED_SUBTRACTION", "NO_ZERO_DATE", "NO_ZERO_IN_DATE", "ONLY_FULL_GROUP_BY", "PAD_CHAR_TO_FULL_LENGTH",
        "PIPES_AS_CONCAT", "REAL_AS_FLOAT", "STRICT_ALL_TABLES", "STRICT_TRANS_TABLES", "ANSI", "TRADITIONAL",
    ]

    @inline(__always) static func isWordByte(_ c: UInt8) -> Bool {
        (c >= 0x61 && c <= 0x7A) || (c >= 0x41 && c <= 0x5A) || (c >= 0x30 && c <= 0x39) || c == 0x5F
    }

    /// `com_delimiter` / `get_arg`: the first argument, quoted or up to a space; refused when empty or
    /// when it contains a backslash (the delimiter then stays as it was). At most 15 bytes.
    private func delimiterArgument(_ start: Int, _ end: Int) -> SQLShortBytes? {
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
        return SQLShortBytes(Array(out.prefix(15)))
    }

    // MARK: bytes

    @inline(__always) private func isDelimiter(_ p: Int, _ lineEnd: Int, _ delimiter: SQLShortBytes) -> Bool {
        guard b[p] == delimiter[0], p + delimiter.count <= lineEnd else { return false }
        var offset = 1
        while offset < delimiter.count {
            if b[p + offset] != delimiter[offset] { return false }
            offset += 1
        }
        return true
    }

    private func contains(_ start: Int, _ end: Int, _ needle: SQLShortBytes) -> Bool {
        guard needle.count > 0, end - start >= needle.count else { return false }
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
