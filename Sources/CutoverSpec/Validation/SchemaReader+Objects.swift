/// The statements of a real dump beyond tables and indexes: views, triggers, partitions, functions
/// (kept only for the columns a trigger's function names), and everything a dump emits that defines
/// nothing cutover checks, each either understood as noise or ignored with a reason for the note.
extension DDLParser {
    /// After `CREATE [OR REPLACE]`: MySQL's `ALGORITHM=…`, `DEFINER=user@host`, `SQL SECURITY …`.
    static func skipCreatePreamble(_ c: inout Cursor) {
        while !c.atEnd {
            if c.accept("ALGORITHM") || c.accept("DEFINER") {
                if c.isPunctuation(0x3D) { c.p += 1 }
                c.skipUnit()
                // user@host, CURRENT_USER, CURRENT_USER()
                while c.isPunctuation(0x40) { c.p += 1; c.skipUnit() }
                if c.isPunctuation(0x28) { c.skipUnit() }
                continue
            }
            if c.isWord("SQL") && c.isWord("SECURITY", offset: 1) { c.p += 3; continue }
            break
        }
    }

    /// CREATE statements other than TABLE and INDEX; true when handled.
    mutating func createOther(_ c: inout Cursor, start: Int, end: Int) -> Bool {
        Self.skipCreatePreamble(&c)
        var probe = c
        _ = probe.accept("TEMPORARY") || probe.accept("TEMP")
        _ = probe.accept("RECURSIVE")
        if probe.accept("VIEW") { createView(&probe, start: start, end: end, materialized: false); return true }
        if probe.accept("MATERIALIZED") && probe.accept("VIEW") {
            createView(&probe, start: start, end: end, materialized: true)
            return true
        }
        probe = c
        _ = probe.accept("CONSTRAINT")
        if probe.accept("TRIGGER") { createTrigger(&probe, start: start, end: end); return true }
        probe = c
        if probe.accept("FUNCTION") || probe.accept("PROCEDURE") {
            if let name = probe.qualifiedName() { functionBodies[name] = Array(tokens[start..<end]) }
            ignore(start, end, kind: "CREATE FUNCTION", reason: "routines are not checked")
            return true
        }
        if c.isWord("SCHEMA") || c.isWord("DATABASE") { return true }
        if c.isWord("TYPE") && createEnumType(c) { return true }
        for (keyword, kind, reason): (StaticString, String, String) in [
            ("SEQUENCE", "CREATE SEQUENCE", "sequences are not checked"),
            ("TYPE", "CREATE TYPE", "a column of the type is read with the type's name"),
            ("DOMAIN", "CREATE DOMAIN", "a column of the domain is read with the domain's name"),
            ("EXTENSION", "CREATE EXTENSION", "what an extension defines is not checked"),
            ("AGGREGATE", "CREATE AGGREGATE", "routines are not checked"),
            ("RULE", "CREATE RULE", "rules are not checked"),
            ("POLICY", "CREATE POLICY", "a policy's rules are not checked, only that its table has row-level security"),
            ("EVENT", "CREATE EVENT", "events are not checked"),
            ("PUBLICATION", "CREATE PUBLICATION", "replication objects are not checked"),
            ("STATISTICS", "CREATE STATISTICS", "statistics objects are not checked"),
        ] where c.isWord(keyword) {
            ignore(start, end, kind: kind, reason: reason)
            return true
        }
        return false
    }

    /// `VIEW name [(columns)] [WITH (…)] AS query [WITH … CHECK OPTION | WITH [NO] DATA]`.
    mutating func createView(_ c: inout Cursor, start: Int, end: Int, materialized: Bool) {
        _ = c.accept("IF") && c.accept("NOT") && c.accept("EXISTS")
        guard let name = c.qualifiedName() else { return skip(start, end, reason: "this CREATE VIEW names no view") }
        while !c.atEnd && !c.isWord("AS") { c.skipUnit() }
        guard c.accept("AS"), !c.atEnd else { return skip(start, end, reason: "this CREATE VIEW has no AS query") }
        let queryStart = c.p
        // Outside the focus (see DependentFocus) the view is kept, without the columns it uses.
        var uses: (relations: [String], columns: Set<SchemaDependents.ColumnUse>) = ([], [])
        if focus?.mentioned(in: tokens, queryStart, end, lexer: lexer) ?? true {
            uses = columnUses(queryStart, end)
            focus?.add(name)
        }
        let view = SchemaDependents.View(
            name: name, definition: lexer.text(from: tokens[start].start, to: tokens[end - 1].end),
            materialized: materialized,
            relations: uses.relations, columns: uses.columns, line: tokens[start].line)
        if let existing = viewSlots[name] { views[existing] = view } else {
            viewSlots[name] = views.count
            views.append(view)
        }
        droppedViews.remove(name)
        postgresTaken.insert(name)
    }

