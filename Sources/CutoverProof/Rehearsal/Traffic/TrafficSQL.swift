import CutoverPlan
import Foundation

/// Identifier and literal quoting for one engine, and the one-column JSON rows the traffic
/// library reads back: every query it sends returns a single JSON array per row, so a value
/// with a newline, a tab or a separator cannot split or shift a row in any session implementation.
struct TrafficSQL: Sendable {
    let engine: MigrationSpec.Engine

    init(_ engine: MigrationSpec.Engine) { self.engine = engine }

    func identifier(_ name: String) -> String {
        switch engine {
        case .postgresql: return PostgresIdentifier.quote(name)
        case .mysql: return MariaDBSession.quoteIdentifier(name)
        }
    }

    /// A string literal. MariaDB's default sql_mode reads backslashes as escapes, so they are doubled.
    func literal(_ text: String) -> String {
        switch engine {
        case .postgresql: return PostgresIdentifier.literal(text)
        case .mysql:
            return "'" + text.doublingScalars("\\", "'") + "'"
        }
    }

    /// `SELECT json-array-of(expressions)`: the expression of one JSON array text per row.
    func jsonArray(_ expressions: [String]) -> String {
        switch engine {
        case .postgresql: return "json_build_array(\(expressions.joined(separator: ", ")))::text"
        case .mysql: return "JSON_ARRAY(\(expressions.joined(separator: ", ")))"
        }
    }

    /// A column's value as text (NULL stays NULL), the way keys are carried between statements.
    func text(_ expression: String) -> String {
        switch engine {
        case .postgresql: return "(\(expression))::text"
        case .mysql: return "CAST(\(expression) AS CHAR)"
        }
    }

    /// The row count of `table` (with an optional condition).
    func count(_ table: String, where condition: String? = nil, session: SQLSession) throws -> Int64 {
        let statement = "SELECT \(jsonArray([text("count(*)")])) FROM \(identifier(table))" + (condition.map { " WHERE \($0)" } ?? "")
        guard let first = try Self.rows(session.query(statement)).first, let value = first.first ?? nil, let count = Int64(value) else {
            throw SQLFailure("no row count from \(table)")
        }
        return count
    }

    /// Rows of a query whose one column is `jsonArray(...)`, decoded to strings (NULL as nil).
    static func rows(_ lines: [String]) throws -> [[String?]] {
        try lines.filter { !$0.isEmpty }.map { line in
            guard let value = try? JSONSerialization.jsonObject(with: Data(line.utf8), options: [.fragmentsAllowed]),
                  let array = value as? [Any] else {
                throw SQLFailure("unexpected row from the server (not a JSON array): \(line.prefix(200))")
            }
            return array.map(Self.string)
        }
    }

    static func string(_ value: Any) -> String? {
        switch value {
        case is NSNull: return nil
        case let text as String: return text
        case let number as NSNumber: return number.stringValue
        case let array as [Any]:
            return String(decoding: (try? JSONSerialization.data(withJSONObject: array, options: [.fragmentsAllowed])) ?? Data(), as: UTF8.self)
        case let object as [String: Any]:
            return String(decoding: (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data(), as: UTF8.self)
        default: return "\(value)"
        }
    }

    /// A WHERE condition matching one row by its key values (text literals; both engines convert
    /// them to the column's type), NULL-safe.
    func keyCondition(_ columns: [String], _ values: [String?]) -> String {
        zip(columns, values).map { column, value in
            guard let value else { return "\(identifier(column)) IS NULL" }
            return "\(identifier(column)) = \(literal(value))"
        }.joined(separator: " AND ")
    }
}
