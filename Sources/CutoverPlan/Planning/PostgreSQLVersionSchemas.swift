/// A schema of views per app version (issue #14, `app.versionSchemas: views`, PostgreSQL), the way
/// pgroll presents each version's shape: `<migration>_old` shows the tables the migration changes as
/// the base schema has them, `<migration>_new` as the migration leaves them (renamed columns under
/// their new names, a retyped column as its copy under the final name, added columns, dropped ones
/// hidden). Each view is a plain `SELECT col AS name, … FROM table`: one table, plain column
/// references, so PostgreSQL makes it automatically updatable and a write through it lands in the
/// column it names (the copy, for a retyped column; the version-aware sync trigger fills the other).
/// An app version selects its schema with `search_path = <schema>, public`: every table without a
/// view (untouched, or created by the migration) still resolves in `public`, so only changed tables
/// get views. Views follow renamed columns (they store column numbers, not names), so they stay
/// right through contract's swaps and quarantines; the last contract step drops them and the new
/// version falls through to the tables, which now have its shape. Created last in expand, after
/// every column they show.
package struct PostgreSQLVersionSchemas {
    /// The base schema (before any change), names and settings.
    var b: PostgreSQLBuilder
    var changes: [Change]
    /// `finalName` of every table a renameTable starts from, worked out once (it was a walk of the
    /// changes per view and statement, a few percent of `generate` with a thousand changes).
    private let finalNames: [String: String]

    package init(b: PostgreSQLBuilder, changes: [Change]) {
        self.b = b
        self.changes = changes
        finalNames = RenameTable.finalNames(changes)
    }

    /// A view column: its name for the app, and the table column it shows before and after contract.
    struct Column: Equatable {
        var name: String
        var before: String
        var after: String
        /// The default the new version's inserts get when they leave the column out (an added column
        /// filled by `up`): the table gets it only in complete, and until then the fill trigger computes
        /// `up` for every NULL, which is right for the old version (it cannot name the column) and wrong
        /// for the new one, whose shape has the default (trial 14e). A view column's own default applies
        /// to inserts through the view before the trigger runs, so the trigger keeps it.
        var defaultValue: String? = nil
    }

    package struct View: Equatable {
        package var table: String
        var old: [Column]
        var new: [Column]
    }

    package static func enabled(_ context: LoweringContext) -> Bool {
        context.engine == .postgresql && context.spec.strategy == .expandContract && context.spec.app.versionSchemas && context.hasBaseSchema
    }

    /// Whether a type change goes through a copy column (the same test as `PostgreSQLAlterColumn`).
    package static func rewrites(_ alter: AlterColumn, _ context: LoweringContext) -> Bool {
        guard let type = alter.type?.value else { return false }
        guard let old = context.column(alter.table.value, alter.column.value)?.type else { return true }
        return !SQLTypeFacts.isSameType(old, type) && (alter.converts || !SQLTypeFacts.isPostgresMetadataOnly(from: old, to: type))
    }

    /// The tables whose columns differ between the versions, in the order the spec first changes them.
    package func views() -> [View] {
        let derived = b.context.derived
        var views: [View] = []
        func update(_ table: String, _ body: (inout View) -> Void) {
            if let index = views.firstIndex(where: { $0.table == table }) {
                body(&views[index])
                return
            }
            guard let base = b.context.table(table) else { return }  // created by this migration: no old shape
            let columns = base.columns.map { Column(name: $0.name, before: $0.name, after: $0.name) }
            var view = View(table: table, old: columns, new: columns)
            body(&view)
            views.append(view)
        }
        func retire(_ view: inout View, _ column: String) {
            if let i = view.old.firstIndex(where: { $0.name == column }) { view.old[i].after = derived.quarantine(column) }
        }
        for change in changes {
            if let add = change.operation.unit(AddColumn.self) {
                let name = add.column.name.value
                let viewDefault = add.up != nil ? add.column.defaultValue?.value : nil
                update(add.table.value) { $0.new.append(Column(name: name, before: name, after: name, defaultValue: viewDefault)) }
            }
            if let drop = change.operation.unit(DropColumn.self) {
                update(drop.table.value) { view in
                    view.new.removeAll { $0.name == drop.column.value }
                    retire(&view, drop.column.value)
                }
            }
            if let rename = change.operation.unit(RenameColumn.self) {
                update(rename.table.value) { view in
                    if let i = view.new.firstIndex(where: { $0.name == rename.from.value }) {
                        view.new[i] = Column(name: rename.to.value, before: rename.to.value, after: rename.to.value)
                    }
                    retire(&view, rename.from.value)
                }
            }
            guard let alter = change.operation.unit(AlterColumn.self), Self.rewrites(alter, b.context) else { continue }
            update(alter.table.value) { view in
                if let i = view.new.firstIndex(where: { $0.name == alter.column.value }) {
                    view.new[i].before = derived.rewriteCopy(alter.column.value)
                }
                retire(&view, alter.column.value)
            }
        }
        return views
    }

    func schema(new: Bool) -> String { b.context.derived.versionSchema(new: new) }

    /// The name a table has once every renameTable of the spec ran: the views read the table itself,
    /// never the compatibility view under its old name (which contract drops, and which a view on it
    /// would pin); the new version knows the table by that name.
    func finalName(_ table: String) -> String {
        finalNames[table] ?? table
    }

    func createView(_ schema: String, _ table: String, _ columns: [Column], afterContract: Bool, new: Bool = false) -> String {
        let list = columns.map { column -> String in
            let source = afterContract ? column.after : column.before
            return source == column.name ? b.q(column.name) : "\(b.q(source)) AS \(b.q(column.name))"
        }
        let name = new ? finalName(table) : table
        // Set after every CREATE OR REPLACE (idempotent); also when contract's rollback makes the views again,
        // since rolling back complete then drops the table's default while the new version still serves.
        let defaults = columns.compactMap { column in
            column.defaultValue.map { "\nALTER VIEW \(b.q(schema)).\(b.q(name)) ALTER COLUMN \(b.q(column.name)) SET DEFAULT \($0);" }
        }
        return "CREATE OR REPLACE VIEW \(b.q(schema)).\(b.q(name))\(b.appViewOptions) AS\n  SELECT \(list.joined(separator: ", "))\n  FROM \(b.t(finalName(table)));" + defaults.joined()
    }

    func create(_ views: [View], afterContract: Bool) -> [SQLStatement] {
        var statements: [SQLStatement] = []
        for new in [false, true] {
            let schema = schema(new: new)
            statements.append(SQLStatement("CREATE SCHEMA IF NOT EXISTS \(b.q(schema));",
                                           comment: new ? "The new app version's shape: search_path = \(schema), \(b.context.spec.database.schemaName)."
                                                        : "The old app version's shape (the base schema): search_path = \(schema), \(b.context.spec.database.schemaName)."))
            for view in views {
                let create = createView(schema, view.table, new ? view.new : view.old, afterContract: afterContract, new: new)
                guard afterContract else { statements.append(SQLStatement(create)); continue }
                // Contract's rollback: a view an earlier attempt created is kept as it is. A view follows its
                // columns, not their names, so it is right after the swaps went back too, where its text,
                // naming the quarantined columns, could no longer be created (a retry after a partial
                // failure stopped at this first file: `column "_cutover_…" does not exist`).
                let name = new ? finalName(view.table) : view.table
                let missing = "to_regclass(\(b.lit(b.q(schema) + "." + b.q(name)))) IS NULL"
                statements.append(SQLStatement(b.guarded(missing, create.components(separatedBy: "\n")),
                                               comment: view.table == views.first?.table ? "Created unless an earlier attempt of this rollback did: re-runnable after a partial failure." : nil))
            }
        }
        return statements
    }

    func drop(_ views: [View]) -> [SQLStatement] {
        var statements: [SQLStatement] = []
        for new in [true, false] {
            let schema = schema(new: new)
            for view in views {
                statements.append(SQLStatement("DROP VIEW IF EXISTS \(b.q(schema)).\(b.q(new ? finalName(view.table) : view.table));",
                                               suppressions: .rules(["ban-drop-view"], "drops only a version view that cutover created; the tables keep every row")))
            }
            statements.append(SQLStatement("DROP SCHEMA IF EXISTS \(b.q(schema));",
                                           comment: "No CASCADE: a schema holding anything cutover did not create stays, and the step says so.",
                                           suppressions: .rules(["ban-drop-schema"], "drops only the version schema cutover created; an app still selecting it falls through to \(b.context.spec.database.schemaName)")))
        }
        return statements
    }

    /// The steps that create and drop the schemas of `views` (`views()`, which `LoweredSpec` keeps).
    func drafts(_ views: [View]) -> [StepDraft] {
        guard !views.isEmpty else { return [] }
        let names = "\(schema(new: false)) and \(schema(new: true))"
        var up = create(views, afterContract: false)
        up[0].comment = "A schema of views per app version (auto-updatable: one table, plain columns), selected by search_path.\n" + (up[0].comment ?? "")
        return [
            StepDraft(.expand, slug: "create_version_schemas", title: "create the version schemas \(names)", change: nil,
                      up: up, down: drop(views), rank: 2),
            StepDraft(.contract, slug: "drop_version_schemas", title: "drop the version schemas \(names): the tables have the new version's shape", change: nil,
                      up: drop(views), down: create(views, afterContract: true), rank: 2),
        ]
    }
}