    /// PostgreSQL: `TRIGGER name {BEFORE|AFTER|INSTEAD OF} events ON table … EXECUTE FUNCTION f(args)`;
    /// MySQL: `TRIGGER name {BEFORE|AFTER} event ON table FOR EACH ROW [FOLLOWS|PRECEDES t] body`.
    mutating func createTrigger(_ c: inout Cursor, start: Int, end: Int) {
        _ = c.accept("IF") && c.accept("NOT") && c.accept("EXISTS")
        guard let name = c.qualifiedName() else { return skip(start, end, reason: "this CREATE TRIGGER names no trigger") }
        var updateOf: [String] = []
        var timing: SchemaDependents.Trigger.Timing?
        var events: [SchemaDependents.Trigger.Event] = []
        while !c.atEnd && !c.isWord("ON") {
            if c.accept("BEFORE") { timing = .before; continue }
            if c.accept("AFTER") { timing = .after; continue }
            if c.accept("INSTEAD") { _ = c.accept("OF"); timing = .insteadOf; continue }
            if c.accept("INSERT") { events.append(.insert); continue }
            if c.accept("UPDATE") { events.append(.update); continue }
            if c.accept("DELETE") { events.append(.delete); continue }
            if c.accept("TRUNCATE") { events.append(.truncate); continue }
            if c.accept("OF") {
                while let column = c.identifier() {
                    updateOf.append(column)
                    guard c.isPunctuation(0x2C) else { break }
                    c.p += 1
                }
                continue
            }
            c.skipUnit()
        }
        guard c.accept("ON"), let table = c.qualifiedName(), let slot = tableSlots[table] else {
            return skip(start, end, reason: "this CREATE TRIGGER is on a table that is not defined before it")
        }
        let bodyStart = c.p
        // MySQL triggers are always per row; PostgreSQL's are per statement unless FOR EACH ROW.
        var forEachRow = mysql
        var scan = c
        while !forEachRow && !scan.atEnd && !scan.isWord("EXECUTE") {
            if scan.accept("FOR") {
                _ = scan.accept("EACH")
                if scan.isWord("ROW") { forEachRow = true }
                break
            }
            scan.skipUnit()
        }
        var uses: (relations: [String], columns: Set<SchemaDependents.ColumnUse>) = ([], [])
        // Outside the focus (see DependentFocus: neither its table nor its body names a table a
        // change names) the trigger is kept without the columns it uses.
        let analysed = focus?.mentioned(in: tokens, start, end, lexer: lexer) ?? true
        if analysed {
            uses = columnUses(bodyStart, end, always: [table])
            for column in updateOf { uses.columns.insert(.init(table: tables[slot].name, column: column)) }
        }
        // PostgreSQL: the columns its function names, and string arguments that name a column
        // (tsvector_update_trigger('fulltext', 'pg_catalog.english', 'title', 'description')).
        var q = analysed ? bodyStart : end
        while q < end {
            if lexer.isWord(tokens[q], "EXECUTE"), q + 2 < end {
                var call = Cursor(lexer: lexer, tokens: tokens, p: q + 2, end: end)
                if let function = call.qualifiedName(), let body = functionBodies[function] {
                    uses.columns.formUnion(columnUses(0, body.count, in: body, always: [table], only: [table]).columns)
                }
            }
            if tokens[q].kind == .string {
                let text = String(lexer.text(tokens[q]).dropFirst().dropLast())
                if let index = columnSlots[slot]?[key(text)] {
                    uses.columns.insert(.init(table: tables[slot].name, column: tables[slot].columns[index].name))
                }
            }
            q += 1
        }
        var trigger = SchemaDependents.Trigger(
            name: name, table: tables[slot].name, definition: lexer.text(from: tokens[start].start, to: tokens[end - 1].end),
            columns: uses.columns, line: tokens[start].line)
        trigger.timing = timing
        trigger.events = events
        trigger.updateOf = updateOf
        trigger.forEachRow = forEachRow
        if let existing = triggerSlots[name]?.first(where: { triggers[$0].table == trigger.table }) { triggers[existing] = trigger } else {
            triggerSlots[name, default: []].append(triggers.count)
            triggers.append(trigger)
        }
    }

