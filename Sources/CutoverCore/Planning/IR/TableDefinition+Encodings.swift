extension TableDefinition {
    /// InnoDB refuses a foreign key between text columns of different character sets or collations
    /// (errno 150): a new table's own collation (`MySQLRenderer.tableOptions`) is not the one of a table MySQL 8
    /// created with its default (`utf8mb4_0900_ai_ci`) or an older one. So a text column that references
    /// a column of the schema takes that column's character set and collation, as the dump states them.
    mutating func matchReferencedEncodings(in schema: DatabaseSchema) {
        var keys: [(columns: [String], table: String, referenced: [String])] = []
        for c in columns {
            if case .foreignKey(let columns, let table, let referenced, _)? = c.references?.kind { keys.append((columns, table, referenced)) }
        }
        for constraint in constraints {
            if case .foreignKey(let columns, let table, let referenced, _) = constraint.kind { keys.append((columns, table, referenced)) }
        }
        for key in keys {
            guard let table = schema.table(key.table) else { continue }
            for (column, target) in zip(key.columns, key.referenced) {
                guard let index = columns.firstIndex(where: { $0.name == column }), case let type = columns[index].type, Self.isText(type),
                      !type.uppercased().contains("CHARACTER SET"), !type.uppercased().contains("COLLATE"), !type.uppercased().contains("CHARSET"),
                      let referenced = table.columns.first(where: { $0.name.lowercased() == target.lowercased() }) else { continue }
                let charset = referenced.charset ?? table.charset
                let collation = referenced.collation ?? (referenced.charset == nil ? table.collation : nil)
                guard let charset else { continue }
                columns[index].encoding = "CHARACTER SET \(charset)" + (collation.map { " COLLATE \($0)" } ?? "")
            }
        }
    }

    static func isText(_ type: String) -> Bool {
        let head = type.uppercased().prefix { $0.isLetter }
        return ["CHAR", "VARCHAR", "TEXT", "TINYTEXT", "MEDIUMTEXT", "LONGTEXT", "ENUM", "SET"].contains(String(head))
    }

}
