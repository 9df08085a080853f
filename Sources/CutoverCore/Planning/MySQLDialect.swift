/// MySQL 8 lowering of the column operations not yet written once for both engines in `Operations/`
/// (addColumn, dropColumn, renameColumn, alterColumn; the others are delegated there): ALGORITHM=INSTANT for adding columns, INPLACE/LOCK=NONE for
/// indexes, renames and rebuilds, new column + triggers + batched backfill for renames and rewrites,
/// information_schema + PREPARE guards for idempotence. Where MySQL has no online form (CHECK
/// constraints, non-btree methods, partial indexes) the step says so in its title and comment.
public struct MySQLDialect: SQLDialect {
    public init() {}

    public func lower(_ change: Change, context: LoweringContext) -> [StepDraft] {
        let b = MySQLBuilder(context: context)
        let i = change.index
        switch change.operation {
        case .addColumn(let table, let column, let up):
            return addColumn(table.value, column, up: up?.value, change: i, b)
        case .dropColumn(let table, let column, let down):
            return dropColumn(table.value, column.value, down: down?.value, change: i, b)
        case .renameColumn(let table, let from, let to):
            return renameColumn(table.value, from: from.value, to: to.value, change: i, b)
        case .alterColumn(let alter):
            return MySQLAlterColumn(b: b, alter: alter, change: i).lower()
        default:
            // Written once for both engines in Operations/ (OperationRecipes lists them).
            return OperationRecipes.lower(change, context: context)
        }
    }

    /// Blue-green is PostgreSQL logical replication; the validator rejects it for MySQL.
    public func blueGreen(context: LoweringContext) -> [StepDraft] { [] }

    // MARK: addColumn

    func addColumn(_ table: String, _ column: ColumnDefinition, up: String?, change: Int, _ b: MySQLBuilder) -> [StepDraft] {
        let name = column.name.value
        let type = column.type.value
        let volatile = column.defaultValue.map { SQLTypeFacts.isVolatileDefault($0.value) } ?? false
        let simple = (column.nullable || column.defaultValue != nil) && !volatile && up == nil
        var steps: [StepDraft] = []
        let down = [SQLStatement(b.dropColumn(table, name))]
        if simple {
            steps.append(StepDraft(.expand, slug: "add_column \(table) \(name)", title: "add column \(table).\(name)", change: change,
                                   up: [SQLStatement(b.addColumn(table, name, b.definition(type: type, nullable: column.nullable, defaultValue: column.defaultValue?.value)))],
                                   down: down))
        } else {
            steps.append(StepDraft(.expand, slug: "add_column \(table) \(name)", title: "add column \(table).\(name) (nullable until backfilled)", change: change,
                                   up: [SQLStatement(b.addColumn(table, name, b.definition(type: type, nullable: true, defaultValue: nil)),
                                                     comment: up != nil ? "Filled with the spec's up: add nullable without a default, triggers fill rows the old version writes, the backfill fills existing rows."
                                                              : volatile ? "The default is evaluated per row: add the column without it, backfill, then set the final definition."
                                                                       : "NOT NULL without a default: add nullable, backfill in batches, then MODIFY to NOT NULL.")],
                                   down: down))
            if let up {
                steps += fillTriggers(table, name, value: up, who: "the old app version", change: change, b)
            }
            let fill = up ?? column.defaultValue?.value ?? "NULL"
            steps.append(StepDraft(.backfill, slug: "\(table) \(name)", title: "backfill \(table).\(name)", change: change,
                                   up: b.backfill(table: table, column: name, assignments: "\(b.q(name)) = (\(fill))", pending: "\(b.q(name)) IS NULL",
                                                  comment: "Fill existing rows of \(table).\(name)."),
                                   down: [.note("Nothing to undo: data only, in a column that an earlier step's down drops."), SQLStatement("DO 0;")],
                                   transactional: false))
            if column.nullable && column.defaultValue == nil { return steps + ColumnConstraints.lower(table, column, Recipe(context: b.context, change: change)) }
            let condition = column.nullable ? "column_default IS NULL" : "is_nullable = 'YES'"
            steps.append(StepDraft(.complete, slug: "\(table) \(name) \(column.nullable ? "default" : "not_null")",
                                   title: column.nullable ? "set the default of \(table).\(name)" : "set NOT NULL on \(table).\(name) (in-place rebuild, DML allowed)",
                                   change: change,
                                   up: [SQLStatement(b.modify(table, name, type: type, nullable: column.nullable, defaultValue: column.defaultValue?.value, condition: condition),
                                                     comment: "MODIFY repeats the full column definition.")],
                                   down: [SQLStatement(b.modify(table, name, type: type, nullable: true, defaultValue: nil,
                                                                condition: column.nullable ? "column_default IS NOT NULL" : "is_nullable = 'NO'"))]))
        }
        return steps + ColumnConstraints.lower(table, column, Recipe(context: b.context, change: change))
    }

