/// Rewrites the bare column names of a validated user expression, e.g. to read `NEW."amount"` inside a
/// trigger or the copy column in a copy-back. It tokenises the way SQLText validated the expression:
/// quoted strings and quoted identifiers are left alone, a name followed by '(' is a function call,
/// and only names in `columns` are replaced.
public enum ExpressionRewriter {
    public static func rewrite(_ expression: String, columns: Set<String>, _ replace: (String) -> String) -> String {
        var out = ""
        let scalars = Array(expression.unicodeScalars)
        var i = 0
        func isStart(_ s: Unicode.Scalar) -> Bool { s == "_" || (s.isASCII && s.properties.isAlphabetic) }
        func isPart(_ s: Unicode.Scalar) -> Bool { isStart(s) || s == "$" || ("0"..."9").contains(s) }
        while i < scalars.count {
            let s = scalars[i]
            if s == "'" || s == "\"" {
                var j = i + 1
                while j < scalars.count && scalars[j] != s { j += 1 }
                let end = min(j, scalars.count - 1)
                out.unicodeScalars.append(contentsOf: scalars[i...end])
                i = end + 1
                continue
            }
            if isStart(s) {
                var j = i
                while j < scalars.count && isPart(scalars[j]) { j += 1 }
                let word = String(String.UnicodeScalarView(scalars[i..<j]))
                var k = j
                while k < scalars.count && (scalars[k] == " " || scalars[k] == "\t" || scalars[k] == "\n") { k += 1 }
                let isCall = k < scalars.count && scalars[k] == "("
                let afterDot = i > 0 && scalars[i - 1] == "."
                let beforeDot = j < scalars.count && scalars[j] == "."
                if columns.contains(word) && !isCall && !afterDot && !beforeDot {
                    out += replace(word)
                } else {
                    out += word
                }
                i = j
                continue
            }
            // A number such as 1e5 or a parameter: copy digits with their letters so "1e5" stays intact.
            if ("0"..."9").contains(s) {
                var j = i
                while j < scalars.count && isPart(scalars[j]) { j += 1 }
                out.unicodeScalars.append(contentsOf: scalars[i..<j])
                i = j
                continue
            }
            out.unicodeScalars.append(s)
            i += 1
        }
        return out
    }
}
