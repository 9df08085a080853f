/// What a `sql` change's `up` does to tables, columns and indexes, read with the schema reader's lexer,
/// so that the checks of later changes stay on. A statement that changes nothing cutover tracks (DML,
/// comments, grants, views, functions, constraints) is read as no effect; a statement it cannot read
/// (`DO` blocks, dynamic SQL, anything unknown) ends the reading, and the caller stops trusting what
/// it knows for the rest of the spec, as before.
package struct RawSQLSchemaEffects {
    package enum Effect {
        case createTable(DatabaseSchema.Table, indexes: [DatabaseSchema.Index])
        case addColumn(table: String, column: DatabaseSchema.Column)
        case dropColumn(table: String, column: String)
        case renameColumn(table: String, from: String, to: String)
        case renameTable(from: String, to: String)
        case dropTable(String)
        case createIndex(DatabaseSchema.Index)
        case dropIndex(name: String, table: String?)
    }

    package var effects: [Effect] = []
    /// The first statement that could not be read: its line in the `up` and its first words.
    package var unreadable: (line: Int, words: String)?

    /// `defaultSchema`: PostgreSQL's `database.schemaName`, read bare as the dump's tables are
    /// (`app.orders` is `orders` with `schemaName: app`; `public.orders` then stays qualified).
    package static func read(_ sql: String, engine: MigrationSpec.Engine, defaultSchema: String = "public") -> RawSQLSchemaEffects {
        var result = RawSQLSchemaEffects()
        let lexer = SchemaLexer(sql, mysql: engine == .mysql, defaultSchema: defaultSchema)
        let tokens = lexer.tokenize()
        var start = 0
        while start < tokens.count {
            var end = start
            while end < tokens.count && tokens[end].kind != .terminator { end += 1 }
            if end > start {
                let text = lexer.text(from: tokens[start].start, to: tokens[end - 1].end)
                var c = Cursor(lexer: lexer, tokens: tokens, p: start, end: end)
                if !result.statement(&c, text: text, engine: engine) {
                    let words = tokens[start..<min(end, start + 3)].map(lexer.text).joined(separator: " ")
                    result.unreadable = (tokens[start].line, words + (end > start + 3 ? " …" : ""))
                    return result
                }
            }
            start = end + 1
        }
        return result
    }

    /// One statement; false when it cannot be read.
    private mutating func statement(_ c: inout Cursor, text: String, engine: MigrationSpec.Engine) -> Bool {
        for keyword: StaticString in ["INSERT", "UPDATE", "DELETE", "SELECT", "COMMENT", "SET", "RESET", "ANALYZE", "GRANT",
                                      "REVOKE", "VACUUM", "LOCK", "BEGIN", "COMMIT", "START", "OPTIMIZE", "REFRESH"]
        where c.isWord(keyword) {
            return true
        }
        if c.accept("CREATE") {
            _ = c.accept("OR") && c.accept("REPLACE")
            var probe = c
            _ = probe.accept("UNIQUE")
            if probe.isWord("TABLE") || probe.isWord("INDEX") || probe.isWord("UNLOGGED") {
                let schema = SchemaReader(engine: engine, defaultSchema: c.lexer.defaultSchema).read(text)
                if probe.isWord("INDEX") {
                    // The table is not in this one-statement schema: read the index by hand.
                    return createIndex(&probe, unique: c.isWord("UNIQUE"), text: text)
                }
                guard let table = schema.tables.first else { return false }
                effects.append(.createTable(table, indexes: schema.indexes))
                return true
            }
            DDLParser.skipCreatePreamble(&probe)
            for keyword: StaticString in ["VIEW", "MATERIALIZED", "FUNCTION", "PROCEDURE", "TRIGGER", "TYPE", "DOMAIN",
                                          "SEQUENCE", "EXTENSION", "SCHEMA", "RECURSIVE", "TEMPORARY", "TEMP"]
            where probe.isWord(keyword) {
                return true
            }
            return false
        }
        if c.accept("DROP") {
            if c.accept("TABLE") {
                _ = c.accept("IF") && c.accept("EXISTS")
                while let name = c.qualifiedName() {
                    effects.append(.dropTable(name))
                    guard c.isPunctuation(0x2C) else { break }
                    c.p += 1
                }
                return true
            }
            if c.accept("INDEX") {
                _ = c.accept("CONCURRENTLY")
                _ = c.accept("IF") && c.accept("EXISTS")
                guard let name = c.qualifiedName() else { return false }
                let table = c.accept("ON") ? c.qualifiedName() : nil
                effects.append(.dropIndex(name: name, table: table))
                return true
            }
            return c.isWord("VIEW") || c.isWord("FUNCTION") || c.isWord("PROCEDURE") || c.isWord("TRIGGER") || c.isWord("TYPE")
                || c.isWord("SEQUENCE") || c.isWord("MATERIALIZED") || c.isWord("DOMAIN")
        }
        if c.accept("ALTER") {
            guard c.accept("TABLE") else {
                return c.isWord("INDEX") || c.isWord("VIEW") || c.isWord("SEQUENCE") || c.isWord("FUNCTION") || c.isWord("TYPE")
            }
            _ = c.accept("IF") && c.accept("EXISTS")
            _ = c.accept("ONLY")
            guard let table = c.qualifiedName() else { return false }
            for (actionStart, actionEnd) in c.split(c.p, c.end) {
                var action = Cursor(lexer: c.lexer, tokens: c.tokens, p: actionStart, end: actionEnd)
                guard alterAction(&action, table: table, engine: engine) else { return false }
            }
            return true
        }
        if engine == .mysql && c.accept("RENAME") && c.accept("TABLE") {
            while let from = c.qualifiedName(), c.accept("TO"), let to = c.qualifiedName() {
                effects.append(.renameTable(from: from, to: to))
                guard c.isPunctuation(0x2C) else { break }
                c.p += 1
            }
            return true
        }
        return false
    }

    private mutating func createIndex(_ c: inout Cursor, unique: Bool, text: String) -> Bool {
        _ = c.accept("UNIQUE")
        guard c.accept("INDEX") else { return false }
        _ = c.accept("CONCURRENTLY")
        _ = c.accept("IF") && c.accept("NOT") && c.accept("EXISTS")
        let name = c.isWord("ON") ? nil : c.identifier()
        guard c.accept("ON") else { return false }
        _ = c.accept("ONLY")
        guard let table = c.qualifiedName() else { return false }
        if c.accept("USING") { c.p += 1 }
        guard let columns = c.columnList(), let name else { return false }
        effects.append(.createIndex(DatabaseSchema.Index(name: name, table: table, columns: columns, unique: unique,
                                                         method: nil, definition: text)))
        return true
    }

    private mutating func alterAction(_ a: inout Cursor, table: String, engine: MigrationSpec.Engine) -> Bool {
        if a.accept("ADD") {
            // MySQL: ADD [UNIQUE|FULLTEXT|SPATIAL] {INDEX|KEY} [name] (columns)
            var probe = a
            let unique = probe.accept("UNIQUE")
            if !unique { _ = probe.accept("FULLTEXT") || probe.accept("SPATIAL") }
            if engine == .mysql && a.atTableClause(mysql: true) && (probe.accept("INDEX") || probe.accept("KEY") || (unique && !probe.isWord("CONSTRAINT"))) {
                let name = probe.isPunctuation(0x28) || probe.isWord("USING") ? nil : probe.identifier()
                guard let columns = probe.columnList(skippingUsing: true) else { return false }
                guard let name = name ?? columns.first else { return false }
                effects.append(.createIndex(DatabaseSchema.Index(name: name, table: table, columns: columns, unique: unique,
                                                                 method: nil, definition: "")))
                return true
            }
            let isColumn = a.accept("COLUMN")
            if !isColumn && a.atTableClause(mysql: engine == .mysql) {
                return true
            }
            _ = a.accept("IF") && a.accept("NOT") && a.accept("EXISTS")
            let columnText = a.rest()
            let schema = SchemaReader(engine: engine, defaultSchema: a.lexer.defaultSchema).read("CREATE TABLE t (\(columnText));")
            guard let column = schema.tables.first?.columns.first else { return false }
            effects.append(.addColumn(table: table, column: column))
            return true
        }
        if a.accept("DROP") {
            if a.isWord("CONSTRAINT") || a.isWord("PRIMARY") || a.isWord("FOREIGN") || a.isWord("CHECK") || a.isWord("DEFAULT") {
                return true
            }
            if a.accept("INDEX") || a.accept("KEY") {
                guard let name = a.identifier() else { return false }
                effects.append(.dropIndex(name: name, table: table))
                return true
            }
            _ = a.accept("COLUMN")
            _ = a.accept("IF") && a.accept("EXISTS")
            guard let column = a.identifier() else { return false }
            effects.append(.dropColumn(table: table, column: column))
            return true
        }
        if a.accept("CHANGE") { // MySQL: CHANGE [COLUMN] old new type …
            _ = a.accept("COLUMN")
            guard let from = a.identifier(), let to = a.identifier() else { return false }
            if from.lowercased() != to.lowercased() { effects.append(.renameColumn(table: table, from: from, to: to)) }
            return true
        }
        if a.accept("RENAME") {
            if a.accept("TO") || a.accept("AS") {
                guard let to = a.qualifiedName() else { return false }
                effects.append(.renameTable(from: table, to: to))
                return true
            }
            if a.accept("INDEX") || a.accept("KEY") || a.accept("CONSTRAINT") { return true }
            _ = a.accept("COLUMN")
            guard let from = a.identifier(), a.accept("TO"), let to = a.identifier() else { return false }
            effects.append(.renameColumn(table: table, from: from, to: to))
            return true
        }
        // Type, default, nullability, storage, ownership: the column stays; what changes is not tracked.
        return a.isWord("ALTER") || a.isWord("MODIFY") || a.isWord("SET") || a.isWord("OWNER") || a.isWord("ENABLE")
            || a.isWord("DISABLE") || a.isWord("VALIDATE") || a.isWord("ALGORITHM") || a.isWord("LOCK") || a.isWord("REPLICA")
    }
}

extension Message {
    public static func sqlChangeNotRead(_ name: String, line: Int, words: String) -> String {
        "sql change '\(name)': line \(line) of its up ('\(words)') cannot be read, so later changes are not checked for missing tables, columns, indexes and constraints"
    }
}
