import CutoverPlan
import Foundation

/// What a column's catalog type text means for generating values: the family of the type and the
/// limits that matter (integer width, numeric precision, text length, enum labels).
indirect enum ColumnKind: Equatable, Sendable {
    case integer(bits: Int, unsigned: Bool)
    case decimal(precision: Int?, scale: Int)
    case float
    case text(maxLength: Int?)
    case boolean
    case date
    case timestamp(zone: Bool)
    case time
    case interval
    case year
    case json
    case uuid
    case binary(maxLength: Int?)
    case enumeration([String])
    case array(element: ColumnKind, elementType: String)
    case inet
    case bit(length: Int)
    case other

    /// The kind of `column` of `table` (MariaDB keeps JSON as longtext with a `json_valid` check).
    static func of(_ column: ColumnShape, in table: TableShape?, engine: MigrationSpec.Engine) -> ColumnKind {
        if let table, engine == .mysql, table.checks.contains(where: { $0.contains("json_valid(`\(column.name)`)") }) {
            return .json
        }
        let kind: ColumnKind
        switch engine {
        case .postgresql: kind = postgres(column.baseType ?? column.dataType, labels: column.enumLabels)
        // MariaDB has no domains: a base type is set only by the rehearsal, to generate a retyped
        // text column's values in its new type's shape (`AppTrafficDriver.seedShape`).
        case .mysql: kind = mariadb(column.baseType ?? column.dataType, labels: column.enumLabels)
        }
        if case .text = kind, let table, let labels = checkedLabels(column.name, in: table) { return .enumeration(labels) }
        return kind
    }

    /// The string literals of a check on this column alone (`status IN ('new', 'paid')`, printed by
    /// PostgreSQL as `status = ANY (ARRAY['new'::text, …])`): the only values the column accepts.
    static func checkedLabels(_ column: String, in table: TableShape) -> [String]? {
        let others = table.columns.map(\.name).filter { $0 != column }
        for check in table.checks where mentions(check, column) && !others.contains(where: { mentions(check, $0) }) {
            let labels = literals(check)
            if !labels.isEmpty && (check.contains("ANY") || check.lowercased().contains(" in (")) { return labels }
        }
        return nil
    }

    /// The numbers a check on this column alone lists (`flag IN (0, 1)`, printed by PostgreSQL as
    /// `flag = ANY (ARRAY[0, 1])`): the only values the column accepts; nil where no check lists them.
    static func checkedNumbers(_ column: String, in table: TableShape) -> [String]? {
        let others = table.columns.map(\.name).filter { $0 != column }
        let escaped = NSRegularExpression.escapedPattern(for: column)
        let list = try? NSRegularExpression(
            pattern: "(?<![A-Za-z0-9_$])\(escaped)\\s*(?:in\\s*\\(([^()]*)\\)|=\\s*any\\s*\\(\\s*array\\[([^\\]]*)\\])",
            options: [.caseInsensitive])
        for check in table.checks where mentions(check, column) && !others.contains(where: { mentions(check, $0) }) {
            var text = check.replacingOccurrences(of: "\"", with: "").replacingOccurrences(of: "`", with: "")
            text = text.replacingOccurrences(of: #"::[A-Za-z ]+"#, with: "", options: .regularExpression)
            guard let match = list?.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) else { continue }
            let body = [1, 2].compactMap { Range(match.range(at: $0), in: text).map { String(text[$0]) } }.first ?? ""
            let items = body.split(separator: ",").map { $0.trimmingCharacters(in: CharacterSet(charactersIn: " ()")) }
            guard !items.isEmpty, items.allSatisfy({ Double($0) != nil }) else { continue }
            return items
        }
        return nil
    }

    /// Numeric bounds a check on this column alone sets (`x > 0`, `x BETWEEN 1 AND 50`, `x <= 9`),
    /// as inclusive integers; nil where the checks say nothing.
    static func checkedRange(_ column: String, in table: TableShape) -> (low: Int64?, high: Int64?) {
        let others = table.columns.map(\.name).filter { $0 != column }
        var low: Int64?
        var high: Int64?
        let escaped = NSRegularExpression.escapedPattern(for: column)
        let number = #"(-?[0-9]+(?:\.[0-9]+)?)"#
        let comparison = try? NSRegularExpression(pattern: "(?<![A-Za-z0-9_$])\(escaped)\\s*(>=|>|<=|<)\\s*\(number)", options: [.caseInsensitive])
        let between = try? NSRegularExpression(pattern: "(?<![A-Za-z0-9_$])\(escaped)\\s+between\\s+\(number)\\s+and\\s+\(number)", options: [.caseInsensitive])
        for check in table.checks where mentions(check, column) && !others.contains(where: { mentions(check, $0) }) {
            // Quotes, casts and parentheses out: `((quantity >= (1)::numeric))` → `quantity >= 1`.
            var text = check.replacingOccurrences(of: "\"", with: "").replacingOccurrences(of: "`", with: "")
            text = text.replacingOccurrences(of: #"::[A-Za-z ]+"#, with: "", options: .regularExpression)
            text = text.replacingOccurrences(of: "(", with: " ").replacingOccurrences(of: ")", with: " ")
            let range = NSRange(text.startIndex..., in: text)
            func group(_ match: NSTextCheckingResult, _ index: Int) -> String {
                Range(match.range(at: index), in: text).map { String(text[$0]) } ?? ""
            }
            for match in comparison?.matches(in: text, range: range) ?? [] {
                guard let value = Double(group(match, 2)) else { continue }
                switch group(match, 1) {
                case ">=": low = max(low ?? Int64.min, Int64(value.rounded(.up)))
                case ">": low = max(low ?? Int64.min, Int64(value.rounded(.down)) + 1)
                case "<=": high = min(high ?? Int64.max, Int64(value.rounded(.down)))
                default: high = min(high ?? Int64.max, Int64(value.rounded(.up)) - 1)
                }
            }
            for match in between?.matches(in: text, range: range) ?? [] {
                guard let a = Double(group(match, 1)), let b = Double(group(match, 2)) else { continue }
                low = max(low ?? Int64.min, Int64(a.rounded(.up)))
                high = min(high ?? Int64.max, Int64(b.rounded(.down)))
            }
        }
        return (low, high)
    }

    /// Whether `name` occurs in `expression` as a whole word (bare, "quoted" or `quoted`), outside string literals.
    static func mentions(_ expression: String, _ name: String) -> Bool {
        let characters = Array(expression)
        let target = Array(name)
        guard !target.isEmpty, characters.count >= target.count else { return false }
        let literal = inStringLiteral(characters)
        func isWord(_ c: Character) -> Bool { c.isLetter || c.isNumber || c == "_" || c == "$" }
        for start in 0...(characters.count - target.count) where !literal[start] && Array(characters[start..<start + target.count]) == target {
            let before = start > 0 ? characters[start - 1] : " "
            let after = start + target.count < characters.count ? characters[start + target.count] : " "
            if !isWord(before) && !isWord(after) { return true }
        }
        return false
    }

    /// For each character, whether it is part of a `'…'` string literal (its quotes included). A `'`
    /// inside a quoted identifier ("it's", `it's`) starts none, and a doubled `''` stays inside.
    static func inStringLiteral(_ characters: [Character]) -> [Bool] {
        var mask = [Bool](repeating: false, count: characters.count)
        var open: Character?
        for (index, c) in characters.enumerated() {
            if let quote = open {
                if quote == "'" { mask[index] = true }
                if c == quote { open = nil }
            } else if c == "'" || c == "\"" || c == "`" {
                open = c
                if c == "'" { mask[index] = true }
            }
        }
        return mask
    }

    /// `expression` with each whole-word mention of `name` outside string literals (bare, "quoted"
    /// or `quoted`, quotes included) replaced by `replacement(mention)`.
    static func replacingMentions(_ expression: String, _ name: String, with replacement: (String) -> String) -> String {
        let characters = Array(expression)
        let target = Array(name)
        guard !target.isEmpty else { return expression }
        func isWord(_ c: Character) -> Bool { c.isLetter || c.isNumber || c == "_" || c == "$" }
        let literal = inStringLiteral(characters)
        var result = ""
        var index = 0
        while index < characters.count {
            let c = characters[index]
            if !literal[index], index + target.count <= characters.count, Array(characters[index..<index + target.count]) == target,
               !(index > 0 && isWord(characters[index - 1])),
               !(index + target.count < characters.count && isWord(characters[index + target.count])) {
                var start = index, end = index + target.count
                if start > 0, end < characters.count, characters[start - 1] == characters[end], ["\"", "`"].contains(characters[end]) {
                    start -= 1
                    end += 1
                    result.removeLast()
                }
                result += replacement(String(characters[start..<end]))
                index = end
                continue
            }
            result.append(c)
            index += 1
        }
        return result
    }

    /// The string literals of an expression, '' read as one quote.
    static func literals(_ expression: String) -> [String] {
        var result: [String] = []
        var current = ""
        var inString = false
        let characters = Array(expression)
        var index = 0
        while index < characters.count {
            let c = characters[index]
            if inString {
                if c == "'" {
                    if index + 1 < characters.count && characters[index + 1] == "'" { current.append("'"); index += 1 } else {
                        result.append(current); current = ""; inString = false
                    }
                } else if c == "\\" && index + 1 < characters.count {
                    current.append(characters[index + 1]); index += 1
                } else {
                    current.append(c)
                }
            } else if c == "'" {
                inString = true
            }
            index += 1
        }
        return result
    }

    /// The numbers in the first parenthesis: `numeric(10,2)` → [10, 2].
    static func arguments(_ type: String) -> [Int] {
        guard let open = type.firstIndex(of: "("), let close = type[open...].firstIndex(of: ")") else { return [] }
        return type[type.index(after: open)..<close].split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
    }

    static func postgres(_ type: String, labels: [String]) -> ColumnKind {
        let lower = type.lowercased()
        if lower.hasSuffix("[]") {
            let elementType = String(type.dropLast(2))
            return .array(element: postgres(elementType, labels: labels), elementType: elementType)
        }
        if !labels.isEmpty { return .enumeration(labels) }
        let base = lower.split(separator: "(").first.map { $0.trimmingCharacters(in: .whitespaces) } ?? lower
        switch base {
        case "smallint": return .integer(bits: 16, unsigned: false)
        case "integer": return .integer(bits: 32, unsigned: false)
        case "bigint": return .integer(bits: 64, unsigned: false)
        case "numeric":
            let a = arguments(lower)
            return .decimal(precision: a.first, scale: a.count > 1 ? a[1] : 0)
        case "real", "double precision": return .float
        case "text", "citext", "name": return .text(maxLength: nil)
        case "character varying", "character", "bpchar": return .text(maxLength: arguments(lower).first ?? (base == "character" ? 1 : nil))
        case "\"char\"": return .text(maxLength: 1)
        case "boolean": return .boolean
        case "date": return .date
        case "json", "jsonb": return .json
        case "uuid": return .uuid
        case "bytea": return .binary(maxLength: nil)
        case "inet": return .inet
        case "interval": return .interval
        case "bit", "bit varying": return .bit(length: arguments(lower).first ?? 1)
        default:
            if base.hasPrefix("timestamp") { return .timestamp(zone: lower.hasSuffix("with time zone")) }
            if base.hasPrefix("time") { return .time }
            return .other
        }
    }

    static func mariadb(_ type: String, labels: [String]) -> ColumnKind {
        let lower = type.lowercased()
        let unsigned = lower.contains("unsigned")
        let base = String(lower.prefix { $0.isLetter || $0.isNumber || $0 == "_" })
        switch base {
        case "tinyint":
            return arguments(lower).first == 1 && !unsigned ? .boolean : .integer(bits: 8, unsigned: unsigned)
        case "bool", "boolean": return .boolean
        case "smallint": return .integer(bits: 16, unsigned: unsigned)
        case "mediumint": return .integer(bits: 24, unsigned: unsigned)
        case "int", "integer": return .integer(bits: 32, unsigned: unsigned)
        case "bigint": return .integer(bits: 64, unsigned: unsigned)
        case "decimal", "numeric", "dec", "fixed":
            let a = arguments(lower)
            return .decimal(precision: a.first ?? 10, scale: a.count > 1 ? a[1] : 0)
        case "float", "double", "real": return .float
        case "varchar", "char": return .text(maxLength: arguments(lower).first ?? 1)
        case "tinytext": return .text(maxLength: 255)
        case "text", "mediumtext", "longtext": return .text(maxLength: nil)
        case "binary", "varbinary": return .binary(maxLength: arguments(lower).first ?? 1)
        case "tinyblob": return .binary(maxLength: 255)
        case "blob", "mediumblob", "longblob": return .binary(maxLength: nil)
        case "date": return .date
        case "datetime", "timestamp": return .timestamp(zone: false)
        case "time": return .time
        case "year": return .year
        case "json": return .json
        case "uuid": return .uuid
        case "inet4", "inet6": return .inet
        case "bit": return .bit(length: arguments(lower).first ?? 1)
        case "enum", "set": return .enumeration(labels)
        default: return .other
        }
    }

    /// How many distinct values the generator can make above `base` (nil: as many as asked).
    func capacity(above base: Int64 = 0) -> Int64? {
        switch self {
        case .integer(let bits, let unsigned):
            let maximum: Int64 = bits >= 64 ? Int64.max / 2 : (unsigned ? (Int64(1) << bits) - 1 : (Int64(1) << (bits - 1)) - 1)
            return Swift.max(0, maximum - base)
        case .decimal(let precision, let scale):
            guard let precision else { return nil }
            let digits = precision - scale
            guard digits < 18 else { return nil }
            var maximum: Int64 = 1
            for _ in 0..<Swift.max(0, digits) { maximum *= 10 }
            return Swift.max(0, maximum - 1 - base)
        case .boolean: return 2
        case .enumeration(let labels): return Int64(labels.count)
        case .time: return 86_400
        case .year: return 254
        case .bit(let length): return length >= 62 ? nil : Int64(1) << length
        case .text(let maxLength?), .binary(let maxLength?):
            guard maxLength < 18 else { return nil }
            var maximum: Int64 = 1
            for _ in 0..<maxLength { maximum *= 10 }
            return maximum - 1
        default: return nil
        }
    }

    var isInteger: Bool { if case .integer = self { return true } else { return false } }
}
