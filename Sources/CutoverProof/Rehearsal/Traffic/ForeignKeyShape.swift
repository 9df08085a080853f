/// A foreign key: `columns` of the owning table reference `referencedColumns` of `referencedTable`.
public struct ForeignKeyShape: Sendable, Equatable {
    public var columns: [String]
    public var referencedTable: String
    public var referencedColumns: [String]

    public init(columns: [String], referencedTable: String, referencedColumns: [String]) {
        self.columns = columns
        self.referencedTable = referencedTable
        self.referencedColumns = referencedColumns
    }
}
