/// Reads the `database.schema` file, plain DDL or a schema-only dump (pg_dump, mysqldump, mariadb-dump),
/// into a `DatabaseSchema`: CREATE TABLE with its columns and inline and table constraints, partitions,
/// CREATE INDEX, ALTER TABLE … ADD / ALTER COLUMN / ATTACH PARTITION, DROP TABLE/INDEX, and views and
/// triggers with the columns they use (`SchemaReader+Objects`). Constraints and indexes without a name
/// get the name the server would give them (PostgreSQL: `<table>_pkey`, `<table>_<cols>_key|_fkey|_check`,
/// `<table>_<cols>_idx`; MySQL: `PRIMARY`, the first column's name, `<table>_ibfk_N`, `<table>_chk_N`, and
/// the implicit index of a foreign key). What defines nothing is passed over; what defines something
/// cutover does not model is listed in one CUT046 note, never an error. The reader is iterative and every
/// loop moves forward: linear in the input.
public struct SchemaReader: Sendable {
    public var engine: MigrationSpec.Engine
    /// At most this many kinds of statement are listed in the one CUT046 note; the rest are counted.
    public static let maxNotes = 12

    /// The tables whose views and triggers get the columns they use worked out (nil: every table's).
    /// See `focus(of:)`.
    public var focus: Set<String>?

    /// PostgreSQL: the schema the spec's tables are in (`database.schemaName`); its tables are read under
    /// their bare names, every other schema's under `schema.table`.
    public var defaultSchema: String

    public init(engine: MigrationSpec.Engine, focus: Set<String>? = nil, defaultSchema: String = "public") {
        self.engine = engine
        self.focus = focus
        self.defaultSchema = defaultSchema
    }

    public func read(_ text: String, reportingAt location: SourceLocation, diagnostics: inout DiagnosticBag) -> DatabaseSchema {
        read(bytes: Array(text.utf8), reportingAt: location, diagnostics: &diagnostics)
    }

    /// Reads UTF-8 bytes (the caller checked them) as they came from the file, without another copy.
    public func read(bytes: [UInt8], reportingAt location: SourceLocation, diagnostics: inout DiagnosticBag) -> DatabaseSchema {
        var parser = DDLParser(lexer: SchemaLexer(bytes: bytes, mysql: engine == .mysql, defaultSchema: defaultSchema), focus: focus)
        parser.run()
        if let note = Self.note(skipped: parser.skipped, ignored: parser.ignored) {
            diagnostics.report(.schemaStatementSkipped, note, at: location)
        }
        return parser.schema
    }

    /// One note for the whole file: what was not read, grouped by kind, groups in order of their first line.
    static func note(skipped: [DDLParser.Skipped], ignored: [DDLParser.Ignored]) -> String? {
        guard !skipped.isEmpty || !ignored.isEmpty else { return nil }
        struct Group { var line: Int; var label: String; var reason: String; var lines: [Int] }
        var groups: [Group] = []
        var slots: [String: Int] = [:]
        for item in ignored {
            if let slot = slots[item.kind] { groups[slot].lines.append(item.line); continue }
            slots[item.kind] = groups.count
            groups.append(Group(line: item.line, label: item.kind, reason: item.reason, lines: [item.line]))
        }
        for item in skipped {
            groups.append(Group(line: item.line, label: "'\(item.statement)'", reason: item.reason, lines: [item.line]))
        }
        groups.sort { $0.line < $1.line }
        let count = skipped.count + ignored.count
        let parts = groups.prefix(maxNotes).map { group -> String in
            let shown = group.lines.sorted().prefix(5).map(String.init).joined(separator: ", ")
            let more = group.lines.count > 5 ? " and \(group.lines.count - 5) more" : ""
            return "\(group.label) (line\(group.lines.count == 1 ? "" : "s") \(shown)\(more): \(group.reason))"
        }
        let rest = groups.count > maxNotes ? "; \(groups.count - maxNotes) more kinds" : ""
        return Message.schemaStatementsNotRead(count, parts.joined(separator: "; ") + rest)
    }

    /// The schema alone, without diagnostics (for tools and tests).
    public func read(_ text: String) -> DatabaseSchema {
        var parser = DDLParser(lexer: SchemaLexer(text, mysql: engine == .mysql), focus: focus)
        parser.run()
        return parser.schema
    }
}

extension Message {
    public static func schemaStatementsNotRead(_ count: Int, _ list: String) -> String {
        "schema: \(count) statement\(count == 1 ? "" : "s") not read, so references to what \(count == 1 ? "it defines" : "they define") are not checked: \(list)"
    }
}

