/// The tables an app version knows, as read from the catalog of the schema it was written for.
public struct AppShape: Sendable, Equatable {
    public var tables: [TableShape]

    public init(tables: [TableShape]) { self.tables = tables }

    public func table(_ name: String) -> TableShape? { tables.first { $0.name == name } }

    /// Without cutover's own objects: tables and columns named `_cutover*` (quarantined columns,
    /// bookkeeping tables) are not part of any app version's shape. Keys, uniques, foreign keys and
    /// checks that mention a dropped column go with it.
    public func excludingInternal() -> AppShape {
        func isInternal(_ name: String) -> Bool { name.lowercased().hasPrefix("_cutover") }
        return AppShape(tables: tables.filter { !isInternal($0.name) }.map { table in
            var copy = table
            copy.columns = table.columns.filter { !isInternal($0.name) }
            let dropped = Set(table.columns.map(\.name).filter(isInternal))
            if table.primaryKey.contains(where: dropped.contains) { copy.primaryKey = [] }
            copy.uniques = table.uniques.filter { !$0.contains(where: dropped.contains) }
            copy.foreignKeys = table.foreignKeys.filter { !$0.columns.contains(where: dropped.contains) && !isInternal($0.referencedTable) }
            copy.checks = table.checks.filter { check in !dropped.contains { check.contains($0) } }
            return copy
        })
    }
}