    /// Triggers that fill `column` with `value` (an expression over the row) when a write leaves it NULL,
    /// from expand until contract: the app version that does not know the column keeps working, and
    /// its rows are complete for the other one.
    /// `log`: the fill log of an in-place fill (see `fillLogStep`). An update of an existing row that was
    /// NULL is a fill of a base row too (another backfill on the table, or an app's update), so it is logged.
    /// `insertOnly`: fill the rows a version inserts, never an update of an existing row (whose NULL
    /// may be the base data's own, as in a nullable column the new version no longer knows).
    func fillTriggers(_ table: String, _ column: String, value: String, who: String, change: Int, _ b: MySQLBuilder,
                      log: String? = nil, insertOnly: Bool = false) -> [StepDraft] {
        let qc = b.q(column)
        let set = "NEW.\(qc) = COALESCE(NEW.\(qc), \(b.rowExpression(value, table: table, prefix: "NEW", extra: [column])))"
        var sync = b.triggers(table: table, column: column, insertSet: set, updateSet: set,
                              comment: "Rows \(who) writes leave `\(column)` NULL: fill it with the spec's expression (until contract).")
        if insertOnly { sync = Array(sync.prefix(2)) }
        if let log {
            let key = b.context.batchKey(table).columns.map { "NEW.\(b.q($0))" }
            let upd = b.context.derived.updateTrigger(table: table, column: column)
            sync[3] = SQLStatement(trigger: MySQLTrigger(name: upd, timing: .before, event: .update, table: table, body: """
                BEGIN
                  IF NEW.\(qc) IS NULL AND OLD.\(qc) IS NULL THEN
                    SET \(set);
                    INSERT INTO \(b.q(log)) VALUES (\((key + ["NEW.\(qc)"]).joined(separator: ", ")));
                  ELSE
                    SET \(set);
                  END IF;
                END;;
                """, delimited: true), comment: "An update of a row that was NULL fills a base row: logged in \(log) for the rollback (needs the mysql client: DELIMITER).")
        }
        return [
            StepDraft(.expand, slug: "sync \(table) \(column)", title: "fill \(table).\(column) on writes of \(who) with triggers", change: change,
                      up: sync, down: b.dropTriggers(table: table, column: column)),
            StepDraft(.contract, slug: "unsync \(table) \(column)", title: "drop the triggers that fill \(table).\(column)", change: change,
                      up: b.dropTriggers(table: table, column: column), down: sync),
        ]
    }

