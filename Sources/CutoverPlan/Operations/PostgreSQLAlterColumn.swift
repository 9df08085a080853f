/// PostgreSQL `alterColumn`: a metadata-only type change, default and nullability changes as single
/// steps; a rewriting type change through a copy column kept in sync by a trigger, a batched backfill
/// and an atomic swap in contract (indexes on the column are rebuilt on the copy and swapped by name).
struct PostgreSQLAlterColumn {
    var b: PostgreSQLBuilder
    var alter: AlterColumn
    var change: Int

    var table: String { alter.table.value }
    var column: String { alter.column.value }
    var info: DatabaseSchema.Column? { b.context.column(table, column) }

    func lower() -> [StepDraft] {
        if let type = alter.type?.value {
            if let old = info?.type, SQLTypeFacts.isSameType(old, type) {
                return simpleChanges()
            }
            // `up` or `down` converts the values: through the copy column even for a widening (AlterColumn.converts).
            if let old = info?.type, !alter.converts, SQLTypeFacts.isPostgresMetadataOnly(from: old, to: type) {
                return [metadataOnlyType(old: old, new: type)] + simpleChanges()
            }
            return rewrite(type)
        }
        return simpleChanges()
    }

    func metadataOnlyType(old: String, new: String) -> StepDraft {
        func alterType(_ type: String) -> String { "ALTER TABLE \(b.t(table)) ALTER COLUMN \(b.q(column)) TYPE \(type);" }
        let rules = ["changing-column-type"] + SQLTypeFacts.postgresTypeLints(new).filter { $0 == "prefer-text-field" } + ["prefer-robust-stmts"]
        let downRules = ["changing-column-type"] + SQLTypeFacts.postgresTypeLints(old).filter { $0 == "prefer-text-field" } + ["prefer-robust-stmts"]
        let views = PostgreSQLViewRebuild(b.context, table: table, column: column)
        var up = [SQLStatement(alterType(new),
                               comment: "\(old) -> \(new) is metadata-only on PostgreSQL (no rewrite, no index rebuild); the ACCESS EXCLUSIVE lock is brief and bounded by lock_timeout.",
                               suppressions: .rules(rules, "metadata-only type change (no rewrite); a no-op when the type already matches"))]
        var down = [SQLStatement(alterType(old),
                                 comment: "Rollback only: narrowing back scans the table under ACCESS EXCLUSIVE (the check above refused values that no longer fit).",
                                 suppressions: .rules(downRules, "restores the type of the base schema; a no-op when it already matches"))]
        if !views.isEmpty {
            up = [Self.aroundViews(up[0], views, b)]
            down = [Self.aroundViews(down[0], views, b)]
        }
        down.insert(fitCheck("CAST(\(b.q(column)) AS \(old))", old: old, newType: new, when: b.columnExists(table, column)), at: 0)
        return StepDraft(.expand, slug: "alter_type \(table) \(column)", title: "change \(table).\(column) to \(new) (metadata-only)", change: change,
                         up: up, down: down + baseDefaultAgain())
    }

    /// The views over the column dropped before `statement` and created again after, with their
    /// owner, grants, comments and the rest as they were (`PostgreSQLViewRebuild.around`), in one DO block:
    /// under psql -f, as the runner applies a file, separate statements would each commit on their
    /// own, and the views' state is held in a variable of the block from before the drops to after the creates.
    static func aroundViews(_ statement: SQLStatement, _ views: PostgreSQLViewRebuild, _ b: PostgreSQLBuilder) -> SQLStatement {
        let body = views.around([statement.text], b, indent: "  ").map { "  " + $0 }.joined(separator: "\n")
        return SQLStatement(b.doBlock(body, declare: PostgreSQLViewRebuild.declarations),
                            comment: (statement.comment.map { $0 + "\n" } ?? "")
                                + "Views over the column (\(views.names)): the server refuses the type change under them. In one block (one transaction):\n"
                                + PostgreSQLViewRebuild.stepComment)
    }

