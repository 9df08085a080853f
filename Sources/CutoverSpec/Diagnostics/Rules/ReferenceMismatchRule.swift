extension RuleID {
    public static let referenceMismatch = RuleID("CUT049")
}

/// CUT049 `reference-mismatch`: a foreign key, checksum, backfill or column replacement does not fit the table's keys.
package enum ReferenceMismatchRule: RuleUnit {
    package static let rule = Rule(
        id: .referenceMismatch, name: "reference-mismatch", severity: .error, checkedBy: [.references],
        summary: "a foreign key, checksum, backfill or column replacement does not fit the table's keys",
        rationale: "A foreign key needs as many columns as it references, and must reference a primary or unique key; 'set null' needs nullable columns. Checksums compare primary-key ranges and batched backfills walk the primary key, so checksummed tables and tables a change backfills (a NOT NULL column filled by 'up', a rename, a type change that rewrites) need a primary key. A rename or rewriting type change moves the data to a new column and retires the old one, so it cannot apply to a primary-key column or a column that foreign keys reference.",
        triggering: [RuleExample(Snippets.spec(changes: Snippets.fkChange.replacingOccurrences(of: "columns: [id]", with: "columns: [id, region]"))).expecting((23, 21))],
        nonTriggering: [RuleExample(Snippets.spec(changes: Snippets.fkChange))])
}

extension Message {
    public static func foreignKeyCount(_ count: Int, _ referenced: [String]) -> String {
        let list = referenced.map { "'\($0)'" }.joined(separator: ", ")
        return "the foreign key has \(count) column\(count == 1 ? "" : "s") but references \(referenced.count) (\(list)); the counts must match"
    }
    public static func referencedNotUnique(_ columns: [String], table: String) -> String {
        let list = columns.map { "'\($0)'" }.joined(separator: ", ")
        return "\(list) of table '\(table)' is neither its primary key nor a unique key; a foreign key must reference one"
    }
    public static func setNullOnNotNull(_ column: String) -> String {
        "onDelete 'set null' cannot work: column '\(column)' is NOT NULL"
    }
    public static func checksumWithoutPrimaryKey(_ table: String) -> String {
        "table '\(table)' has no primary key; checksums compare primary-key ranges"
    }
    public static func backfillWithoutPrimaryKey(_ table: String, work: String) -> String {
        "table '\(table)' has no primary key; \(work) walks the table by primary key: add one first"
    }
    public static func replacesPrimaryKey(_ column: String, table: String, what: String) -> String {
        "'\(column)' is part of the primary key of '\(table)'; \(what) moves its data to a new column, which cannot take over the primary key online"
    }
    public static func nullablePrimaryKeyColumn(_ column: String, table: String) -> String {
        "'\(column)' is part of the primary key of '\(table)', whose columns are NOT NULL (both engines refuse to drop it there): drop or change the primary key first (dropPrimaryKey, addPrimaryKey)"
    }
    public static func nullableIdentityColumn(_ column: String, table: String) -> String {
        "'\(table).\(column)' is an identity column, which is NOT NULL (PostgreSQL: column is an identity column): drop the identity first (setIdentity identity: none)"
    }
    public static func replacesReferencedColumn(_ column: String, table: String, what: String, foreignKey: String, from other: String) -> String {
        "'\(table).\(column)' is referenced by foreign key '\(foreignKey)' of table '\(other)'; \(what) moves its data to a new column and the foreign key would stay on the retired one"
    }
}