    /// The table the in-place fill logs its rows in (key and filled value; CREATE … SELECT copies the
    /// columns' types and collations), created before the fill triggers so that its down runs after
    /// they are gone: it puts NULL back where a row still holds the value the fill gave it (a value the
    /// new version wrote since is kept), then drops the log.
    func fillLogStep(_ table: String, _ column: String, log: String, change: Int, _ b: MySQLBuilder) -> [StepDraft] {
        let key = b.context.batchKey(table).columns.map(b.q)
        let qt = b.q(table), qc = b.q(column), ql = b.q(log)
        let matches = key.map { "\(qt).\($0) = l.\($0)" }.joined(separator: " AND ")
        let restore = b.guarded("UPDATE \(qt) JOIN \(ql) AS l ON \(matches) SET \(qt).\(qc) = NULL WHERE \(qt).\(qc) <=> l.\(qc)",
                                whenFound: true, in: .tables, table: log)
        var steps = [
            StepDraft(.expand, slug: "fill_log \(table) \(column)", title: "log the rows whose NULL \(table).\(column) the backfill fills", change: change,
                      up: [SQLStatement("CREATE TABLE IF NOT EXISTS \(ql) (KEY (\(key.joined(separator: ", ")))) SELECT \((key + [qc]).joined(separator: ", ")) FROM \(qt) WHERE 1 = 0;",
                                        comment: "Empty; the backfill adds the key and the new value of each row it fills, so the rollback can restore the NULLs.")],
                      down: [SQLStatement(restore, comment: "The rows the backfill filled become NULL again, unless a value was written there since."),
                             SQLStatement("DROP TABLE IF EXISTS \(ql);")]),
        ]
        if b.context.spec.purge {
            steps.append(StepDraft(.purge, slug: "drop_fill_log \(table) \(column)", title: "IRREVERSIBLE: drop \(log), which undoes the fill of \(table).\(column)", change: change,
                                   up: [SQLStatement("DROP TABLE IF EXISTS \(ql);", comment: "IRREVERSIBLE (opt-in purge): the fill of existing NULLs can no longer be undone.")],
                                   down: [.note("IRREVERSIBLE: which rows were NULL is no longer known."), SQLStatement("DO 0;")], reversible: false))
        }
        return steps
    }

    // MARK: dropColumn

    func dropColumn(_ table: String, _ column: String, down: String?, change: Int, _ b: MySQLBuilder) -> [StepDraft] {
        let context = b.context
        let quarantine = context.derived.quarantine(column)
        let info = context.column(table, column)
        var steps: [StepDraft] = []
        if let info, !info.nullable, info.defaultValue == nil, !info.isIdentity {
            var restore: [SQLStatement] = []
            if let down {
                restore += b.backfill(table: table, column: column, verb: "refill", assignments: "\(b.q(column)) = (\(down))", pending: "\(b.q(column)) IS NULL",
                                      comment: "Refill rows written while the column was nullable (the spec's down expression), then restore NOT NULL.")
                restore.append(SQLStatement(b.modify(table, column, type: info.type, nullable: false, defaultValue: nil, condition: "is_nullable = 'YES'")))
            } else {
                restore += b.restoreNotNullKeepingRows(table, column, type: info.type, defaultValue: nil)
            }
            steps.append(StepDraft(.expand, slug: "relax \(table) \(column)", title: "let \(table).\(column) accept NULL (it is being retired)", change: change,
                                   up: [SQLStatement(b.modify(table, column, type: info.type, nullable: true, defaultValue: nil, condition: "is_nullable = 'NO'"),
                                                     comment: "The column is going away: new app versions stop writing it, so it must accept NULL first (INPLACE rebuild, DML allowed).")],
                                   down: restore, transactional: false))
        }
        if let down {
            // The new version stops writing the column; rows it writes get the spec's down so the old version reads them complete.
            steps += fillTriggers(table, column, value: down, who: "the new app version", change: change, b, insertOnly: true)
        }
        let checks = context.constraints(on: table, column: column).filter { $0.kind == .check }
        var restoreChecks: [SQLStatement] = []
        for check in checks {
            restoreChecks.append(SQLStatement(addCheckIfMissing(table, check.name, check.expression ?? "true", b),
                                              comment: "Re-add check \(check.name) (NOT ONLINE: table copy, writes blocked; rollback only)."))
        }
        steps.append(StepDraft(.contract, slug: "quarantine \(table) \(column)", title: "quarantine column \(table).\(column) as \(quarantine)", change: change,
                               up: [SQLStatement(b.renameColumn(table, from: column, to: quarantine, also: checks.map { "DROP CONSTRAINT \(b.q($0.name))" }),
                                                 comment: "Quarantine instead of DROP COLUMN: the data stays for rollback."
                                                    + (checks.isEmpty ? "" : "\nMySQL 8.0.19+ refuses to rename a column a check uses: the checks on it are dropped in the same ALTER."))],
                               down: [SQLStatement(b.renameColumn(table, from: quarantine, to: column))] + restoreChecks))
        if context.spec.purge {
            steps.append(purgeColumn(table, column: column, quarantine: quarantine, change: change, b))
        }
        return steps
    }

