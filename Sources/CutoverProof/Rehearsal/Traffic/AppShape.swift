import CutoverPlan

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

    /// The new version as the rehearsal plays it also keeps its rows valid under the base schema's
    /// constraints on tables and columns it still has (those a `dropConstraint` drops): while the old
    /// version serves and while a rollback puts a constraint back, it is there, so an app that wrote
    /// what it refuses would fail then. A new version that relies on the drop is for after contract.
    /// `tableRenames` (new name: old name) and `columnRenames` (table: new column: old column) find a
    /// renamed table's or column's constraints under their old names in `base`.
    public func keepingConstraints(of base: AppShape, tableRenames: [String: String] = [:],
                                   columnRenames: [String: [String: String]] = [:], engine: MigrationSpec.Engine = .postgresql) -> AppShape {
        let newTableName = Dictionary(tableRenames.map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        func newColumns(_ table: String) -> [String: String] {  // old column: new column, for a table's new name
            let old = tableRenames[table] ?? table
            let renames = (columnRenames[table] ?? [:]).merging(columnRenames[old] ?? [:]) { first, _ in first }
            return Dictionary(renames.map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        }
        return AppShape(tables: tables.map { table in
            guard let old = base.table(tableRenames[table.name] ?? table.name) else { return table }
            var copy = table
            let has = Set(table.columns.map(\.name))
            let renamed = newColumns(table.name)
            let current = { (columns: [String]) in columns.map { renamed[$0] ?? $0 } }
            for unique in old.uniques.map(current) where unique.allSatisfy(has.contains) && unique != table.primaryKey && !copy.uniques.contains(unique) {
                copy.uniques.append(unique)
            }
            for var key in old.foreignKeys {
                key.columns = current(key.columns)
                let parentName = newTableName[key.referencedTable] ?? key.referencedTable
                let parentRenamed = newColumns(parentName)
                key.referencedTable = parentName
                key.referencedColumns = key.referencedColumns.map { parentRenamed[$0] ?? $0 }
                guard key.columns.allSatisfy(has.contains), !copy.foreignKeys.contains(key),
                      self.table(key.referencedTable).map({ parent in key.referencedColumns.allSatisfy { parent.column($0) != nil } }) == true else { continue }
                copy.foreignKeys.append(key)
            }
            // A column the base schema makes the app fill that the migration lets the server fill (setIdentity, in
            // contract): the old version writes it until then, so the new version does too; relying on it is for after contract.
            for (i, column) in copy.columns.enumerated() where column.generated {
                if let before = old.column(renamed.first { $0.value == column.name }?.key ?? column.name), !before.generated, !before.hasDefault {
                    copy.columns[i].generated = false
                    copy.columns[i].hasDefault = false
                }
            }
            for var check in old.checks where !copy.checks.contains(check) && old.columns.allSatisfy({ !check.contains($0.name) || has.contains($0.name) }) {
                // A check on a column the migration retypes holds for the old column, which the sync
                // fills from the new version's value: it applies to that value's text form, where the
                // old type is text (`starts_on ~ '^20…'` on a text → date retype: the new version's
                // insert guarded with it read `date ~ text`, trial 14d). With another old type the
                // check cannot be carried over to the new type; it is left out.
                var applies = true
                for column in old.columns where ColumnKind.mentions(check, column.name) {
                    guard let now = table.column(column.name), now.dataType != column.dataType else { continue }
                    guard case .text = ColumnKind.of(column, in: nil, engine: engine) else { applies = false; break }
                    let textType = engine == .mysql ? "CHAR" : column.dataType
                    check = ColumnKind.replacingMentions(check, column.name) { "CAST(\($0) AS \(textType))" }
                }
                guard applies, !copy.checks.contains(check) else { continue }
                copy.checks.append(check)
            }
            return copy
        })
    }
}
