/// PostgreSQL lowering of the column operations not yet written once for both engines in `Operations/`
/// (addColumn, dropColumn, renameColumn, alterColumn; the others are delegated there): metadata-only DDL
/// where PostgreSQL allows it, CONCURRENTLY index builds in files of their own, NOT VALID constraints
/// validated in a later step, new column + triggers + batched backfill + swap for rewrites and renames,
/// quarantine renames instead of drops.
public struct PostgreSQLDialect: SQLDialect {
    public init() {}

    public func lower(_ change: Change, context: LoweringContext) -> [StepDraft] {
        let b = PostgreSQLBuilder(context: context)
        let i = change.index
        switch change.operation {
        case .addColumn(let table, let column, let up):
            return addColumn(table.value, column, up: up?.value, change: i, b)
        case .dropColumn(let table, let column, let down):
            return dropColumn(table.value, column.value, down: down?.value, change: i, b)
        case .renameColumn(let table, let from, let to):
            return renameColumn(table.value, from: from.value, to: to.value, change: i, b)
        case .alterColumn(let alter):
            return PostgreSQLAlterColumn(b: b, alter: alter, change: i).lower()
        default:
            // Written once for both engines in Operations/ (OperationRecipes lists them).
            return OperationRecipes.lower(change, context: context)
        }
    }

    public func blueGreen(context: LoweringContext) -> [StepDraft] {
        PostgreSQLReplication(b: PostgreSQLBuilder(context: context)).steps()
    }

    // MARK: addColumn

    func columnDefinition(_ column: ColumnDefinition, withDefault: Bool, notNull: Bool) -> String {
        var text = column.type.value
        if notNull { text += " NOT NULL" }
        if withDefault, let value = column.defaultValue { text += " DEFAULT \(value.value)" }
        return text
    }

    func addColumn(_ table: String, _ column: ColumnDefinition, up upValue: String?, change: Int, _ b: PostgreSQLBuilder) -> [StepDraft] {
        let name = column.name.value
        let lints = b.typeLints(column.type.value, reason: "the column type is the one the spec asks for (a type preference, not a locking hazard)")
        let volatile = column.defaultValue.map { SQLTypeFacts.isVolatileDefault($0.value) } ?? false
        let constantDefault = column.defaultValue != nil && !volatile
        // One metadata-only statement: nullable, or NOT NULL with a constant default, and no `up` to fill rows with.
        let simple = (column.nullable || constantDefault) && upValue == nil
        var steps: [StepDraft] = []
        let slug = "add_column \(table) \(name)"
        if simple {
            steps.append(StepDraft(.expand, slug: slug, title: "add column \(table).\(name)", change: change,
                                   up: [SQLStatement(b.addColumn(table, name, columnDefinition(column, withDefault: true, notNull: !column.nullable)),
                                                     suppressions: lints)],
                                   down: [b.dropAddedColumn(table, name)]))
        } else {
            let why = upValue != nil
                ? "Filled with the spec's up: add nullable without a default, a trigger fills rows the old version writes, the backfill fills existing rows."
                : volatile ? "The default is volatile (evaluated per row): add the column without it, set it for new rows, backfill existing rows in batches."
                           : "NOT NULL without a default: add nullable, backfill in batches, then enforce NOT NULL without a long lock."
            var up = [SQLStatement(b.addColumn(table, name, column.type.value), comment: why, suppressions: lints)]
            // With `up`, the default is set in complete: until then the trigger, not a default, fills what the old version leaves out.
            if volatile, upValue == nil, let value = column.defaultValue {
                up.append(SQLStatement("ALTER TABLE \(b.q(table)) ALTER COLUMN \(b.q(name)) SET DEFAULT \(value.value);",
                                       suppressions: .rules(["prefer-robust-stmts"], "SET DEFAULT is metadata-only and naturally idempotent")))
            }
            steps.append(StepDraft(.expand, slug: slug, title: "add column \(table).\(name) (nullable until backfilled)", change: change,
                                   up: up, down: [b.dropAddedColumn(table, name)]))
            if let upValue {
                steps += fillTrigger(table, name, value: upValue, who: "the old app version", change: change, b)
            }
            let fill = upValue ?? column.defaultValue?.value ?? "NULL"
            steps.append(StepDraft(.backfill, slug: "\(table) \(name)", title: "backfill \(table).\(name)", change: change,
                                   up: b.backfill(table: table, assignments: "\(b.q(name)) = (\(fill))", pending: "\(b.q(name)) IS NULL",
                                                  comment: "Fill existing rows of \(table).\(name)."),
                                   down: [.note("Nothing to undo: the backfill only wrote data into a column that an earlier step's down drops.")],
                                   transactional: false))
            if upValue != nil, let value = column.defaultValue {
                steps.append(StepDraft(.complete, slug: "default \(table) \(name)", title: "set the default of \(table).\(name)", change: change,
                                       up: [SQLStatement("ALTER TABLE \(b.q(table)) ALTER COLUMN \(b.q(name)) SET DEFAULT \(value.value);",
                                                         suppressions: .rules(["prefer-robust-stmts"], "SET DEFAULT is metadata-only and naturally idempotent"))],
                                       down: [SQLStatement("ALTER TABLE \(b.q(table)) ALTER COLUMN \(b.q(name)) DROP DEFAULT;",
                                                           suppressions: .rules(["ban-drop-default", "prefer-robust-stmts"], "removes only the default this pair's up set"))]))
            }
            if !column.nullable {
                steps += notNullSteps(table, name, slug: "\(table) \(name)", change: change, b)
            }
        }
        steps += ColumnConstraints.lower(table, column, Recipe(context: b.context, change: change))
        return steps
    }