    func purgeColumn(_ table: String, column: String, quarantine: String, change: Int, _ b: MySQLBuilder) -> StepDraft {
        var down: [SQLStatement]
        if let tableInfo = b.context.table(table), let info = tableInfo.column(column) {
            let position = tableInfo.columns.firstIndex { $0.name == column } ?? 0
            let after = position > 0 ? tableInfo.columns[position - 1].name : nil
            var ddl = b.addColumn(table, quarantine, b.definition(type: info.type, nullable: true, defaultValue: nil), after: after)
            if after == nil {
                ddl = ddl.replacingOccurrences(of: " NULL, ALGORITHM=INSTANT", with: " NULL FIRST, ALGORITHM=INSTANT")
            }
            down = [SQLStatement(ddl, comment: "IRREVERSIBLE: re-creates the quarantined column EMPTY and nullable, at its old position.")]
            for index in b.context.indexes(on: table, column: column) {
                let columns = b.n.quoteList(index.columns.map { $0 == column ? quarantine : $0 })
                down.append(SQLStatement(b.addIndex(table, index.name, unique: index.unique, columns: columns),
                                         comment: "Indexes that covered the column were dropped with it: re-create them (definitions from the base schema)."))
            }
        } else {
            down = [.note("IRREVERSIBLE: the data is gone, and without the base schema the column's definition is unknown."), SQLStatement("DO 0;")]
        }
        return StepDraft(.purge, slug: "drop \(table) \(quarantine)", title: "IRREVERSIBLE: drop quarantined column \(table).\(quarantine)", change: change,
                         up: [SQLStatement(b.dropColumn(table, quarantine), comment: "IRREVERSIBLE (opt-in purge): drops the quarantined column and its data.")],
                         down: down, reversible: false)
    }

    // MARK: renameColumn

