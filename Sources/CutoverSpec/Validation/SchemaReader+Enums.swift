/// PostgreSQL enum types as a dump writes them (`CREATE TYPE public.status AS ENUM ('a', 'b');`) and as a
/// hand-written schema may extend them (`ALTER TYPE … ADD VALUE [IF NOT EXISTS] 'c' [BEFORE|AFTER 'b']`,
/// `ALTER TYPE … RENAME VALUE 'a' TO 'z'`), so addEnumValue and renameEnumValue check the labels.
/// An enum type is read (so not listed in the note of statements not read); other types are ignored.
extension DDLParser {
    /// After `CREATE [OR REPLACE]`, at `TYPE`: records an enum type and returns true; other types are
    /// left to `ignore`.
    mutating func createEnumType(_ start: Cursor) -> Bool {
        guard !mysql else { return false }
        var c = start
        guard c.accept("TYPE"), let name = c.qualifiedName(), c.accept("AS"), c.accept("ENUM"), c.isPunctuation(0x28) else { return false }
        let close = c.matching(c.p)
        var labels: [String] = []
        for (from, to) in c.split(c.p + 1, close) where to == from + 1 {
            guard let label = literal(tokens[from]) else { return false }
            labels.append(label)
        }
        enumTypes.removeAll { $0.name == name }
        enumTypes.append(EnumType(name: name, labels: labels))
        return true
    }

    /// `ALTER TYPE name ADD VALUE …` or `RENAME VALUE …` on a known enum; true when handled.
    mutating func alterEnumType(_ start: Cursor) -> Bool {
        var c = start
        guard !mysql, c.accept("ALTER"), c.accept("TYPE"), let name = c.qualifiedName(),
              let index = enumTypes.firstIndex(where: { $0.name == name }) else { return false }
        if c.accept("ADD") && c.accept("VALUE") {
            _ = c.accept("IF") && c.accept("NOT") && c.accept("EXISTS")
            guard !c.atEnd, let label = literal(tokens[c.p]) else { return false }
            c.p += 1
            var before: String?, after: String?
            if c.accept("BEFORE"), !c.atEnd { before = literal(tokens[c.p]) }
            else if c.accept("AFTER"), !c.atEnd { after = literal(tokens[c.p]) }
            enumTypes[index].add(label, before: before, after: after)
            return true
        }
        if c.accept("RENAME") && c.accept("VALUE"), !c.atEnd, let from = literal(tokens[c.p]) {
            c.p += 1
            guard c.accept("TO"), !c.atEnd, let to = literal(tokens[c.p]) else { return false }
            enumTypes[index].rename(from, to: to)
            return true
        }
        return false
    }

    /// A standard string literal's value ('it''s' -> it's); nil for any other token.
    func literal(_ token: Token) -> String? {
        guard token.kind == .string else { return nil }
        let text = lexer.text(token)
        guard text.hasPrefix("'"), text.hasSuffix("'"), text.count >= 2 else { return nil }
        return String(text.dropFirst().dropLast()).replacingOccurrences(of: "''", with: "'")
    }
}
