/// PostgreSQL's dialect: the blue-green replication plumbing, and the column step library the column
/// operations of Operations/ share (fill triggers and their log, the NOT NULL steps, restoring NOT NULL,
/// purging a quarantined column, carrying indexes and constraints over: `PostgreSQLCarryOver`). Every
/// operation's recipe lives in its own file in Operations/.
public struct PostgreSQLDialect: SQLDialect {
    public init() {}

    /// Every operation is written in its own file in Operations/ (`OperationRecipes` lists them).
    public func lower(_ change: Change, context: LoweringContext) -> [StepDraft] {
        OperationRecipes.lower(change, context: context)
    }

    public func blueGreen(context: LoweringContext) -> [StepDraft] {
        PostgreSQLReplication(b: PostgreSQLBuilder(context: context)).steps()
    }

    // MARK: fill triggers and NOT NULL

    /// A trigger that fills `column` with `value` (an expression over the row) when a write leaves it NULL,
    /// from expand until contract: the app version that does not know the column keeps working, and
    /// its rows are complete for the other one.
    /// `log`: the fill log of an in-place fill (see `fillLogStep`). An update of an existing row that was
    /// NULL is a fill of a base row too (another backfill on the table, or an app's update), so it is logged.
    /// `insertOnly`: fill the rows a version inserts, never an update of an existing row (whose NULL
    /// may be the base data's own, as in a nullable column the new version no longer knows).
    func fillTrigger(_ table: String, _ column: String, value: String, who: String, change: Int, _ b: PostgreSQLBuilder,
                     log: String? = nil, insertOnly: Bool = false) -> [StepDraft] {
        let trigger = b.fillTriggerName(table: table, column: column, reading: value)
        let qc = b.q(column)
        var fill = "    NEW.\(qc) := (\(b.rowExpression(value, table: table, prefix: "NEW", extra: [column])));"
        if let log {
            let key = b.context.batchKey(table).columns.map { "NEW.\(b.q($0))" }
            fill += "\n    IF TG_OP = 'UPDATE' AND OLD.\(qc) IS NULL THEN\n      INSERT INTO \(b.t(log)) VALUES (\((key + ["NEW.\(qc)"]).joined(separator: ", ")));\n    END IF;"
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
        let qt = b.t(table), qc = b.q(column), ql = b.t(log)
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
                      up: [SQLStatement("ALTER TABLE \(b.t(table)) ALTER COLUMN \(b.q(column)) SET NOT NULL;", suppressions: b.setNotNull())],
                      down: [b.dropNotNull(table, column, reason: "reverts this pair's own SET NOT NULL; DROP NOT NULL is a no-op when already nullable")]),
            StepDraft(.complete, slug: "\(slug) drop_check", title: "drop the temporary NOT NULL check on \(table).\(column)", change: change,
                      up: [b.dropConstraint(table, check, reason: "the temporary check is redundant now that the column is NOT NULL")],
                      down: [add,
                             b.validate(table, check, reason: "VALIDATE is a no-op on a valid constraint; the column is NOT NULL so the scan finds nothing")]),
        ]
    }

    // MARK: retiring a column

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
                         up: [SQLStatement("ALTER TABLE \(b.t(table)) DROP COLUMN IF EXISTS \(b.q(quarantine));",
                                           comment: "IRREVERSIBLE (opt-in purge): really drops the quarantined column and its data.",
                                           suppressions: .rules(["ban-drop-column"], "the column was quarantined by the contract phase; no app version references it"))],
                         down: down, reversible: false)
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
