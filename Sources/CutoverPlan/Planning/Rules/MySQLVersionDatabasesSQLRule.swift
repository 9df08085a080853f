extension RuleID {
    public static let mysqlVersionDatabasesSQL = RuleID("CUT076")
}

/// CUT076 `mysql-version-databases-sql`: with MySQL's version databases on, a `sql` change that
/// creates, renames or drops a table or changes its columns is not in them: the new version's
/// database of views shows the tables as the typed changes leave them (warning).
///
/// `MySQLVersionSchemas` builds each version's views from the base schema and the typed changes; the
/// user's SQL runs verbatim in its phase (after the views exist when it is a backfill or contract
/// change), so a table it creates has no view (a connection to `<migration>_new` does not see it)
/// and a column it adds is not in the table's view. Read with the same reader validation uses
/// (`RawSQLSchemaEffects`); a statement it cannot read counts as a change.
enum MySQLVersionDatabasesSQLRule: RuleUnit {
    static let rule = Rule(
        id: .mysqlVersionDatabasesSQL, name: "mysql-version-databases-sql", severity: .warning, checkedBy: [.lowering],
        summary: "with MySQL's version databases, a table or column a `sql` change creates, renames or drops is not in the app versions' databases of views (warning)",
        rationale: "On MySQL each app version connects to its own database of views (`<base>_<migration>_old`, `<base>_<migration>_new`, named per base database), built from the base schema and the typed changes of the spec when expand ends. A `sql` change runs your SQL verbatim, and cutover does not rebuild the views from it: a table it creates has no view there (a connection to the version database does not see it, and nothing falls through to the base database), a column it adds is not in its table's view, and a view naming a column it renames or drops becomes invalid. Reported at each `sql` change that creates, renames or drops a table or column (or that cutover cannot read). Write the change as typed changes (createTable, addColumn, renameColumn, …), which the views follow; or name those tables qualified by the base database in the app (`shop.audit_log`); or set `app.versionSchemas: none`.",
        triggering: [RuleExample(Snippets.spec(database: Snippets.mysqlDatabase + "    schema: schema.sql\n", changes: rename + createAudit),
                                 files: ["schema.sql": OperationExample.pricingMySQL]).expecting((22, 7))],
        nonTriggering: [RuleExample(Snippets.spec(database: Snippets.mysqlDatabase + "    schema: schema.sql\n", changes: rename + createView),
                                    files: ["schema.sql": OperationExample.pricingMySQL]),
                        RuleExample(Snippets.spec(database: Snippets.mysqlDatabase + "    schema: schema.sql\n", app: Snippets.app + "    versionSchemas: none\n", changes: rename + createAudit),
                                    files: ["schema.sql": OperationExample.pricingMySQL])])

    private static let rename = "    - renameColumn:\n        table: pricing\n        from: amount\n        to: price\n"
    private static let createAudit = "    - sql:\n        name: audit-log\n        up: CREATE TABLE IF NOT EXISTS audit_log (id bigint NOT NULL AUTO_INCREMENT PRIMARY KEY, note text NULL) ENGINE=InnoDB;\n"
        + "        down: DROP TABLE IF EXISTS audit_log;\n"
    private static let createView = "    - sql:\n        name: pricing-totals\n        up: CREATE OR REPLACE VIEW pricing_totals AS SELECT 1 AS one;\n        down: DROP VIEW IF EXISTS pricing_totals;\n"

    /// Every `sql` change of a spec without errors that changes tables or columns while the version
    /// databases are on; run by `SpecValidator` after the spec validated.
    static func check(_ lowered: LoweredSpec, diagnostics: inout DiagnosticBag) {
        let spec = lowered.spec
        guard lowered.mysqlVersionSchemas != nil else { return }
        let base = lowered.base
        for change in spec.changes {
            guard let raw = change.operation.unit(RawSQL.self) else { continue }
            let effects = RawSQLSchemaEffects.read(raw.up.value, engine: .mysql)
            var names: [String] = []
            for effect in effects.effects {
                switch effect {
                case .createTable(let table, _): names.append("creates table \(table.name)")
                case .addColumn(let table, let column): names.append("adds \(table).\(column.name)")
                case .dropColumn(let table, let column): names.append("drops \(table).\(column)")
                case .renameColumn(let table, let from, let to): names.append("renames \(table).\(from) to \(to)")
                case .renameTable(let from, let to): names.append("renames table \(from) to \(to)")
                case .dropTable(let table): names.append("drops table \(table)")
                case .createIndex, .dropIndex: continue
                }
            }
            if let unreadable = effects.unreadable { names.append("runs a statement cutover cannot read (line \(unreadable.line): \(unreadable.words))") }
            guard !names.isEmpty else { continue }
            diagnostics.report(.mysqlVersionDatabasesSQL,
                               Message.mysqlVersionDatabasesSQL(name: raw.name.value, does: names, new: base.derived.versionDatabase(base: base.spec.database.name, new: true)),
                               at: change.location)
        }
    }
}

extension Message {
    static func mysqlVersionDatabasesSQL(name: String, does: [String], new: String) -> String {
        "sql change '\(name)' \(does.joined(separator: ", ")): the version databases of views do not follow a sql change, so the new version's database \(new) "
            + "does not show it; write it as typed changes, name the table qualified by the base database in the app, or set app.versionSchemas: none"
    }
}
