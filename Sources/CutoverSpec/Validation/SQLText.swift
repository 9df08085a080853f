/// Lexical checks on the SQL fragments a spec carries (identifiers, types, expressions). The generator
/// splices expressions into statements, so anything that could end a statement or hide text from the
/// reader is refused here, before any SQL is written.
public enum SQLText {
    public static func identifierProblem(_ text: String, maxLength: Int) -> String? {
        guard let first = text.unicodeScalars.first else { return "it is empty" }
        if text.unicodeScalars.contains(where: { !$0.isASCII }) { return "it has a non-ASCII character" }
        guard ASCII.lower(first) || ASCII.upper(first) || first == "_" else {
            return "it must start with a letter or '_'"
        }
        if let bad = text.unicodeScalars.first(where: { !(ASCII.alnum($0) || $0 == "_" || $0 == "$") }) {
            // A dotted name is most often a schema-qualified one: say where the schema is given instead.
            return "'\(bad.escaped(asASCII: true))' is not a letter, digit, '_' or '$'"
                + (bad == "." ? " (names are unqualified: the spec's tables live in `database.schemaName`)" : "")
        }
        if text.utf8.count > maxLength { return "it is longer than \(maxLength) characters" }
        return nil
    }

    public static func typeProblem(_ text: String) -> String? {
        guard let first = text.unicodeScalars.first else { return "it is empty" }
        guard ASCII.lower(first) || ASCII.upper(first) || first == "_" || first == "\"" else {
            return "it must start with a letter"
        }
        // Inside a quoted part (an enum label 'PG-13', a quoted type name "char" or public."bıgınt") any
        // printable character may appear; expressionProblem still refuses what could end or hide text.
        var quote: Unicode.Scalar?
        for scalar in text.unicodeScalars {
            if let open = quote {
                if scalar == open { quote = nil }
                if scalar.value < 0x20 || scalar.value == 0x7F { return "'\(scalar.escaped(asASCII: true))' cannot appear in a type" }
                continue
            }
            if scalar == "'" || scalar == "\"" { quote = scalar; continue }
            let allowed = scalar.isASCII && (ASCII.alnum(scalar) || " _(),[].".unicodeScalars.contains(scalar))
            if !allowed { return "'\(scalar.escaped(asASCII: true))' cannot appear in a type" }
        }
        return expressionProblem(text)
    }

    /// Quotes, parentheses, comments and statement ends, scanned the way PostgreSQL and MySQL both lex.
    public static func expressionProblem(_ text: String) -> String? {
        if text.trimmingWhitespace().isEmpty { return "it is empty" }
        var depth = 0
        var quote: Unicode.Scalar?
        var previous: Unicode.Scalar?
        for scalar in text.unicodeScalars {
            if scalar.value < 0x20 && scalar != "\n" && scalar != "\t" { return "it has a control character" }
            if scalar == "\\" { return "it has a backslash, which MySQL and PostgreSQL read differently" }
            if scalar.value == 0x202E || scalar.value == 0x202D || scalar.value == 0x2066 || scalar.value == 0x2067 || scalar.value == 0x200B {
                return "it has an invisible or direction-changing character"
            }
            if let open = quote {
                if scalar == open { quote = nil }
                previous = scalar
                continue
            }
            switch scalar {
            case "'", "\"": quote = scalar
            case "`": return "it has a backtick, which quotes on MySQL but not on PostgreSQL; write the name plain"
            case "$" where !(previous.map { ASCII.alnum($0) || $0 == "_" } ?? false):
                return "it has '$' outside a name, which can open a dollar quote"
            case "(": depth += 1
            case ")":
                depth -= 1
                if depth < 0 { return "it has an unbalanced ')'" }
            case ";": return "it has ';', which ends a statement"
            case "-" where previous == "-": return "it has '--', which starts a comment"
            case "*" where previous == "/": return "it has '/*', which starts a comment"
            case "#": return "it has '#', which starts a comment on MySQL"
            default: break
            }
            previous = scalar
        }
        if let open = quote { return "it has an unclosed \(open) quote" }
        if depth > 0 { return "it has an unclosed '('" }
        return nil
    }
}

extension String {
    package func trimmingWhitespace() -> String {
        var scalars = Substring(self)
        while let first = scalars.first, first.isWhitespace { scalars = scalars.dropFirst() }
        while let last = scalars.last, last.isWhitespace { scalars = scalars.dropLast() }
        return String(scalars)
    }
}
