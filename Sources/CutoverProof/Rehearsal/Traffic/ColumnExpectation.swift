/// A column the new app version expects filled for every existing row: a renamed, type-changed
/// or backfilled column. With `source`, only rows whose source column is not NULL must have it.
public struct ColumnExpectation: Sendable, Equatable {
    public var table: String
    public var column: String
    public var source: String?

    public init(table: String, column: String, source: String? = nil) {
        self.table = table
        self.column = column
        self.source = source
    }
}