    /// The tables and views named in `start..<end`, and the columns of those tables named there.
    /// `always` are tables the text uses without naming them (a trigger's own table: `NEW.x`);
    /// `only` limits the columns to those tables.
    func columnUses(_ start: Int, _ end: Int, always: [String] = [], only: [String]? = nil)
        -> (relations: [String], columns: Set<SchemaDependents.ColumnUse>) {
        columnUses(start, end, in: tokens, always: always, only: only)
    }

    /// `columnUses` over other tokens than the current statement's (a function's body).
    func columnUses(_ start: Int, _ end: Int, in tokens: [Token], always: [String] = [], only: [String]? = nil)
        -> (relations: [String], columns: Set<SchemaDependents.ColumnUse>) {
        // Each distinct name once: the names of the text, as the server folds them.
        var names: [String] = []
        var distinct: Set<String> = []
        // What each name would be as a relation: on PostgreSQL `s01.customer` is the table `s01.customer`
        // (as `qualifiedName` reads it), not `customer`, unless the schema is `public`; and a name followed
        // by a dot qualifies something else (`customer.email`: a column of a FROM item named elsewhere).
        var relationNames: [String] = []
        var distinctRelations: Set<String> = []
        for q in start..<end where tokens[q].kind == .word || tokens[q].kind == .quotedIdentifier {
            guard let name = Self.name(of: tokens[q], lexer) else { continue }
            if distinct.insert(name).inserted { names.append(name) }
            if Self.qualifiesNext(q, end, tokens, lexer) { continue }
            var relation = name
            if !mysql, q >= start + 2, lexer.isPunctuation(tokens[q - 1], 0x2E),
               let qualifier = Self.name(of: tokens[q - 2], lexer), qualifier != lexer.defaultSchema {
                relation = qualifier + "." + name
            }
            if distinctRelations.insert(relation).inserted { relationNames.append(relation) }
        }
        var relations: [String] = always
        var seen = Set(always)
        for name in relationNames where !seen.contains(name) && (tableSlots[name] != nil || viewSlots[name] != nil) {
            seen.insert(name)
            relations.append(name)
        }
        // column name → the tables that have it
        var owners: [String: [String]] = [:]
        for relation in relations where only == nil || only!.contains(relation) {
            guard let slot = tableSlots[relation] else { continue }
            for column in tables[slot].columns { owners[key(column.name), default: []].append(tables[slot].name) }
        }
        var columns = Set<SchemaDependents.ColumnUse>()
        if !owners.isEmpty {
            var done: Set<String> = []
            for name in names {
                let folded = key(name)
                guard let owning = owners[folded], done.insert(folded).inserted else { continue }
                for table in owning {
                    let slot = tableSlots[table]!
                    let column = self.tables[slot].columns[columnSlots[slot]![folded]!].name
                    columns.insert(.init(table: table, column: column))
                }
            }
        }
        let views = relations.filter { viewSlots[$0] != nil }
        return (relations.filter { tableSlots[$0] != nil } + views, columns)
    }

    /// PostgreSQL: the identifier at `q` is followed by `.` and another identifier (it names a schema
    /// or a FROM item, not a relation by itself).
    static func qualifiesNext(_ q: Int, _ end: Int, _ tokens: [Token], _ lexer: SchemaLexer) -> Bool {
        !lexer.mysql && q + 2 < end && lexer.isPunctuation(tokens[q + 1], 0x2E)
            && (tokens[q + 2].kind == .word || tokens[q + 2].kind == .quotedIdentifier)
    }

    /// An identifier token's name as the server folds it (unquoted: lower case on PostgreSQL).
    static func name(of token: SchemaLexer.Token, _ lexer: SchemaLexer) -> String? {
        switch token.kind {
        case .word:
            let text = lexer.text(token)
            return lexer.mysql || !lexer.hasUpperCase(token) ? text : text.lowercased()
        case .quotedIdentifier:
            return SchemaLexer.unquoted(lexer.text(token))
        default:
            return nil
        }
    }