    /// A trigger that fills `column` with `value` (an expression over the row) when a write leaves it NULL,
    /// from expand until contract: the app version that does not know the column keeps working, and
    /// its rows are complete for the other one.
    /// `log`: the fill log of an in-place fill (see `fillLogStep`). An update of an existing row that was
    /// NULL is a fill of a base row too (another backfill on the table, or an app's update), so it is logged.
    /// `insertOnly`: fill the rows a version inserts, never an update of an existing row (whose NULL
    /// may be the base data's own, as in a nullable column the new version no longer knows).
    func fillTrigger(_ table: String, _ column: String, value: String, who: String, change: Int, _ b: PostgreSQLBuilder,
                     log: String? = nil, insertOnly: Bool = false) -> [StepDraft] {
        let trigger = b.context.derived.syncTrigger(table: table, column: column)
        let qc = b.q(column)
        var fill = "    NEW.\(qc) := (\(b.rowExpression(value, table: table, prefix: "NEW", extra: [column])));"
        if let log {
            let key = b.context.batchKey(table).columns.map { "NEW.\(b.q($0))" }
            fill += "\n    IF TG_OP = 'UPDATE' AND OLD.\(qc) IS NULL THEN\n      INSERT INTO \(b.q(log)) VALUES (\((key + ["NEW.\(qc)"]).joined(separator: ", ")));\n    END IF;"
        }
        let body = "  IF \(insertOnly ? "TG_OP = 'INSERT' AND " : "")NEW.\(qc) IS NULL THEN\n\(fill)\n  END IF;"
        let sync = b.syncTrigger(table: table, name: trigger, body: body,
                                 comment: "Rows \(who) writes leave \"\(column)\" NULL: fill it with the spec's expression (until contract).")
        return [
            StepDraft(.expand, slug: "sync \(table) \(column)", title: "fill \(table).\(column) on writes of \(who) with a trigger", change: change,
                      up: sync, down: b.dropSyncTrigger(table: table, name: trigger)),
            StepDraft(.contract, slug: "unsync \(table) \(column)", title: "drop the trigger that fills \(table).\(column)", change: change,
                      up: b.dropSyncTrigger(table: table, name: trigger), down: sync),
        ]
    }