    func renameColumn(_ table: String, from: String, to: String, change: Int, _ b: MySQLBuilder) -> [StepDraft] {
        let context = b.context
        let info = context.column(table, from)
        let quarantine = context.derived.quarantine(from)
        var steps: [StepDraft] = []
        let add: String
        if let type = info?.type {
            add = b.addColumn(table, to, b.definition(type: type, nullable: true, defaultValue: nil))
        } else {
            let prefix = b.lit("ALTER TABLE \(b.q(table)) ADD COLUMN \(b.q(to)) ")
            let typeQuery = "(SELECT MAX(c.column_type) FROM information_schema.columns c WHERE c.table_schema = DATABASE() AND c.table_name = \(b.lit(table)) AND c.column_name = \(b.lit(from)))"
            add = b.guarded(ddlExpression: "CONCAT(\(prefix), \(typeQuery), ' NULL, ALGORITHM=INSTANT')", whenFound: false, in: .columns, table: table, [b.column(to)])
        }
        steps.append(StepDraft(.expand, slug: "add_column \(table) \(to)", title: "add column \(table).\(to) (new name of \(from))", change: change,
                               up: [SQLStatement(add, comment: "New name, same type as `\(from)`, nullable and without default while the sync triggers run.")],
                               down: [SQLStatement(b.dropColumn(table, to))]))
        let nt = b.q(to), nf = b.q(from)
        let sync = b.triggers(table: table, column: to,
                              insertSet: "NEW.\(nt) = COALESCE(NEW.\(nt), NEW.\(nf)),\n      NEW.\(nf) = COALESCE(NEW.\(nf), NEW.\(nt))",
                              updateSet: "NEW.\(nf) = IF(NEW.\(nt) <=> OLD.\(nt), NEW.\(nf), NEW.\(nt)),\n      NEW.\(nt) = IF(NEW.\(nt) <=> OLD.\(nt), COALESCE(NEW.\(nf), NEW.\(nt)), NEW.\(nt))",
                              comment: "Keep `\(from)` (old app) and `\(to)` (new app) in sync both ways. Single-statement bodies: no DELIMITER.")
        // The update trigger keeps the new column when the old one is NULL: rows the new version wrote
        // while the triggers were gone (contract) hold NULL in the old column until the re-sync in the
        // contract's down reaches them, and the triggers come back before it.
        steps.append(StepDraft(.expand, slug: "sync \(table) \(to)", title: "sync \(table).\(from) and \(table).\(to) with triggers", change: change,
                               up: sync, down: b.dropTriggers(table: table, column: to)))
        // The new version does not name the old column: from its first pod its inserts leave it out, and
        // MySQL refuses an omitted NOT NULL column without default before a BEFORE INSERT trigger runs.
        // So the old column accepts NULL while both versions serve (the insert trigger still fills it).
        if info.map({ !$0.nullable }) ?? false && info?.defaultValue == nil {
            steps.append(StepDraft(.expand, slug: "relax \(table) \(from)", title: "let the old column \(table).\(from) accept NULL (in-place rebuild, DML allowed)", change: change,
                                   up: [SQLStatement(b.modify(table, from, type: info?.type, nullable: true, defaultValue: nil, condition: "is_nullable = 'NO'"),
                                                     comment: "The new version leaves `\(from)` out of its inserts; the insert trigger fills it from `\(to)`.")],
                                   down: [SQLStatement(b.modify(table, from, type: info?.type, nullable: false, defaultValue: nil, condition: "is_nullable = 'YES'"),
                                                       comment: "The base definition again. Fails if rows still hold NULL (the sync triggers, dropped only after this, and the re-sync of the contract's down fill them).")]))
        }
        steps.append(StepDraft(.backfill, slug: "\(table) \(to)", title: "backfill \(table).\(to) from \(from)", change: change,
                               up: b.backfill(table: table, column: to, assignments: "\(nt) = \(nf)", pending: "NOT (\(nt) <=> \(nf))",
                                              comment: "Copy \(from) into \(to) for existing rows."),
                               down: [.note("Nothing to undo: data only, in a column that an earlier step's down drops."), SQLStatement("DO 0;")],
                               transactional: false))
        let notNull = info.map { !$0.nullable } ?? false
        if notNull {
            steps.append(StepDraft(.complete, slug: "\(table) \(to) not_null", title: "set NOT NULL on \(table).\(to) (in-place rebuild, DML allowed)", change: change,
                                   up: [SQLStatement(b.modify(table, to, type: info?.type, nullable: false, defaultValue: nil, condition: "is_nullable = 'YES'"),
                                                     comment: "The old column is NOT NULL: so is the new one (the insert trigger fills it for old-app inserts).")],
                                   down: [SQLStatement(b.modify(table, to, type: info?.type, nullable: true, defaultValue: nil, condition: "is_nullable = 'NO'"))]))
        }
        let carried = CarriedObjects(context, table: table, column: from, replacement: to)
        steps += carrySteps(carried, table: table, onto: to, slug: "\(table) \(to)", movingChecksFrom: from, change: change, b)
        // The default moves before the triggers go: from then on nothing else fills an insert that leaves
        // the new column out, and NOT NULL (set in complete) would refuse it.
        if let value = info?.defaultValue {
            steps.append(StepDraft(.contract, slug: "default \(table) \(to)", title: "move the default of \(table).\(from) to \(to)", change: change,
                                   up: [SQLStatement("ALTER TABLE \(b.q(table)) ALTER COLUMN \(nt) SET DEFAULT \(value), ALGORITHM=INSTANT;")],
                                   down: [SQLStatement("ALTER TABLE \(b.q(table)) ALTER COLUMN \(nt) DROP DEFAULT, ALGORITHM=INSTANT;")]))
        }
        let resync = sync + b.backfill(table: table, column: from, assignments: "\(nf) = \(nt)", pending: "NOT (\(nf) <=> \(nt))",
                                       comment: "Re-sync rows written while the triggers were gone.")
        steps.append(StepDraft(.contract, slug: "unsync \(table) \(to)", title: "drop the sync triggers between \(table).\(from) and \(to)", change: change,
                               up: b.dropTriggers(table: table, column: to), down: resync, transactional: false))
        var quarantineUp = [SQLStatement(b.renameColumn(table, from: from, to: quarantine, also: swapClauses(carried, dropChecks: false, down: false, b)),
                                         comment: "Quarantine the old column (RENAME COLUMN is metadata-only)."
                                            + (carried.indexes.isEmpty && carried.foreignKeys.isEmpty ? "" : "\nIts indexes retire and the ones carried over to `\(to)` take their names; its foreign keys move to `\(to)`."))]
        var quarantineDown = [SQLStatement(b.renameColumn(table, from: quarantine, to: from, also: swapClauses(carried, dropChecks: false, down: true, b)))]
        if !carried.foreignKeys.isEmpty {
            quarantineUp = lockedForForeignKeys(table, quarantineUp + addForeignKeys(carried, table: table, column: to, replaced: from, b), carried: carried, b)
            quarantineDown = lockedForForeignKeys(table, quarantineDown + addForeignKeys(carried, table: table, column: from, replaced: from, b), carried: carried, b)
        }
        steps.append(StepDraft(.contract, slug: "quarantine \(table) \(from)", title: "quarantine the old column \(table).\(from) as \(quarantine)", change: change,
                               up: quarantineUp, down: quarantineDown, transactional: carried.foreignKeys.isEmpty))
        if context.spec.purge {
            steps.append(purgeColumn(table, column: from, quarantine: quarantine, change: change, b))
        }
        return steps
    }

