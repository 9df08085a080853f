extension RuleID {
    public static let schemaName = RuleID("CUT103")
}

/// CUT103 `schema-name`: a `database.schemaName` the plan cannot honour. MySQL: a schema is the
/// database, so only `database.name`. PostgreSQL takes any schema (the lowering names it in every
/// statement and catalog guard: docs/architecture.md, "Schema-qualified names"), so it never triggers there.
package enum SchemaNameRule: RuleUnit {
    package static let rule = Rule(
        id: .schemaName, name: "schema-name", severity: .error, checkedBy: [.consistency],
        summary: "database.schemaName the engine cannot use",
        rationale: "`database.schemaName` names the one schema a spec's changes live in (pgroll's `--schema`); tables stay unqualified in the changes. On MySQL a schema is a database, and the migration connects to `database.name`, so any other schema name would make the plan change a database it does not connect to: it is refused where it is written (write the database's name, or leave it out). On PostgreSQL any schema is taken: every generated statement and catalog guard names it.",
        triggering: [RuleExample(Snippets.spec(database: Snippets.mysqlDatabase + "    schemaName: sales\n")).expecting((13, 17))],
        nonTriggering: [RuleExample(Snippets.spec(database: Snippets.mysqlDatabase + "    schemaName: billing\n")),
                        RuleExample(Snippets.spec(database: Snippets.pgDatabase + "    schemaName: public\n")),
                        RuleExample(Snippets.spec(database: Snippets.pgDatabase + "    schemaName: app\n")),
                        RuleExample(Snippets.spec(database: Snippets.pgDatabase))])
}

extension Message {
    public static func schemaNameOtherDatabase(_ schema: String, database: String) -> String {
        "'schemaName: \(schema)' on MySQL names another database: a MySQL schema is a database, and the migration connects to '\(database)'; write '\(database)' or leave schemaName out"
    }
}
