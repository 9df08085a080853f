/// `renameTable`: in expand the table takes its new name and a `SELECT *` view keeps the old one (simple
/// views are updatable, so the old app version keeps reading and writing it); contract drops the view.
/// The old name exists at every moment (spec-language.md, Phases): PostgreSQL renames and creates the view
/// in one transaction; MySQL commits each DDL, so its renderer puts the view in place first and swaps
/// names in one atomic multi-table RENAME TABLE (`MySQLRenderer`).
struct RenameTable: OperationRecipe {
    var from: String
    var to: String

    func lower(_ r: Recipe) -> [StepDraft] {
        return [
            StepDraft(.expand, slug: "rename_table \(from)",
                      title: "rename table \(from) to \(to), with a compatibility view \(from)", change: r.change,
                      up: [SQLStatement(.renameTableLeavingView(from: from, to: to))],
                      down: [SQLStatement(.undoRenameTableLeavingView(from: from, to: to))]),
            StepDraft(.contract, slug: "rename_table \(from) drop_view", title: "drop the compatibility view \(from)", change: r.change,
                      up: [SQLStatement(.dropCompatibilityView(name: from))],
                      down: [SQLStatement(.compatibilityView(name: from, table: to))]),
        ]
    }

    /// The table, its indexes and constraints, and foreign keys that reference it follow the new name.
    func apply(to schema: inout DatabaseSchema, engine: MigrationSpec.Engine) {
        if let index = schema.tables.firstIndex(where: { $0.name == from }) { schema.tables[index].name = to }
        for i in schema.indexes.indices where schema.indexes[i].table == from { schema.indexes[i].table = to }
        for i in schema.constraints.indices {
            if schema.constraints[i].table == from { schema.constraints[i].table = to }
            if schema.constraints[i].referencedTable == from { schema.constraints[i].referencedTable = to }
        }
    }
}