package struct DDLParser {
    package typealias Token = SchemaLexer.Token

    package struct Skipped {
        var line: Int
        var statement: String
        var reason: String
    }

    let lexer: SchemaLexer
    /// The tokens of the statement being read (`run` lexes one statement at a time), or of the whole
    /// text for a parser made with `init(lexer:tokens:)`.
    var tokens: [Token]
    let mysql: Bool
    package struct Ignored {
        var line: Int
        var kind: String
        var name: String
        var reason: String
    }

    private(set) var skipped: [Skipped] = []
    /// Statements that define what cutover does not check (functions, sequences, types…), for the one note.
    var ignored: [Ignored] = []
    var views: [SchemaDependents.View] = []
    var viewSlots: [String: Int] = [:]
    var droppedViews: Set<String> = []
    var triggers: [SchemaDependents.Trigger] = []
    var triggerSlots: [String: [Int]] = [:]
    var droppedTriggers: Set<Int> = []
    /// Partitions by parent, so a key added to the parent later reaches them.
    var partitionSlots: [String: [Int]] = [:]
    /// The tokens of CREATE FUNCTION statements, so a trigger knows the columns its function names.
    var functionBodies: [String: [Token]] = [:]
    /// PostgreSQL enum types in file order (`SchemaReader+Enums`).
    var enumTypes: [EnumType] = []
    /// Tables with row-level security and the first line that says so (`DatabaseSchema.rowSecurity`).
    var rowSecurity: [String: Int] = [:]

    var tables: [DatabaseSchema.Table] = []
    var tableSlots: [String: Int] = [:]
    var droppedSlots: Set<Int> = []
    var indexes: [DatabaseSchema.Index] = []
    var constraints: [DatabaseSchema.Constraint] = []
    var removedIndexes: Set<Int> = []
    var removedConstraints: Set<Int> = []
    var mysqlCounters: [String: Int] = [:]
    /// Lookups kept beside the arrays so that no statement costs more than its own length.
    var columnSlots: [Int: [String: Int]] = [:]
    var indexSlots: [String: [Int]] = [:]
    var tableIndexes: [String: [Int]] = [:]
    var tableConstraints: [String: [Int]] = [:]
    var takenNames: [String: Set<String>] = [:]
    /// PostgreSQL: every relation and constraint name, to add the `1`, `2`… suffixes the server adds on a clash.
    var postgresTaken: Set<String> = []
    var postgresNextSuffix: [String: Int] = [:]

    /// `SchemaReader.focus`: views and triggers that name none of these (nor a view that does) are
    /// kept without working out the columns they use.
    var focus: DependentFocus?

    init(lexer: SchemaLexer, focus: Set<String>? = nil) {
        self.lexer = lexer
        self.tokens = []
        self.mysql = lexer.mysql
        self.focus = focus.map { DependentFocus(names: $0) }
    }

    var schema: DatabaseSchema {
        var schema = DatabaseSchema(
            tables: tables.enumerated().filter { !droppedSlots.contains($0.offset) }.map(\.element),
            indexes: indexes.enumerated().filter { !removedIndexes.contains($0.offset) }.map(\.element),
            constraints: constraints.enumerated().filter { !removedConstraints.contains($0.offset) }.map(\.element),
            dependents: SchemaDependents(
                views: views.filter { !droppedViews.contains($0.name) },
                triggers: triggers.enumerated().filter { !droppedTriggers.contains($0.offset) && tableSlots[$0.element.table] != nil }.map(\.element)))
        schema.userTypes = ignored.filter { ($0.kind == "CREATE TYPE" || $0.kind == "CREATE DOMAIN") && !$0.name.isEmpty }.map(\.name)
            + enumTypes.map(\.name)
        schema.enumTypes = enumTypes
        schema.rowSecurity = rowSecurity.filter { tableSlots[$0.key] != nil }
        return schema
    }

    /// Reads statement after statement: the lexer fills `tokens` with one statement (terminator last)
    /// at a time, so memory holds one statement's tokens, not the whole dump's.
    mutating func run() {
        var position = SchemaLexer.Position()
        let count = lexer.bytes.count
        while position.index < count {
            tokens.removeAll(keepingCapacity: true)
            lexer.next(&position, into: &tokens)
            var end = tokens.count
            if end > 0 && tokens[end - 1].kind == .terminator { end -= 1 }
            if end > 0 { statement(0, end) }
        }
        tokens = []
        if mysql { addImplicitForeignKeyIndexes() }
    }

    // MARK: statements

    mutating func statement(_ start: Int, _ end: Int) {
        var c = Cursor(lexer: lexer, tokens: tokens, p: start, end: end)
        if c.isWord("ALTER") && c.isWord("TABLE", offset: 1) {
            c.p += 2
            return alterTable(&c, start: start)
        }
        if c.isWord("ALTER") && c.isWord("INDEX", offset: 1) {
            var probe = c
            probe.p += 2
            attachIndex(&probe)
            return
        }
        if !mysql && c.isWord("COMMENT") && c.isWord("ON", offset: 1) && (c.isWord("TABLE", offset: 2) || c.isWord("COLUMN", offset: 2)) {
            return commentOn(&c)
        }
        if alterEnumType(c) { return }
        if isNoise(c, end) { return }
        if c.accept("CREATE") {
            _ = c.accept("OR") && c.accept("REPLACE")
            var probe = c
            _ = probe.accept("GLOBAL") || probe.accept("LOCAL")
            _ = probe.accept("TEMPORARY") || probe.accept("TEMP") || probe.accept("UNLOGGED")
            if probe.isWord("TABLE") {
                probe.p += 1
                return createTable(&probe, start: start)
            }
            probe = c
            var unique = false
            if probe.accept("UNIQUE") { unique = true } else { _ = probe.accept("FULLTEXT") || probe.accept("SPATIAL") }
            if probe.accept("INDEX") { return createIndex(&probe, unique: unique, start: start, end: end) }
            probe = c
            if createOther(&probe, start: start, end: end) { return }
        } else if c.accept("DROP") {
            if c.accept("TABLE") { return dropTable(&c) }
            if c.accept("INDEX") { return dropIndex(&c) }
            if c.accept("VIEW") { return dropView(&c) }
            if c.accept("MATERIALIZED") && c.accept("VIEW") { return dropView(&c) }
            if c.accept("TRIGGER") { return dropTrigger(&c) }
            return // DROP of a function, sequence, type…: nothing cutover reads
        } else if c.isWord("INSERT") || c.isWord("UPDATE") || c.isWord("DELETE") || c.isWord("REPLACE") || c.isWord("COPY") {
            return ignore(start, end, kind: "data (\(lexer.text(tokens[start]).uppercased()))", reason: "rows in a schema file are not read")
        }
        skip(start, end, reason: "cutover does not know this statement")
    }

    mutating func skip(_ start: Int, _ end: Int, reason: String) {
        var words: [String] = []
        var index = start
        while index < end && words.count < 3 {
            let token = tokens[index]
            guard token.kind == .word || token.kind == .quotedIdentifier else { break }
            let text = lexer.text(token)
            words.append(text.utf8.count > 40 ? String(text.prefix(40)) + "…" : text)
            index += 1
        }
        let statement = words.isEmpty ? "…" : words.joined(separator: " ") + (index < end ? " …" : "")
        skipped.append(Skipped(line: tokens[start].line, statement: statement, reason: reason))
    }

    mutating func createTable(_ c: inout Cursor, start: Int) {
        _ = c.accept("IF") && c.accept("NOT") && c.accept("EXISTS")
        if var probe = Optional(c), let name = probe.qualifiedName(), probe.accept("PARTITION"), probe.accept("OF") {
            return createPartition(&probe, name: name, start: start)
        }
        guard let name = c.qualifiedName(), c.isPunctuation(0x28) else {
            return skip(start, c.end, reason: "only CREATE TABLE with a column list is read (not AS or LIKE)")
        }
        let close = c.matching(c.p)
        if let existing = tableSlots[name] { droppedSlots.insert(existing) }
        let slot = tables.count
        tables.append(DatabaseSchema.Table(name: name, columns: [], primaryKey: []))
        postgresTaken.insert(name)
        tableSlots[name] = slot
        columnSlots[slot] = [:]
        for (elementStart, elementEnd) in c.split(c.p + 1, close) {
            var element = Cursor(lexer: lexer, tokens: tokens, p: elementStart, end: elementEnd)
            tableElement(&element, slot: slot, inAlter: false)
        }
        var q = close + 1
        while q + 1 < c.end {
            if lexer.isWord(tokens[q], "PARTITION") && lexer.isWord(tokens[q + 1], "BY") {
                tables[slot].partitioned = true
                // `RANGE (a)`, `LIST (a)`, `HASH (a)`, MySQL `[LINEAR] KEY|HASH (a)`, `RANGE|LIST COLUMNS(a, b)`:
                // the key's columns when they are plain names (an expression leaves it unknown).
                var key = Cursor(lexer: lexer, tokens: tokens, p: q + 2, end: c.end)
                _ = key.accept("LINEAR")
                key.p += 1
                _ = key.accept("COLUMNS")
                if key.isPunctuation(0x28) {
                    let close = key.matching(key.p)
                    let items = key.split(key.p + 1, close)
                    if items.allSatisfy({ $1 - $0 == 1 }), let names = key.columnList(), names.count == items.count {
                        tables[slot].partitionKey = names
                    }
                }
                break
            }
            // MySQL table option `COMMENT='…'`, kept as its quoted literal.
            if mysql, lexer.isWord(tokens[q], "COMMENT") {
                var value = q + 1
                if lexer.isPunctuation(tokens[value], 0x3D), value + 1 < c.end { value += 1 }
                if tokens[value].kind == .string { tables[slot].comment = lexer.text(tokens[value]) }
            }
            // MySQL table options: `DEFAULT CHARSET=utf8mb4`, `CHARACTER SET latin1`, `COLLATE=utf8mb4_bin`.
            let charset = lexer.isWord(tokens[q], "CHARSET") || (lexer.isWord(tokens[q], "CHARACTER") && lexer.isWord(tokens[q + 1], "SET"))
            if mysql, charset || lexer.isWord(tokens[q], "COLLATE") {
                var value = q + (lexer.isWord(tokens[q], "CHARACTER") ? 2 : 1)
                if value < c.end, lexer.isPunctuation(tokens[value], 0x3D) { value += 1 }
                if value < c.end, tokens[value].kind == .word {
                    let name = lexer.text(tokens[value])
                    if charset { tables[slot].charset = name } else if tables[slot].charset == nil { tables[slot].charset = SQLTypeFacts.mysqlCharset(ofCollation: name) }
                }
            }
            q += 1
        }
    }

    mutating func createIndex(_ c: inout Cursor, unique: Bool, start: Int, end: Int) {
        _ = c.accept("CONCURRENTLY")
        _ = c.accept("IF") && c.accept("NOT") && c.accept("EXISTS")
        var name: String?
        if !c.isWord("ON") { name = c.identifier() }
        var method: String?
        if c.accept("USING") { method = c.identifier() }
        guard c.accept("ON") else { return skip(start, end, reason: "this CREATE INDEX has no ON clause") }
        _ = c.accept("ONLY")
        guard let table = c.qualifiedName() else { return skip(start, end, reason: "this CREATE INDEX names no table") }
        if c.accept("USING") { method = c.identifier() }
        let keyList = c.keyListText()
        guard let columns = c.columnList() else { return skip(start, end, reason: "this CREATE INDEX has no column list") }
        var predicate: String?
        let afterKeys = c.p
        var optionsEnd = end
        while !c.atEnd {
            if c.isWord("WHERE") {
                optionsEnd = c.p
                predicate = lexer.text(from: tokens[c.p + 1 < end ? c.p + 1 : c.p].start, to: tokens[end - 1].end)
                break
            }
            if c.accept("USING") { method = c.identifier() ?? method; continue }
            c.skipUnit()
        }
        if viewSlots[table] != nil {
            return ignore(start, end, kind: "CREATE INDEX on a materialized view", reason: "a materialized view's indexes are not checked")
        }
        guard let slot = tableSlots[table] else {
            return skip(start, end, reason: "table '\(table)' is not defined before this index")
        }
        let indexName = name ?? implicitIndexName(slot: slot, columns: columns)
        var index = DatabaseSchema.Index(
            name: indexName, table: tables[slot].name, columns: columns, unique: unique, method: method?.lowercased(),
            definition: lexer.text(from: tokens[start].start, to: tokens[end - 1].end), predicate: predicate)
        index.keyList = keyList
        // INCLUDE (…), NULLS NOT DISTINCT, WITH (…) between the keys and WHERE, as written.
        if !mysql && optionsEnd > afterKeys { index.options = " " + lexer.text(from: tokens[afterKeys].start, to: tokens[optionsEnd - 1].end) }
        appendIndex(index)
    }

    mutating func alterTable(_ c: inout Cursor, start: Int) {
        let ifExists = c.accept("IF") && c.accept("EXISTS")
        _ = c.accept("ONLY")
        guard let table = c.qualifiedName() else { return skip(start, c.end, reason: "this ALTER TABLE names no table") }
        if c.isPunctuation(0x2A) { c.p += 1 }
        if viewSlots[table] != nil { return } // ALTER TABLE on a view: ownership, defaults of its columns
        // `pg_dump --clean --if-exists` (Rails' structure.sql with it, e.g.) opens with
        // `ALTER TABLE IF EXISTS ONLY t DROP CONSTRAINT IF EXISTS …` for every key before any table
        // exists: on the schema as the file builds it, a no-op.
        if ifExists && tableSlots[table] == nil { return }
        guard let slot = tableSlots[table] else {
            return skip(start, c.end, reason: "table '\(table)' is not defined before this ALTER TABLE")
        }
        var unknown = false
        for (actionStart, actionEnd) in c.split(c.p, c.end) {
            var action = Cursor(lexer: lexer, tokens: tokens, p: actionStart, end: actionEnd)
            if attachPartition(&action, parentSlot: slot) { continue }
            if action.isWord("REPLICA") && action.isWord("IDENTITY", offset: 1) {
                action.p += 2
                replicaIdentity(&action, slot: slot)
                continue
            }
            if (action.isWord("ENABLE") || action.isWord("FORCE")) && action.isWord("ROW", offset: 1) && action.isWord("LEVEL", offset: 2) {
                if rowSecurity[table] == nil { rowSecurity[table] = tokens[actionStart].line }
                continue
            }
            if action.isWord("OWNER") || action.isWord("ENABLE") || action.isWord("DISABLE") || action.isWord("REPLICA")
                || action.isWord("CLUSTER") || action.isWord("SET") || action.isWord("RESET") || action.isWord("INHERIT")
                || action.isWord("VALIDATE") || action.isWord("FORCE") || action.isWord("NO") {
                continue // storage, ownership, trigger switches: nothing cutover reads
            }
            if action.accept("ADD") {
                if action.accept("COLUMN") {
                    _ = action.accept("IF") && action.accept("NOT") && action.accept("EXISTS")
                    column(&action, slot: slot)
                } else {
                    _ = action.accept("IF") && action.accept("NOT") && action.accept("EXISTS")
                    tableElement(&action, slot: slot, inAlter: true)
                }
            } else if action.accept("ALTER") {
                _ = action.accept("COLUMN")
                guard let name = action.identifier(), let index = columnSlots[slot]?[key(name)] else {
                    unknown = true
                    continue
                }
                if action.accept("SET") {
                    if action.accept("NOT") && action.accept("NULL") { tables[slot].columns[index].nullable = false }
                    else if action.accept("DEFAULT") {
                        let start = action.p
                        let value = action.rest()
                        tables[slot].columns[index].defaultValue = action.isNullDefault(start, action.p) ? nil : value
                    }
                    else { unknown = true }
                } else if action.accept("DROP") {
                    if action.accept("NOT") && action.accept("NULL") { tables[slot].columns[index].nullable = true }
                    else if action.accept("DEFAULT") { tables[slot].columns[index].defaultValue = nil }
                    else { unknown = true }
                } else if action.accept("ADD") && action.accept("GENERATED") {
                    tables[slot].columns[index].isIdentity = true
                    tables[slot].columns[index].identityAlways = action.isWord("ALWAYS")
                    tables[slot].columns[index].nullable = false
                } else {
                    unknown = true
                }
            } else {
                unknown = true
            }
        }
        if unknown { skip(start, c.end, reason: "cutover reads only the ADD and ALTER COLUMN actions of ALTER TABLE") }
    }

    /// `REPLICA IDENTITY DEFAULT | FULL | NOTHING | USING INDEX name` (pg_dump writes it with ALTER TABLE ONLY).
    mutating func replicaIdentity(_ c: inout Cursor, slot: Int) {
        if c.accept("FULL") { tables[slot].replicaIdentity = .full }
        else if c.accept("NOTHING") { tables[slot].replicaIdentity = .nothing }
        else if c.accept("DEFAULT") { tables[slot].replicaIdentity = .primaryKey }
        else if c.accept("USING"), c.accept("INDEX"), let name = c.identifier() { tables[slot].replicaIdentity = .index(name) }
    }

    /// PostgreSQL `COMMENT ON TABLE [schema.]t IS '…'` and `COMMENT ON COLUMN [schema.]t.c IS '…'` (pg_dump
    /// writes them after the table): the comment is kept as its literal, `IS NULL` removes it.
    mutating func commentOn(_ c: inout Cursor) {
        c.p += 2
        let column = c.accept("COLUMN")
        if !column { c.p += 1 }
        var parts: [String] = []
        while let part = c.identifier() {
            parts.append(part)
            guard c.isPunctuation(0x2E) else { break }
            c.p += 1
        }
        guard c.accept("IS"), !parts.isEmpty, !column || parts.count >= 2 else { return }
        let start = c.p
        let literal = c.rest()
        let value = c.isNullDefault(start, c.end) ? nil : literal
        var path = parts
        let columnName = column ? path.removeLast() : nil
        let tableName = path.count >= 2 && path[path.count - 2] != lexer.defaultSchema ? path[path.count - 2] + "." + path[path.count - 1] : path[path.count - 1]
        guard let slot = tableSlots[tableName] else { return }
        if let columnName {
            guard let index = columnSlots[slot]?[key(columnName)] else { return }
            tables[slot].columns[index].comment = value
        } else {
            tables[slot].comment = value
        }
    }

    mutating func dropTable(_ c: inout Cursor) {
        _ = c.accept("IF") && c.accept("EXISTS")
        while let name = c.qualifiedName() {
            if let slot = tableSlots.removeValue(forKey: name) {
                droppedSlots.insert(slot)
                for offset in tableIndexes.removeValue(forKey: name) ?? [] { removedIndexes.insert(offset) }
                for offset in tableConstraints.removeValue(forKey: name) ?? [] { removedConstraints.insert(offset) }
                takenNames[name] = nil
            }
            guard c.isPunctuation(0x2C) else { break }
            c.p += 1
        }
    }

    mutating func dropIndex(_ c: inout Cursor) {
        _ = c.accept("CONCURRENTLY")
        _ = c.accept("IF") && c.accept("EXISTS")
        guard let name = c.qualifiedName() else { return }
        var table: String?
        if c.accept("ON") { table = c.qualifiedName() }
        let slots = indexSlots[key(name)] ?? []
        var kept: [Int] = []
        for offset in slots where !removedIndexes.contains(offset) {
            if table == nil || indexes[offset].table == table { removedIndexes.insert(offset) } else { kept.append(offset) }
        }
        indexSlots[key(name)] = kept
    }

    // MARK: table elements

    /// One element of a CREATE TABLE list, or what follows ADD in ALTER TABLE.
    mutating func tableElement(_ c: inout Cursor, slot: Int, inAlter: Bool) {
        guard c.atTableClause(mysql: mysql) else { return column(&c, slot: slot) }
        var constraintName: String?
        if c.accept("CONSTRAINT") {
            if !(c.isWord("PRIMARY") || c.isWord("UNIQUE") || c.isWord("FOREIGN") || c.isWord("CHECK")) {
                constraintName = c.identifier()
            }
        }
        let table = tables[slot].name
        if c.accept("PRIMARY") {
            _ = c.accept("KEY")
            let columns = c.isWord("USING") && c.isWord("INDEX", offset: 1) ? usingIndex(&c, slot: slot) : c.columnList(skippingUsing: true)
            guard let columns else { return }
            setPrimaryKey(slot: slot, columns: columns, name: constraintName)
        } else if c.isWord("UNIQUE") {
            c.p += 1
            // PostgreSQL's options of the constraint's index, kept so a rebuild on a copy column that
            // would lose them is refused (CUT114).
            var options: [String] = []
            if c.accept("NULLS") { _ = c.accept("NOT"); _ = c.accept("DISTINCT"); options.append("NULLS NOT DISTINCT") }
            let keyword = c.accept("KEY") || c.accept("INDEX")
            var indexName: String?
            if !c.isPunctuation(0x28) && !c.isWord("USING") { indexName = c.identifier() }
            _ = keyword
            let keyList = c.keyListText()
            let columns = c.isWord("USING") && c.isWord("INDEX", offset: 1) ? usingIndex(&c, slot: slot) : c.columnList(skippingUsing: true)
            guard let columns else { return }
            addUnique(slot: slot, columns: columns, name: mysql ? (constraintName ?? indexName) : constraintName)
            constraints[constraints.count - 1].keyList = keyList
            // PostgreSQL `UNIQUE (…) DEFERRABLE [INITIALLY …]`: its index cannot be a replica identity.
            var rest = c
            while !rest.atEnd {
                if rest.accept("NOT") { _ = rest.accept("DEFERRABLE"); continue }
                if rest.accept("DEFERRABLE") { constraints[constraints.count - 1].deferrable = true; break }
                if !mysql, rest.isWord("INCLUDE") || rest.isWord("WITH") || (rest.isWord("USING") && rest.isWord("INDEX", offset: 1)) {
                    let start = rest.p
                    rest.p += rest.isWord("USING") ? 3 : 1
                    rest.skipUnit()
                    options.append(lexer.text(from: tokens[start].start, to: tokens[min(rest.p, rest.end) - 1].end))
                    continue
                }
                rest.p += 1
            }
            if !mysql && !options.isEmpty { constraints[constraints.count - 1].indexOptions = options.joined(separator: " ") }
        } else if c.accept("FOREIGN") {
            _ = c.accept("KEY")
            var indexName: String?
            if !c.isPunctuation(0x28) { indexName = c.identifier() }
            guard let columns = c.columnList() else { return }
            let target = c.references()
            addForeignKey(slot: slot, columns: columns, target: target, name: constraintName ?? indexName)
        } else if c.isWord("CHECK") {
            c.p += 1
            let expression = c.groupText()
            addCheck(slot: slot, column: nil, expression: expression, name: constraintName)
        } else if constraintName != nil || c.isWord("EXCLUDE") || c.isWord("LIKE") || c.isWord("PERIOD") {
            return
        } else if mysql && (c.isWord("KEY") || c.isWord("INDEX") || c.isWord("FULLTEXT") || c.isWord("SPATIAL")) {
            _ = c.accept("FULLTEXT") || c.accept("SPATIAL")
            _ = c.accept("KEY") || c.accept("INDEX")
            var indexName: String?
            if !c.isPunctuation(0x28) && !c.isWord("USING") { indexName = c.identifier() }
            var method: String?
            if c.accept("USING") { method = c.identifier() }
            let keyList = c.keyListText()
            guard let columns = c.columnList(skippingUsing: true) else { return }
            let name = indexName ?? mysqlIndexName(slot: slot, first: columns.first ?? "")
            var index = DatabaseSchema.Index(
                name: name, table: table, columns: columns, unique: false, method: method?.lowercased(),
                definition: "CREATE INDEX \(quote(name)) ON \(quote(table)) (\(columns.map(quote).joined(separator: ", ")))")
            index.keyList = keyList
            appendIndex(index)
        } else {
            column(&c, slot: slot)
        }
        _ = inAlter
    }

    /// `PRIMARY KEY USING INDEX idx` / `UNIQUE USING INDEX idx` (PostgreSQL): the index becomes the constraint.
    mutating func usingIndex(_ c: inout Cursor, slot: Int) -> [String]? {
        c.p += 2
        guard let name = c.identifier() else { return nil }
        for offset in indexSlots[key(name)] ?? [] where !removedIndexes.contains(offset) && indexes[offset].table == tables[slot].name {
            removedIndexes.insert(offset)
            return indexes[offset].columns
        }
        return nil
    }

    mutating func column(_ c: inout Cursor, slot: Int) {
        guard let name = c.identifier() else { return }
        let table = tables[slot].name
        let typeStart = c.p
        while !c.atEnd && !c.atColumnConstraint { c.skipUnit() }
        let type = c.typeText(typeStart, c.p)
        let lowerType = type.lowercased()
        var column = DatabaseSchema.Column(name: name, type: type, nullable: true, defaultValue: nil, isIdentity: false)
        if lowerType == "serial" || lowerType == "bigserial" || lowerType == "smallserial" || lowerType.hasPrefix("serial") {
            column.nullable = false
        }
        var constraintName: String?
        var primary = false
        var unique = false
        var target: (table: String, columns: [String], actions: String)?
        var checks: [String] = []
        while !c.atEnd {
            if c.accept("CONSTRAINT") {
                constraintName = c.identifier()
                continue
            }
            if c.accept("NOT") {
                if c.accept("NULL") { column.nullable = false }
                continue
            }
            if c.accept("NULL") { column.nullable = true; continue }
            if c.accept("DEFAULT") {
                let start = c.p
                let value = c.defaultExpression()
                // `DEFAULT NULL` (mysqldump writes it on every nullable column) is no default: neither
                // server keeps one for it (PostgreSQL stores no pg_attrdef row for a NULL constant,
                // MySQL's catalog has no default), so nothing may be moved, restored or relied on.
                column.defaultValue = c.isNullDefault(start, c.p) ? nil : value
                continue
            }
            if c.accept("PRIMARY") {
                _ = c.accept("KEY")
                primary = true
                column.nullable = false
                continue
            }
            if c.accept("KEY") { primary = true; column.nullable = false; continue } // MySQL `id INT KEY`
            if c.accept("UNIQUE") {
                _ = c.accept("KEY")
                unique = true
                continue
            }
            if c.isWord("REFERENCES") {
                target = c.references()
                continue
            }
            if c.accept("CHECK") {
                checks.append(c.groupText())
                continue
            }
            if c.accept("GENERATED") {
                let always = c.accept("ALWAYS")
                if !always { _ = c.accept("BY") && c.accept("DEFAULT") }
                _ = c.accept("AS")
                if c.accept("IDENTITY") {
                    column.isIdentity = true
                    column.identityAlways = always
                    column.nullable = false
                    if c.isPunctuation(0x28) { c.skipUnit() } // sequence options
                } else if c.isPunctuation(0x28) {
                    column.generated = c.groupText()
                    column.generatedStored = c.accept("STORED") || c.accept("PERSISTENT")
                }
                continue
            }
            if c.accept("AS") { // MySQL `col INT AS (expr) [VIRTUAL|STORED]`
                if c.isPunctuation(0x28) {
                    column.generated = c.groupText()
                    column.generatedStored = c.accept("STORED") || c.accept("PERSISTENT")  // else VIRTUAL, MySQL's default
                }
                continue
            }
            if c.accept("AUTO_INCREMENT") {
                column.isIdentity = true
                column.nullable = false
                continue
            }
            if c.accept("ON") { // MySQL ON UPDATE CURRENT_TIMESTAMP
                if c.accept("UPDATE") { column.updatedOnWrite = true }
                c.skipUnit()
                if c.isPunctuation(0x28) { c.skipUnit() }
                continue
            }
            if mysql && (c.isWord("CHARSET") || c.isWord("CHARACTER") || c.isWord("COLLATE") || c.isWord("COMMENT")) {
                let word = c.p
                _ = c.accept("CHARSET") || c.accept("CHARACTER") || c.accept("COLLATE") || c.accept("COMMENT")
                _ = lexer.isWord(tokens[word], "CHARACTER") && c.accept("SET")
                guard !c.atEnd else { continue }
                let value = lexer.text(tokens[c.p])
                if lexer.isWord(tokens[word], "COMMENT") {
                    column.comment = value
                } else if lexer.isWord(tokens[word], "COLLATE") {
                    column.collation = value
                } else {
                    column.charset = value
                }
                c.skipUnit()
                continue
            }
            if c.accept("COLLATE") || c.accept("COMMENT") || c.accept("CHARSET") || c.accept("COMPRESSION") || c.accept("STORAGE")
                || c.accept("COLUMN_FORMAT") || c.accept("SRID") {
                _ = c.accept("SET")
                c.skipUnit()
                continue
            }
            if c.accept("CHARACTER") {
                _ = c.accept("SET")
                c.skipUnit()
                continue
            }
            c.skipUnit()
        }
        if let existing = columnSlots[slot]?[key(name)] {
            tables[slot].columns[existing] = column
        } else {
            columnSlots[slot, default: [:]][key(name)] = tables[slot].columns.count
            tables[slot].columns.append(column)
        }
        if primary { setPrimaryKey(slot: slot, columns: [name], name: mysql ? nil : constraintName) }
        if unique { addUnique(slot: slot, columns: [name], name: mysql ? nil : constraintName) }
        if let target { addForeignKey(slot: slot, columns: [name], target: target, name: mysql ? nil : constraintName) }
        for check in checks { addCheck(slot: slot, column: name, expression: check, name: mysql ? nil : constraintName) }
        _ = table
    }

    // MARK: recording

    mutating func setPrimaryKey(slot: Int, columns: [String], name: String?) {
        let table = tables[slot].name
        tables[slot].primaryKey = columns
        for column in columns {
            if let index = columnSlots[slot]?[key(column)] { tables[slot].columns[index].nullable = false }
        }
        // The server gives every partition the partitioned parent's key.
        for child in partitionSlots[table] ?? [] where tables[child].primaryKey.isEmpty && tables[child].partitionOf == table {
            tables[child].primaryKey = columns
        }
        let constraintName = mysql ? "PRIMARY" : (name ?? postgresName(table, [], "pkey"))
        appendConstraint(DatabaseSchema.Constraint(name: constraintName, table: table, kind: .primaryKey, columns: columns))
    }

    mutating func addUnique(slot: Int, columns: [String], name: String?) {
        let table = tables[slot].name
        let constraintName = name ?? (mysql ? mysqlIndexName(slot: slot, first: columns.first ?? "") : postgresName(table, columns, "key"))
        appendConstraint(DatabaseSchema.Constraint(name: constraintName, table: table, kind: .unique, columns: columns))
    }

    mutating func addForeignKey(slot: Int, columns: [String], target: (table: String, columns: [String], actions: String)?, name: String?) {
        let table = tables[slot].name
        let constraintName = name ?? (mysql ? mysqlCounted(table, "ibfk") : postgresName(table, columns, "fkey"))
        var implicitIndex: String?
        if mysql {
            // MySQL names the index it creates for a key after the constraint (or the FOREIGN KEY index name),
            // else after the first column, with `_2`, `_3`… when that name is taken.
            if let name { implicitIndex = name } else if let first = columns.first {
                let taken = takenNames[table] ?? []
                var candidate = first
                var suffix = 2
                while taken.contains(candidate.lowercased()) { candidate = "\(first)_\(suffix)"; suffix += 1 }
                implicitIndex = candidate
            }
        }
        appendConstraint(DatabaseSchema.Constraint(
            name: constraintName, table: table, kind: .foreignKey, columns: columns,
            referencedTable: target?.table, referencedColumns: target?.columns ?? [], actions: target?.actions ?? "",
            implicitIndexName: implicitIndex))
    }

    mutating func addCheck(slot: Int, column: String?, expression: String, name: String?) {
        let table = tables[slot].name
        var constraintName = name
        if constraintName == nil {
            if mysql {
                constraintName = mysqlCounted(table, "chk")
            } else {
                // PostgreSQL names a check after its column when the expression uses exactly one column.
                let used = Self.columnsUsed(in: expression, known: columnSlots[slot] ?? [:], mysql: mysql)
                let only = column.map { [$0] } ?? (used.count == 1 ? used : [])
                constraintName = postgresName(table, only, "check")
            }
        }
        appendConstraint(DatabaseSchema.Constraint(name: constraintName!, table: table, kind: .check,
                                                     columns: column.map { [$0] } ?? [], expression: expression))
    }

    mutating func mysqlCounted(_ table: String, _ label: String) -> String {
        let key = table + "\u{0}" + label
        let next = (mysqlCounters[key] ?? 0) + 1
        mysqlCounters[key] = next
        return "\(table)_\(label)_\(next)"
    }

    /// MySQL names an unnamed key after its first column, adding `_2`, `_3`… when that name is taken.
    mutating func mysqlIndexName(slot: Int, first: String) -> String {
        let table = tables[slot].name
        let taken = takenNames[table] ?? []
        if !taken.contains(first.lowercased()) { return first }
        let counter = table + "\u{0}" + first.lowercased()
        var suffix = max(2, mysqlCounters[counter] ?? 2)
        while taken.contains("\(first)_\(suffix)".lowercased()) { suffix += 1 }
        mysqlCounters[counter] = suffix + 1
        return "\(first)_\(suffix)"
    }

    /// PostgreSQL's `ChooseConstraintName`/`ChooseRelationName`: the implicit name, with `1`, `2`… added to
    /// the label while the name is taken.
    mutating func postgresName(_ table: String, _ columns: [String], _ label: String) -> String {
        let base = ImplicitNames.postgres(table, columns, label)
        guard postgresTaken.contains(base) else { return base }
        var pass = postgresNextSuffix[base] ?? 1
        var name = ImplicitNames.postgres(table, columns, label + "\(pass)")
        while postgresTaken.contains(name) {
            pass += 1
            name = ImplicitNames.postgres(table, columns, label + "\(pass)")
        }
        postgresNextSuffix[base] = pass + 1
        return name
    }

    /// The name PostgreSQL uses for an index column: the column, a called function's name, or `expr`.
    static func indexColumnName(_ column: String) -> String {
        guard column.contains("(") else { return column }
        let trimmed = column.drop { $0 == "(" || $0 == " " }
        let name = trimmed.prefix { $0.isLetter || $0.isNumber || $0 == "_" }
        let rest = trimmed.dropFirst(name.count).drop { $0 == " " }
        return !name.isEmpty && rest.hasPrefix("(") ? name.lowercased() : "expr"
    }

    mutating func appendIndex(_ index: DatabaseSchema.Index) {
        postgresTaken.insert(index.name)
        indexSlots[key(index.name), default: []].append(indexes.count)
        tableIndexes[index.table, default: []].append(indexes.count)
        takenNames[index.table, default: []].insert(index.name.lowercased())
        indexes.append(index)
    }

    mutating func appendConstraint(_ constraint: DatabaseSchema.Constraint) {
        postgresTaken.insert(constraint.name)
        tableConstraints[constraint.table, default: []].append(constraints.count)
        if constraint.kind == .unique || constraint.kind == .primaryKey {
            takenNames[constraint.table, default: []].insert(constraint.name.lowercased())
        }
        constraints.append(constraint)
    }

    /// The lookup key of a column or index name: MySQL compares them case-insensitively.
    func key(_ name: String) -> String { mysql ? name.lowercased() : name }

    mutating func implicitIndexName(slot: Int, columns: [String]) -> String {
        let table = tables[slot].name
        if mysql { return mysqlIndexName(slot: slot, first: columns.first ?? "") }
        return postgresName(table, columns.map(Self.indexColumnName), "idx")
    }

    func quote(_ name: String) -> String {
        SQLNames(engine: mysql ? .mysql : .postgresql).quote(name)
    }

    package static func same(_ a: String, _ b: String, _ mysql: Bool) -> Bool {
        mysql ? a.lowercased() == b.lowercased() : a == b
    }

    /// The distinct column names that appear as words in an expression.
    static func columnsUsed(in expression: String, known: [String: Int], mysql: Bool) -> [String] {
        let lexer = SchemaLexer(expression, mysql: mysql)
        var seen: [String] = []
        for token in lexer.tokenize() where token.kind == .word || token.kind == .quotedIdentifier {
            var text = lexer.text(token)
            if token.kind == .quotedIdentifier { text = String(text.dropFirst().dropLast()) } else if !mysql { text = text.lowercased() }
            if known[mysql ? text.lowercased() : text] != nil && !seen.contains(text) {
                seen.append(text)
                if seen.count > 1 { break }
            }
        }
        return seen
    }
}

