/// A table as the app sees it: columns in catalog order, keys and constraints in a fixed order.
public struct TableShape: Sendable, Equatable {
    public var name: String
    public var columns: [ColumnShape]
    public var primaryKey: [String]
    /// Unique constraints and unique indexes on plain columns (not the primary key), sorted.
    public var uniques: [[String]]
    public var foreignKeys: [ForeignKeyShape]
    /// Check expressions as the catalog prints them, without `CHECK` and `NOT VALID`, sorted.
    public var checks: [String]
    /// How a partitioned table routes rows to its partitions (nil: not partitioned).
    public var partition: PartitionShape?

    public init(name: String, columns: [ColumnShape], primaryKey: [String], uniques: [[String]],
                foreignKeys: [ForeignKeyShape], checks: [String], partition: PartitionShape? = nil) {
        self.partition = partition
        self.name = name
        self.columns = columns
        self.primaryKey = primaryKey
        self.uniques = uniques
        self.foreignKeys = foreignKeys
        self.checks = checks
    }

    public func column(_ name: String) -> ColumnShape? { columns.first { $0.name == name } }

    /// The columns that identify a row: the primary key, else the first unique set of NOT NULL columns.
    public var keyColumns: [String] {
        if !primaryKey.isEmpty { return primaryKey }
        return uniques.first { set in set.allSatisfy { column($0).map { !$0.nullable } ?? false } } ?? []
    }

    /// Column names that belong to the primary key or to a unique set.
    var uniqueColumns: Set<String> { Set(primaryKey + uniques.flatMap { $0 }) }
}
