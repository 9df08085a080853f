extension RuleID {
    public static let versionSchemasEngine = RuleID("CUT068")
}

/// CUT068 `version-schemas-base-schema`: `app.versionSchemas: views` on MySQL without `database.schema`.
/// (Until issue #14's MySQL version databases, CUT068 refused `views` on MySQL altogether.)
package enum VersionSchemasEngineRule: RuleUnit {
    package static let rule = Rule(
        id: .versionSchemasEngine, name: "version-schemas-base-schema", severity: .error, checkedBy: [.consistency],
        summary: "app.versionSchemas: views on MySQL without database.schema",
        rationale: "On MySQL each app version connects to a database of views (`<base>_<migration>_old`, `<base>_<migration>_new`, named per base database), and a connection sees only the one database it selected, so each of them needs a view of every table the app uses, in that version's shape. Only the base schema (`database.schema`) lists those tables and their columns. Without it the plan could not create the databases, so an explicit `views` is refused where it is written instead of being dropped silently; the default (`views`) quietly means `none` without a base schema, and the plan README says so. Add `database.schema` (a mysqldump --no-data of the database), or write `none`.",
        triggering: [RuleExample(Snippets.spec(database: Snippets.mysqlDatabase, app: Snippets.app + "    versionSchemas: views\n")).expecting((16, 21))],
        nonTriggering: [RuleExample(Snippets.spec(database: Snippets.mysqlDatabase)),
                        RuleExample(Snippets.spec(database: Snippets.mysqlDatabase, app: Snippets.app + "    versionSchemas: none\n"))])
}

extension Message {
    public static let versionSchemasWithoutSchema =
        "'versionSchemas: views' on MySQL needs 'database.schema': each app version's database holds a view of every table, and only the base schema lists them; add the schema (mysqldump --no-data) or write 'none'"
}
