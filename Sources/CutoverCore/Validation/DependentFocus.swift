/// The tables a spec's changes name, as the schema reader compares a view's or trigger's tokens with
/// them. Working out which columns a view or trigger uses costs a String and a few hash lookups per
/// name in its text: on a 2 MB dump with hundreds of views that was a tenth of `validate`. The columns
/// are only ever asked for tables a change names (`SchemaDependents.views(using:of:)`,
/// `triggers(using:of:)`, a renamed or dropped table's views), so a view or trigger whose text names
/// none of them, nor a view that does, cannot be among the answers and is kept without them.
///
/// The comparison errs on the side of analysing: ASCII letters in any case, only the last part of a
/// qualified name, and any token with a non-ASCII byte or an escaped quote counts as a mention.
struct DependentFocus {
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

    /// Whether an identifier among `tokens[start..<end]` may name one of the names.
    func mentioned(in tokens: [SchemaLexer.Token], _ start: Int, _ end: Int, lexer: SchemaLexer) -> Bool {
        for q in start..<end where mentions(tokens[q], lexer) { return true }
        return false
    }

    private func mentions(_ token: SchemaLexer.Token, _ lexer: SchemaLexer) -> Bool {
        var from = token.start
        var to = token.end
        switch token.kind {
        case .word:
            break
        case .quotedIdentifier:
            let quote = lexer.bytes[from]
            from += 1
            if to > from && lexer.bytes[to - 1] == quote { to -= 1 }
            for index in from..<max(from, to) where lexer.bytes[index] == quote { return true }
        default:
            return false
        }
        for index in from..<max(from, to) where lexer.bytes[index] >= 0x80 { return true }
        let length = to - from
        for name in names where name.count == length {
            var same = true
            for offset in 0..<length {
                var byte = lexer.bytes[from + offset]
                if byte >= 0x41 && byte <= 0x5A { byte |= 0x20 }
                if byte != name[offset] { same = false; break }
            }
            if same { return true }
        }
        return false
    }
}

extension SchemaReader {
    /// Every table name a change of `spec` names (what `SchemaReader.focus` should be for it).
    public static func focus(of spec: MigrationSpec) -> Set<String> {
        var names: Set<String> = []
        for change in spec.changes {
            switch change.operation {
            case .addColumn(let table, let column, _):
                names.insert(table.value)
                if let target = column.references?.table.value { names.insert(target) }
            case .dropColumn(let table, _, _), .renameColumn(let table, _, _), .dropIndex(_, let table),
                 .addCheck(_, let table, _), .addUnique(_, let table, _):
                names.insert(table.value)
            case .alterColumn(let alter):
                names.insert(alter.table.value)
            case .createTable(let name, let columns, _, let constraints):
                names.insert(name.value)
                for column in columns { if let target = column.references?.table.value { names.insert(target) } }
                for constraint in constraints {
                    if case .foreignKey(_, let references, _)? = constraint.kind { names.insert(references.table.value) }
                }
            case .dropTable(let name):
                names.insert(name.value)
            case .renameTable(let from, let to):
                names.insert(from.value)
                names.insert(to.value)
            case .createIndex(let index):
                names.insert(index.table.value)
            case .addForeignKey(_, let table, _, let references, _):
                names.insert(table.value)
                names.insert(references.table.value)
            case .sql:
                continue
            }
        }
        return names
    }
}