    /// The table the in-place fill logs its rows in (key and filled value), created before the fill
    /// trigger so that its down runs after the trigger is gone: it puts NULL back where a row still
    /// holds the value the fill gave it (a value the new version wrote since is kept), then drops the log.
    func fillLogStep(_ table: String, _ column: String, log: String, change: Int, _ b: PostgreSQLBuilder) -> [StepDraft] {
        let key = b.context.batchKey(table).columns.map(b.q)
        let qt = b.q(table), qc = b.q(column), ql = b.q(log)
        let matches = key.map { "\(qt).\($0) = l.\($0)" }.joined(separator: " AND ")
        let restore = b.guarded("to_regclass(\(b.lit(ql))) IS NOT NULL", [
            "UPDATE \(qt) SET \(qc) = NULL FROM \(ql) AS l\n     WHERE \(matches) AND \(qt).\(qc) IS NOT DISTINCT FROM l.\(qc);",
            "DROP TABLE \(ql);",
        ])
        var steps = [
            StepDraft(.expand, slug: "fill_log \(table) \(column)", title: "log the rows whose NULL \(table).\(column) the backfill fills", change: change,
                      up: [SQLStatement("CREATE TABLE IF NOT EXISTS \(ql) AS SELECT \((key + [qc]).joined(separator: ", ")) FROM \(qt) WITH NO DATA;",
                                        comment: "Empty; the backfill adds the key and the new value of each row it fills, so the rollback can restore the NULLs.")],
                      down: [SQLStatement(restore, comment: "The rows the backfill filled become NULL again, unless a value was written there since.")]),
        ]
        if b.context.spec.purge {
            steps.append(StepDraft(.purge, slug: "drop_fill_log \(table) \(column)", title: "IRREVERSIBLE: drop \(log), which undoes the fill of \(table).\(column)", change: change,
                                   up: [SQLStatement("DROP TABLE IF EXISTS \(ql);", comment: "IRREVERSIBLE (opt-in purge): the fill of existing NULLs can no longer be undone.",
                                                     suppressions: .rules(["ban-drop-table"], "the log only served the rollback of the fill"))],
                                   down: [.note("IRREVERSIBLE: which rows were NULL is no longer known.")], reversible: false))
        }
        return steps
    }

    /// The four complete-phase steps, each its own transaction, that make a filled column NOT NULL (reference 01: check, validate, set, drop check).
    func notNullSteps(_ table: String, _ column: String, slug: String, change: Int, _ b: PostgreSQLBuilder) -> [StepDraft] {
        let check = b.context.derived.notNullCheck(table: table, column: column)
        let checkDefinition = "CHECK (\(b.q(column)) IS NOT NULL)"
        let add = b.addNotValidCheck(table, name: check, expression: "\(b.q(column)) IS NOT NULL")
        return [
            StepDraft(.complete, slug: "\(slug) check", title: "NOT NULL check on \(table).\(column) (NOT VALID)", change: change,
                      up: [add],
                      down: [b.dropConstraint(table, check, reason: "drops only the temporary NOT NULL check that this pair's up added")]),
            StepDraft(.complete, slug: "\(slug) validate", title: "validate the NOT NULL check on \(table).\(column)", change: change,
                      up: [b.validate(table, check, reason: "VALIDATE of an already valid constraint is a no-op, so a re-run is harmless")],
                      down: [b.unvalidate(table, check, addDefinition: checkDefinition)]),
            StepDraft(.complete, slug: "\(slug) set_not_null", title: "set NOT NULL on \(table).\(column)", change: change,
                      up: [SQLStatement("ALTER TABLE \(b.q(table)) ALTER COLUMN \(b.q(column)) SET NOT NULL;", suppressions: b.setNotNull())],
                      down: [b.dropNotNull(table, column, reason: "reverts this pair's own SET NOT NULL; DROP NOT NULL is a no-op when already nullable")]),
            StepDraft(.complete, slug: "\(slug) drop_check", title: "drop the temporary NOT NULL check on \(table).\(column)", change: change,
                      up: [b.dropConstraint(table, check, reason: "the temporary check is redundant now that the column is NOT NULL")],
                      down: [add,
                             b.validate(table, check, reason: "VALIDATE is a no-op on a valid constraint; the column is NOT NULL so the scan finds nothing")]),
        ]
    }

