/// Column names inside SQL expression text taken from the schema file or the spec (CHECK bodies, index
/// predicates): bare names, `"quoted"` names (PostgreSQL) and `` `quoted` `` names (MySQL). String
/// literals are skipped, a name followed by `(` is a function call, a name followed by `.` qualifies
/// another and a name after `::` is a type. Bare names fold to lower case on PostgreSQL and compare
/// case-insensitively on MySQL, as the servers do.
package enum ColumnExpression {
    /// Whether `expression` refers to `column`.
    package static func uses(_ expression: String, column: String, engine: MigrationSpec.Engine) -> Bool {
        var found = false
        _ = scan(expression, column: column, engine: engine) { found = true; return nil }
        return found
    }

    /// `expression` with every reference to `from` replaced by the quoted name `to`.
    package static func rename(_ expression: String, from: String, to: String, engine: MigrationSpec.Engine) -> String {
        let quoted = SQLNames(engine: engine).quote(to)
        return scan(expression, column: from, engine: engine) { quoted }
    }

    /// Copies `expression`, calling `replace` for each reference to `column` (nil keeps the text as written).
    private static func scan(_ expression: String, column: String, engine: MigrationSpec.Engine, _ replace: () -> String?) -> String {
        let mysql = engine == .mysql
        let scalars = Array(expression.unicodeScalars)
        var out = String.UnicodeScalarView()
        var i = 0
        func isStart(_ s: Unicode.Scalar) -> Bool { s == "_" || (s.isASCII && s.properties.isAlphabetic) || !s.isASCII }
        func isPart(_ s: Unicode.Scalar) -> Bool { isStart(s) || s == "$" || ("0"..."9").contains(s) }
        func matches(_ name: String, quoted: Bool) -> Bool {
            if mysql { return name.lowercased() == column.lowercased() }
            return quoted ? name == column : name.lowercased() == column
        }
        func context(start: Int, end: Int) -> Bool {
            // Not a column when it is a call, a qualifier or a type after `::`.
            var k = end
            while k < scalars.count && (scalars[k] == " " || scalars[k] == "\t" || scalars[k] == "\n") { k += 1 }
            if k < scalars.count && (scalars[k] == "(" || scalars[k] == ".") { return false }
            var b = start - 1
            while b >= 0 && (scalars[b] == " " || scalars[b] == "\t" || scalars[b] == "\n") { b -= 1 }
            if b >= 1 && scalars[b] == ":" && scalars[b - 1] == ":" { return false }
            return true
        }
        while i < scalars.count {
            let s = scalars[i]
            if s == "'" || (mysql && s == "\"") {
                var j = i + 1
                while j < scalars.count {
                    if mysql && scalars[j] == "\\" { j += 2; continue }
                    if scalars[j] == s {
                        if j + 1 < scalars.count && scalars[j + 1] == s { j += 2; continue }
                        break
                    }
                    j += 1
                }
                let end = min(j, scalars.count - 1)
                out.append(contentsOf: scalars[i...end])
                i = end + 1
                continue
            }
            if s == (mysql ? "`" : "\"") {
                var j = i + 1
                var name = String.UnicodeScalarView()
                while j < scalars.count {
                    if scalars[j] == s {
                        if j + 1 < scalars.count && scalars[j + 1] == s { name.append(s); j += 2; continue }
                        break
                    }
                    name.append(scalars[j])
                    j += 1
                }
                let end = min(j, scalars.count - 1)
                if matches(String(name), quoted: true) && context(start: i, end: end + 1), let replacement = replace() {
                    out.append(contentsOf: replacement.unicodeScalars)
                } else {
                    out.append(contentsOf: scalars[i...end])
                }
                i = end + 1
                continue
            }
            if isStart(s) {
                var j = i
                while j < scalars.count && isPart(scalars[j]) { j += 1 }
                let word = String(String.UnicodeScalarView(scalars[i..<j]))
                if matches(word, quoted: false) && context(start: i, end: j), let replacement = replace() {
                    out.append(contentsOf: replacement.unicodeScalars)
                } else {
                    out.append(contentsOf: scalars[i..<j])
                }
                i = j
                continue
            }
            if ("0"..."9").contains(s) {
                var j = i
                while j < scalars.count && isPart(scalars[j]) { j += 1 }
                out.append(contentsOf: scalars[i..<j])
                i = j
                continue
            }
            out.append(s)
            i += 1
        }
        return String(out)
    }
}
