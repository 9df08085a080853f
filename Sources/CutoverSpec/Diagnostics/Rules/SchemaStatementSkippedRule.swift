extension RuleID {
    public static let schemaStatementSkipped = RuleID("CUT046")
}

/// CUT046 `schema-statement-skipped`: a statement in the schema file, or of a 'sql' change, was not read (note).
package enum SchemaStatementSkippedRule: RuleUnit {
    package static let rule = Rule(
        id: .schemaStatementSkipped, name: "schema-statement-skipped", severity: .note, checkedBy: [.schemaReader, .references],
        summary: "a statement in the schema file, or of a 'sql' change, was not read (note)",
        rationale: "cutover reads what pg_dump and mysqldump emit: tables, columns, indexes, constraints, partitions, views and triggers (with the columns they use), executable comments as MySQL 8 runs them. Statements that define what it does not model (functions, sequences, types, domains, extensions) are listed in one note per schema file, grouped by kind in order of their first line; references to what they define are not checked. A 'sql' change whose up cannot be read (a DO block, dynamic SQL) gets a note saying that later changes are no longer checked for missing tables, columns and indexes.",
        triggering: [RuleExample(Snippets.spec(database: Snippets.pgDatabase + "    schema: schema.sql\n"),
                                 files: ["schema.sql": Snippets.pricingSchema + "CREATE FUNCTION cheap() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$;\n"]).expecting((13, 13))],
        nonTriggering: [RuleExample(Snippets.spec(database: Snippets.pgDatabase + "    schema: schema.sql\n"), files: ["schema.sql": Snippets.pricingSchema])])
}
