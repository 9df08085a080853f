extension RuleID {
    public static let versionSchemasEngine = RuleID("CUT068")
}

/// CUT068 `version-schemas-engine`: `app.versionSchemas: views` on MySQL, which has no version schemas.
enum VersionSchemasEngineRule: RuleUnit {
    static let rule = Rule(
        id: .versionSchemasEngine, name: "version-schemas-engine", severity: .error, checkedBy: [.consistency],
        summary: "app.versionSchemas: views on MySQL, which has no version schemas",
        rationale: "On PostgreSQL each app version selects a schema of views with its search_path, and the sync trigger of a retyped column tells the versions apart by it. MySQL offers neither half safely: a connection selects one database, so every table would need a view in a database per version; a trigger runs in its table's database (DATABASE() and the process list show that one, not the writer's), so the sync cannot tell which version wrote a row it has to convert; and a view names its columns, so when contract swaps a retyped column and its copy the new version's view is invalid (ER_VIEW_INVALID) until it is created again, which MySQL refuses under the swap's LOCK TABLES. So MySQL plans have no version schemas (`none`, the default there): both versions use the tables, and the plan README lists the retyped columns the new version reads and writes in their old type until contract.",
        triggering: [RuleExample(Snippets.spec(database: Snippets.mysqlDatabase, app: Snippets.app + "    versionSchemas: views\n")).expecting((16, 21))],
        nonTriggering: [RuleExample(Snippets.spec(database: Snippets.mysqlDatabase))])
}

extension Message {
    public static let versionSchemasOnMySQL =
        "'versionSchemas: views' needs PostgreSQL: on MySQL a trigger cannot tell which app version wrote a row, and a view cannot follow contract's column swap without a moment where it is invalid; write 'none' (the default on MySQL): the plan README lists what the new version may not rely on during the rollout"
}