    /// `ALTER TABLE parent ATTACH PARTITION child FOR VALUES …` / `DETACH PARTITION child`.
    mutating func attachPartition(_ action: inout Cursor, parentSlot: Int) -> Bool {
        if action.accept("ATTACH") && action.accept("PARTITION") {
            if let child = action.qualifiedName(), let slot = tableSlots[child] {
                tables[slot].partitionOf = tables[parentSlot].name
                tables[parentSlot].partitioned = true
                partitionSlots[tables[parentSlot].name, default: []].append(slot)
                if tables[slot].primaryKey.isEmpty { tables[slot].primaryKey = tables[parentSlot].primaryKey }
            }
            return true
        }
        if action.accept("DETACH") && action.accept("PARTITION") {
            if let child = action.qualifiedName(), let slot = tableSlots[child] { tables[slot].partitionOf = nil }
            return true
        }
        return false
    }

    /// `CREATE TABLE child PARTITION OF parent [(constraints)] FOR VALUES …`: the parent's columns and key.
    mutating func createPartition(_ c: inout Cursor, name: String, start: Int) {
        guard let parent = c.qualifiedName(), let parentSlot = tableSlots[parent] else {
            return skip(start, c.end, reason: "the parent of this partition is not defined before it")
        }
        if let existing = tableSlots[name] { droppedSlots.insert(existing) }
        let slot = tables.count
        var table = DatabaseSchema.Table(name: name, columns: tables[parentSlot].columns, primaryKey: tables[parentSlot].primaryKey)
        table.partitionOf = tables[parentSlot].name
        tables.append(table)
        partitionSlots[tables[parentSlot].name, default: []].append(slot)
        tables[parentSlot].partitioned = true
        postgresTaken.insert(name)
        tableSlots[name] = slot
        columnSlots[slot] = columnSlots[parentSlot] ?? [:]
        if c.isPunctuation(0x28) {
            let close = c.matching(c.p)
            for (elementStart, elementEnd) in c.split(c.p + 1, close) {
                var element = Cursor(lexer: lexer, tokens: tokens, p: elementStart, end: elementEnd)
                if element.isWord("CONSTRAINT") || element.isWord("PRIMARY") || element.isWord("UNIQUE")
                    || element.isWord("CHECK") || element.isWord("FOREIGN") {
                    tableElement(&element, slot: slot, inAlter: false)
                }
            }
        }
    }

    /// `DROP VIEW [IF EXISTS] a, b` / `DROP MATERIALIZED VIEW …`.
    mutating func dropView(_ c: inout Cursor) {
        _ = c.accept("IF") && c.accept("EXISTS")
        while let name = c.qualifiedName() {
            droppedViews.insert(name)
            guard c.isPunctuation(0x2C) else { break }
            c.p += 1
        }
    }

    /// `DROP TRIGGER [IF EXISTS] name [ON table]`.
    mutating func dropTrigger(_ c: inout Cursor) {
        _ = c.accept("IF") && c.accept("EXISTS")
        guard let name = c.qualifiedName() else { return }
        var table: String?
        if c.accept("ON") { table = c.qualifiedName() }
        let slots = triggerSlots[name] ?? []
        let dropped = slots.filter { table == nil || triggers[$0].table == table }
        droppedTriggers.formUnion(dropped)
        triggerSlots[name] = slots.filter { !dropped.contains($0) }
    }

    /// A statement a dump emits that defines nothing cutover checks, recorded for the one note.
    mutating func ignore(_ start: Int, _ end: Int, kind: String, reason: String) {
        var c = Cursor(lexer: lexer, tokens: tokens, p: start, end: end)
        while !c.atEnd && c.p < start + 6 && !(c.isWord("FUNCTION") || c.isWord("PROCEDURE") || c.isWord("SEQUENCE")
            || c.isWord("TYPE") || c.isWord("DOMAIN") || c.isWord("EXTENSION") || c.isWord("AGGREGATE") || c.isWord("RULE")
            || c.isWord("POLICY") || c.isWord("EVENT") || c.isWord("PUBLICATION") || c.isWord("STATISTICS")) { c.p += 1 }
        c.p += 1
        _ = c.accept("IF") && (c.accept("NOT") || true) && c.accept("EXISTS")
        let name = c.qualifiedName() ?? ""
        if kind == "CREATE POLICY", c.accept("ON"), let table = c.qualifiedName(), rowSecurity[table] == nil {
            rowSecurity[table] = tokens[start].line
        }
        ignored.append(Ignored(line: tokens[start].line, kind: kind, name: name, reason: reason))
    }

