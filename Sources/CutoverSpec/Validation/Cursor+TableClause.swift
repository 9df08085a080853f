extension Cursor {
    /// Whether the element at the cursor is a table clause (a key or constraint, `LIKE`, `PERIOD FOR`, `EXCLUDE`)
    /// rather than a column definition. The clause words are column names too: `period`, `exclude`, `key` and
    /// `index` are not reserved on PostgreSQL, and MariaDB takes `period` and `exclude` unquoted; the trial of #14
    /// lost a `period text` column this way. So a word starts a clause only where that clause's syntax follows it;
    /// where a column type follows, the element is a column.
    func atTableClause(mysql: Bool) -> Bool {
        if isWord("CONSTRAINT") {
            // `CONSTRAINT [name] PRIMARY KEY | UNIQUE | FOREIGN KEY | CHECK | EXCLUDE …`
            return constraintKind(1) || (isName(1) && constraintKind(2))
        }
        if isWord("PRIMARY") || isWord("FOREIGN") { return isWord("KEY", offset: 1) }
        if isWord("CHECK") { return isOpen(1) }
        if isWord("EXCLUDE") { return isWord("USING", offset: 1) || isOpen(1) }
        if isWord("PERIOD") { return isWord("FOR", offset: 1) }
        if isWord("LIKE") {
            // `LIKE source [INCLUDING … | EXCLUDING …]`: a column `like text NOT NULL` has more after its type.
            guard isName(1) else { return false }
            var q = 2
            while isPunctuation(0x2E, offset: q), isName(q + 1) { q += 2 }
            return p + q >= end || isWord("INCLUDING", offset: q) || isWord("EXCLUDING", offset: q)
        }
        if isWord("UNIQUE") {
            if isOpen(1) || isWord("KEY", offset: 1) || isWord("INDEX", offset: 1) || isWord("NULLS", offset: 1)
                || isWord("USING", offset: 1) { return true }
            return mysql && isName(1) && (isKeyList(2) || isWord("USING", offset: 2))
        }
        if mysql && (isWord("KEY") || isWord("INDEX")) {
            return isOpen(1) || isWord("USING", offset: 1) || (isName(1) && (isKeyList(2) || isWord("USING", offset: 2)))
        }
        if mysql && (isWord("FULLTEXT") || isWord("SPATIAL")) {
            return isWord("KEY", offset: 1) || isWord("INDEX", offset: 1) || isOpen(1) || (isName(1) && isKeyList(2))
        }
        return false
    }

    private func constraintKind(_ offset: Int) -> Bool {
        isWord("PRIMARY", offset: offset) || isWord("UNIQUE", offset: offset) || isWord("FOREIGN", offset: offset)
            || isWord("CHECK", offset: offset) || isWord("EXCLUDE", offset: offset)
    }

    private func isName(_ offset: Int) -> Bool {
        let index = p + offset
        guard index < end else { return false }
        let kind = tokens[index].kind
        return kind == .word || kind == .quotedIdentifier || (lexer.mysql && kind == .string)
    }

    private func isOpen(_ offset: Int) -> Bool { isPunctuation(0x28, offset: offset) }

    /// A `(` opening a key's column list, not a type's length: `key varchar(10)` is a column, `KEY k (a, b)` an index.
    private func isKeyList(_ offset: Int) -> Bool {
        let index = p + offset + 1
        return isOpen(offset) && index < end && tokens[index].kind != .number
    }

    private func isPunctuation(_ character: UInt8, offset: Int) -> Bool {
        let index = p + offset
        return index < end && lexer.isPunctuation(tokens[index], character)
    }
}
