/// `renameTable`. Neither app version may ever miss the name it uses (spec-language.md, Phases), so the
/// lowering depends on whether DDL is transactional:
/// - PostgreSQL: in expand the table takes its new name and a `SELECT *` view keeps the old one (simple
///   views are updatable, so the old app version keeps reading and writing it), both in one transaction;
///   contract drops the view.
/// - MySQL commits each DDL, so a rename followed by CREATE VIEW leaves the old name missing between the
///   two statements. Instead expand only adds an updatable `ALGORITHM=MERGE` view under the NEW name over
///   the table (the old version keeps the table; the new version writes through the view, AUTO_INCREMENT
///   and LAST_INSERT_ID() included), and contract, once no pod of the old version serves, swaps view and
///   table in one atomic `RENAME TABLE`. Each down mirrors its up without a gap for the version serving then.
struct RenameTable: OperationRecipe {
    var from: String
    var to: String

    func lower(_ r: Recipe) -> [StepDraft] {
        guard r.capabilities.transactionalDDL else { return lowerBySwap(r) }
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

    /// MySQL: view under the new name in expand, atomic swap in contract (see the type's comment).
    private func lowerBySwap(_ r: Recipe) -> [StepDraft] {
        let names = r.context.derived
        return [
            StepDraft(.expand, slug: "rename_table \(from)",
                      title: "rename table \(from) to \(to): view \(to) over table \(from) until contract", change: r.change,
                      up: [SQLStatement(.viewUnderNewName(table: from, view: to))],
                      down: [SQLStatement(.dropCompatibilityView(name: to))]),
            StepDraft(.contract, slug: "rename_table \(from) swap",
                      title: "rename table \(from) to \(to): swap it for view \(to) in one atomic RENAME TABLE", change: r.change,
                      up: [SQLStatement(.swapViewForTable(table: from, view: to, parked: names.parked(to)))],
                      down: [SQLStatement(.unswapViewForTable(table: from, view: to, parkedView: names.parked(to), parkedTable: names.parked(from)))]),
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
