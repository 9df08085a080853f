/// psql's reading of a script (`src/bin/psql/psqlscan.l`, PostgreSQL 15): quotes of every kind, nested
/// comments, dollar quotes, parenthesis depth and `BEGIN … END` bodies (a `;` inside either does not end
/// the statement), and a backslash outside quotes and comments, anywhere on a line, starts a
/// meta-command that psql runs itself.
///
/// psql picks `'…'` or `E'…'`-style reading at each opening quote from `standard_conforming_strings`,
/// which it re-reads at the start of each line after it sent a statement. A plain string's reading
/// is left open until it matters (a backslash inside it): there the scan forks into both readings.
package struct PostgresScanner {
    package enum Context: UInt8 {
        case initial, quote, escaped, undecided, bits, identifier, dollar, comment
    }

    package struct State: SQLReadingState {
        var pos = 0
        var context = Context.initial
        var contextStart = 0
        var commentDepth = 0
        var dollarTag = 0
        var dollarLength = 0
        /// The reading of plain strings on this line: true when standard_conforming_strings is on, nil
        /// while no plain string with a backslash was read since the setting could last have changed.
        var lineStandard: Bool?
        /// An undecided string whose reading also fixes the line's (false: `1e'…'`, psql-version dependent).
        var undecidedSetsLine = true
        /// The default reading, from `SET standard_conforming_strings` statements (applies from the next line).
        var trackedStandard = true
        var pendingStandard: Bool?
        var sentOnLine = false
        var parenDepth = 0
        var beginDepth = 0
        var identifiers: UInt32 = 0
        var identifierCount = 0
        var statementStart = -1
        var setStatement = false
        var resetStatement = false
        /// What the setting is known to be after the statements sent so far: set by an explicit `SET`
        /// outside a transaction block, kept by statements that cannot run user code, lost for good
        /// (`codeMayHaveRun`) after any other statement. Applies from the next line, as psql reads it.
        var known: Bool?
        var codeMayHaveRun = false
        var inTransaction = false
        var statement = StatementFacts()
        /// After `COPY … FROM STDIN`: psql reads the following lines as data up to `\.`, not as SQL.
        var copyData = false

        /// Readings are compared at line starts; hashing the place alone keeps that cheap (equal states
        /// still compare every field).
        package func hash(into hasher: inout Hasher) {
            hasher.combine(pos)
            hasher.combine(context)
        }

        package var kind: Int { 0 }

        package static func kind(_ from: Int, canBecome to: Int) -> Bool { true }
    }

    /// What the words of the current statement say about whether it can run user code.
    package struct StatementFacts: Hashable {
        var first: FirstWord = .none
        var mentionsSetting = false
        var local = false
        var value: Bool?
        var table = false
        var createsFromQuery = false
        var materializedOrEvent = false
        var add = false
        var defaultValue = false
        var from = false
        var fromStdin = false
    }

    package enum FirstWord: UInt8 {
        case none, set, reset, select, create, alter, copy, begin, commit, harmless, other
    }

    /// Assumption bits: which non-default reading found something.
    static let readStandardOff: UInt8 = 1
    static let readStandardOn: UInt8 = 2
    static let readCopyFailed: UInt8 = 4

    static func describe(_ assumption: UInt8) -> String? {
        var parts: [String] = []
        if assumption & readStandardOff != 0 { parts.append("when standard_conforming_strings is off") }
        if assumption & readStandardOn != 0 { parts.append("when standard_conforming_strings is on") }
        if assumption & readCopyFailed != 0 { parts.append("if a COPY FROM stdin fails and its data is read as SQL") }
        return parts.isEmpty ? nil : parts.joined(separator: " and ")
    }

    let b: UnsafeBufferPointer<UInt8>
    let n: Int
    let recorder: SQLLexRecorder
    var queue = SQLForkQueue<State>()

    static func scan(_ bytes: UnsafeBufferPointer<UInt8>, _ recorder: SQLLexRecorder) {
        var scanner = PostgresScanner(b: bytes, n: bytes.count, recorder: recorder)
        scanner.encodingChanges()
        scanner.run(State(), assumption: 0, collect: recorder.collect, primary: true)
        while let next = scanner.queue.next() {
            scanner.run(next.state, assumption: next.assumption, collect: false, primary: false)
        }
    }

    // MARK: the scan

    mutating func run(_ start: State, assumption: UInt8, collect: Bool, primary: Bool) {
        var s = start
        let limit = primary ? Int.max : recorder.limit(from: start.pos)
        defer { if !primary { recorder.spent(from: start.pos, to: s.pos, stopped: s.pos < n && s.pos >= limit) } }
        while s.pos < n {
            if s.pos >= limit { return }
            switch s.context {
            case .initial:
                if !initial(&s, assumption: assumption, collect: collect) { return }
            case .quote, .bits, .escaped, .undecided:
                quoted(&s, assumption: assumption)
            case .identifier:
                while s.pos < n && b[s.pos] != 0x22 { newline(&s) }
                if s.pos + 1 < n && b[s.pos + 1] == 0x22 {
                    s.pos += 2
                } else if s.pos < n {
                    s.pos += 1
                    s.context = .initial
                }
            case .dollar:
                while s.pos < n {
                    if b[s.pos] == 0x24 && s.pos + s.dollarLength <= n && tagMatches(s) {
                        s.pos += s.dollarLength
                        s.context = .initial
                        break
                    }
                    newline(&s)
                }
            case .comment:
                while s.pos < n {
                    let c = b[s.pos]
                    if c == 0x2F && s.pos + 1 < n && b[s.pos + 1] == 0x2A {
                        s.commentDepth += 1
                        s.pos += 2
                    } else if c == 0x2A && s.pos + 1 < n && b[s.pos + 1] == 0x2F {
                        s.commentDepth -= 1
                        s.pos += 2
                        if s.commentDepth == 0 {
                            s.context = .initial
                            break
                        }
                    } else {
                        newline(&s)
                    }
                }
            }
        }
        let described = Self.describe(assumption)
        switch s.context {
        case .initial: break
        case .quote, .bits, .escaped, .undecided: recorder.problem(.unterminatedString, at: s.contextStart, assumption: described)
        case .identifier: recorder.problem(.unterminatedIdentifier, at: s.contextStart, assumption: described)
        case .dollar: recorder.problem(.unterminatedDollarQuote, at: s.contextStart, assumption: described)
        case .comment: recorder.problem(.unterminatedComment, at: s.contextStart, assumption: described)
        }
        if collect && s.statementStart >= 0 {
            // psql sends what is left in its buffer at the end of the file.
            var end = n
            while end > s.statementStart && Self.isSpace(b[end - 1]) { end -= 1 }
            recorder.statement(at: s.statementStart, text: Array(b[s.statementStart..<end]))
        }
    }

    /// Moves past one byte inside a quote or comment, noting a line start.
    @inline(__always) private func newline(_ s: inout State) {
        if b[s.pos] == 0x0A && s.sentOnLine { lineStart(&s) }
        s.pos += 1
    }

    /// psql re-reads standard_conforming_strings when it sets up the next line after sending a statement.
    @inline(__always) private func lineStart(_ s: inout State) {
        s.sentOnLine = false
        s.lineStandard = s.known
        if let pending = s.pendingStandard {
            s.trackedStandard = pending
            s.pendingStandard = nil
        }
    }

    /// One token in the initial state; false when this reading merged into one already followed.
    private mutating func initial(_ s: inout State, assumption: UInt8, collect: Bool) -> Bool {
        let c = b[s.pos]
        switch c {
        case 0x0A:
            s.pos += 1
            if s.copyData {
                // The COPY can fail (no such table, no rights): psql then reads these lines as SQL.
                var failed = s
                failed.copyData = false
                queue.fork(failed, assumption: assumption | Self.readCopyFailed, recorder: recorder)
                skipCopyData(&s)
            }
            if s.sentOnLine {
                lineStart(&s)
                if !queue.continues(s) { return false }
            }
        case 0x20, 0x09, 0x0D, 0x0C, 0x0B:
            s.pos += 1
        case 0x2D where s.pos + 1 < n && b[s.pos + 1] == 0x2D:
            // `--` runs to a line feed or a carriage return: psql reads what follows a lone CR as SQL.
            while s.pos < n && b[s.pos] != 0x0A && b[s.pos] != 0x0D { s.pos += 1 }
        case 0x2F where s.pos + 1 < n && b[s.pos + 1] == 0x2A:
            mark(&s)
            s.context = .comment
            s.contextStart = s.pos
            s.commentDepth = 1
            s.pos += 2
        case 0x27:
            mark(&s)
            openPlainString(&s, at: s.pos)
        case 0x22:
            mark(&s)
            s.context = .identifier
            s.contextStart = s.pos
            s.pos += 1
        case 0x24:
            mark(&s)
            dollar(&s)
        case 0x5C:
            metaCommand(&s, assumption: assumption)
        case 0x3B:
            mark(&s)
            s.pos += 1
            if s.parenDepth == 0 && s.beginDepth == 0 { endStatement(&s, collect: collect) }
        case 0x28:
            mark(&s)
            s.parenDepth += 1
            s.pos += 1
        case 0x29:
            mark(&s)
            if s.parenDepth > 0 { s.parenDepth -= 1 }
            s.pos += 1
        case 0x3A:
            mark(&s)
            variableReference(&s, assumption: assumption)
        case 0x30...0x39:
            mark(&s)
            while s.pos < n && (Self.isDigit(b[s.pos]) || b[s.pos] == 0x2E || b[s.pos] == 0x5F) { s.pos += 1 }
            if s.pos < n && Self.isIdentifierStart(b[s.pos]) { word(&s, afterNumber: true) }
        default:
            mark(&s)
            if Self.isIdentifierStart(c) { word(&s, afterNumber: false) } else { s.pos += 1 }
        }
        return true
    }

    @inline(__always) private func mark(_ s: inout State) {
        if s.statementStart < 0 { s.statementStart = s.pos }
    }

    private func openPlainString(_ s: inout State, at quote: Int) {
        s.contextStart = quote
        s.pos = quote + 1
        switch s.lineStandard {
        case true?: s.context = .quote
        case false?: s.context = .escaped
        case nil:
            s.context = .undecided
            s.undecidedSetsLine = true
        }
    }

    /// Inside a string: doubled quotes, `E''` escapes, the closing quote and psql's quote continuation
    /// (`'a'` newline `'b'` is one string, read the same way as its first part).
    private mutating func quoted(_ s: inout State, assumption: UInt8) {
        let context = s.context
        while s.pos < n {
            let c = b[s.pos]
            if c == 0x27 { break }
            if c == 0x5C && context != .quote && context != .bits { break }
            newline(&s)
        }
        guard s.pos < n else { return }
        if b[s.pos] == 0x5C {
            if context == .undecided {
                decide(&s, assumption: assumption)
                return
            }
            // E'' escape: the backslash and the next byte.
            s.pos += 1
            if s.pos < n { newline(&s) }
            return
        }
        if context != .bits && s.pos + 1 < n && b[s.pos + 1] == 0x27 {
            s.pos += 2
            return
        }
        s.pos += 1
        if let reopen = continuation(after: s.pos, &s) {
            s.pos = reopen + 1
        } else {
            s.context = .initial
        }
    }

    /// The first backslash in a string whose reading is still open: follow the default reading here,
    /// queue the other.
    private mutating func decide(_ s: inout State, assumption: UInt8) {
        let escapesByDefault = !s.trackedStandard
        var other = s
        other.context = escapesByDefault ? .quote : .escaped
        if other.undecidedSetsLine { other.lineStandard = escapesByDefault }
        queue.fork(other, assumption: assumption | (escapesByDefault ? Self.readStandardOn : Self.readStandardOff), recorder: recorder)
        s.context = escapesByDefault ? .escaped : .quote
        if s.undecidedSetsLine { s.lineStandard = !escapesByDefault }
    }

    /// `{quote}{whitespace_with_newline}{quote}`: the index of the reopening quote, or nil.
    private func continuation(after start: Int, _ s: inout State) -> Int? {
        var i = start
        while i < n {
            let c = b[i]
            if c == 0x20 || c == 0x09 || c == 0x0C {
                i += 1
            } else if c == 0x2D && i + 1 < n && b[i + 1] == 0x2D {
                while i < n && b[i] != 0x0A && b[i] != 0x0D { i += 1 }
            } else {
                break
            }
        }
        guard i < n, b[i] == 0x0A || b[i] == 0x0D else { return nil }
        i += 1
        while i < n {
            let c = b[i]
            if Self.isSpace(c) {
                i += 1
            } else if c == 0x2D && i + 1 < n && b[i + 1] == 0x2D {
                var end = i
                while end < n && b[end] != 0x0A && b[end] != 0x0D { end += 1 }
                guard end < n else { return nil }
                i = end + 1
            } else {
                break
            }
        }
        guard i < n, b[i] == 0x27 else { return nil }
        if s.sentOnLine {
            // The continued string crossed a line start; the setting may have changed for what follows.
            if b[start..<i].contains(0x0A) { lineStart(&s) }
        }
        return i
    }

    private func dollar(_ s: inout State) {
        var t = s.pos + 1
        if t < n && Self.isDigit(b[t]) {
            // $1: a parameter
            while t < n && Self.isDigit(b[t]) { t += 1 }
            s.pos = t
            return
        }
        if t < n && Self.isIdentifierStart(b[t]) {
            while t < n && (Self.isIdentifierStart(b[t]) || Self.isDigit(b[t])) { t += 1 }
        }
        if t < n && b[t] == 0x24 {
            s.context = .dollar
            s.contextStart = s.pos
            s.dollarTag = s.pos
            s.dollarLength = t - s.pos + 1
            s.pos = t + 1
        } else {
            s.pos = max(t, s.pos + 1)
        }
    }

    @inline(__always) private func tagMatches(_ s: State) -> Bool {
        var offset = 1
        while offset < s.dollarLength {
            if b[s.pos + offset] != b[s.dollarTag + offset] { return false }
            offset += 1
        }
        return true
    }

    /// psql's `:'name'` and `:"name"` variable references are single tokens, not quotes; `::` is a cast.
    /// An unquoted `:name` of a variable psql defines is replaced by its value, which psql then lexes
    /// as input: `:LAST_ERROR_MESSAGE` after an error the script raised itself runs whatever
    /// meta-command the message holds. Those references are reported as commands.
    private func variableReference(_ s: inout State, assumption: UInt8) {
        let start = s.pos
        s.pos += 1
        guard s.pos < n else { return }
        if b[s.pos] == 0x3A {
            s.pos += 1
            return
        }
        if b[s.pos] == 0x27 || b[s.pos] == 0x22 {
            let quote = b[s.pos]
            var t = s.pos + 1
            while t < n && (Self.isIdentifierStart(b[t]) || Self.isDigit(b[t])) { t += 1 }
            if t > start + 2 && t < n && b[t] == quote { s.pos = t + 1 }
            return
        }
        var end = s.pos
        while end < n && (Self.isIdentifierStart(b[end]) || Self.isDigit(b[end])) { end += 1 }
        guard end > s.pos else { return }
        let name = String(decoding: b[s.pos..<end], as: UTF8.self)
        s.pos = end
        if Self.psqlVariables.contains(name) {
            recorder.command(.command, at: start, end: end, assumption: Self.describe(assumption))
        }
    }

    /// The variables psql 15-17 defines without `\set` (`psql -X -c '\set'`, and those set after a
    /// query or a shell command), and the two cutover's blue-green Jobs pass with `-v`.
    static let psqlVariables: Set<String> = [
        "AUTOCOMMIT", "COMP_KEYWORD_CASE", "DBNAME", "ECHO", "ECHO_HIDDEN", "ENCODING", "ERROR", "FETCH_COUNT",
        "HIDE_TABLEAM", "HIDE_TOAST_COMPRESSION", "HISTCONTROL", "HISTFILE", "HISTSIZE", "HOST", "IGNOREEOF",
        "LAST_ERROR_MESSAGE", "LAST_ERROR_SQLSTATE", "ON_ERROR_ROLLBACK", "ON_ERROR_STOP", "PORT", "PROMPT1",
        "PROMPT2", "PROMPT3", "QUIET", "ROW_COUNT", "SERVER_VERSION_NAME", "SERVER_VERSION_NUM", "SHELL_ERROR",
        "SHELL_EXIT_CODE", "SHOW_ALL_RESULTS", "SHOW_CONTEXT", "SINGLELINE", "SINGLESTEP", "SQLSTATE", "USER",
        "VERBOSITY", "VERSION", "VERSION_NAME", "VERSION_NUM", "WATCH_INTERVAL", "blue_conninfo", "green_conninfo",
    ]

    /// A word: a string prefix (`E'`, `B'`, `X'`, `N'`, `U&'`, `U&"`) or an identifier/keyword.
    private mutating func word(_ s: inout State, afterNumber: Bool) {
        let start = s.pos
        let first = b[start] | 0x20
        if start + 1 < n && b[start + 1] == 0x27 {
            switch first {
            case 0x65, 0x62, 0x78: // e b x
                s.contextStart = start + 1
                s.pos = start + 2
                if afterNumber {
                    // psql 15 reads `1e'…'` as `1e` then a plain string, psql 14 as `1` then `e'…'`.
                    s.context = .undecided
                    s.undecidedSetsLine = false
                } else {
                    s.context = first == 0x65 ? .escaped : .bits
                }
                return
            case 0x6E: // n: a plain string
                openPlainString(&s, at: start + 1)
                return
            default:
                break
            }
        }
        if first == 0x75 && start + 2 < n && b[start + 1] == 0x26 && (b[start + 2] == 0x27 || b[start + 2] == 0x22) {
            s.contextStart = start + 2
            s.pos = start + 3
            if b[start + 2] == 0x22 {
                s.context = .identifier
            } else if afterNumber {
                s.context = .undecided
                s.undecidedSetsLine = false
            } else {
                s.context = .quote
            }
            return
        }
        var end = start + 1
        while end < n && (Self.isIdentifierStart(b[end]) || Self.isDigit(b[end]) || b[end] == 0x24) { end += 1 }
        s.pos = end
        identifier(&s, start, end)
    }

    /// psql's heuristic for `CREATE [OR REPLACE] FUNCTION|PROCEDURE … BEGIN … END` bodies, whose `;` do not
    /// end the statement, and the `SET standard_conforming_strings` the default reading follows.
    private func identifier(_ s: inout State, _ start: Int, _ end: Int) {
        let length = end - start
        let index = s.identifierCount
        if index < 4, length >= 2, length <= 9 {
            if matches(start, length, "create") || matches(start, length, "function") || matches(start, length, "procedure")
                || matches(start, length, "or") || matches(start, length, "replace") {
                s.identifiers |= UInt32(b[start] | 0x20) << (8 * UInt32(index))
            }
        }
        if index == 0 {
            s.setStatement = matches(start, length, "set")
            s.resetStatement = matches(start, length, "reset")
            s.statement.first = firstWord(start, length)
        }
        noteFacts(&s, start, length, index: index)
        s.identifierCount += 1
        let i0 = UInt8(truncatingIfNeeded: s.identifiers)
        let i1 = UInt8(truncatingIfNeeded: s.identifiers >> 8)
        let i2 = UInt8(truncatingIfNeeded: s.identifiers >> 16)
        let i3 = UInt8(truncatingIfNeeded: s.identifiers >> 24)
        if i0 == 0x63 && (i1 == 0x66 || i1 == 0x70 || (i1 == 0x6F && i2 == 0x72 && (i3 == 0x66 || i3 == 0x70)))
            && s.parenDepth == 0 {
            if matches(start, length, "begin") {
                s.beginDepth += 1
            } else if matches(start, length, "case") {
                if s.beginDepth >= 1 { s.beginDepth += 1 }
            } else if matches(start, length, "end") {
                if s.beginDepth > 0 { s.beginDepth -= 1 }
            }
        }
        if (s.setStatement || s.resetStatement) && length == 27 && matches(start, length, "standard_conforming_strings") {
            s.pendingStandard = s.resetStatement ? true : settingValue(after: end)
            s.statement.value = s.resetStatement ? nil : settingValue(after: end)
        } else if s.resetStatement && index == 1 && matches(start, length, "all") {
            s.pendingStandard = true
        }
    }

    /// The value of `SET … = value` / `TO value`: on/true/yes/1 → true, off/false/no/0 → false, else nil.
    private func settingValue(after start: Int) -> Bool? {
        var i = start
        func skipSpace() { while i < n && Self.isSpace(b[i]) { i += 1 } }
        skipSpace()
        if i < n && b[i] == 0x3D {
            i += 1
        } else if i + 1 < n && b[i] | 0x20 == 0x74 && b[i + 1] | 0x20 == 0x6F {
            i += 2
        } else {
            return nil
        }
        skipSpace()
        if i < n && b[i] == 0x27 { i += 1 }
        let valueStart = i
        while i < n && (Self.isIdentifierStart(b[i]) || Self.isDigit(b[i])) { i += 1 }
        let length = i - valueStart
        if matches(valueStart, length, "on") || matches(valueStart, length, "true") || matches(valueStart, length, "yes")
            || matches(valueStart, length, "1") || matches(valueStart, length, "default") {
            return true
        }
        if matches(valueStart, length, "off") || matches(valueStart, length, "false") || matches(valueStart, length, "no")
            || matches(valueStart, length, "0") {
            return false
        }
        return nil
    }

    private func endStatement(_ s: inout State, collect: Bool) {
        if collect && s.statementStart >= 0 {
            recorder.statement(at: s.statementStart, text: Array(b[s.statementStart..<s.pos]))
        }
        settle(&s)
        s.statement = StatementFacts()
        s.statementStart = -1
        s.identifierCount = 0
        s.identifiers = 0
        s.setStatement = false
        s.resetStatement = false
        s.sentOnLine = true
    }

    // MARK: what the setting is after a statement

    private func firstWord(_ start: Int, _ length: Int) -> FirstWord {
        if matches(start, length, "set") { return .set }
        if matches(start, length, "reset") { return .reset }
        if matches(start, length, "select") { return .select }
        if matches(start, length, "create") { return .create }
        if matches(start, length, "alter") { return .alter }
        if matches(start, length, "copy") { return .copy }
        if matches(start, length, "begin") || matches(start, length, "start") { return .begin }
        if matches(start, length, "commit") || matches(start, length, "end") { return .commit }
        if matches(start, length, "comment") || matches(start, length, "grant") || matches(start, length, "revoke")
            || matches(start, length, "drop") || matches(start, length, "savepoint") || matches(start, length, "release")
            || matches(start, length, "security") {
            return .harmless
        }
        return .other
    }

    private func noteFacts(_ s: inout State, _ start: Int, _ length: Int, index: Int) {
        if length == 27 && matches(start, length, "standard_conforming_strings") { s.statement.mentionsSetting = true }
        switch s.statement.first {
        case .set:
            if index == 1 && matches(start, length, "local") { s.statement.local = true }
        case .create:
            if index <= 3 && matches(start, length, "table") { s.statement.table = true }
            if s.statement.table && s.parenDepth == 0 && matches(start, length, "as") { s.statement.createsFromQuery = true }
            if index <= 2 && (matches(start, length, "materialized") || matches(start, length, "event")) {
                s.statement.materializedOrEvent = true
            }
        case .alter:
            if matches(start, length, "add") { s.statement.add = true }
            if matches(start, length, "default") { s.statement.defaultValue = true }
        case .copy:
            if s.statement.from && matches(start, length, "stdin") { s.statement.fromStdin = true }
            s.statement.from = matches(start, length, "from")
        default:
            break
        }
    }

    /// After a statement is sent: whether standard_conforming_strings is still known. Only statements
    /// that cannot run user code while every table is still empty keep it (any statement that could
    /// fill a table or run a function makes it unknown for the rest of the script); an explicit
    /// `SET standard_conforming_strings` outside a transaction block sets it (inside one, a failed
    /// statement or ROLLBACK could leave the old value).
    private func settle(_ s: inout State) {
        let facts = s.statement
        var keeps: Bool
        switch facts.first {
        case .none, .harmless:
            keeps = true
        case .set:
            keeps = true
            if facts.mentionsSetting {
                if facts.local || s.inTransaction || facts.value == nil || s.codeMayHaveRun {
                    s.known = nil
                } else {
                    s.known = facts.value
                }
                return
            }
        case .reset:
            keeps = !facts.mentionsSetting && !resetsAll(s)
            if !keeps {
                s.known = nil
                return
            }
        case .select:
            keeps = isDumpSearchPath(s)
        case .create:
            keeps = !facts.createsFromQuery && !facts.materializedOrEvent
        case .alter:
            keeps = !(facts.add && facts.defaultValue)
        case .copy:
            keeps = false
            if facts.fromStdin { s.copyData = true }
        case .begin:
            keeps = true
            s.inTransaction = true
        case .commit:
            keeps = true
            s.inTransaction = false
        case .other:
            keeps = false
        }
        if !keeps {
            s.codeMayHaveRun = true
            s.known = nil
        }
    }

    private func resetsAll(_ s: State) -> Bool {
        guard s.statementStart >= 0 else { return false }
        var i = s.statementStart + 5
        while i < s.pos && Self.isSpace(b[i]) { i += 1 }
        return matches(i, 3, "all")
    }

    /// pg_dump's `SELECT pg_catalog.set_config('search_path', '', false);`, blanks and case aside.
    private func isDumpSearchPath(_ s: State) -> Bool {
        guard s.statementStart >= 0 else { return false }
        let expected: StaticString = "selectpg_catalog.set_config('search_path','',false);"
        let pointer = expected.utf8Start
        var k = 0
        for i in s.statementStart..<s.pos where !Self.isSpace(b[i]) {
            guard k < expected.utf8CodeUnitCount else { return false }
            var byte = b[i]
            if byte >= 0x41 && byte <= 0x5A { byte |= 0x20 }
            if byte != pointer[k] { return false }
            k += 1
        }
        return k == expected.utf8CodeUnitCount
    }

    /// COPY data lines, up to a line that is exactly `\.` (or the end of the script).
    private func skipCopyData(_ s: inout State) {
        s.copyData = false
        while s.pos < n {
            var end = s.pos
            while end < n && b[end] != 0x0A { end += 1 }
            let length = end - s.pos
            let terminator = (length == 2 || (length == 3 && b[s.pos + 2] == 0x0D)) && b[s.pos] == 0x5C && b[s.pos + 1] == 0x2E
            s.pos = min(end + 1, n)
            if terminator { return }
        }
    }

    /// A backslash outside quotes and comments: psql reads a meta-command up to the next blank or
    /// backslash, and its arguments to the end of the line.
    private func metaCommand(_ s: inout State, assumption: UInt8) {
        let start = s.pos
        var end = start + 1
        if end < n && b[end] == 0x5C {
            end += 1
        } else {
            while end < n && !Self.isSpace(b[end]) && b[end] != 0x5C { end += 1 }
        }
        var lineEnd = end
        while lineEnd < n && b[lineEnd] != 0x0A { lineEnd += 1 }
        let restrict = isDumpRestrictLine(start, nameEnd: end, lineEnd: lineEnd)
        recorder.command(restrict ? .dumpRestrict : .command, at: start, end: end, assumption: Self.describe(assumption))
        if !restrict { s.sentOnLine = true }
        s.pos = lineEnd
    }

    /// Exactly `\restrict KEY` or `\unrestrict KEY` on a line of its own, the key alphanumeric.
    private func isDumpRestrictLine(_ start: Int, nameEnd: Int, lineEnd: Int) -> Bool {
        guard start == 0 || b[start - 1] == 0x0A else { return false }
        let length = nameEnd - start - 1
        guard matchesExactly(start + 1, length, "restrict") || matchesExactly(start + 1, length, "unrestrict") else { return false }
        guard nameEnd < lineEnd, b[nameEnd] == 0x20, nameEnd + 1 < lineEnd else { return false }
        for index in (nameEnd + 1)..<lineEnd where !Self.isAlphanumeric(b[index]) { return false }
        return true
    }

    // MARK: client encoding

    /// psql reads every later byte in the client encoding; an encoding other than UTF-8 (SJIS, BIG5…) has
    /// multi-byte characters whose second byte is `\` or `'`, so the rest of the script would read
    /// differently from how cutover reads it. `SET client_encoding = 'UTF8'` (pg_dump writes it) is fine.
    private func encodingChanges() {
        var i = 0
        while i + 5 <= n {
            let c = b[i] | 0x20
            // Most bytes are neither word: the cheap tests first (`client_encoding`'s `_`, `names`' `s`).
            if c != 0x63 && c != 0x6E {
                i += 1
            } else if c == 0x63 && i + 15 <= n && b[i + 6] == 0x5F && matches(i, 15, "client_encoding") {
                if !isUTF8Setting(after: i + 15) { recorder.problem(.encodingChange, at: i, assumption: nil) }
                i += 15
            } else if c == 0x6E && b[i + 4] | 0x20 == 0x73 && matches(i, 5, "names") && (i + 5 == n || !Self.isIdentifierStart(b[i + 5])) && followsSet(i) {
                if !isUTF8Setting(after: i + 5, allowBare: true) { recorder.problem(.encodingChange, at: i, assumption: nil) }
                i += 5
            } else {
                i += 1
            }
        }
    }

    private func followsSet(_ index: Int) -> Bool {
        var i = index - 1
        guard i >= 0, Self.isSpace(b[i]) else { return false }
        while i >= 0 && Self.isSpace(b[i]) { i -= 1 }
        return i >= 2 && matches(i - 2, 3, "set") && (i - 3 < 0 || !Self.isIdentifierStart(b[i - 3]))
    }

    private func isUTF8Setting(after start: Int, allowBare: Bool = false) -> Bool {
        var i = start
        while i < n && Self.isSpace(b[i]) { i += 1 }
        if i < n && b[i] == 0x3D {
            i += 1
        } else if i + 1 < n && b[i] | 0x20 == 0x74 && b[i + 1] | 0x20 == 0x6F {
            i += 2
        } else if !allowBare {
            return false
        }
        while i < n && Self.isSpace(b[i]) { i += 1 }
        let quoted = i < n && b[i] == 0x27
        if quoted { i += 1 }
        let values: [StaticString] = ["utf8", "utf-8", "unicode"]
        for value in values where matches(i, value.utf8CodeUnitCount, value) {
            let end = i + value.utf8CodeUnitCount
            if quoted { return end < n && b[end] == 0x27 }
            return end == n || !(Self.isIdentifierStart(b[end]) || Self.isDigit(b[end]))
        }
        return false
    }

    // MARK: bytes

    /// Case-insensitive ASCII comparison of `length` bytes at `start` with a lower-case word of that length.
    private func matches(_ start: Int, _ length: Int, _ word: StaticString) -> Bool {
        guard length == word.utf8CodeUnitCount, start >= 0, start + length <= n else { return false }
        let pointer = word.utf8Start
        for offset in 0..<length {
            var byte = b[start + offset]
            if byte >= 0x41 && byte <= 0x5A { byte |= 0x20 }
            if byte != pointer[offset] { return false }
        }
        return true
    }

    /// Case-sensitive, for pg_dump's lower-case command names.
    private func matchesExactly(_ start: Int, _ length: Int, _ word: StaticString) -> Bool {
        guard length == word.utf8CodeUnitCount, start + length <= n else { return false }
        let pointer = word.utf8Start
        for offset in 0..<length where b[start + offset] != pointer[offset] { return false }
        return true
    }

    @inline(__always) static func isSpace(_ c: UInt8) -> Bool {
        c == 0x20 || (c >= 0x09 && c <= 0x0D)
    }

    @inline(__always) static func isDigit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }

    /// `[A-Za-z\200-\377_]`
    @inline(__always) static func isIdentifierStart(_ c: UInt8) -> Bool {
        (c >= 0x61 && c <= 0x7A) || (c >= 0x41 && c <= 0x5A) || c == 0x5F || c >= 0x80
    }

    @inline(__always) static func isAlphanumeric(_ c: UInt8) -> Bool {
        (c >= 0x61 && c <= 0x7A) || (c >= 0x41 && c <= 0x5A) || isDigit(c)
    }
}
