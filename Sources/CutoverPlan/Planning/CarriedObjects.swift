/// What hangs on a column that a rename or a rewriting type change replaces with a new column: its
/// indexes, unique constraints, checks and foreign keys (from the base schema and earlier changes). Each
/// is built again on the new column under a temporary name (`<name>_cutover_new`) before the swap, and
/// the swap gives it the original name while the old one retires under the quarantine name, so the
/// final schema has the same objects with the same names, on the new column.
struct CarriedObjects {
    struct Index {
        var original: DatabaseSchema.Index
        /// The index's columns with the replaced column swapped for the new one.
        var columns: [String]
        var predicate: String?
        /// The key list with the column replaced, every key's order, NULLS, operator class, COLLATE and
        /// prefix length kept; nil when the keys are plain names (`columns` then).
        var keyList: String?
        /// PostgreSQL INCLUDE/WITH/NULLS NOT DISTINCT as written, the column replaced in INCLUDE.
        var options = ""
        var newName: String
        var retired: String
    }

    struct Constraint {
        var original: DatabaseSchema.Constraint
        var columns: [String]
        var expression: String?
        var newName: String
        var retired: String
    }

    /// Plain and unique indexes. On MySQL also unique constraints (they are unique indexes there) and the
    /// indexes the server created for foreign keys.
    var indexes: [Index] = []
    /// PostgreSQL unique constraints (index-backed: built concurrently, then attached).
    var uniques: [Constraint] = []
    var checks: [Constraint] = []
    var foreignKeys: [Constraint] = []

    var isEmpty: Bool { indexes.isEmpty && uniques.isEmpty && checks.isEmpty && foreignKeys.isEmpty }

    /// Objects on `table.column`, re-targeted at `replacement` (the new column's name while both exist).
    init(_ context: LoweringContext, table: String, column: String, replacement: String) {
        let names = context.names
        let derived = context.derived
        let engine = context.engine
        func mapped(_ columns: [String]) -> [String] {
            columns.map { item in
                if context.sameName(item, column) { return replacement }
                // An expression index item names the column inside: rebuilt on the new column.
                return LoweringContext.isExpression(item) ? ColumnExpression.rename(item, from: column, to: replacement, engine: engine) : item
            }
        }
        func newName(_ name: String) -> String { names.fit("\(name)_cutover_new") }
        for index in context.indexesUsing(table, column: column) {
            let predicate = (PostgreSQLDialect.whereClause(of: index.definition) ?? index.predicate).map {
                ColumnExpression.rename($0, from: column, to: replacement, engine: engine)
            }
            // The same index with only the column replaced (trial 14j MUST-FIX 2): from the key list and
            // options the model holds, not re-typed from the column names.
            indexes.append(Index(original: index, columns: mapped(index.columns), predicate: predicate,
                                 keyList: index.keyList.map { IndexKeyText.replacing($0, column: column, with: replacement, engine: engine) },
                                 options: IndexKeyText.replacingIncluded(index.options, column: column, with: replacement, engine: engine),
                                 newName: newName(index.name), retired: derived.quarantine(index.name)))
        }
        for constraint in context.constraints(on: table, column: column) {
            var original = constraint
            // Every step that carries a key over, and its down, runs after expand (backfill, complete,
            // contract): a referenced table a later renameTable renames has its new name there.
            original.referencedTable = constraint.referencedTable.map { context.tableName($0, in: .backfill) }
            let carried = Constraint(original: original, columns: mapped(constraint.columns),
                                     expression: constraint.expression.map { ColumnExpression.rename($0, from: column, to: replacement, engine: engine) },
                                     newName: newName(constraint.name), retired: derived.quarantine(constraint.name))
            switch constraint.kind {
            case .primaryKey:
                continue // refused by validation (CUT049): a new column cannot take over the primary key online
            case .unique:
                if engine == .mysql {
                    indexes.append(Index(original: DatabaseSchema.Index(name: constraint.name, table: table, columns: constraint.columns, unique: true,
                                                                        method: nil, definition: ""),
                                         columns: carried.columns, predicate: nil,
                                         keyList: constraint.keyList.map { IndexKeyText.replacing($0, column: column, with: replacement, engine: engine) },
                                         newName: carried.newName, retired: carried.retired))
                } else {
                    uniques.append(carried)
                }
            case .check:
                checks.append(carried)
            case .foreignKey:
                foreignKeys.append(carried)
            }
        }
    }

    /// `REFERENCES "t" ("c") ON DELETE …` of a carried foreign key. `table`: how the referenced table is
    /// named (PostgreSQL: `PostgreSQLBuilder.t`, in the spec's schema); a column is always quoted alone.
    static func referenceClause(_ constraint: DatabaseSchema.Constraint, names: SQLNames, table: ((String) -> String)? = nil) -> String {
        var text = "REFERENCES \((table ?? names.quote)(constraint.referencedTable ?? ""))"
        if !constraint.referencedColumns.isEmpty { text += " (\(names.quoteList(constraint.referencedColumns)))" }
        if !constraint.actions.isEmpty { text += " \(constraint.actions)" }
        return text
    }
}