/// A position inside one statement's tokens.
package struct Cursor {
    package typealias Token = SchemaLexer.Token
    let lexer: SchemaLexer
    let tokens: [Token]
    var p: Int
    let end: Int

    var atEnd: Bool { p >= end }

    func isWord(_ keyword: StaticString, offset: Int = 0) -> Bool {
        let index = p + offset
        return index < end && lexer.isWord(tokens[index], keyword)
    }

    func isPunctuation(_ character: UInt8) -> Bool {
        p < end && lexer.isPunctuation(tokens[p], character)
    }

    mutating func accept(_ keyword: StaticString) -> Bool {
        guard isWord(keyword) else { return false }
        p += 1
        return true
    }

    /// An identifier: an unquoted word (folded to lower case on PostgreSQL) or a quoted one.
    mutating func identifier() -> String? {
        guard p < end else { return nil }
        let token = tokens[p]
        switch token.kind {
        case .word:
            p += 1
            let text = lexer.text(token)
            return lexer.mysql || !lexer.hasUpperCase(token) ? text : text.lowercased()
        case .quotedIdentifier, .string:
            guard token.kind == .quotedIdentifier || lexer.mysql else { return nil }
            p += 1
            return SchemaLexer.unquoted(lexer.text(token))
        default:
            return nil
        }
    }

    /// `schema.table` or `table`. A name in the default schema (PostgreSQL `public` or `database.schemaName`; any database on
    /// MySQL, where the qualifier names the database) is its last part, so the spec's bare names find it;
    /// a name in another schema keeps it (`sales.orders`), so it never stands in for `public.orders`.
    mutating func qualifiedName() -> String? {
        guard var name = identifier() else { return nil }
        var qualifier: String?
        while isPunctuation(0x2E) {
            p += 1
            guard let next = identifier() else { break }
            qualifier = name
            name = next
        }
        if let qualifier, !lexer.mysql, qualifier != lexer.defaultSchema { return qualifier + "." + name }
        return name
    }

    /// The index of the `)` matching the `(` at `index`, or `end`.
    func matching(_ index: Int) -> Int {
        var depth = 0
        var q = index
        while q < end {
            if lexer.isPunctuation(tokens[q], 0x28) { depth += 1 }
            else if lexer.isPunctuation(tokens[q], 0x29) {
                depth -= 1
                if depth == 0 { return q }
            }
            q += 1
        }
        return end
    }

    /// Skips one token, or a whole parenthesised group.
    mutating func skipUnit() {
        guard p < end else { return }
        if isPunctuation(0x28) { p = min(matching(p) + 1, end) } else { p += 1 }
    }

    /// Ranges between the top-level commas of `start..<stop`.
    func split(_ start: Int, _ stop: Int) -> [(Int, Int)] {
        var result: [(Int, Int)] = []
        var depth = 0
        var itemStart = start
        var q = start
        while q < stop {
            let token = tokens[q]
            if lexer.isPunctuation(token, 0x28) { depth += 1 }
            else if lexer.isPunctuation(token, 0x29) { depth -= 1 }
            else if depth == 0 && lexer.isPunctuation(token, 0x2C) {
                if q > itemStart { result.append((itemStart, q)) }
                itemStart = q + 1
            }
            q += 1
        }
        if stop > itemStart { result.append((itemStart, stop)) }
        return result
    }

    /// An index's key list as written when some key is more than a name (`lower(c)`, `b DESC`,
    /// `c text_pattern_ops`, MySQL `b(10)`), so a rebuild keeps it; nil for plain names. Does not move.
    func keyListText() -> String? {
        guard isPunctuation(0x28) else { return nil }
        let close = matching(p)
        guard close > p + 1, split(p + 1, close).contains(where: { $1 - $0 > 1 }) else { return nil }
        return lexer.text(from: tokens[p + 1].start, to: tokens[close - 1].end)
    }

    /// `(a, b(10) DESC, (lower(c)))`: plain column names, or the text of an expression.
    mutating func columnList(skippingUsing: Bool = false) -> [String]? {
        if skippingUsing && accept("USING") { skipUnit() }
        guard isPunctuation(0x28) else { return nil }
        let close = matching(p)
        var columns: [String] = []
        for (start, stop) in split(p + 1, close) {
            var item = Cursor(lexer: lexer, tokens: tokens, p: start, end: stop)
            let token = tokens[start]
            let isName = token.kind == .word || token.kind == .quotedIdentifier
            let callsFunction = isName && !lexer.mysql && start + 1 < stop && lexer.isPunctuation(tokens[start + 1], 0x28)
            if isName && !callsFunction, let name = item.identifier() {
                columns.append(name)
            } else {
                columns.append(lexer.text(from: tokens[start].start, to: tokens[stop - 1].end))
            }
        }
        p = min(close + 1, end)
        if skippingUsing && accept("USING") { skipUnit() }
        return columns
    }

    /// `REFERENCES table [(columns)] [MATCH …] [ON DELETE|UPDATE action] [DEFERRABLE …]`.
    mutating func references() -> (table: String, columns: [String], actions: String)? {
        guard accept("REFERENCES"), let table = qualifiedName() else { return nil }
        let columns = isPunctuation(0x28) ? (columnList() ?? []) : []
        var actions: [String] = []
        while !atEnd {
            if accept("MATCH") { skipUnit(); continue }
            if isWord("ON") && (isWord("DELETE", offset: 1) || isWord("UPDATE", offset: 1)) {
                let start = p
                p += 2
                if accept("NO") { _ = accept("ACTION") }
                else if accept("SET") { skipUnit(); if isPunctuation(0x28) { skipUnit() } }
                else { skipUnit() }
                let stop = min(p, end)
                if stop > start { actions.append(lexer.text(from: tokens[start].start, to: tokens[stop - 1].end)) }
                continue
            }
            // Kept with the actions, so a dropConstraint's down re-creates a deferrable key as one.
            if accept("DEFERRABLE") { actions.append("DEFERRABLE"); continue }
            if isWord("NOT") && isWord("DEFERRABLE", offset: 1) { p += 2; continue }
            if accept("INITIALLY") {
                if accept("DEFERRED") { actions.append("INITIALLY DEFERRED") } else { skipUnit() }
                continue
            }
            break
        }
        return (table, columns, actions.joined(separator: " "))
    }

    /// The text inside the parenthesised group at the cursor, which is skipped.
    mutating func groupText() -> String {
        guard isPunctuation(0x28) else { return "" }
        let close = matching(p)
        let text = close > p + 1 ? lexer.text(from: tokens[p + 1].start, to: tokens[close - 1].end) : ""
        p = min(close + 1, end)
        return text
    }

    /// The rest of the current range as written.
    mutating func rest() -> String {
        guard p < end else { return "" }
        let text = lexer.text(from: tokens[p].start, to: tokens[end - 1].end)
        p = end
        return text
    }

    /// Whether `tokens[start..<stop]` is the NULL constant: `NULL`, `(NULL)`, `NULL::type` (a cast of
    /// NULL is still the NULL constant, which PostgreSQL does not store as a default).
    func isNullDefault(_ start: Int, _ stop: Int) -> Bool {
        var from = start
        var to = stop
        while to - from >= 3 && lexer.isPunctuation(tokens[from], 0x28) && matching(from) == to - 1 {
            from += 1
            to -= 1
        }
        guard to > from, lexer.isWord(tokens[from], "NULL") else { return false }
        if to == from + 1 { return true }
        guard to > from + 3, lexer.isPunctuation(tokens[from + 1], 0x3A), lexer.isPunctuation(tokens[from + 2], 0x3A) else { return false }
        for q in from + 3..<to {
            switch tokens[q].kind {
            case .word, .number, .quotedIdentifier: continue
            case .punctuation where [0x28, 0x29, 0x2C, 0x2E, 0x5B, 0x5D].contains(lexer.bytes[tokens[q].start]): continue
            default: return false
            }
        }
        return true
    }

    /// A DEFAULT expression: at least one unit, then everything up to the next column constraint.
    mutating func defaultExpression() -> String {
        guard p < end else { return "" }
        let start = p
        skipUnit()
        while !atEnd && !atColumnConstraint { skipUnit() }
        return lexer.text(from: tokens[start].start, to: tokens[p - 1].end)
    }

    /// True at a word that starts a column constraint, ending a type or a default.
    var atColumnConstraint: Bool {
        guard p < end, tokens[p].kind == .word else { return false }
        for keyword: StaticString in ["NOT", "NULL", "DEFAULT", "PRIMARY", "UNIQUE", "REFERENCES", "CHECK", "CONSTRAINT",
                                      "GENERATED", "AUTO_INCREMENT", "COLLATE", "COMMENT", "ON", "AS", "CHARSET",
                                      "VISIBLE", "INVISIBLE", "STORAGE", "COLUMN_FORMAT", "SRID", "COMPRESSION", "KEY"]
        where lexer.isWord(tokens[p], keyword) {
            return true
        }
        return isWord("CHARACTER") && isWord("SET", offset: 1)
    }

    /// A type as written, with spacing normalised: `numeric(12,2)`, `timestamp with time zone`, `text[]`.
    func typeText(_ start: Int, _ stop: Int) -> String {
        var result = ""
        var previous: Token?
        for index in start..<min(stop, end) {
            let token = tokens[index]
            let text = lexer.text(token)
            if let previous {
                let tight = lexer.isPunctuation(token, 0x28) || lexer.isPunctuation(token, 0x29) || lexer.isPunctuation(token, 0x2C)
                    || lexer.isPunctuation(token, 0x5B) || lexer.isPunctuation(token, 0x5D)
                    || lexer.isPunctuation(previous, 0x28) || lexer.isPunctuation(previous, 0x5B) || lexer.isPunctuation(previous, 0x2C)
                    || lexer.isPunctuation(token, 0x2E) || lexer.isPunctuation(previous, 0x2E)
                if !tight { result += " " }
            }
            result += text
            previous = token
        }
        return result
    }
}
