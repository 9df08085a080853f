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
        switch engine {
        case .postgresql: return postgres(column.dataType, labels: column.enumLabels)
        case .mysql: return mariadb(column.dataType, labels: column.enumLabels)
        }
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