    // MARK: tables

    // MARK: indexes and constraints

    /// Statements that drop and add foreign keys: foreign_key_checks=0 (in place, no scan) and a short
    /// LOCK TABLES ... WRITE so no write lands while the key is missing.
    func lockedForForeignKeys(_ table: String, _ statements: [SQLStatement], carried: CarriedObjects, _ b: MySQLBuilder) -> [SQLStatement] {
        [SQLStatement("SET SESSION foreign_key_checks = 0;"), SQLStatement(lockTables(table, carried, b))]
            + statements + [SQLStatement("UNLOCK TABLES;"), SQLStatement("SET SESSION foreign_key_checks = 1;")]
    }

    /// `LOCK TABLES t WRITE[, parent WRITE…]`: dropping or adding a foreign key changes the referenced
    /// table's metadata too, which MySQL 8 allows under LOCK TABLES only when that table is locked as well.
    func lockTables(_ table: String, _ carried: CarriedObjects, _ b: MySQLBuilder) -> String {
        var tables = [table]
        for key in carried.foreignKeys {
            if let parent = key.original.referencedTable, !tables.contains(parent) { tables.append(parent) }
        }
        return "LOCK TABLES " + tables.map { "\(b.q($0)) WRITE" }.joined(separator: ", ") + ";"
    }
}
