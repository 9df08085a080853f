/// The columns expand's rollback keeps instead of dropping: every column an `addColumn` adds holds
/// what the new app version wrote into it, and nothing else has those values (a renamed or retyped
/// column's data is mirrored back into the old column by the `down` triggers, so it is not here).
///
/// The SQL pair of the add stays as it is (its down drops the column, so each pair restores the base
/// schema exactly, as `check-sql` and `verify` prove). The rollback Job runs a built-in step of the
/// runner right before that down: it renames the column to its quarantine name, the same
/// `_cutover_<migration>_<column>` contract gives a dropped column, and the down's `DROP COLUMN IF
/// EXISTS` then finds nothing to drop. Right before the add's own down, every later expand step's
/// down has run: the sync triggers, indexes, constraints, views and version schemas over the column
/// are gone, and the rename touches a column no app version and no object names any more.
///
/// New tables (`createTable`) are not kept: their down drops them. A quarantined table would keep
/// its foreign keys into the base tables, which would then refuse (or cascade) the old version's
/// deletes of referenced rows; see docs/architecture.md.
public struct RollbackQuarantine: Sendable, Equatable {
    public struct Column: Sendable, Equatable {
        /// The expand step whose up adds the column (its down drops it).
        public var step: Int
        public var table: String
        public var column: String
        /// Where the rollback keeps it: `DerivedNames.quarantine(column)`.
        public var quarantine: String
        /// Whether the spec fills it with `up` (a trigger filled the NULLs a version left).
        public var filled: Bool
    }

    public var columns: [Column]

    public init(_ plan: MigrationPlan) {
        guard plan.spec.strategy == .expandContract else { columns = []; return }
        let derived = DerivedNames(names: SQLNames(engine: plan.spec.database.engine), migrationName: plan.spec.name)
        // The first expand step of each change, in one pass (a search per change was quadratic: 1,000
        // changes made generate three times slower, since every emitter asks for the quarantine).
        var firstExpand: [Int: Int] = [:]
        for index in plan.steps.indices where plan.steps[index].phase == .expand {
            if let change = plan.steps[index].changeIndex, firstExpand[change] == nil { firstExpand[change] = plan.steps[index].number }
        }
        var columns: [Column] = []
        for change in plan.spec.changes {
            guard let add = change.operation.unit(AddColumn.self),
                  // The first expand step of the change is the one that adds the column.
                  let step = firstExpand[change.index] else { continue }
            columns.append(Column(step: step, table: add.table.value, column: add.column.name.value,
                                  quarantine: derived.quarantine(add.column.name.value), filled: add.up != nil))
        }
        self.columns = columns
        byStep = Dictionary(columns.map { ($0.step, $0) }, uniquingKeysWith: { first, _ in first })
    }

    private var byStep: [Int: Column] = [:]

    /// The column the rollback quarantines right before `step`'s down, if any.
    public func column(before step: PlanStep) -> Column? {
        byStep[step.number]
    }

    /// table → added column → its quarantine name.
    public var byTable: [String: [String: String]] {
        var out: [String: [String: String]] = [:]
        for column in columns { out[column.table, default: [:]][column.column] = column.quarantine }
        return out
    }
}
