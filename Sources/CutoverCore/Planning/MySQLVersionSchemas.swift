/// A database of views per app version on MySQL (issue #14, `app.versionSchemas: views`, the default
/// there): `<migration>_old` shows every table of the base schema as the base schema has it,
/// `<migration>_new` every table as the migration leaves it (renamed columns under their new names,
/// added columns and created tables, dropped columns and tables hidden). An app version selects its
/// database with the connection's database (the `MYSQL_DATABASE` env the runbook sets, or the
/// database of its DSN). What differs from PostgreSQL (`PostgreSQLVersionSchemas`), and why:
/// - a connection selects one database and nothing falls through to another, so each version's
///   database holds a view of every table, not only the changed ones;
/// - each view is `ALGORITHM=MERGE SQL SECURITY INVOKER … SELECT col, … FROM <base>.<table>`: one
///   table, plain columns, so MySQL writes through it (INSERT/UPDATE/DELETE), and the app's own
///   privileges on the tables apply, not the Jobs';
/// - a view names its columns (PostgreSQL's store column numbers), so a view may only name columns
///   that keep their name through contract: the new version's view names final columns only, which
///   expand creates and contract keeps (a rename's new column, an added column). A retyped column
///   that goes through a hidden copy (`hiddenCopies`) is shown under its name, in its OLD type until
///   contract swaps the copy in under that name: a view `copy AS name` would be invalid
///   (ER_VIEW_INVALID) from the swap on, and CREATE VIEW is refused under the swap's LOCK TABLES, so
///   the new version's statements would fail in between. The plan README says what the new version
///   may not rely on, as with `none`. The old version's views name the base columns, which contract
///   quarantines: they become invalid then, when no pod of the old version serves, and valid again
///   when the rollback of contract brings the columns back;
/// - the databases outlive contract: the new version still reads through `<migration>_new`, whose
///   views stay valid, until the runbook points the app at the base database again (a pod-template
///   change, same image); the plan README then gives the statements that drop both databases. The
///   rollback of expand drops them (the runbook's revert points the old version at the base
///   database first: its tables have the old shape until contract).
/// Created last in expand (after every column they show), dropped first by its rollback (before any
/// column they name goes). The views' text names the base database by `DATABASE()` at run time (the
/// database the Job is connected to), so the same files run against any database name.
struct MySQLVersionSchemas {
    /// The base schema (before any change), names and settings.
    var b: MySQLBuilder
    var changes: [Change]

    struct View: Equatable {
        /// The name the version knows the table by.
        var name: String
        /// The table the view reads, by its name once expand ran.
        var table: String
        var columns: [String]
    }

    static func enabled(_ context: LoweringContext) -> Bool {
        context.engine == .mysql && context.spec.strategy == .expandContract && context.spec.app.versionSchemas && context.hasBaseSchema
    }

    /// The type changes that go through a hidden copy column (`MySQLAlterColumn.rewrite`): the same
    /// type and an in-place VARCHAR widening change the column itself, so the new version sees the
    /// new type at once. Without a base schema every type change counts (the old type is unknown).
    static func hiddenCopies(_ context: LoweringContext) -> [AlterColumn] {
        guard context.engine == .mysql, context.spec.strategy == .expandContract else { return [] }
        var context = context
        var copies: [AlterColumn] = []
        for change in context.spec.changes {
            if let alter = change.operation.unit(AlterColumn.self), let type = alter.type?.value {
                let old = context.column(alter.table.value, alter.column.value)
                if let old, SQLTypeFacts.isSameType(old.type, type) || SQLTypeFacts.isMySQLInPlaceWidening(old, of: context.schema.table(alter.table.value), to: type) {
                    // changes in place: the new version sees the new type from expand on
                } else {
                    copies.append(alter)
                }
            }
            context.apply(change.operation)
        }
        return copies
    }

    /// The name a table has once every renameTable of the spec ran (expand renames the table itself).
    func finalName(_ table: String) -> String {
        var name = table
        for change in changes {
            if let rename = change.operation.unit(RenameTable.self), rename.from.value == name { name = rename.to.value }
        }
        return name
    }

    /// The old version's views: every table of the base schema, its columns as they are.
    func oldViews() -> [View] {
        b.context.schema.tables.filter { $0.partitionOf == nil }.map { table in
            View(name: table.name, table: finalName(table.name), columns: table.columns.map(\.name))
        }
    }

    /// The new version's views: every table once every change applied, its columns under their final
    /// names. dropColumn and dropTable leave the lowering's schema as it is (the column and the table
    /// exist until contract quarantines them), so they are taken out here: a view naming them would be
    /// invalid from contract on, while the new version still reads through it.
    func newViews() -> [View] {
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
        return context.schema.tables.filter { $0.partitionOf == nil && !droppedTables.contains($0.name) }.map { table in
            let dropped = droppedColumns[table.name] ?? []
            return View(name: table.name, table: table.name,
                        columns: table.columns.map(\.name).filter { name in !dropped.contains { same($0, name) } })
        }
    }

    func database(new: Bool) -> String { b.context.derived.versionSchema(new: new) }

    /// CREATE OR REPLACE VIEW through PREPARE: the base database's name comes from `DATABASE()`.
    func createView(_ database: String, _ view: View) -> String {
        let head = "CREATE OR REPLACE ALGORITHM=MERGE SQL SECURITY INVOKER VIEW \(b.q(database)).\(b.q(view.name)) AS SELECT "
            + view.columns.map(b.q).joined(separator: ", ") + " FROM `"
        return """
        SET @cutover_ddl = CONCAT(\(b.lit(head)), REPLACE(DATABASE(), '`', '``'), \(b.lit("`.\(b.q(view.table))")));
        PREPARE cutover_stmt FROM @cutover_ddl;
        EXECUTE cutover_stmt;
        DEALLOCATE PREPARE cutover_stmt;
        """
    }

    func create() -> [SQLStatement] {
        var statements: [SQLStatement] = []
        for (new, views) in [(false, oldViews()), (true, newViews())] {
            let database = database(new: new)
            statements.append(SQLStatement("CREATE DATABASE IF NOT EXISTS \(b.q(database));",
                                           comment: new ? "The new app version's shape: it connects with database \(database)."
                                                        : "The old app version's shape (the base schema): database \(database)."))
            for view in views { statements.append(SQLStatement(createView(database, view))) }
        }
        return statements
    }

    func drop() -> [SQLStatement] {
        var statements: [SQLStatement] = []
        for (new, views) in [(true, newViews()), (false, oldViews())] {
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
        let old = oldViews(), new = newViews()
        return old.map(\.name) != new.map(\.name) || old.map(\.columns) != new.map(\.columns)
    }

    func drafts() -> [StepDraft] {
        guard differs else { return [] }
        let names = "\(database(new: false)) and \(database(new: true))"
        var up = create()
        up[0].comment = "A database of views per app version (MERGE, SQL SECURITY INVOKER: one table, plain columns, writable), selected by the connection's database.\n" + (up[0].comment ?? "")
        return [
            StepDraft(.expand, slug: "create_version_databases", title: "create the version databases \(names)", change: nil,
                      up: up, down: drop(), transactional: false, rank: 2),
        ]
    }
}
