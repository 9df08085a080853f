/// `renameColumn`: expand adds the new column (same type, nullable) and a trigger pair keeping both
/// names in sync both ways; backfill copies existing rows; complete sets NOT NULL; the indexes and
/// constraints are carried over to the new column (`CarriedObjects`); contract moves the default, drops
/// the sync and quarantines the old column (its carried objects take their names in the same step).
package struct RenameColumn: OperationUnit {
    package var table: Name
    package var from: Name
    package var to: Name

    package static let keyword = "renameColumn"

    package static let field = Field("renameColumn", .object(ObjectShape("renameColumn", "rename a column without breaking old readers", [
        Field("table", SpecShape.identifier, required: true, "table to alter"),
        Field("from", SpecShape.identifier, required: true, "current name"),
        Field("to", SpecShape.identifier, required: true, "new name"),
    ])), "rename a column: new column kept in sync by triggers during the rollout, old one retired in contract")

    package static func read(_ node: SyntaxNode, _ reader: SpecBuilder) -> RenameColumn? {
        guard let table = reader.name(node["table"]), let from = reader.name(node["from"]), let to = reader.name(node["to"]) else { return nil }
        return RenameColumn(table: table, from: from, to: to)
    }

    package static let examples = [
        OperationExample(engine: .postgresql, schema: OperationExample.pricing,
                         changes: "    - renameColumn:\n        table: pricing\n        from: amount\n        to: amount_cents\n"),
        OperationExample(engine: .mysql, schema: OperationExample.pricingMySQL,
                         changes: "    - renameColumn:\n        table: pricing\n        from: amount\n        to: amount_cents\n"),
    ]

    package var tables: [Name] { [table] }
    package var existingColumns: [(table: Name, column: Name)] { [(table, from)] }
    package var introducedColumns: [(table: Name, column: Name)] { [(table, to)] }
    /// Complete sets NOT NULL, contract retires the old column.
    package func tableWithLaterSteps(engine: MigrationSpec.Engine) -> Name? { table }

    /// CUT044 for a rename to itself or to a column there, CUT041/CUT042 for an unknown table or column,
    /// CUT052 for a column changed twice (the new name inherits the old one's change), CUT049 for a key
    /// column or a table without a primary key (the copy is batched by key).
    package func check(_ rules: inout ReferenceRules, change: Change) {
        let line = change.location.line
        if from.value == to.value {
            rules.report(.alreadyExists, Message.renameToItself("column", from.value), to)
            return
        }
        guard rules.requireTable(table), rules.requireColumn(from, of: table.value) else { return }
        let fromKey = rules.schema.columnKey(from.value), toKey = rules.schema.columnKey(to.value)
        if fromKey != toKey && rules.schema.hasColumn(to.value, in: table.value) {
            rules.report(.alreadyExists, Message.columnExists(to.value, table: table.value), to)
            return
        }
        if let earlier = rules.changing(table.value, from, "renameColumn", line: line) {
            rules.changedColumns[rules.columnIdentity(table.value, to.value)] = earlier
        } else {
            rules.changedColumns[rules.columnIdentity(table.value, to.value)] = (line, "renameColumn")
        }
        rules.checkReplacedColumn(table.value, from, by: "the rename", at: from)
        RenameTable.RenamedTableColumnsRule.check(&rules, table: table, "the renameColumn of '\(from.value)' to '\(to.value)'")
        rules.requirePrimaryKey(table, for: "copying '\(from.value)' into '\(to.value)' in batches")
        rules.schema.update(table.value) { state in
            var column = state.columns.removeValue(forKey: fromKey) ?? .init(name: from.value, nullable: nil)
            column.name = to.value
            state.columns[toKey] = column
            state.gone[toKey] = nil
            if fromKey != toKey { state.gone[fromKey] = "it was renamed to '\(to.value)' at line \(line)" }
            state.primaryKey = state.primaryKey.map { $0 == fromKey ? toKey : $0 }
            state.uniqueSets = state.uniqueSets.map { set in
                set.contains(fromKey) ? set.subtracting([fromKey]).union([toKey]) : set
            }
        }
    }

    func lower(_ r: Recipe) -> [StepDraft] {
        let table = self.table.value, from = self.from.value, to = self.to.value
        return r.engine == .postgresql ? postgres(table, from: from, to: to, change: r.change, r.postgres)
                                       : mysql(table, from: from, to: to, change: r.change, r.mysql)
    }

    /// The column's new name in the table, its key, its indexes and constraints (check expressions
    /// included) and the foreign keys that reference it.
    func apply(to schema: inout DatabaseSchema, engine: MigrationSpec.Engine) {
        let t = table.value, from = self.from.value, to = self.to.value
        let rule = ColumnNames(mysql: engine == .mysql)
        let sameName = rule.same
        schema.mutateTable(t) { table in
            if let index = table.columns.firstIndex(where: { sameName($0.name, from) }) {
                table.columns[index].name = to
                table.primaryKey = table.primaryKey.map { sameName($0, from) ? to : $0 }
            }
        }
        for i in schema.indexes.indices where schema.indexes[i].table == t {
            schema.indexes[i].columns = schema.indexes[i].columns.map { sameName($0, from) ? to : $0 }
        }
        for i in schema.constraints.indices {
            if schema.constraints[i].table == t {
                schema.constraints[i].columns = schema.constraints[i].columns.map { sameName($0, from) ? to : $0 }
                if let expression = schema.constraints[i].expression {
                    schema.constraints[i].expression = ColumnExpression.rename(expression, from: from, to: to, engine: engine)
                }
            }
            if schema.constraints[i].referencedTable == t {
                schema.constraints[i].referencedColumns = schema.constraints[i].referencedColumns.map { sameName($0, from) ? to : $0 }
            }
        }
    }

    /// Each engine's column step library (fill triggers, NOT NULL, quarantine purge, carry-over), shared
    /// with the other column operations.
    private var pg: PostgreSQLDialect { PostgreSQLDialect() }
    private var my: MySQLDialect { MySQLDialect() }

    // MARK: PostgreSQL

    func postgres(_ table: String, from: String, to: String, change: Int, _ b: PostgreSQLBuilder) -> [StepDraft] {
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
        steps += pg.carrySteps(carried, table: table, onto: to, slug: "\(table) \(to)", change: change, b)
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
                                   up: [SQLStatement("ALTER TABLE \(b.t(table)) ALTER COLUMN \(nt) SET DEFAULT \(value);",
                                                     suppressions: .rules(["prefer-robust-stmts"], "SET DEFAULT is metadata-only and naturally idempotent"))],
                                   down: [SQLStatement("ALTER TABLE \(b.t(table)) ALTER COLUMN \(nt) DROP DEFAULT;",
                                                       suppressions: .rules(["ban-drop-default", "prefer-robust-stmts"], "removes only the default this pair's up set"))]))
        }
        var resync = sync
        resync += b.backfill(table: table, assignments: "\(nf) = \(nt)", pending: "\(nf) IS DISTINCT FROM \(nt)",
                             comment: "Re-sync rows written while the trigger was gone.")
        steps.append(StepDraft(.contract, slug: "unsync \(table) \(to)", title: "drop the sync trigger between \(table).\(from) and \(to)", change: change,
                               up: b.dropSyncTrigger(table: table, name: trigger), down: resync, transactional: false))
        let renames = pg.carryRenames(carried, table: table, b)
        steps.append(StepDraft(.contract, slug: "quarantine \(table) \(from)", title: "quarantine the old column \(table).\(from) as \(quarantine)", change: change,
                               up: [SQLStatement(b.renameColumn(table, from: from, to: quarantine, also: renames.up),
                                                 comment: "Quarantine the old column (RENAME inside DO: squawk's renaming-column does not see it; safe in contract)."
                                                    + (carried.isEmpty ? "" : "\nIn the same transaction its indexes and constraints retire and the ones carried over to \"\(to)\" take their names."))],
                               down: [SQLStatement(b.renameColumn(table, from: quarantine, to: from, also: renames.down))]))
        if context.spec.purge {
            steps.append(pg.purgeColumn(table, quarantine: quarantine, type: info?.type, change: change, b))
        }
        return steps
    }

    // MARK: MySQL

    func mysql(_ table: String, from: String, to: String, change: Int, _ b: MySQLBuilder) -> [StepDraft] {
        let context = b.context
        let info = context.column(table, from)
        let quarantine = context.derived.quarantine(from)
        var steps: [StepDraft] = []
        let add: String
        if let type = info?.type {
            // The new name keeps the column's character set, collation and comment (else the table's defaults).
            let kept = b.attributes(info)
            add = b.addColumn(table, to, b.definition(type: type + kept.charset, nullable: true, defaultValue: nil) + kept.comment)
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
                              comment: "Keep `\(from)` (old app) and `\(to)` (new app) in sync both ways. Single-statement bodies: no DELIMITER.",
                              writes: [from, to])
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
                                   up: [SQLStatement(b.modify(table, from, type: info?.type, nullable: true, defaultValue: nil, keeping: info, condition: "is_nullable = 'NO'"),
                                                     comment: "The new version leaves `\(from)` out of its inserts; the insert trigger fills it from `\(to)`.")],
                                   down: [SQLStatement(b.modify(table, from, type: info?.type, nullable: false, defaultValue: nil, keeping: info, condition: "is_nullable = 'YES'"),
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
                                   up: [SQLStatement(b.modify(table, to, type: info?.type, nullable: false, defaultValue: nil, keeping: info, condition: "is_nullable = 'YES'"),
                                                     comment: "The old column is NOT NULL: so is the new one (the insert trigger fills it for old-app inserts).")],
                                   down: [SQLStatement(b.modify(table, to, type: info?.type, nullable: true, defaultValue: nil, keeping: info, condition: "is_nullable = 'NO'"))]))
        }
        let carried = CarriedObjects(context, table: table, column: from, replacement: to)
        steps += my.carrySteps(carried, table: table, onto: to, slug: "\(table) \(to)", movingChecksFrom: from, change: change, b)
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
        var quarantineUp = [SQLStatement(b.renameColumn(table, from: from, to: quarantine, also: my.swapClauses(carried, dropChecks: false, down: false, b)),
                                         comment: "Quarantine the old column (RENAME COLUMN is metadata-only)."
                                            + (carried.indexes.isEmpty && carried.foreignKeys.isEmpty ? "" : "\nIts indexes retire and the ones carried over to `\(to)` take their names; its foreign keys move to `\(to)`."))]
        var quarantineDown = [SQLStatement(b.renameColumn(table, from: quarantine, to: from, also: my.swapClauses(carried, dropChecks: false, down: true, b)))]
        if !carried.foreignKeys.isEmpty {
            quarantineUp = my.lockedForForeignKeys(table, quarantineUp + my.addForeignKeys(carried, table: table, column: to, replaced: from, b), carried: carried, b)
            quarantineDown = my.lockedForForeignKeys(table, quarantineDown + my.addForeignKeys(carried, table: table, column: from, replaced: from, b), carried: carried, b)
        }
        steps.append(StepDraft(.contract, slug: "quarantine \(table) \(from)", title: "quarantine the old column \(table).\(from) as \(quarantine)", change: change,
                               up: quarantineUp, down: quarantineDown, transactional: carried.foreignKeys.isEmpty))
        if context.spec.purge {
            steps.append(my.purgeColumn(table, column: from, quarantine: quarantine, change: change, b))
        }
        return steps
    }
}