    // MARK: constraints

    // MARK: dropColumn

    func dropColumn(_ table: String, _ column: String, down: String?, change: Int, _ b: PostgreSQLBuilder) -> [StepDraft] {
        let context = b.context
        let quarantine = context.derived.quarantine(column)
        var steps: [StepDraft] = []
        let info = context.column(table, column)
        if let info, !info.nullable, info.defaultValue == nil, !info.isIdentity {
            steps.append(StepDraft(.expand, slug: "relax \(table) \(column)", title: "let \(table).\(column) accept NULL (it is being retired)", change: change,
                                   up: b.relaxNotNull(table, column, checkName: context.derived.notNullCheck(table: table, column: column),
                                                      reason: "metadata-only, and DROP NOT NULL is a no-op when the column is already nullable",
                                                      comment: "The column is going away: new app versions stop writing it, so it must accept NULL first."),
                                   down: restoreNotNull(table, column, refill: down, b)))
        }
        if let down {
            // The new version stops writing the column; rows it writes get the spec's down so the old version reads them complete.
            steps += fillTrigger(table, column, value: down, who: "the new app version", change: change, b, insertOnly: true)
        }
        steps.append(StepDraft(.contract, slug: "quarantine \(table) \(column)", title: "quarantine column \(table).\(column) as \(quarantine)", change: change,
                               up: [SQLStatement(b.renameColumn(table, from: column, to: quarantine),
                                                 comment: "Quarantine instead of DROP: rename to _cutover_<migration>_<column>; the data stays for rollback.\n(RENAME inside DO: squawk's renaming-column does not see it; safe because contract runs after every app version stopped using the column.)")],
                               down: [SQLStatement(b.renameColumn(table, from: quarantine, to: column))]))
        if context.spec.purge {
            steps.append(purgeColumn(table, quarantine: quarantine, type: info?.type, change: change, b))
        }
        return steps
    }

    /// Refill NULLs with `refill` (when given) in batches, then the compact NOT NULL dance.
    func restoreNotNull(_ table: String, _ column: String, refill: String?, _ b: PostgreSQLBuilder) -> [SQLStatement] {
        let check = b.context.derived.notNullCheck(table: table, column: column)
        guard let refill else {
            // No refill: an emergency rollback must neither fail nor lose rows (docs/architecture.md).
            return b.restoreNotNullKeepingRows(table, column, checkName: check)
        }
        return b.backfill(table: table, assignments: "\(b.q(column)) = (\(refill))", pending: "\(b.q(column)) IS NULL",
                          comment: "Refill rows written while the column was nullable (the spec's down expression).")
            + b.enforceNotNull(table, column, checkName: check)
    }

    func purgeColumn(_ table: String, quarantine: String, type: String?, change: Int, _ b: PostgreSQLBuilder) -> StepDraft {
        let down: [SQLStatement]
        if let type {
            down = [SQLStatement(b.addColumn(table, quarantine, type),
                                 comment: "IRREVERSIBLE: the data is gone. Re-creates the quarantined column empty and nullable (at the end of the row) so the rest of a rollback can run.",
                                 suppressions: b.typeLints(type, reason: "the type is copied from the retired column"))]
        } else {
            down = [.note("IRREVERSIBLE: the data is gone, and without the base schema the column's type is unknown.")]
        }
        return StepDraft(.purge, slug: "drop \(table) \(quarantine)", title: "IRREVERSIBLE: drop quarantined column \(table).\(quarantine)", change: change,
                         up: [SQLStatement("ALTER TABLE \(b.q(table)) DROP COLUMN IF EXISTS \(b.q(quarantine));",
                                           comment: "IRREVERSIBLE (opt-in purge): really drops the quarantined column and its data.",
                                           suppressions: .rules(["ban-drop-column"], "the column was quarantined by the contract phase; no app version references it"))],
                         down: down, reversible: false)
    }

    // MARK: renameColumn

