/// The tables a spec's changes name, as the schema reader compares a view's or trigger's tokens with
/// them. Working out which columns a view or trigger uses costs a String and a few hash lookups per
/// name in its text: on a 2 MB dump with hundreds of views that was a tenth of `validate`. The columns
/// are only ever asked for tables a change names (`SchemaDependents.views(using:of:)`,
/// `triggers(using:of:)`, a renamed or dropped table's views), so a view or trigger whose text names
/// none of them, nor a view that does, cannot be among the answers and is kept without them.
///
/// The comparison errs on the side of analysing: ASCII letters in any case, only the last part of a
/// qualified name, and any token with a non-ASCII byte or an escaped quote counts as a mention.
package struct DependentFocus {
    /// Lower-case ASCII bytes of each name (and of the last part of a qualified one).
    private var names: [[UInt8]] = []

    init(names: Set<String>) {
        for name in names.sorted() { add(name) }
    }

    mutating func add(_ name: String) {
        var bytes = Array(name.utf8)
        for index in bytes.indices where bytes[index] >= 0x41 && bytes[index] <= 0x5A { bytes[index] |= 0x20 }
        if !names.contains(bytes) { names.append(bytes) }
        if let dot = bytes.lastIndex(of: 0x2E), dot + 1 < bytes.count {
            let last = Array(bytes[(dot + 1)...])
            if !names.contains(last) { names.append(last) }
        }
    }

    /// Whether an identifier among `tokens[start..<end]` may name one of the names, read as
    /// `columnUses` reads relations: on PostgreSQL a name qualified by a schema other than the default one (`public`, or `database.schemaName`)
    /// (`s01.customer`) is compared whole, and a name followed by a dot is no relation.
    func mentioned(in tokens: [SchemaLexer.Token], _ start: Int, _ end: Int, lexer: SchemaLexer) -> Bool {
        for q in start..<end {
            guard let name = Self.inner(tokens[q], lexer), !DDLParser.qualifiesNext(q, end, tokens, lexer) else { continue }
            guard let range = name else { return true }
            if !lexer.mysql, q >= start + 2, lexer.isPunctuation(tokens[q - 1], 0x2E), let qualifier = Self.inner(tokens[q - 2], lexer) {
                guard let schema = qualifier else { return true }
                if !(schema.count == lexer.defaultSchemaBytes.count && equals(schema, lexer.defaultSchemaBytes, at: 0, lexer)) {
                    for candidate in names where candidate.count == schema.count + 1 + range.count
                        && candidate[schema.count] == 0x2E
                        && equals(schema, candidate, at: 0, lexer)
                        && equals(range, candidate, at: schema.count + 1, lexer) {
                        return true
                    }
                    continue
                }
            }
            for candidate in names where candidate.count == range.count && equals(range, candidate, at: 0, lexer) { return true }
        }
        return false
    }

    /// An identifier's bytes without its quotes; `.some(nil)` when it cannot be compared byte for byte
    /// (an escaped quote, a non-ASCII byte: counted as a mention), nil when the token is no identifier.
    private static func inner(_ token: SchemaLexer.Token, _ lexer: SchemaLexer) -> Range<Int>?? {
        var from = token.start
        var to = token.end
        switch token.kind {
        case .word:
            break
        case .quotedIdentifier:
            let quote = lexer.bytes[from]
            from += 1
            if to > from && lexer.bytes[to - 1] == quote { to -= 1 }
            for index in from..<max(from, to) where lexer.bytes[index] == quote { return .some(nil) }
        default:
            return nil
        }
        for index in from..<max(from, to) where lexer.bytes[index] >= 0x80 { return .some(nil) }
        return .some(from..<max(from, to))
    }

    /// Whether the text's bytes in `range` equal `name[start..<start + range.count]` (lower-case),
    /// ASCII letters in any case. The callers compare the lengths.
    private func equals(_ range: Range<Int>, _ name: [UInt8], at start: Int, _ lexer: SchemaLexer) -> Bool {
        guard start + range.count <= name.count else { return false }
        var offset = start
        for index in range {
            var byte = lexer.bytes[index]
            if byte >= 0x41 && byte <= 0x5A { byte |= 0x20 }
            if byte != name[offset] { return false }
            offset += 1
        }
        return true
    }
}

extension SchemaReader {
    /// Every table name a change of `spec` names (what `SchemaReader.focus` should be for it), or nil
    /// (every view and trigger) where a change needs every view (`OperationSpec.needsEveryView`).
    public static func focus(of spec: MigrationSpec) -> Set<String>? {
        var names: Set<String> = []
        for change in spec.changes {
            if change.operation.base.needsEveryView { return nil }
            for table in change.operation.base.readTables { names.insert(table.value) }
        }
        return names
    }
}
