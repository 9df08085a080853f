/// `dropColumn`, in contract: the column is renamed to a quarantine name (`_cutover_<migration>_<column>`),
/// so the data stays for a rollback; the opt-in purge drops it. A NOT NULL column without a default is
/// relaxed in expand (the new app version stops writing it), refilled with the spec's `down` by a
/// trigger for the old version's reads, refilled again by the rollback of contract for rows inserted after
/// contract, and made NOT NULL again by the rollback of expand. MySQL also drops the checks
/// on the column in the same ALTER (8.0.19+ refuses to rename a column a check uses).
struct DropColumn: OperationUnit {
    var table: Name
    var column: Name
    var down: Located<String>?

    static let keyword = "dropColumn"

    static let field = Field("dropColumn", .object(ObjectShape("dropColumn", "retire a column (contract)", [
        Field("table", SpecShape.identifier, required: true, "table to alter"),
        Field("column", SpecShape.identifier, required: true, "column to retire"),
        Field("down", SpecShape.expression, "expression that refills the column on rollback"),
    ])), "retire a column: renamed to a quarantine name in the contract phase, dropped only by the opt-in purge")

    static func read(_ node: SyntaxNode, _ reader: SpecBuilder) -> DropColumn? {
        guard let table = reader.name(node["table"]), let column = reader.name(node["column"]) else { return nil }
        return DropColumn(table: table, column: column, down: reader.located(node["down"]))
    }

    /// A NOT NULL column without a default, refilled by the spec's down.
    static let examples = [
        OperationExample(engine: .postgresql, schema: OperationExample.pricing,
                         changes: "    - dropColumn:\n        table: pricing\n        column: amount\n        down: \"0\"\n"),
        OperationExample(engine: .mysql, schema: OperationExample.pricingMySQL,
                         changes: "    - dropColumn:\n        table: pricing\n        column: amount\n        down: \"0\"\n"),
    ]

    var tables: [Name] { [table] }
    var existingColumns: [(table: Name, column: Name)] { [(table, column)] }
    /// Contract quarantines the column.
    func tableWithLaterSteps(engine: MigrationSpec.Engine) -> Name? { table }

    /// CUT041/CUT042 for an unknown table or column, CUT052 for a column changed twice, CUT053 for a NOT
    /// NULL column without a default or a down (the rollback cannot refill it).
    func check(_ rules: inout ReferenceRules, change: Change) {
        let line = change.location.line
        guard rules.requireTable(table), rules.requireColumn(column, of: table.value) else { return }
        rules.requireExpressionColumns(down, of: table.value)
        rules.changing(table.value, column, "dropColumn", line: line)
        let key = rules.schema.columnKey(column.value)
        if down == nil, let state = rules.schema.tables[table.value]?.columns[key], state.nullable == false, state.hasDefault == false,
           !state.isIdentity {
            rules.report(.unsafeRollback, Message.dropNotNullWithoutDown(column.value), column)
        }
        rules.schema.update(table.value) { state in
            state.columns[key] = nil
            state.gone[key] = "it was dropped at line \(line)"
        }
    }

    func lower(_ r: Recipe) -> [StepDraft] {
        let table = self.table.value, column = self.column.value, down = self.down?.value
        return r.engine == .postgresql ? postgres(table, column, down: down, change: r.change, r.postgres)
                                       : mysql(table, column, down: down, change: r.change, r.mysql)
    }

    /// Nothing: the quarantined column still counts for verify, and Validation keeps the name gone.
    func apply(to schema: inout DatabaseSchema, engine: MigrationSpec.Engine) {}

    /// Each engine's column step library (fill triggers, NOT NULL, quarantine purge, carry-over), shared
    /// with the other column operations.
    private var pg: PostgreSQLDialect { PostgreSQLDialect() }
    private var my: MySQLDialect { MySQLDialect() }

    // MARK: PostgreSQL

    func postgres(_ table: String, _ column: String, down: String?, change: Int, _ b: PostgreSQLBuilder) -> [StepDraft] {
        let context = b.context
        let quarantine = context.derived.quarantine(column)
        var steps: [StepDraft] = []
        let info = context.column(table, column)
        if let info, refills(info) {
            steps.append(StepDraft(.expand, slug: "relax \(table) \(column)", title: "let \(table).\(column) accept NULL (it is being retired)", change: change,
                                   up: b.relaxNotNull(table, column, checkName: context.derived.notNullCheck(table: table, column: column),
                                                      reason: "metadata-only, and DROP NOT NULL is a no-op when the column is already nullable",
                                                      comment: "The column is going away: new app versions stop writing it, so it must accept NULL first."),
                                   down: pg.restoreNotNull(table, column, refill: down, b)))
        }
        if let down {
            // The new version stops writing the column; rows it writes get the spec's down so the old version reads them complete.
            var fill = pg.fillTrigger(table, column, value: down, who: "the new app version", change: change, b, insertOnly: true)
            if refills(info) {
                Self.refillOnRollback(&fill, table, column, b.backfill(table: table, assignments: "\(b.q(column)) = (\(down))",
                                                                       pending: "\(b.q(column)) IS NULL", comment: Self.rollbackRefillComment))
            }
            steps += fill
        }
        steps.append(StepDraft(.contract, slug: "quarantine \(table) \(column)", title: "quarantine column \(table).\(column) as \(quarantine)", change: change,
                               up: [SQLStatement(b.renameColumn(table, from: column, to: quarantine),
                                                 comment: "Quarantine instead of DROP: rename to _cutover_<migration>_<column>; the data stays for rollback.\n(RENAME inside DO: squawk's renaming-column does not see it; safe because contract runs after every app version stopped using the column.)")],
                               down: [SQLStatement(b.renameColumn(table, from: quarantine, to: column))]))
        if context.spec.purge {
            steps.append(pg.purgeColumn(table, quarantine: quarantine, type: info?.type, change: change, b))
        }
        return steps
    }