    func renameColumn(_ table: String, from: String, to: String, change: Int, _ b: PostgreSQLBuilder) -> [StepDraft] {
        let context = b.context
        let info = context.column(table, from)
        let trigger = context.derived.syncTrigger(table: table, column: to)
        let quarantine = context.derived.quarantine(from)
        var steps: [StepDraft] = []
        let addUp: [SQLStatement]
        if let type = info?.type {
            addUp = [SQLStatement(b.addColumn(table, to, type),
                                  comment: "New name, same type as \"\(from)\", nullable and without default while the sync trigger runs.",
                                  suppressions: b.typeLints(type, reason: "the type is copied from the existing column \"\(from)\", not chosen here"))]
        } else {
            let body = "  IF \(b.columnExists(table, from)) AND NOT \(b.columnExists(table, to)) THEN\n"
                + "    EXECUTE format('ALTER TABLE %I ADD COLUMN %I %s', \(b.lit(table)), \(b.lit(to)),\n"
                + "      (SELECT pg_catalog.format_type(atttypid, atttypmod) FROM pg_catalog.pg_attribute\n"
                + "       WHERE attrelid = \(b.regclass(table)) AND attname = \(b.lit(from)) AND NOT attisdropped));\n  END IF;"
            addUp = [SQLStatement(b.doBlock(body), comment: "New name, same type as \"\(from)\" (read from the catalog: no base schema was given), nullable, no default.")]
        }
        steps.append(StepDraft(.expand, slug: "add_column \(table) \(to)", title: "add column \(table).\(to) (new name of \(from))", change: change,
                               up: addUp, down: [b.dropAddedColumn(table, to)]))
        let nt = b.q(to), nf = b.q(from)
        let syncBody = """
          IF TG_OP = 'INSERT' THEN
            IF NEW.\(nt) IS NULL THEN
              NEW.\(nt) := NEW.\(nf);
            ELSIF NEW.\(nf) IS NULL THEN
              NEW.\(nf) := NEW.\(nt);
            END IF;
          ELSIF NEW.\(nt) IS DISTINCT FROM OLD.\(nt) THEN
            NEW.\(nf) := NEW.\(nt);
          ELSIF NEW.\(nf) IS DISTINCT FROM OLD.\(nf) THEN
            NEW.\(nt) := NEW.\(nf);
          END IF;
        """
        let sync = b.syncTrigger(table: table, name: trigger, body: syncBody,
                                 comment: "Keep \"\(from)\" (old app) and \"\(to)\" (new app) in sync both ways.")
        steps.append(StepDraft(.expand, slug: "sync \(table) \(to)", title: "sync \(table).\(from) and \(table).\(to) with a trigger", change: change,
                               up: sync, down: b.dropSyncTrigger(table: table, name: trigger)))
        steps.append(StepDraft(.backfill, slug: "\(table) \(to)", title: "backfill \(table).\(to) from \(from)", change: change,
                               up: b.backfill(table: table, assignments: "\(nt) = \(nf)", pending: "\(nt) IS DISTINCT FROM \(nf)",
                                              comment: "Copy \(from) into \(to) for existing rows."),
                               down: [.note("Nothing to undo: data only, in a column that an earlier step's down drops.")], transactional: false))
        let notNull = info.map { !$0.nullable } ?? false
        if notNull {
            steps.append(StepDraft(.complete, slug: "\(table) \(to) not_null", title: "set NOT NULL on \(table).\(to)", change: change,
                                   up: b.enforceNotNull(table, to, checkName: context.derived.notNullCheck(table: table, column: to)),
                                   down: [b.dropNotNull(table, to, reason: "metadata-only; a no-op when already nullable")]))
        }
        let carried = CarriedObjects(context, table: table, column: from, replacement: to)
        steps += carrySteps(carried, table: table, onto: to, slug: "\(table) \(to)", change: change, b)
        if notNull && info?.defaultValue == nil {
            steps.append(StepDraft(.contract, slug: "relax \(table) \(from)", title: "let the old column \(table).\(from) accept NULL", change: change,
                                   up: [SQLStatement(b.dropNotNull(table, from, reason: "metadata-only; a no-op when already nullable").text,
                                                     comment: "New app versions no longer write the old column once the trigger is gone.",
                                                     suppressions: b.dropNotNull(table, from, reason: "metadata-only; a no-op when already nullable").suppressions)],
                                   down: b.enforceNotNull(table, from, checkName: context.derived.notNullCheck(table: table, column: from))))
        }
        // The default moves before the trigger goes: from then on nothing else fills an insert that leaves
        // the new column out, and NOT NULL (set in complete) would refuse it.
        if let value = info?.defaultValue {
            steps.append(StepDraft(.contract, slug: "default \(table) \(to)", title: "move the default of \(table).\(from) to \(to)", change: change,
                                   up: [SQLStatement("ALTER TABLE \(b.q(table)) ALTER COLUMN \(nt) SET DEFAULT \(value);",
                                                     suppressions: .rules(["prefer-robust-stmts"], "SET DEFAULT is metadata-only and naturally idempotent"))],
                                   down: [SQLStatement("ALTER TABLE \(b.q(table)) ALTER COLUMN \(nt) DROP DEFAULT;",
                                                       suppressions: .rules(["ban-drop-default", "prefer-robust-stmts"], "removes only the default this pair's up set"))]))
        }
        var resync = sync
        resync += b.backfill(table: table, assignments: "\(nf) = \(nt)", pending: "\(nf) IS DISTINCT FROM \(nt)",
                             comment: "Re-sync rows written while the trigger was gone.")
        steps.append(StepDraft(.contract, slug: "unsync \(table) \(to)", title: "drop the sync trigger between \(table).\(from) and \(to)", change: change,
                               up: b.dropSyncTrigger(table: table, name: trigger), down: resync, transactional: false))
        let renames = carryRenames(carried, table: table, b)
        steps.append(StepDraft(.contract, slug: "quarantine \(table) \(from)", title: "quarantine the old column \(table).\(from) as \(quarantine)", change: change,
                               up: [SQLStatement(b.renameColumn(table, from: from, to: quarantine, also: renames.up),
                                                 comment: "Quarantine the old column (RENAME inside DO: squawk's renaming-column does not see it; safe in contract)."
                                                    + (carried.isEmpty ? "" : "\nIn the same transaction its indexes and constraints retire and the ones carried over to \"\(to)\" take their names."))],
                               down: [SQLStatement(b.renameColumn(table, from: quarantine, to: from, also: renames.down))]))
        if context.spec.purge {
            steps.append(purgeColumn(table, quarantine: quarantine, type: info?.type, change: change, b))
        }
        return steps
    }