    /// The base default as the down of a default change writes it. When the same change also changes the
    /// type, that down runs on the new type: a bare string literal would be stored with the new type's
    /// cast (`'x'::text`), where the server had kept the base's (`'x'::character varying`), so it is cast
    /// to the base type (without its modifier, as the server prints it). A default with its own cast, or
    /// no string, is written as the base has it.
    func baseDefaultOnNewType() -> String? {
        guard let base = info?.defaultValue, let old = info?.type, let new = alter.type?.value,
              !SQLTypeFacts.isSameType(old, new), base.hasPrefix("'"), base.hasSuffix("'"), !base.contains("::") else {
            return info?.defaultValue
        }
        let unmodified = old.replacingOccurrences(of: #"\([^)]*\)"#, with: "", options: .regularExpression)
        return "\(base)::\(unmodified)"
    }

    /// When the spec also changes the default, the default step's down runs first, on the new type, and
    /// the server stores the base's default with that type's cast (`'x'::text` for a base `'x'::character
    /// varying`). Set once more on the base type, it reads exactly as the base had it.
    func baseDefaultAgain() -> [SQLStatement] {
        guard alter.defaultValue != nil || alter.dropDefault, let base = info?.defaultValue else { return [] }
        var statement = setDefault(column, base, reason: "restores the base default")
        statement.comment = "The base default again, now on the base type, so it is stored exactly as the base had it."
        return [statement]
    }

    func setDefault(_ column: String, _ value: String?, reason: String) -> SQLStatement {
        if let value {
            return SQLStatement("ALTER TABLE \(b.t(table)) ALTER COLUMN \(b.q(column)) SET DEFAULT \(value);",
                                suppressions: .rules(["prefer-robust-stmts"], "SET DEFAULT is metadata-only and naturally idempotent"))
        }
        return SQLStatement("ALTER TABLE \(b.t(table)) ALTER COLUMN \(b.q(column)) DROP DEFAULT;",
                            suppressions: .rules(["ban-drop-default", "prefer-robust-stmts"], reason))
    }

    /// Default and nullability changes, when no copy column is involved. A relax comes before the
    /// default change, so that its rollback re-imposes NOT NULL only after the default is back: the other
    /// way round, between the two downs, the old version's inserts that leave the column out failed
    /// (issue #14, second trial: `nullable: true` with `dropDefault`). Forward, the column accepts NULL
    /// before it loses its default, which refuses nothing either.
    func simpleChanges() -> [StepDraft] {
        var steps: [StepDraft] = []
        let relaxing = alter.nullable?.value == true && info?.nullable != true
        if relaxing {
            steps.append(StepDraft(.expand, slug: "relax \(table) \(column)", title: "let \(table).\(column) accept NULL", change: change,
                                   up: b.relaxNotNull(table, column, checkName: b.context.derived.notNullCheck(table: table, column: column),
                                                      reason: "metadata-only, and a no-op when the column is already nullable", comment: nil),
                                   down: PostgreSQLDialect().restoreNotNull(table, column, refill: alter.down?.value, b)))
        }
        if alter.defaultValue != nil || alter.dropDefault {
            let new = alter.defaultValue?.value
            var down = [setDefault(column, baseDefaultOnNewType(), reason: "restores the base schema, where the column has no default")]
            if info == nil { down[0].comment = "The base schema was not given: the down assumes the column had no default." }
            // A new default serves the new version from the rollout on; a dropped one waits for contract, since the old
            // version's inserts that leave the column out still rely on it (NULL, or refused under NOT NULL, without it).
            steps.append(StepDraft(new == nil ? .contract : .expand, slug: "alter_default \(table) \(column)",
                                   title: new == nil ? "drop the default of \(table).\(column)" : "set the default of \(table).\(column)", change: change,
                                   up: [setDefault(column, new, reason: "the spec asks to remove the default (dropDefault); metadata-only")],
                                   down: down))
        }
        if let nullable = alter.nullable?.value {
            if !nullable, info?.nullable != false {
                let dialect = PostgreSQLDialect()
                if let fill = alter.fill {
                    let log = b.context.derived.fillLog(table: table, column: column)
                    steps += dialect.fillLogStep(table, column, log: log, change: change, b)
                    steps += dialect.fillTrigger(table, column, value: fill.value, who: "the old app version", change: change, b, log: log)
                    steps.append(StepDraft(.backfill, slug: "\(table) \(column)", title: "fill NULLs of \(table).\(column)", change: change,
                                           up: b.backfill(table: table, assignments: "\(b.q(column)) = (\(fill.value))", pending: "\(b.q(column)) IS NULL",
                                                          comment: "Fill rows where \(table).\(column) is NULL (\(fill.source)), logging each filled row in \(log).",
                                                          log: log, logColumn: column),
                                           down: [.note("Nothing to undo here: the rollback of the expand phase puts the NULLs back from \(log).")],
                                           transactional: false))
                }
                steps += dialect.notNullSteps(table, column, slug: "\(table) \(column) not_null", change: change, b)
            }
        }
        return steps
    }

    /// The new value computed from a row: the spec's `up`, else a cast. `row` prefixes column names (NEW in triggers).
    func converted(_ type: String, row: String?) -> String {
        let source = row.map { "\($0).\(b.q(column))" } ?? b.q(column)
        guard let up = alter.up?.value else { return PostgreSQLConversion.cast(source, to: type, from: info?.type) }
        guard let row else { return "(\(up))" }
        return "(" + b.rowExpression(up, table: table, prefix: row, extra: [column]) + ")"
    }

    /// Before a rollback brings the old type back: every value the new version wrote must fit it, or the
    /// rollback is refused before it changes anything, naming the column and why (not half way, after
    /// the swap). `value`: the old value computed from the column as it stands then. Without a `down`,
    /// a value must also survive the trip back unchanged (`newType`): an explicit cast truncates a
    /// too-long varchar or rounds a numeric silently, which would lose what the new version wrote.
    func fitCheck(_ value: String, old: String, newType: String?, when condition: String, notNull: Bool = false) -> SQLStatement {
        let qc = b.q(column)
        let refused = "cutover rollback refused: \(table).\(column) holds values the new app version wrote that \(old) cannot take"
        let advice = "; change or delete those rows, or give the change a down expression that maps them, and run the rollback again"
        let scan = newType.map { "SELECT count(*) INTO bad FROM \(b.t(table))\n        WHERE \(qc) IS NOT NULL AND CAST(\(value) AS \($0)) IS DISTINCT FROM \(qc);" }
            ?? "PERFORM count(\(value)) FROM \(b.t(table));"
        let body = """
        DO $cutover$
        DECLARE
          bad bigint := 0;\(notNull ? "\n  sample text;" : "")
        BEGIN
          IF \(condition) THEN
            BEGIN
              \(scan)
            EXCEPTION WHEN others THEN
              RAISE EXCEPTION '%', \(b.lit(refused + " (")) || SQLERRM || \(b.lit(")" + advice));
            END;
            IF bad > 0 THEN
              RAISE EXCEPTION '%', \(b.lit(refused + " unchanged: ")) || bad || \(b.lit(" row(s)" + advice));
            END IF;\(nullScan(value, old: old, enabled: notNull))
          END IF;
        END
        $cutover$;
        """
        return SQLStatement(body, comment: "Checked before anything changes: every value must convert back to \(old) (one read-only scan, no write block).",
                            kind: .refusalCheck)
    }

    /// Part of the fit check where the old column was NOT NULL and the rollback puts NOT NULL back: a row
    /// whose old value would be NULL (a `down` that maps a value to NULL) would fail that step half way,
    /// after the swap back; refused here instead, before anything changes, naming a key of such a row.
    func nullScan(_ value: String, old: String, enabled: Bool) -> String {
        guard enabled else { return "" }
        let key = b.context.schema.table(table)?.primaryKey ?? []
        let keyText = key.isEmpty ? "ctid::text" : key.map { "\(b.q($0))::text" }.joined(separator: " || ', ' || ")
        let keyName = key.isEmpty ? "ctid" : key.joined(separator: ", ")
        let refused = "cutover rollback refused: \(table).\(column) was NOT NULL (\(old)) and would get NULL in "
        let advice = "; give those rows a value the down expression maps to non-NULL (or delete them), and run the rollback again"
        return "\n    SELECT count(*), min(\(keyText)) INTO bad, sample FROM \(b.t(table)) WHERE \(value) IS NULL;\n"
            + "    IF bad > 0 THEN\n"
            + "      RAISE EXCEPTION '%', \(b.lit(refused)) || bad || \(b.lit(" row(s), e.g. \(keyName) = ")) || sample || \(b.lit(advice));\n"
            + "    END IF;"
    }

    /// The old value computed from the copy: the spec's `down`, else a cast to the old type. `row`
    /// prefixes column names (NEW in triggers).
    func back(row: String?) -> String {
        let copy = b.q(b.context.derived.rewriteCopy(column))
        let source = row.map { "\($0).\(copy)" } ?? copy
        if let down = alter.down?.value {
            // Inside a trigger every other column `down` reads must be NEW's too: a bare name there is
            // a plpgsql variable that does not exist, and fails every write of the new version (#14 trial).
            guard let row else { return "(" + ExpressionRewriter.rewrite(down, columns: [column]) { _ in source } + ")" }
            var columns = Set(b.context.table(table)?.columns.map(\.name) ?? [])
            columns.insert(column)
            return "(" + ExpressionRewriter.rewrite(down, columns: columns) { $0 == column ? source : "\(row).\(b.q($0))" } + ")"
        }
        if let old = info?.type { return PostgreSQLConversion.cast(source, to: old, from: alter.type?.value) }
        return source
    }

    func rewrite(_ type: String) -> [StepDraft] {
        let derived = b.context.derived
        let copy = derived.rewriteCopy(column)
        let quarantine = derived.quarantine(column)
        let trigger = b.fillTriggerName(table: table, column: "\(column)_new", reading: alter.up?.value, afterTypeChanges: false)
        let qt = b.t(table), qc = b.q(column), qcopy = b.q(copy), qq = b.q(quarantine)
        let newDefault = alter.defaultValue?.value ?? (alter.dropDefault ? nil : info?.defaultValue)
        let notNull = !(alter.nullable?.value ?? info?.nullable ?? true)
        let oldNotNull = info.map { !$0.nullable } ?? false
        // `nullable: true` on a NOT NULL column: the new version may write NULL from its first pod on,
        // and the sync trigger writes `down` of it into the old column. Relaxing NOT NULL is safe for the
        // old version (it never sends NULL), so it happens in expand, as a plain relax does; its down puts
        // NOT NULL back only where no row holds NULL (restoreNotNull), never failing the rollback.
        let relaxed = oldNotNull && alter.nullable?.value == true
        var steps: [StepDraft] = []
        if relaxed {
            steps.append(StepDraft(.expand, slug: "relax \(table) \(column)", title: "let \(table).\(column) accept NULL", change: change,
                                   up: b.relaxNotNull(table, column, checkName: derived.notNullCheck(table: table, column: column),
                                                      reason: "metadata-only, and a no-op when the column is already nullable",
                                                      comment: "The new version may write NULL (nullable: true) from its first pod on; the sync trigger copies it here."),
                                   down: PostgreSQLDialect().restoreNotNull(table, column, refill: nil, b)))
        }

        var definition = type
        if let newDefault { definition += " DEFAULT \(newDefault)" }
        steps.append(StepDraft(.expand, slug: "alter_type \(table) \(column) add", title: "add \(table).\(copy), the \(type) copy of \(column)", change: change,
                               up: [SQLStatement(b.addColumn(table, copy, definition),
                                                 comment: "\(info?.type ?? "the current type") -> \(type) rewrites the table: new column + trigger + backfill + swap instead.",
                                                 suppressions: b.typeLints(type, reason: "the column type is the one the spec asks for (a type preference, not a locking hazard)"))],
                               down: [b.dropAddedColumn(table, copy)]))
        let sync: [SQLStatement]
        if PostgreSQLVersionSchemas.enabled(b.context) {
            // The new version writes the copy through its view (under the final name), the old version the
            // column: the search_path a session selected its version with says which one wrote (as pgroll's
            // triggers do), and the other column follows.
            let newSchema = b.context.derived.versionSchema(new: true)
            let writtenByNew = "(current_schemas(false))[1] = \(b.lit(newSchema))"
            let body = """
              IF \(b.writtenByNewFlag(writtenByNew)) THEN
                IF TG_OP = 'INSERT' OR NEW.\(qcopy) IS DISTINCT FROM OLD.\(qcopy) THEN
                  NEW.\(qc) := \(back(row: "NEW"));
                END IF;
              ELSE
                NEW.\(qcopy) := \(converted(type, row: "NEW"));
              END IF;
            """
            sync = b.syncTrigger(table: table, name: trigger, body: body,
                                 comment: "Two-way sync: the old version writes \"\(column)\" (\(info?.type ?? "its type")), the new version the \(type) copy through its view\n(search_path \(newSchema)); each write fills the other column until the swap.",
                                 writtenByNew: writtenByNew)
        } else {
            let body = "  NEW.\(qcopy) := \(converted(type, row: "NEW"));"
            sync = b.syncTrigger(table: table, name: trigger, body: body,
                                 comment: "One-way sync: every app version uses \"\(column)\" by name; the copy follows it until the swap.")
        }
        steps.append(StepDraft(.expand, slug: "alter_type \(table) \(column) sync", title: "sync \(table).\(copy) from \(column) with a trigger", change: change,
                               up: sync, down: b.dropSyncTrigger(table: table, name: trigger)))
        let value = converted(type, row: nil)
        steps.append(StepDraft(.backfill, slug: "\(table) \(column)_new", title: "backfill \(table).\(copy)", change: change,
                               up: b.backfill(table: table, assignments: "\(qcopy) = \(value)", pending: "\(qcopy) IS DISTINCT FROM \(value)",
                                              comment: "Copy \(column) into the \(type) column for existing rows."),
                               down: [.note("Nothing to undo: data only, in a column that an earlier step's down drops.")], transactional: false))
        if notNull {
            steps.append(StepDraft(.complete, slug: "\(table) \(column)_new not_null", title: "set NOT NULL on \(table).\(copy)", change: change,
                                   up: b.enforceNotNull(table, copy, checkName: derived.notNullCheck(table: table, column: "\(column)_new")),
                                   down: [b.dropNotNull(table, copy, reason: "reverts this pair's SET NOT NULL; a no-op when nullable")]))
        }
        // Indexes and constraints on the column: build the same on the copy now, swap the names with the columns.
        let dialect = PostgreSQLDialect()
        let carried = CarriedObjects(b.context, table: table, column: column, replacement: copy)
        steps += dialect.carrySteps(carried, table: table, onto: copy, slug: "\(table) \(column)_new", change: change, b)
        let renames = dialect.carryRenames(carried, table: table, b)

        var swapUp = ["LOCK TABLE \(qt) IN ACCESS EXCLUSIVE MODE;",
                      "DROP TRIGGER IF EXISTS \(b.q(trigger)) ON \(qt);",
                      "DROP FUNCTION IF EXISTS \(b.t(trigger))();",
                      "ALTER TABLE \(qt) RENAME COLUMN \(qc) TO \(qq);",
                      "ALTER TABLE \(qt) RENAME COLUMN \(qcopy) TO \(qc);"]
        swapUp += renames.up
        // Views bound to the column would go on reading it under its quarantine name: recreated on the new one.
        let views = PostgreSQLViewRebuild(b.context, table: table, column: column)
        // What they have on the server (owner, grants, comments, ...) read before the drops and applied again after (PostgreSQLViewRebuild.capture).
        swapUp.insert(contentsOf: views.before(b, indent: "    "), at: 1)
        swapUp += views.after(b, indent: "    ")
        swapUp.append("-- the quarantined column must stop requiring values the app no longer writes")
        swapUp.append("ALTER TABLE \(qt) ALTER COLUMN \(qq) DROP NOT NULL;")
        var swapDown = ["LOCK TABLE \(qt) IN ACCESS EXCLUSIVE MODE;",
                        "ALTER TABLE \(qt) RENAME COLUMN \(qc) TO \(qcopy);",
                        "ALTER TABLE \(qt) RENAME COLUMN \(qq) TO \(qc);"]
        swapDown += renames.down
        swapDown.insert(contentsOf: views.before(b, indent: "    "), at: 1)
        swapDown += views.after(b, indent: "    ")
        var comment = "Atomic swap in one transaction (the DO block): short ACCESS EXCLUSIVE lock, metadata only.\n(squawk does not see the RENAMEs inside DO; safe: the app keeps using the name \"\(column)\" throughout.)"
        if !views.isEmpty {
            comment += "\nViews over the column (\(views.names)), in the same block:\n" + PostgreSQLViewRebuild.stepComment
        }
        let back = back(row: nil)
        // The sync trigger comes back inside the swap's transaction: between the swap and a later
        // trigger, an insert of the old version would leave the copy NULL (refused once the copy is NOT
        // NULL, and its value lost by the copy-back below). Its function is created first, outside
        // (plpgsql resolves the columns only when it runs).
        swapDown += sync.dropFirst().map(\.text)
        let declare = views.isEmpty ? [] : PostgreSQLViewRebuild.declarations
        var down = [sync[0], SQLStatement(b.guarded(b.columnExists(table, quarantine), swapDown, declare: declare), comment: comment)]
        if let old = info?.type {
            // After the swap the new version's values sit under the column's name: they must fit the old type.
            let value = alter.down.map { "(" + ExpressionRewriter.rewrite($0.value, columns: [column]) { _ in qc } + ")" } ?? "CAST(\(qc) AS \(old))"
            down.insert(fitCheck(value, old: old, newType: alter.down == nil ? type : nil, when: b.columnExists(table, quarantine),
                                 notNull: oldNotNull && !relaxed), at: 0)
        }
        down += sync
        // Only rows whose new value is not what the old one converts to: the new version wrote them. A row
        // nobody touched keeps its old value even where `down` does not invert `up` ('p2' → 1 → 'normal').
        // Where the old column was NOT NULL, NULL there marks a row the new version inserted after the swap
        // (no version wrote the quarantined column), even when `up` of NULL happens to equal its new value.
        let insertedAfterSwap = oldNotNull ? " OR (\(qc) IS NULL AND \(back) IS NOT NULL)" : ""
        down += b.backfill(table: table, assignments: "\(qc) = \(back)", pending: "(\(qcopy) IS DISTINCT FROM \(value) AND \(qc) IS DISTINCT FROM \(back))\(insertedAfterSwap)",
                           comment: "Copy back what the new version wrote after the swap (fails if a value no longer fits the old type).")
        if oldNotNull && !relaxed {
            down += b.enforceNotNull(table, column, checkName: derived.notNullCheck(table: table, column: column))
        }
        steps.append(StepDraft(.contract, slug: "alter_type \(table) \(column) swap", title: "swap \(table).\(column) and its \(type) copy", change: change,
                               up: [SQLStatement(b.guarded(b.columnExists(table, copy), swapUp, declare: declare), comment: comment)],
                               down: down, transactional: false))
        if b.context.spec.purge {
            steps.append(PostgreSQLDialect().purgeColumn(table, quarantine: quarantine, type: info?.type, change: change, b))
        }
        return steps
    }
}