    // MARK: rollback from contract

    /// Whether expand relaxes the column (NOT NULL without a default, not an identity): only then does a
    /// rollback put NOT NULL back, and only then is a NULL one nothing filled (a nullable column may hold
    /// NULL by right, which no refill can tell from a row written after contract).
    private func refills(_ info: DatabaseSchema.Column?) -> Bool {
        guard let info else { return false }
        return !info.nullable && info.defaultValue == nil && !info.isIdentity
    }

    /// The rollback of contract refills the restored column with the spec's `down` (issue #14, trial
    /// 14h). Between contract and its rollback the column sits under its quarantine name, nullable since
    /// expand, and nothing fills it: every row the new version inserts holds NULL there. The rollback of
    /// contract renames the column back, then the unsync step's down re-creates the fill trigger; the
    /// refill follows in that same down, so it runs after the trigger is back: it walks the keys up to
    /// the last one present when it starts, and the trigger fills every row inserted later. Before, the
    /// rows stayed NULL until the rollback of expand, after the old version already served again and
    /// read NULL in a column it knows as NOT NULL. NOT NULL itself stays with the rollback of expand
    /// (docs/architecture.md). The refill's batches commit one by one, so the step leaves its transaction.
    private static func refillOnRollback(_ fill: inout [StepDraft], _ table: String, _ column: String, _ refill: [SQLStatement]) {
        guard let unsync = fill.firstIndex(where: { $0.phase == .contract }) else { return }
        fill[unsync].down += refill
        fill[unsync].title += " (its rollback refills the rows NULL there with the spec's down)"
    }

    static let rollbackRefillComment = "Rows the new app version inserted after contract hold NULL in the restored column (nothing filled it under its\nquarantine name): refill them with the spec's down before the old version serves again; the fill trigger above\nfills the rows inserted from now on."

    // MARK: MySQL

    func mysql(_ table: String, _ column: String, down: String?, change: Int, _ b: MySQLBuilder) -> [StepDraft] {
        let context = b.context
        let quarantine = context.derived.quarantine(column)
        let info = context.column(table, column)
        var steps: [StepDraft] = []
        if let info, refills(info) {
            var restore: [SQLStatement] = []
            if let down {
                restore += b.backfill(table: table, column: column, verb: "refill", assignments: "\(b.q(column)) = (\(down))", pending: "\(b.q(column)) IS NULL",
                                      comment: "Refill rows written while the column was nullable (the spec's down expression), then restore NOT NULL.")
                restore.append(SQLStatement(b.modify(table, column, type: info.type, nullable: false, defaultValue: nil, keeping: info, condition: "is_nullable = 'YES'")))
            } else {
                restore += b.restoreNotNullKeepingRows(table, column, type: info.type, defaultValue: nil, keeping: info)
            }
            steps.append(StepDraft(.expand, slug: "relax \(table) \(column)", title: "let \(table).\(column) accept NULL (it is being retired)", change: change,
                                   up: [SQLStatement(b.modify(table, column, type: info.type, nullable: true, defaultValue: nil, keeping: info, condition: "is_nullable = 'NO'"),
                                                     comment: "The column is going away: new app versions stop writing it, so it must accept NULL first (INPLACE rebuild, DML allowed).")],
                                   down: restore, transactional: false))
        }
        if let down {
            // The new version stops writing the column; rows it writes get the spec's down so the old version reads them complete.
            var fill = my.fillTriggers(table, column, value: down, who: "the new app version", change: change, b, insertOnly: true)
            if refills(info) {
                Self.refillOnRollback(&fill, table, column, b.backfill(table: table, column: column, verb: "refill", assignments: "\(b.q(column)) = (\(down))",
                                                                       pending: "\(b.q(column)) IS NULL", comment: Self.rollbackRefillComment))
            }
            steps += fill
        }
        let checks = context.constraints(on: table, column: column).filter { $0.kind == .check }
        var restoreChecks: [SQLStatement] = []
        for check in checks {
            restoreChecks.append(SQLStatement(my.addCheckIfMissing(table, check.name, check.expression ?? "true", b),
                                              comment: "Re-add check \(check.name) (NOT ONLINE: table copy, writes blocked; rollback only).", kind: .tableCopy(table: table)))
        }
        steps.append(StepDraft(.contract, slug: "quarantine \(table) \(column)", title: "quarantine column \(table).\(column) as \(quarantine)" + (checks.isEmpty ? "" : MySQLDialect.rollbackCopyTitle), change: change,
                               up: [SQLStatement(b.renameColumn(table, from: column, to: quarantine, also: checks.map { "DROP CONSTRAINT \(b.q($0.name))" }),
                                                 comment: "Quarantine instead of DROP COLUMN: the data stays for rollback."
                                                    + (checks.isEmpty ? "" : "\nMySQL 8.0.19+ refuses to rename a column a check uses: the checks on it are dropped in the same ALTER."))],
                               down: [SQLStatement(b.renameColumn(table, from: quarantine, to: column))] + restoreChecks))
        if context.spec.purge {
            steps.append(my.purgeColumn(table, column: column, quarantine: quarantine, change: change, b))
        }
        return steps
    }
}