    // MARK: tables

    static let typeReason = "the column type is the one the spec asks for (a type preference, not a locking hazard)"

    /// squawk reports type lints on the column's line inside CREATE TABLE: the ignore goes right above it.
    static func inlineIgnore(_ rules: [String], reason: String) -> String {
        rules.isEmpty ? "" : "    -- safe: \(reason)\n    -- squawk-ignore \(rules.joined(separator: ", "))\n"
    }

    // MARK: indexes

    /// The predicate of a partial index in its CREATE INDEX text (outside parentheses), without the trailing ';'.
    static func whereClause(of definition: String) -> String? {
        var depth = 0
        var quote: Character?
        let chars = Array(definition)
        var i = 0
        while i < chars.count {
            let c = chars[i]
            if let open = quote { if c == open { quote = nil } } else if c == "'" || c == "\"" { quote = c } else if c == "(" { depth += 1 } else if c == ")" { depth -= 1 } else if depth == 0, i + 7 <= chars.count, i > 0, chars[i - 1].isWhitespace,
                      String(chars[i..<(i + 5)]).uppercased() == "WHERE", chars[i + 5].isWhitespace || chars[i + 5] == "(" {
                var rest = String(chars[(i + 5)...]).trimmingWhitespace()
                while rest.hasSuffix(";") { rest = String(rest.dropLast()).trimmingWhitespace() }
                return rest.isEmpty ? nil : rest
            }
            i += 1
        }
        return nil
    }
}
