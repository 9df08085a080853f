/// How column names compare: exactly on PostgreSQL, case-insensitively on MySQL.
struct ColumnNames: Sendable {
    var mysql: Bool

    func same(_ a: String, _ b: String) -> Bool { mysql ? a.lowercased() == b.lowercased() : a == b }

    /// The key's columns lead the index's columns, in order.
    func covers(_ indexColumns: [String], _ keyColumns: [String]) -> Bool {
        guard !keyColumns.isEmpty, indexColumns.count >= keyColumns.count else { return false }
        return zip(indexColumns, keyColumns).allSatisfy { same($0, $1) }
    }
}
