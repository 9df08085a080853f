/// An index's key list and options as the model holds them (the schema file's text, or a createIndex's
/// rendering), read key by key, so that an index rebuilt on a column's copy is the same index with only
/// the column replaced: each key keeps its order, NULLS placement, operator class, COLLATE and (MySQL)
/// prefix length, and INCLUDE/WITH/NULLS NOT DISTINCT stay as written (trial 14j MUST-FIX 2).
package enum IndexKeyText {
    /// One key: its leading column name when it starts with one (nil for an expression or a call), and
    /// what follows that name (` DESC NULLS LAST`, ` text_pattern_ops`, `(40)`), as written.
    package struct Key {
        package var text: String
        package var column: String?
        package var rest: String
    }

    /// The keys of `keyList`, split at its top-level commas.
    package static func keys(_ keyList: String, engine: MigrationSpec.Engine) -> [Key] {
        split(keyList).map { item in
            let text = item.trimmingWhitespace()
            guard let (name, rest) = leadingName(text, engine: engine) else { return Key(text: text, column: nil, rest: "") }
            // PostgreSQL `lower(email)` is a call; MySQL `subject(40)` is a column with its prefix length.
            if engine == .postgresql && rest.hasPrefix("(") { return Key(text: text, column: nil, rest: "") }
            return Key(text: text, column: name, rest: rest)
        }
    }

    /// `keyList` with `column` replaced by `replacement` (quoted), every key's other words kept; an
    /// expression key has the column renamed inside it.
    package static func replacing(_ keyList: String, column: String, with replacement: String, engine: MigrationSpec.Engine) -> String {
        let quoted = SQLNames(engine: engine).quote(replacement)
        return keys(keyList, engine: engine).map { key in
            if let name = key.column {
                return ColumnExpression.uses(name, column: column, engine: engine) ? quoted + key.rest : key.text
            }
            return ColumnExpression.rename(key.text, from: column, to: replacement, engine: engine)
        }.joined(separator: ", ")
    }

    /// The key of `keyList` that is `column`, if any.
    package static func key(of column: String, in keyList: String, engine: MigrationSpec.Engine) -> Key? {
        keys(keyList, engine: engine).first { $0.column.map { ColumnExpression.uses($0, column: column, engine: engine) } ?? false }
    }

    /// MySQL: the prefix length of a key (`subject(40)` → 40).
    package static func prefixLength(_ key: Key) -> Int? {
        let rest = key.rest.trimmingWhitespace()
        guard rest.hasPrefix("("), let close = rest.firstIndex(of: ")") else { return nil }
        return Int(String(rest[rest.index(after: rest.startIndex)..<close]).trimmingWhitespace())
    }

    /// PostgreSQL: what a key says beyond its order and NULLS placement (an operator class, COLLATE), which
    /// depends on the column's type; empty when nothing.
    package static func typeBoundWords(_ key: Key) -> String {
        let ordering: Set<String> = ["ASC", "DESC", "NULLS", "FIRST", "LAST"]
        let words = key.rest.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" })
        return words.filter { !ordering.contains($0.uppercased()) }.joined(separator: " ")
    }

    /// PostgreSQL index options (` INCLUDE (a, b) WITH (fillfactor = 70)`) with `column` replaced in the
    /// INCLUDE list; the rest as written.
    package static func replacingIncluded(_ options: String, column: String, with replacement: String, engine: MigrationSpec.Engine) -> String {
        guard let (open, close) = includeList(options) else { return options }
        let list = String(options[options.index(after: open)..<close])
        let replaced = split(list).map { item -> String in
            let name = item.trimmingWhitespace()
            return ColumnExpression.uses(name, column: column, engine: engine) ? SQLNames(engine: engine).quote(replacement) : name
        }.joined(separator: ", ")
        return String(options[..<options.index(after: open)]) + replaced + String(options[close...])
    }

    /// Whether the INCLUDE list of `options` names `column`.
    package static func includes(_ options: String, column: String, engine: MigrationSpec.Engine) -> Bool {
        guard let (open, close) = includeList(options) else { return false }
        return split(String(options[options.index(after: open)..<close])).contains {
            ColumnExpression.uses($0.trimmingWhitespace(), column: column, engine: engine)
        }
    }

    /// The columns the INCLUDE list of `options` names, as column keys compare them (a quoted name as
    /// written, a bare one folded to lower case on PostgreSQL).
    package static func includedColumns(_ options: String, engine: MigrationSpec.Engine) -> [String] {
        guard let (open, close) = includeList(options) else { return [] }
        return split(String(options[options.index(after: open)..<close])).compactMap { item in
            let name = item.trimmingWhitespace()
            guard let (leading, rest) = leadingName(name, engine: engine), rest.isEmpty else { return nil }
            if leading.hasPrefix("\"") || leading.hasPrefix("`") {
                return String(leading.dropFirst().dropLast())
            }
            return engine == .postgresql ? leading.lowercased() : leading
        }
    }

    /// The parentheses after `INCLUDE` (outside quotes), if any.
    private static func includeList(_ options: String) -> (String.Index, String.Index)? {
        let upper = options.uppercased()
        guard let word = upper.range(of: "INCLUDE"),
              let open = options[word.upperBound...].firstIndex(where: { !$0.isWhitespace }), options[open] == "(",
              let close = matchingParenthesis(options, open) else { return nil }
        return (open, close)
    }

    private static func matchingParenthesis(_ text: String, _ open: String.Index) -> String.Index? {
        var depth = 0
        var quote: Character?
        var i = open
        while i < text.endIndex {
            let c = text[i]
            if let q = quote { if c == q { quote = nil } }
            else if c == "'" || c == "\"" || c == "`" { quote = c }
            else if c == "(" { depth += 1 }
            else if c == ")" { depth -= 1; if depth == 0 { return i } }
            i = text.index(after: i)
        }
        return nil
    }

    /// The items between top-level commas (outside parentheses and quotes).
    private static func split(_ text: String) -> [String] {
        var items: [String] = []
        var current = ""
        var depth = 0
        var quote: Character?
        for c in text {
            if let q = quote {
                if c == q { quote = nil }
            } else if c == "'" || c == "\"" || c == "`" {
                quote = c
            } else if c == "(" {
                depth += 1
            } else if c == ")" {
                depth -= 1
            } else if c == "," && depth == 0 {
                items.append(current)
                current = ""
                continue
            }
            current.append(c)
        }
        if !current.trimmingWhitespace().isEmpty { items.append(current) }
        return items
    }

    /// The name a key starts with (`"a b"`, `` `c` ``, `col`) and the text after it.
    private static func leadingName(_ text: String, engine: MigrationSpec.Engine) -> (String, String)? {
        guard let first = text.first else { return nil }
        let quote: Character = engine == .mysql ? "`" : "\""
        if first == quote {
            var i = text.index(after: text.startIndex)
            while i < text.endIndex {
                if text[i] == quote {
                    let next = text.index(after: i)
                    if next < text.endIndex && text[next] == quote { i = text.index(after: next); continue }
                    return (String(text[...i]), String(text[next...]))
                }
                i = text.index(after: i)
            }
            return nil
        }
        guard first == "_" || first.isLetter else { return nil }
        let end = text.firstIndex { !($0 == "_" || $0 == "$" || $0.isLetter || $0.isNumber) } ?? text.endIndex
        return (String(text[..<end]), String(text[end...]))
    }
}
