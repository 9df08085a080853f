extension RuleID {
    public static let schemaName = RuleID("CUT103")
}

/// CUT103 `schema-name`: a `database.schemaName` the plan cannot honour. MySQL: a schema is the
/// database, so only `database.name`. PostgreSQL takes any schema the application can own (the
/// lowering names it in every statement and catalog guard: docs/architecture.md, "Schema-qualified
/// names"), except the system schemas (`pg_*`, `information_schema`) and the migration's own version
/// schemas (`<migration>_new`, `_old`).
package enum SchemaNameRule: RuleUnit {
    package static let rule = Rule(
        id: .schemaName, name: "schema-name", severity: .error, checkedBy: [.consistency],
        summary: "database.schemaName the engine cannot use",
        rationale: "`database.schemaName` names the one schema a spec's changes live in (pgroll's `--schema`); tables stay unqualified in the changes. On MySQL a schema is a database, and the migration connects to `database.name`, so any other schema name would make the plan change a database it does not connect to: it is refused where it is written (write the database's name, or leave it out). On PostgreSQL any schema the application's tables can live in is taken (every generated statement and catalog guard names it), but not a system schema (PostgreSQL reserves names that start with `pg_`: `pg_catalog`, `pg_toast`, `pg_temp`, whose tables would be session-temporary; and `information_schema`), nor one of the migration's version schemas `<metadata.name with - as _>_new` / `_old`, which expand drops and re-creates as schemas of views.",
        triggering: [RuleExample(Snippets.spec(database: Snippets.mysqlDatabase + "    schemaName: sales\n")).expecting((13, 17)),
                     RuleExample(Snippets.spec(database: Snippets.pgDatabase + "    schemaName: pg_temp\n")).expecting((13, 17)),
                     RuleExample(Snippets.spec(database: Snippets.pgDatabase + "    schemaName: information_schema\n")).expecting((13, 17)),
                     RuleExample(Snippets.spec(database: Snippets.pgDatabase + "    schemaName: pricing_tiers_new\n")).expecting((13, 17))],
        nonTriggering: [RuleExample(Snippets.spec(database: Snippets.mysqlDatabase + "    schemaName: billing\n")),
                        RuleExample(Snippets.spec(database: Snippets.pgDatabase + "    schemaName: public\n")),
                        RuleExample(Snippets.spec(database: Snippets.pgDatabase + "    schemaName: app\n")),
                        RuleExample(Snippets.spec(database: Snippets.pgDatabase))])
}

extension Message {
    public static func schemaNameOtherDatabase(_ schema: String, database: String) -> String {
        "'schemaName: \(schema)' on MySQL names another database: a MySQL schema is a database, and the migration connects to '\(database)'; write '\(database)' or leave schemaName out"
    }
    public static func schemaNameReserved(_ schema: String) -> String {
        "'schemaName: \(schema)' names a PostgreSQL system schema (PostgreSQL reserves names that start with pg_, and information_schema): a migration's tables cannot live there; write the schema the application's tables are in"
    }
    public static func schemaNameVersionSchema(_ schema: String, migration: String) -> String {
        "'schemaName: \(schema)' is the name of a version schema of migration '\(migration)' (<migration>_new and <migration>_old hold the views each app version reads, dropped and re-created by expand): write the schema the application's tables are in, or rename the migration"
    }
}
