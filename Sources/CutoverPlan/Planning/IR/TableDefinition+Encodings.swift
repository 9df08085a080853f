extension TableDefinition {
    /// InnoDB refuses a foreign key between text columns of different character sets or collations
    /// (errno 150), and a new table's own collation (`MySQLRenderer.tableOptions`) is not the one of a
    /// table MySQL 8 created with its default (`utf8mb4_0900_ai_ci`) or an older one. So a text column
    /// that references another takes that column's character set and collation, read from the server
    /// when the Job runs: what the server has, whatever the dump said or the server is called
    /// (MariaDB standing in for MySQL 8 knows the 0900 collations under other names).
    mutating func matchReferencedEncodings() {
        var keys: [(columns: [String], table: String, referenced: [String])] = []
        for c in columns {
            if case .foreignKey(let columns, let table, let referenced, _)? = c.references?.kind { keys.append((columns, table, referenced)) }
        }
        for constraint in constraints {
            if case .foreignKey(let columns, let table, let referenced, _) = constraint.kind { keys.append((columns, table, referenced)) }
        }
        for key in keys {
            for (column, target) in zip(key.columns, key.referenced) {
                guard let index = columns.firstIndex(where: { $0.name == column }), case let type = columns[index].type, Self.isText(type),
                      !type.uppercased().contains("CHARACTER SET"), !type.uppercased().contains("COLLATE"), !type.uppercased().contains("CHARSET")
                else { continue }
                columns[index].encodingOf = ColumnReference(table: key.table, column: target)
            }
        }
    }

    static func isText(_ type: String) -> Bool {
        let head = type.uppercased().prefix { $0.isLetter }
        return ["CHAR", "VARCHAR", "TEXT", "TINYTEXT", "MEDIUMTEXT", "LONGTEXT", "ENUM", "SET"].contains(String(head))
    }
}
