/// How column names compare: exactly on PostgreSQL, case-insensitively on MySQL.
package struct ColumnNames: Sendable {
    var mysql: Bool

    package func same(_ a: String, _ b: String) -> Bool { mysql ? a.lowercased() == b.lowercased() : a == b }

    /// The key's columns lead the index's columns, in order.
    package func covers(_ indexColumns: [String], _ keyColumns: [String]) -> Bool {
        guard !keyColumns.isEmpty, indexColumns.count >= keyColumns.count else { return false }
        return zip(indexColumns, keyColumns).allSatisfy { same($0, $1) }
    }

    package init(mysql: Bool) {  // memberwise, for the targets above
        self.mysql = mysql
    }
}