    /// Statements that change nothing cutover reads: session settings, ownership, grants, comments.
    func isNoise(_ c: Cursor, _ end: Int) -> Bool {
        for keyword: StaticString in ["SET", "RESET", "SELECT", "BEGIN", "COMMIT", "START", "END", "LOCK", "UNLOCK", "USE",
                                      "COMMENT", "GRANT", "REVOKE", "ANALYZE", "VACUUM", "CHECKPOINT", "FLUSH", "SHOW"]
        where c.isWord(keyword) {
            return true
        }
        guard c.isWord("ALTER") else { return false }
        // ALTER … OWNER TO, ALTER INDEX … ATTACH PARTITION, ALTER SEQUENCE, ALTER DEFAULT PRIVILEGES, ALTER DATABASE, ALTER SCHEMA
        if c.isWord("INDEX", offset: 1) || c.isWord("SEQUENCE", offset: 1) || c.isWord("DEFAULT", offset: 1)
            || c.isWord("DATABASE", offset: 1) || c.isWord("SCHEMA", offset: 1) || c.isWord("FUNCTION", offset: 1)
            || c.isWord("PROCEDURE", offset: 1) || c.isWord("TYPE", offset: 1) || c.isWord("DOMAIN", offset: 1)
            || c.isWord("AGGREGATE", offset: 1) || c.isWord("EXTENSION", offset: 1) || c.isWord("VIEW", offset: 1)
            || c.isWord("MATERIALIZED", offset: 1) || c.isWord("TRIGGER", offset: 1) || c.isWord("EVENT", offset: 1) {
            return true
        }
        return end - c.p >= 3 && lexer.isWord(tokens[end - 3], "OWNER") && lexer.isWord(tokens[end - 2], "TO")
    }
}

extension DDLParser {
    /// MySQL creates an index for a foreign key whose columns no index leads with, named after the
    /// constraint: it is in the server's catalog (a spec may drop or cover it), so it is in the schema,
    /// marked implicit (the server drops it by itself when another index comes to cover the key).
    mutating func addImplicitForeignKeyIndexes() {
        let rule = ColumnNames(mysql: true)
        for (offset, constraint) in constraints.enumerated() where constraint.kind == .foreignKey && !removedConstraints.contains(offset) {
            guard let slot = tableSlots[constraint.table] else { continue }
            let table = constraint.table
            if rule.covers(tables[slot].primaryKey, constraint.columns) { continue }
            let indexed = (tableIndexes[table] ?? []).contains { !removedIndexes.contains($0) && rule.covers(indexes[$0].columns, constraint.columns) }
            let keyed = (tableConstraints[table] ?? []).contains {
                !removedConstraints.contains($0) && (constraints[$0].kind == .unique || constraints[$0].kind == .primaryKey)
                    && rule.covers(constraints[$0].columns, constraint.columns)
            }
            if indexed || keyed { continue }
            appendIndex(DatabaseSchema.Index(name: constraint.implicitIndexName ?? constraint.name, table: table, columns: constraint.columns,
                                             unique: false, method: nil, definition: "", implicit: true))
        }
    }
}

extension DDLParser {
    /// `ALTER INDEX parent ATTACH PARTITION child`: the child (an index of a partition) belongs to the
    /// parent's index from here on. Anything else ALTER INDEX does changes nothing cutover reads.
    mutating func attachIndex(_ c: inout Cursor) {
        _ = c.accept("IF") && c.accept("EXISTS")
        guard let parent = c.qualifiedName(), c.accept("ATTACH"), c.accept("PARTITION"), let child = c.qualifiedName() else { return }
        guard let parentSlot = (indexSlots[key(parent)] ?? []).last(where: { !removedIndexes.contains($0) }),
              let childSlot = (indexSlots[key(child)] ?? []).last(where: { !removedIndexes.contains($0) }) else { return }
        indexes[parentSlot].attached.append((indexes[childSlot].table, indexes[childSlot].name))
    }
}
