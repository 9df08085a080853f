/// A database of views per app version on MySQL (issue #14, `app.versionSchemas: views`, the default
/// there): `<base>_<migration>_old` shows every table of the base schema as the base schema has it,
/// `<base>_<migration>_new` every table as the migration leaves it (renamed columns under their new names,
/// added columns and created tables, dropped columns and tables hidden). An app version selects its
/// database with the connection's database (the `MYSQL_DATABASE` env the runbook sets, or the
/// database of its DSN). What differs from PostgreSQL (`PostgreSQLVersionSchemas`), and why:
/// - a connection selects one database and nothing falls through to another, so each version's
///   database holds a view of every table, not only the changed ones;
/// - each view is `ALGORITHM=MERGE SQL SECURITY INVOKER … SELECT col, … FROM <base>.<table>`: one
///   table, plain columns, so MySQL writes through it (INSERT/UPDATE/DELETE), and the app's own
///   privileges on the tables apply, not the Jobs';
/// - a view names its columns (PostgreSQL's store column numbers), so a view may only name columns
///   that keep their name through contract, or be re-pointed with them: the new version's view names
///   final columns (a rename's new column, an added column, which expand creates and contract keeps)
///   and each retyped column's hidden copy (`hiddenCopies`) under the column's name (`copy AS name`):
///   the new type from expand on, with two-way sync triggers (`MySQLAlterColumn.twoWaySync`).
///   Contract's swap re-points that view at the column with no window (`swapView`: the lock taken on
///   the view, the re-creation queued on it by the runner's second session). The old version's views
///   name the base columns, which contract quarantines: they become invalid then, when no pod of the
///   old version serves, and valid again when the rollback of contract brings the columns back;
/// - the databases outlive contract: the new version still reads through `<migration>_new`, whose
///   views stay valid, until the runbook points the app at the base database again (a pod-template
///   change, same image); purge then drops both databases (refused while a session uses them). The
///   rollback of expand drops them (the runbook's revert points the old version at the base
///   database first: its tables have the old shape until contract).
/// Created last in expand (after every column they show), dropped first by its rollback (before any
/// column they name goes). The views' text names the base database by `DATABASE()` at run time (the
/// database the Job is connected to), so the same files run against any database name.
package struct MySQLVersionSchemas {
    /// The base schema (before any change), names and settings.
    var b: MySQLBuilder
    var changes: [Change]
    /// The type changes through a hidden copy (`hiddenCopies`), and each version's views: computed once
    /// here, since each walks the changes and the drafts, the swaps and the plan README ask for them
    /// again and again.
    private(set) var copies: [AlterColumn] = []
    /// Each of `copies` with its column as the changes before it left it (nil without a base schema).
    private(set) var copiedColumns: [(alter: AlterColumn, old: DatabaseSchema.Column?)] = []
    private(set) var oldViews: [View] = []
    private(set) var newViews: [View] = []

    /// `finalName` of every table a renameTable starts from, worked out once.
    private var finalNames: [String: String] = [:]

    package init(b: MySQLBuilder, changes: [Change]) {
        self.b = b
        self.changes = changes
        finalNames = RenameTable.finalNames(changes)
        copiedColumns = Self.hiddenCopyColumns(b.context)
        copies = copiedColumns.map(\.alter)
        oldViews = makeOldViews()
        newViews = makeNewViews()
    }

    struct View: Equatable {
        /// The name the version knows the table by.
        var name: String
        /// The table the view reads, by its name once expand ran.
        var table: String
        var columns: [String]
        /// A column shown under a name other than its own: a retyped column's hidden copy under the
        /// column's name (`copy AS name`), by the shown name.
        var sources: [String: String] = [:]
    }

    static func enabled(_ context: LoweringContext) -> Bool {
        context.engine == .mysql && context.spec.strategy == .expandContract && context.spec.app.versionSchemas && context.hasBaseSchema
    }

    /// The type changes that go through a hidden copy column (`MySQLAlterColumn.rewrite`): the same
    /// type and an in-place VARCHAR widening change the column itself, so the new version sees the
    /// new type at once. Without a base schema every type change counts (the old type is unknown).
    package static func hiddenCopies(_ context: LoweringContext) -> [AlterColumn] {
        hiddenCopyColumns(context).map(\.alter)
    }

    /// `hiddenCopies`, each with the column as the changes before it left it.
    static func hiddenCopyColumns(_ context: LoweringContext) -> [(alter: AlterColumn, old: DatabaseSchema.Column?)] {
        guard context.engine == .mysql, context.spec.strategy == .expandContract else { return [] }
        var context = context
        var copies: [(alter: AlterColumn, old: DatabaseSchema.Column?)] = []
        for change in context.spec.changes {
            if let alter = change.operation.unit(AlterColumn.self), let type = alter.type?.value {
                let old = context.column(alter.table.value, alter.column.value)
                if let old, !alter.converts, MySQLAlterColumn.changesInPlace(old, of: context.schema.table(alter.table.value), to: type) {
                    // changes in place: the new version sees the new type from expand on
                } else {
                    copies.append((alter, old))
                }
            }
            context.apply(change.operation)
        }
        return copies
    }

    /// The name a table has once every renameTable of the spec ran (expand renames the table itself).
    func finalName(_ table: String) -> String {
        finalNames[table] ?? table
    }

    /// The old version's views: every table of the base schema, its columns as they are.
    private func makeOldViews() -> [View] {
        b.context.schema.tables.filter { $0.partitionOf == nil }.map { table in
            View(name: table.name, table: finalName(table.name), columns: table.columns.map(\.name))
        }
    }

    /// The new version's views: every table once every change applied, its columns under their final
    /// names. dropColumn and dropTable leave the lowering's schema as it is (the column and the table
    /// exist until contract quarantines them), so they are taken out here: a view naming them would be
    /// invalid from contract on, while the new version still reads through it.
    private func makeNewViews() -> [View] {
        var context = b.context
        var droppedColumns: [String: Set<String>] = [:]
        var droppedTables: Set<String> = []
        let same = context.sameName
        for change in changes {
            let operation = change.operation
            if let drop = operation.unit(DropColumn.self) {
                droppedColumns[drop.table.value, default: []].insert(drop.column.value)
            } else if let drop = operation.unit(DropTable.self) {
                droppedTables.insert(drop.name.value)
            } else if let add = operation.unit(AddColumn.self) {
                droppedColumns[add.table.value]?.remove(add.column.name.value)
            } else if let create = operation.unit(CreateTable.self) {
                droppedTables.remove(create.name.value)
            } else if let rename = operation.unit(RenameTable.self) {
                if let columns = droppedColumns.removeValue(forKey: rename.from.value) { droppedColumns[rename.to.value] = columns }
                if droppedTables.remove(rename.from.value) != nil { droppedTables.insert(rename.to.value) }
            }
            context.apply(change.operation)
        }
        let copies = retypedCopies()
        return context.schema.tables.filter { $0.partitionOf == nil && !droppedTables.contains($0.name) }.map { table in
            let dropped = droppedColumns[table.name] ?? []
            return View(name: table.name, table: table.name,
                        columns: table.columns.map(\.name).filter { name in !dropped.contains { same($0, name) } },
                        sources: copies[table.name] ?? [:])
        }
    }

    /// The new version's views show each retyped column that goes through a hidden copy as that copy,
    /// under the column's name (the new type from expand on): table (final name) → column → copy.
    /// The sync triggers are two-way then (`MySQLAlterColumn.rewrite`), and contract's swap re-points
    /// the view at the column itself (`swapView`).
    package func retypedCopies() -> [String: [String: String]] {
        var copies: [String: [String: String]] = [:]
        for alter in self.copies {
            copies[finalName(alter.table.value), default: [:]][alter.column.value] = b.context.derived.rewriteCopy(alter.column.value)
        }
        return copies
    }

    /// The new version's view of `table` (its final name) once contract swapped the copies in: every
    /// column under its own name. Valid before the swap too (the old column has the name then), and
    /// the statement the swap's second session runs (`swapView`).
    func finalView(_ table: String) -> View? {
        guard var view = newViews.first(where: { $0.name == table }) else { return nil }
        view.sources = [:]
        return view
    }

    /// `<base>_<migration>_new` / `_old` (`DerivedNames.versionDatabase`): per base database.
    func database(new: Bool) -> String { b.context.derived.versionDatabase(base: b.context.spec.database.name, new: new) }

    /// The version databases of `context`'s migration, built on its given schema (the lowering of one
    /// change sees the schema as the changes before it left it), when they are on.
    package static func of(_ context: LoweringContext) -> MySQLVersionSchemas? {
        guard enabled(context) else { return nil }
        let versions = MySQLVersionSchemas(b: MySQLBuilder(context: LoweringContext(spec: context.spec, schema: context.givenSchema)), changes: context.spec.changes)
        return versions.differs ? versions : nil
    }

    /// The marker line the runner (`run-mysql.sh`) reads in a file: the rest of the line is SQL it runs
    /// on a second session when the first prints `cutover-concurrent`.
    static let concurrentPrefix = "cutover-concurrent: "

    /// The statements around a type change's swap (contract, `final`) or its down (not `final`) that
    /// re-point the new version's view of `table` with no window in which a statement of the new
    /// version meets it invalid (ER_VIEW_INVALID, 1356). Checked on MariaDB 10.11
    /// (`MySQLRetypedViewTests`):
    /// - the view names the copy before the swap and the column after it, and CREATE VIEW is refused
    ///   under LOCK TABLES (1192), as is RENAME TABLE of a view: one session cannot swap both;
    /// - a statement that read the view's definition before the swap and then waited for the table
    ///   fails with 1356 once the swap is done, so the lock is taken on the VIEW (`LOCK TABLES
    ///   <new>.t WRITE`, which locks the table through it and lets the swap's ALTER and triggers run):
    ///   the view's own metadata lock comes first, so the new version's statements wait before they
    ///   read its definition (locking the table by name as well sorts it first and lets a statement
    ///   holding the view wait for it: 8 of 80 swaps failed a statement that way);
    /// - a second session's CREATE OR REPLACE VIEW, queued on that lock before UNLOCK TABLES, is granted
    ///   before the waiting statements (a pending exclusive lock goes first), so they read the new
    ///   definition: 0 failed statements in 80 swaps under 4 writers, 8 failed in 20 without it.
    /// The runner starts that second session when the file prints the marker; the file waits (a
    /// procedure polling the process list for a session waiting on the lock with the view's CREATE, as
    /// MariaDB shows a prepared statement, or `EXECUTE cutover_stmt`, in case a server shows the
    /// EXECUTE itself; at most 5 s, only where the runner set
    /// `@cutover_concurrent`) until it queued, and re-creates the view itself after UNLOCK TABLES (the
    /// same definition; under another client, the one window left: statements that waited on the lock).
    func swapView(table: String, column: String, final: Bool, otherTables: [String])
        -> (setup: [SQLStatement], lock: SQLStatement, beforeUnlock: [SQLStatement], afterUnlock: [SQLStatement])? {
        let name = finalName(table)
        guard var view = newViews.first(where: { $0.name == name }), view.sources[column] != nil else { return nil }
        // Contract swaps the copies of one table in spec order (its down in reverse): the copies swapped
        // before this one are the columns themselves by now, the ones after it still copies.
        guard let index = copies.firstIndex(where: { $0.table.value == table && $0.column.value == column }) else { return nil }
        for (offset, alter) in copies.enumerated() where finalName(alter.table.value) == name && (offset < index || (offset == index && final)) {
            view.sources[alter.column.value] = nil
        }
        let database = database(new: true)
        let procedure = b.q(b.context.derived.procedure("view", table: table, column: column))
        let pattern = "CREATE OR REPLACE ALGORITHM=MERGE SQL SECURITY INVOKER VIEW \(b.q(database)).\(b.q(view.name)) %"
        let setup = SQLStatement("""
            DROP PROCEDURE IF EXISTS \(procedure);
            DELIMITER ;;
            CREATE PROCEDURE \(procedure)()
            BEGIN
              DECLARE n INT DEFAULT 0;
              WHILE COALESCE(@cutover_concurrent, 0) = 1 AND n < 250 AND NOT EXISTS (
                  SELECT 1 FROM information_schema.processlist
                  WHERE id <> CONNECTION_ID() AND state = 'Waiting for table metadata lock'
                    AND (info LIKE \(b.lit(pattern)) OR info = 'EXECUTE cutover_stmt')) DO
                DO SLEEP(0.02);
                SET n = n + 1;
              END WHILE;
            END;;
            DELIMITER ;
            """, comment: "Waits (at most 5 s, only under cutover's runner) until the runner's second session queued the view's re-creation on the lock below.")
        let create = createView(database, view)
        let lock = SQLStatement("LOCK TABLES " + (["\(b.q(database)).\(b.q(view.name))"] + otherTables.map(b.q)).map { "\($0) WRITE" }.joined(separator: ", ") + ";",
                                comment: "The lock is taken on the new version's view (it locks \(table) through it): its statements wait before they read the view's definition.\n"
                                    + "Swap under it so no write lands between dropping the triggers and the rename; all renames in one ALTER (atomic, metadata-only).")
        let before = [
            SQLStatement.note(create.split(separator: "\n", omittingEmptySubsequences: false).map { Self.concurrentPrefix + $0 }.joined(separator: "\n")),
            SQLStatement("SELECT 'cutover-concurrent' AS cutover_marker;", comment: "The runner runs the lines above on a second session now: it re-creates the view \(database).\(view.name) (\(final ? "`\(column)` itself" : "the copy as `\(column)`")) and waits for the lock."),
            SQLStatement("CALL \(procedure)();"),
        ]
        let after = [SQLStatement(create, comment: "The new version's view \(final ? "names `\(column)` itself, the new type since the swap" : "shows the copy as `\(column)` again"): done by the second session, or here where none ran."),
                     SQLStatement("DROP PROCEDURE IF EXISTS \(procedure);")]
        return ([setup], lock, before, after)
    }

    /// CREATE OR REPLACE VIEW through PREPARE: the base database's name comes from `DATABASE()`.
    func createView(_ database: String, _ view: View) -> String {
        let head = "CREATE OR REPLACE ALGORITHM=MERGE SQL SECURITY INVOKER VIEW \(b.q(database)).\(b.q(view.name)) AS SELECT "
            + view.columns.map { name in view.sources[name].map { "\(b.q($0)) AS \(b.q(name))" } ?? b.q(name) }.joined(separator: ", ") + " FROM `"
        return b.executing("CONCAT(\(b.lit(head)), REPLACE(DATABASE(), '`', '``'), \(b.lit("`.\(b.q(view.table))")))")
    }

    /// A SQL query finding a row when either version database holds anything other than views over the
    /// database the Job is connected to (`DATABASE()`, which every view of this migration reads): a
    /// table, or a view over another database. That is another base database's version database under
    /// the same name (a hashed name's collision, or a Job whose `DB_NAME` was changed from
    /// `database.name`, so the name was made for another base), or a database of the user's own:
    /// creating, re-pointing or dropping views there would take them from whoever uses them. MySQL
    /// and MariaDB store a view's text with qualified names (`… from \`shop\`.\`reviews\``).
    func foreignObjects() -> String {
        let databases = [database(new: false), database(new: true)].map(b.lit).joined(separator: ", ")
        return "SELECT 1 FROM information_schema.tables t LEFT JOIN information_schema.views v"
            + " ON v.table_schema = t.table_schema AND v.table_name = t.table_name"
            + " WHERE t.table_schema IN (\(databases)) AND (t.table_type <> 'VIEW' OR v.view_definition IS NULL"
            + " OR LOCATE(CONCAT(' from `', REPLACE(DATABASE(), '`', '``'), '`.`'), v.view_definition) = 0)"
    }

    /// Refuses (before anything is created or dropped) when `foreignObjects` finds one.
    func refuseForeign() -> SQLStatement {
        let message = "cutover refused: \(database(new: false)) or \(database(new: true)) holds objects other than views over this database: the name is taken"
        return SQLStatement(b.refusal(procedure: b.q(b.context.derived.procedure("refuse", table: "foreign", column: "databases")),
                                      when: foreignObjects(), message: String(message.prefix(128))),
                            comment: "Not when a version database holds anything but views over this database (another base database's, or the user's own):\nthe names are made from database.name; a Job run against another database must not take them.",
                            kind: .refusalCheck)
    }

    func create() -> [SQLStatement] {
        var statements: [SQLStatement] = [refuseForeign()]
        for (new, views) in [(false, oldViews), (true, newViews)] {
            let database = database(new: new)
            statements.append(SQLStatement("CREATE DATABASE IF NOT EXISTS \(b.q(database));",
                                           comment: new ? "The new app version's shape: it connects with database \(database)."
                                                        : "The old app version's shape (the base schema): database \(database)."))
            for view in views { statements.append(SQLStatement(createView(database, view))) }
        }
        return statements
    }

    func drop() -> [SQLStatement] {
        var statements: [SQLStatement] = [refuseForeign()]
        for (new, views) in [(true, newViews), (false, oldViews)] {
            let database = database(new: new)
            for view in views {
                // Only a version view cutover created; the tables keep every row.
                statements.append(SQLStatement("DROP VIEW IF EXISTS \(b.q(database)).\(b.q(view.name));"))
            }
            // DROP DATABASE would drop whatever else it holds: only an empty one goes, anything else keeps it.
            let empty = "NOT EXISTS (SELECT 1 FROM information_schema.tables WHERE table_schema = \(b.lit(database)))"
                + " AND NOT EXISTS (SELECT 1 FROM information_schema.routines WHERE routine_schema = \(b.lit(database)))"
            statements.append(SQLStatement(b.guarded("DROP DATABASE IF EXISTS \(b.q(database))", when: empty),
                                           comment: "Only when empty: a database holding anything cutover did not create stays."))
        }
        return statements
    }

    /// Whether the versions' shapes differ at all: a migration of constraints, indexes or data only
    /// gets no databases (the app would be moved and granted for nothing), as PostgreSQL gets no schema
    /// without a changed table.
    var differs: Bool {
        let old = oldViews, new = newViews
        return old.map(\.name) != new.map(\.name) || old.map(\.columns) != new.map(\.columns) || new.contains { !$0.sources.isEmpty }
    }

    func drafts() -> [StepDraft] {
        guard differs else { return [] }
        let names = "\(database(new: false)) and \(database(new: true))"
        var up = create()
        up[1].comment = "A database of views per app version (MERGE, SQL SECURITY INVOKER: one table, plain columns, writable), selected by the connection's database.\n" + (up[1].comment ?? "")
        return [
            StepDraft(.expand, slug: "create_version_databases", title: "create the version databases \(names)", change: nil,
                      up: up, down: drop(), transactional: false, rank: 2),
            StepDraft(.purge, slug: "drop_version_databases", title: "drop the version databases \(names): the app uses the base database since the step after contract", change: nil,
                      up: [SQLStatement(refuseWhileUsed(), comment: "Not while a session uses either database (the new version reads through its views until the runbook points it\nat the base database after contract; a connection does not fall through). Sees every session with PROCESS, else the Jobs' user's own.", kind: .refusalCheck)]
                          + drop(),
                      down: afterContract(), reversible: false, transactional: false),
        ]
    }

    /// Purge's down: the databases as contract leaves them, so that a rollback of contract after it
    /// finds the new version's views it re-points (the swap's down locks them). The new version's
    /// views in their final shape; the old version's database empty (its views named the columns
    /// contract quarantined, which CREATE VIEW refuses; no rollback points an app version at it).
    func afterContract() -> [SQLStatement] {
        let old = database(new: false), new = database(new: true)
        return [refuseForeign(),
                SQLStatement("CREATE DATABASE IF NOT EXISTS \(b.q(old));",
                             comment: "IRREVERSIBLE as purge: the databases come back as contract left them (the old version's empty), for a rollback of contract."),
                SQLStatement("CREATE DATABASE IF NOT EXISTS \(b.q(new));")]
            + newViews.compactMap { finalView($0.name) }.map { SQLStatement(createView(new, $0)) }
    }

    /// Refuses (before anything is dropped) while another session has either version database as its
    /// database: the runbook's step after contract moves the app to the base database first.
    func refuseWhileUsed() -> String {
        let databases = [database(new: false), database(new: true)]
        let message = "cutover refused: sessions still use \(databases.joined(separator: " or ")); point the app at the base database first"
        return b.refusal(procedure: b.q(b.context.derived.procedure("refuse", table: "version", column: "databases")),
                         when: "SELECT 1 FROM information_schema.processlist WHERE id <> CONNECTION_ID() AND db IN (\(databases.map(b.lit).joined(separator: ", ")))",
                         message: String(message.prefix(128)))
    }
}
