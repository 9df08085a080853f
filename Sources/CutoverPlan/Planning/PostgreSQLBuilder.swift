/// The PostgreSQL statement shapes every lowering reuses: catalog-guarded DO blocks, the batched
/// backfill, sync triggers, the NOT NULL dance and concurrent index builds. squawk does not parse
/// DO bodies, so only statements vetted here go inside them.
package struct PostgreSQLBuilder: Sendable {
    var context: LoweringContext
    /// The memberwise initializer, spelled out so that the emitters (another target) can make one.
    package init(context: LoweringContext) { self.context = context }
    var n: SQLNames { context.names }
    var objects: ObjectNames { ObjectNames(names: context.names) }

    /// A column, constraint, trigger, function, type or other name that is never schema-qualified here.
    func q(_ name: String) -> String { n.quote(name) }
    /// A relation of the spec's schema (table, index, view, sequence) as a statement names it: `"t"` in
    /// `public`, `"app"."t"` with `schemaName: app` (`LoweringContext.qualifyingSchema`). Every table or
    /// index name a statement or catalog guard writes goes through here, never through `q`.
    package func t(_ name: String) -> String { context.qualifyingSchema.map { "\(q($0)).\(q(name))" } ?? q(name) }
    func lit(_ text: String) -> String { n.literal(text) }
    /// `to_regclass('"name"')`, `to_regclass('"app"."name"')` in another schema: never found through `search_path`.
    func regclass(_ table: String) -> String { "to_regclass(\(lit(t(table))))" }

    /// The options of every view an app version reads a table through (`CREATE VIEW name<options> AS`):
    /// ` WITH (security_invoker = true)` where the server has it (`LoweringContext.postgresInvokerViews`,
    /// CUT113), else none. One text for the version schemas' views and the compatibility views.
    var appViewOptions: String { context.postgresInvokerViews ? " WITH (security_invoker = true)" : "" }

    // MARK: guards

    /// `declare`: the block's variables, one declaration each (none: no DECLARE).
    func doBlock(_ body: String, declare: [String] = []) -> String {
        let declarations = declare.isEmpty ? "" : "DECLARE\n" + declare.map { "  " + $0 + "\n" }.joined()
        return "DO $cutover$\n\(declarations)BEGIN\n\(body)\nEND\n$cutover$;"
    }

    /// `IF <condition> THEN <statements> END IF;` in a DO block.
    func guarded(_ condition: String, _ statements: [String], declare: [String] = []) -> String {
        doBlock("  IF \(condition) THEN\n" + statements.map { "    " + $0 }.joined(separator: "\n") + "\n  END IF;", declare: declare)
    }

    func constraintExists(_ table: String, _ name: String, extra: String = "") -> String {
        "EXISTS (SELECT 1 FROM pg_catalog.pg_constraint\n             WHERE conrelid = \(regclass(table)) AND conname = \(lit(name))\(extra))"
    }

    func columnExists(_ table: String, _ column: String, extra: String = " AND NOT attisdropped") -> String {
        "EXISTS (SELECT 1 FROM pg_catalog.pg_attribute\n             WHERE attrelid = \(regclass(table)) AND attname = \(lit(column))\(extra))"
    }

    // MARK: columns

    func addColumn(_ table: String, _ column: String, _ definition: String) -> String {
        "ALTER TABLE \(t(table)) ADD COLUMN IF NOT EXISTS \(q(column)) \(definition);"
    }

    func dropAddedColumn(_ table: String, _ column: String, reason: String = "drops only the column that this pair's up added") -> SQLStatement {
        SQLStatement("ALTER TABLE \(t(table)) DROP COLUMN IF EXISTS \(q(column));",
                     suppressions: .rules(["ban-drop-column"], reason))
    }

    /// Rename a column when it exists and the target name is free (RENAME inside DO: squawk does not see it).
    /// `also`: statements that belong to the same atomic rename (index and constraint renames).
    func renameColumn(_ table: String, from: String, to: String, also: [String] = []) -> String {
        guarded("\(columnExists(table, from))\n     AND NOT \(columnExists(table, to))",
                ["ALTER TABLE \(t(table)) RENAME COLUMN \(q(from)) TO \(q(to));"] + also)
    }

    func dropNotNull(_ table: String, _ column: String, reason: String) -> SQLStatement {
        SQLStatement("ALTER TABLE \(t(table)) ALTER COLUMN \(q(column)) DROP NOT NULL;",
                     suppressions: .rules(["ban-drop-not-null", "prefer-robust-stmts"], reason))
    }

    func setNotNull() -> [SQLStatement.Suppression] {
        .rules(["adding-not-nullable-field", "prefer-robust-stmts"],
               "a validated CHECK (col IS NOT NULL) lets PostgreSQL 12+ skip the scan; a no-op when already NOT NULL")
    }

    // MARK: NOT NULL without a long lock

    /// CHECK NOT VALID, VALIDATE, SET NOT NULL, drop the temporary check: the compact form. The add and the
    /// VALIDATE are separate statements (two DO blocks), so under `psql -f` each commits on its own and the
    /// scan runs under SHARE UPDATE EXCLUSIVE, not under the ADD's ACCESS EXCLUSIVE; the planner runs a
    /// step holding both outside a transaction (Flyway, Liquibase).
    func enforceNotNull(_ table: String, _ column: String, checkName: String) -> [SQLStatement] {
        let check = "ALTER TABLE \(t(table)) ADD CONSTRAINT \(q(checkName)) CHECK (\(q(column)) IS NOT NULL) NOT VALID;"
        let add = "  IF NOT \(columnExists(table, column, extra: " AND attnotnull"))\n     AND NOT \(constraintExists(table, checkName)) THEN\n    \(check)\n  END IF;"
        let validate = "  IF \(constraintExists(table, checkName)) THEN\n    ALTER TABLE \(t(table)) VALIDATE CONSTRAINT \(q(checkName));\n  END IF;"
        return [
            SQLStatement(doBlock(add), comment: "Set NOT NULL without a long ACCESS EXCLUSIVE scan: CHECK NOT VALID (committed at once), VALIDATE, SET NOT NULL, drop the check.",
                         kind: .addNotValid),
            SQLStatement(doBlock(validate), kind: .validateConstraint),
            SQLStatement("ALTER TABLE \(t(table)) ALTER COLUMN \(q(column)) SET NOT NULL;", suppressions: setNotNull()),
            SQLStatement("ALTER TABLE \(t(table)) DROP CONSTRAINT IF EXISTS \(q(checkName));",
                         suppressions: .rules(["ban-drop-constraint"], "drops only the temporary NOT NULL check added above")),
        ]
    }

    /// A rollback that re-imposes NOT NULL on a column the new version may have left NULL, without a
    /// `down` to refill it: it never fails and keeps every row. CHECK (col IS NOT NULL) NOT VALID comes
    /// back at once, so every write from then on is held to NOT NULL again; when no NULL is left it is
    /// validated and NOT NULL set (the compact dance); otherwise a WARNING names the column and the
    /// count, and a re-run after the rows are filled finishes the job. Three statements, three
    /// transactions: the add is a catalog update, the count and VALIDATE do not block writes.
    func restoreNotNullKeepingRows(_ table: String, _ column: String, checkName: String) -> [SQLStatement] {
        let add = "  IF \(columnExists(table, column, extra: " AND NOT attisdropped AND NOT attnotnull"))\n     AND NOT \(constraintExists(table, checkName)) THEN\n"
            + "    ALTER TABLE \(t(table)) ADD CONSTRAINT \(q(checkName)) CHECK (\(q(column)) IS NOT NULL) NOT VALID;\n  END IF;"
        let prefix = lit(RollbackWarning.marker + "\(table).\(column) keeps ")
        let suffix = lit(RollbackWarning.tail(engine: .postgresql, check: checkName))
        let count = """
        DO $cutover$
        DECLARE
          nulls bigint;
        BEGIN
          IF \(constraintExists(table, checkName, extra: " AND NOT convalidated")) THEN
            SELECT count(*) INTO nulls FROM \(t(table)) WHERE \(q(column)) IS NULL;
            IF nulls > 0 THEN
              RAISE WARNING '%', \(prefix) || nulls || \(suffix);
            ELSE
              ALTER TABLE \(t(table)) VALIDATE CONSTRAINT \(q(checkName));
            END IF;
          END IF;
        END
        $cutover$;
        """
        let set = "  IF \(constraintExists(table, checkName, extra: " AND convalidated")) THEN\n"
            + "    ALTER TABLE \(t(table)) ALTER COLUMN \(q(column)) SET NOT NULL;\n"
            + "    ALTER TABLE \(t(table)) DROP CONSTRAINT \(q(checkName));\n  END IF;"
        return [
            SQLStatement(doBlock(add), comment: "No down expression in the spec: rows the new app version left NULL are kept, never refused or lost.\n"
                         + "CHECK NOT VALID first (a catalog update): every write from now on is held to NOT NULL again.", kind: .addNotValid),
            SQLStatement(count, comment: "NULL rows left: a WARNING names the column and the count (fill them, run the Job again); none: VALIDATE (no write block).",
                         kind: .validateConstraint),
            SQLStatement(doBlock(set), comment: "Validated: SET NOT NULL skips the scan (PostgreSQL 12+), then the check is redundant."),
        ]
    }

    /// The forward twin of `restoreNotNullKeepingRows`: a check it left behind would refuse the NULLs
    /// the new version writes again, so relaxing NOT NULL drops it too.
    func relaxNotNull(_ table: String, _ column: String, checkName: String, reason: String, comment: String?) -> [SQLStatement] {
        var relax = dropNotNull(table, column, reason: reason)
        relax.comment = comment
        return [relax, dropConstraint(table, checkName, reason: "drops only the NOT NULL check a rollback without down expression left behind")]
    }

    func addNotValidCheck(_ table: String, name: String, expression: String) -> SQLStatement {
        SQLStatement(guarded("NOT \(constraintExists(table, name))",
                             ["ALTER TABLE \(t(table)) ADD CONSTRAINT \(q(name))\n      CHECK (\(expression)) NOT VALID;"]), kind: .addNotValid)
    }

    func dropConstraint(_ table: String, _ name: String, reason: String = "drops only the constraint that this pair's up added") -> SQLStatement {
        SQLStatement("ALTER TABLE \(t(table)) DROP CONSTRAINT IF EXISTS \(q(name));", suppressions: .rules(["ban-drop-constraint"], reason))
    }

    func validate(_ table: String, _ name: String, reason: String) -> SQLStatement {
        SQLStatement("ALTER TABLE \(t(table)) VALIDATE CONSTRAINT \(q(name));", suppressions: .rules(["prefer-robust-stmts"], reason), kind: .validateConstraint)
    }

    /// PostgreSQL cannot un-validate: drop and re-add NOT VALID when the constraint is validated.
    func unvalidate(_ table: String, _ name: String, addDefinition: String) -> SQLStatement {
        SQLStatement(guarded(constraintExists(table, name, extra: " AND convalidated"),
                             ["ALTER TABLE \(t(table)) DROP CONSTRAINT \(q(name));",
                              "ALTER TABLE \(t(table)) ADD CONSTRAINT \(q(name)) \(addDefinition) NOT VALID;"]),
                     comment: "PostgreSQL cannot un-validate: re-create the constraint as NOT VALID (brief lock, no scan).", kind: .addNotValid)
    }

    // MARK: indexes

    /// Drop an INVALID leftover of a failed concurrent build (IF NOT EXISTS would skip it), then build concurrently.
    func createIndexConcurrently(name: String, table: String, unique: Bool, method: String, columns: String, options: String = "",
                                 whereClause: String?) -> [SQLStatement] {
        let guardBlock = guarded("EXISTS (SELECT 1 FROM pg_catalog.pg_index i\n             WHERE i.indexrelid = \(regclass(name)) AND NOT (i.indisvalid AND i.indisready))",
                                 ["DROP INDEX \(t(name));"])
        var create = "CREATE \(unique ? "UNIQUE " : "")INDEX CONCURRENTLY IF NOT EXISTS \(q(name)) ON \(t(table)) USING \(method) (\(columns))\(options)"
        if let whereClause { create += " WHERE (\(whereClause))" }
        return [
            SQLStatement(guardBlock, comment: "A failed CONCURRENTLY build leaves an INVALID index that IF NOT EXISTS would skip: drop such a leftover first.\n(DROP INDEX CONCURRENTLY cannot run inside DO; dropping an invalid index is quick and bounded by lock_timeout.)"),
            SQLStatement(create + ";", kind: .concurrentIndex),
        ]
    }

    func dropIndexConcurrently(_ name: String) -> SQLStatement {
        SQLStatement("DROP INDEX CONCURRENTLY IF EXISTS \(t(name));", kind: .concurrentIndex)
    }

    // MARK: backfill

    /// Batched, resumable, idempotent UPDATE: keyset over the key columns, one COMMIT per batch.
    /// `assignments` is the SET list; `pending` selects the rows still to do, so a re-run resumes.
    /// `log`: a table (the key columns, then `logColumn`) that receives the key and the new value of every
    /// row the batch updates, in the same statement, so a rollback can tell the rows it filled.
    func backfill(table: String, assignments: String, pending: String, comment: String,
                  log: String? = nil, logColumn: String? = nil) -> [SQLStatement] {
        let key = context.batchKey(table)
        let cols = key.columns.map(q)
        let los = key.columns.indices.map { "lo_\($0 + 1)" }
        let his = key.columns.indices.map { "hi_\($0 + 1)" }
        let ends = key.columns.indices.map { "end_\($0 + 1)" }
        let firsts = key.columns.indices.map { "first_\($0 + 1)" }
        let declare = key.columns.indices.map { i in
            [los, his, ends, firsts].map { "  \($0[i]) \(t(table)).\(cols[i])%TYPE;" }.joined(separator: "\n")
        }.joined(separator: "\n")
        let row = "(\(cols.joined(separator: ", ")))"
        let loRow = "(\(los.joined(separator: ", ")))"
        let hiRow = "(\(his.joined(separator: ", ")))"
        let order = cols.joined(separator: ", ")
        let orderDesc = cols.map { "s.\($0) DESC" }.joined(separator: ", ")
        let endRow = "(\(ends.joined(separator: ", ")))"
        let firstRow = "(\(firsts.joined(separator: ", ")))"
        let selected = cols.map { "s.\($0)" }.joined(separator: ", ")
        var update = "UPDATE \(t(table)) SET \(assignments)\n    WHERE (NOT started OR \(row) > \(loRow)) AND \(row) <= \(hiRow) AND (\(pending))"
        if let log, let logColumn {
            update = "WITH filled AS (\n      \(update)\n      RETURNING \((cols + [q(logColumn)]).joined(separator: ", "))\n    )\n    INSERT INTO \(t(log)) SELECT * FROM filled"
        }
        update += ";"
        let body = """
        DO $cutover$
        DECLARE
        \(declare)
          started boolean := false;
          updated bigint;
        BEGIN
          -- The last key present now bounds the loop: rows inserted later are filled by the sync triggers.
          SELECT \(selected) INTO \(ends.joined(separator: ", ")) FROM (
            SELECT \(order) FROM \(t(table)) ORDER BY \(cols.map { "\($0) DESC" }.joined(separator: ", ")) LIMIT 1
          ) s;
          -- A re-run starts at the first key still pending, found once: the rows below it are done and the
          -- sync triggers keep them so, hence no batch (and no pause) is spent on them again.
          SELECT \(selected) INTO \(firsts.joined(separator: ", ")) FROM (
            SELECT \(order) FROM \(t(table)) WHERE \(row) <= \(endRow) AND (\(pending)) ORDER BY \(order) LIMIT 1
          ) s;
          IF NOT FOUND THEN
            RETURN;
          END IF;
          SELECT \(selected) INTO \(los.joined(separator: ", ")) FROM (
            SELECT \(order) FROM \(t(table)) WHERE \(row) < \(firstRow) ORDER BY \(cols.map { "\($0) DESC" }.joined(separator: ", ")) LIMIT 1
          ) s;
          started := FOUND;
          LOOP
            SELECT \(selected) INTO \(his.joined(separator: ", ")) FROM (
              SELECT \(order) FROM \(t(table)) WHERE (NOT started OR \(row) > \(loRow)) AND \(row) <= \(endRow) ORDER BY \(order) LIMIT \(context.batchSize)
            ) s ORDER BY \(orderDesc) LIMIT 1;
            EXIT WHEN NOT FOUND;
            \(update)
            GET DIAGNOSTICS updated = ROW_COUNT;
            \(los.indices.map { "\(los[$0]) := \(his[$0]);" }.joined(separator: " ")) started := true;
            COMMIT;
            -- The pause gives the server room between writing batches; a batch that wrote nothing needs none.
            IF updated > 0 THEN
              PERFORM pg_sleep(\(context.pauseSeconds));
            END IF;
          END LOOP;
        END
        $cutover$;
        """
        var note = comment + "\nBatched, resumable, idempotent: keyset over \(key.columns.joined(separator: ", ")) from the first key still pending to the last key present when it starts\n(so a re-run skips the done rows and it ends under continuous inserts), one COMMIT per batch (psql -f runs DO outside a transaction block),\na pause after each batch that updated rows."
        if key.assumed { note += "\nThe base schema names no primary key for \(table): the batches walk column \"id\"." }
        return [
            SQLStatement("SET statement_timeout = \(lit(LoweringContext.postgresDuration(context.backfillBudget)));",
                         comment: "The whole batched loop runs as one statement: its budget is the Job's (committed batches stay; a re-run resumes)."),
            SQLStatement(body, comment: note, kind: .batchedLoop),
        ]
    }

    // MARK: triggers

    /// The SET clause of every function cutover creates: ` SET search_path = "app", public` with
    /// `schemaName: app`, none in `public` (byte-identical output). A trigger function runs under the
    /// search_path of whichever session writes the row, and the spec's `up`/`down` name types, functions
    /// and tables bare: a cron or DBA session with the default path resolved them in `public` (user trial
    /// 13, M5: an enum cast hit a same-named decoy type in public). The clause pins the path while the
    /// function runs; `public` stays for the extensions installed there (citext, as the versions' path).
    /// How a body given `writtenByNew` reads it (`syncTrigger`): the condition itself in `public`
    /// (byte-identical output), the variable the function declares otherwise.
    func writtenByNewFlag(_ condition: String) -> String { context.qualifyingSchema == nil ? condition : "written_by_new" }

    var functionSearchPath: String {
        context.qualifyingSchema.map { "\nSET search_path = \(q($0)), public" } ?? ""
    }

    /// A BEFORE INSERT OR UPDATE trigger running `body` (plpgsql statements), function and trigger under one name.
    /// `writtenByNew`: a condition on the writer's search_path (a two-way sync asks which app version
    /// wrote), which the SET clause would hide; with `schemaName` such a function has no SET clause, but
    /// reads the condition into `written_by_new` first, pins the path for the body with `set_config`
    /// (transaction-local) and gives the writer's back before it returns. The body names the condition
    /// `writtenByNewFlag`.
    func syncTrigger(table: String, name: String, body: String, comment: String, writtenByNew: String? = nil) -> [SQLStatement] {
        var function = "CREATE OR REPLACE FUNCTION \(t(name))() RETURNS trigger\nLANGUAGE plpgsql\(functionSearchPath) AS $fn$\nBEGIN\n\(body)\n  RETURN NEW;\nEND\n$fn$;"
        if let writtenByNew, let schema = context.qualifyingSchema {
            let path = lit("\(q(schema)), public")
            function = "CREATE OR REPLACE FUNCTION \(t(name))() RETURNS trigger\nLANGUAGE plpgsql AS $fn$\nDECLARE\n"
                + "  writer_path text := pg_catalog.current_setting('search_path');\n  written_by_new boolean := \(writtenByNew);\nBEGIN\n"
                + "  PERFORM pg_catalog.set_config('search_path', \(path), true);\n\(body)\n"
                + "  PERFORM pg_catalog.set_config('search_path', writer_path, true);\n  RETURN NEW;\nEND\n$fn$;"
        }
        var statements = [SQLStatement(function, comment: comment)]
        let create = "TRIGGER \(q(name)) BEFORE INSERT OR UPDATE ON \(t(table))\nFOR EACH ROW EXECUTE FUNCTION \(t(name))();"
        if context.postgresMajorVersion >= 14 {
            statements.append(SQLStatement("CREATE OR REPLACE " + create))
        } else {
            statements.append(SQLStatement("DROP TRIGGER IF EXISTS \(q(name)) ON \(t(table));"))
            statements.append(SQLStatement("CREATE " + create))
        }
        return statements
    }

    func dropSyncTrigger(table: String, name: String) -> [SQLStatement] {
        [
            SQLStatement("DROP TRIGGER IF EXISTS \(q(name)) ON \(t(table));"),
            SQLStatement("DROP FUNCTION IF EXISTS \(t(name))();",
                         suppressions: .rules(["ban-drop-function"], "drops only the sync trigger function that cutover created")),
        ]
    }

    /// Rewrites a user expression so bare column names of `table` read `prefix."col"` (NEW inside a trigger).
    func rowExpression(_ expression: String, table: String, prefix: String, extra: Set<String> = []) -> String {
        var columns = Set(context.table(table)?.columns.map(\.name) ?? [])
        columns.formUnion(extra)
        return ExpressionRewriter.rewrite(expression, columns: columns) { "\(prefix).\(q($0))" }
    }

    /// The name of the trigger that fills `column` of `table` with `expression` (an `up`). PostgreSQL
    /// fires the BEFORE triggers of a table in name order; when the expression reads a column a
    /// renameColumn keeps in sync with its other name (either name), that sync must run first, or
    /// an insert that wrote only the other name reads NULL (issue #14, user trial: an `up` of
    /// length(title) after renaming subject to title filled NULL for the old version's inserts). So
    /// such a trigger is named after the last of those sync triggers, which its name extends (and
    /// sorts after, also when either is cut to 63 bytes with a hash); any other keeps
    /// `_cutover_<table>_<column>_sync`.
    /// `afterTypeChanges`: also after the sync trigger of every type change of a column the expression
    /// reads (either place in the spec): with version schemas that sync is two-way and writes the column
    /// from the copy the new version wrote, so a fill reading the column before it read NULL. The type
    /// change's own trigger passes false (its `up` reads its own column).
    func fillTriggerName(table: String, column: String, reading expression: String?, afterTypeChanges: Bool = true) -> String {
        let derived = context.derived
        var syncs = context.spec.changes.compactMap { $0.operation.unit(RenameColumn.self) }
            .filter { rename in
                rename.table.value == table && expression.map { text in
                    ColumnExpression.uses(text, column: rename.to.value, engine: .postgresql)
                        || ColumnExpression.uses(text, column: rename.from.value, engine: .postgresql)
                } == true
            }
            .map { derived.syncTrigger(table: table, column: $0.to.value) }
        if afterTypeChanges, let expression {
            for alter in context.spec.changes.compactMap({ $0.operation.unit(AlterColumn.self) })
            where alter.table.value == table && alter.type != nil && alter.column.value != column
                && ColumnExpression.uses(expression, column: alter.column.value, engine: .postgresql) {
                syncs.append(fillTriggerName(table: table, column: "\(alter.column.value)_new", reading: alter.up?.value, afterTypeChanges: false))
            }
        }
        // Byte order, as PostgreSQL compares names; a long name keeps sorting after it (`SQLNames.fit(_:after:)`).
        guard let last = syncs.max(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) else { return derived.syncTrigger(table: table, column: column) }
        return derived.names.fit("\(last)_\(column)_sync", after: last)
    }

    // MARK: type lints

    func typeLints(_ type: String, reason: String) -> [SQLStatement.Suppression] {
        .rules(SQLTypeFacts.postgresTypeLints(type), reason)
    }
}
