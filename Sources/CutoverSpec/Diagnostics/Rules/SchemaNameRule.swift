extension RuleID {
    public static let schemaName = RuleID("CUT103")
}

/// CUT103 `schema-name`: a `database.schemaName` the plan cannot honour. MySQL: a schema is the
/// database, so only `database.name`. PostgreSQL: only `public` until the lowering names the schema in
/// every statement and catalog guard (docs/architecture.md, "Schema-qualified names").
package enum SchemaNameRule: RuleUnit {
    package static let rule = Rule(
        id: .schemaName, name: "schema-name", severity: .error, checkedBy: [.consistency],
        summary: "database.schemaName the engine cannot use",
        rationale: "`database.schemaName` names the one schema a spec's changes live in (pgroll's `--schema`); tables stay unqualified in the changes. On MySQL a schema is a database, and the migration connects to `database.name`, so any other schema name would make the plan change a database it does not connect to: it is refused where it is written (write the database's name, or leave it out). On PostgreSQL a schema other than `public` is not supported yet: every generated statement and catalog guard would have to name it, and until they all do the plan would silently act on `public` (or on whatever `search_path` finds first), so it is refused instead of generating wrong SQL.",
        triggering: [RuleExample(Snippets.spec(database: Snippets.mysqlDatabase + "    schemaName: sales\n")).expecting((13, 17)),
                     RuleExample(Snippets.spec(database: Snippets.pgDatabase + "    schemaName: app\n")).expecting((13, 17))],
        nonTriggering: [RuleExample(Snippets.spec(database: Snippets.mysqlDatabase + "    schemaName: billing\n")),
                        RuleExample(Snippets.spec(database: Snippets.pgDatabase + "    schemaName: public\n")),
                        RuleExample(Snippets.spec(database: Snippets.pgDatabase))])
}

extension Message {
    public static func schemaNameOtherDatabase(_ schema: String, database: String) -> String {
        "'schemaName: \(schema)' on MySQL names another database: a MySQL schema is a database, and the migration connects to '\(database)'; write '\(database)' or leave schemaName out"
    }

    public static func schemaNameNotSupported(_ schema: String) -> String {
        "'schemaName: \(schema)' is not supported yet on PostgreSQL: the generated SQL names tables in 'public' only; leave schemaName out (or write 'public')"
    }
}
