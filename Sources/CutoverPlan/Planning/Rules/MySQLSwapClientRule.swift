extension RuleID {
    public static let mysqlSwapClient = RuleID("CUT074")
}

/// CUT074 `mysql-swap-client`: with MySQL's version databases, contract's swap of a retyped column
/// re-points the new version's view under a lock on it that only cutover's own runner hands to a second
/// session (`run-mysql.sh`, `-- cutover-concurrent:` lines); Flyway and Liquibase run the file in one
/// session, so the new version's statements that queued on the view fail once (warning).
enum MySQLSwapClientRule: RuleUnit {
    static let rule = Rule(
        id: .mysqlSwapClient, name: "mysql-swap-client", severity: .warning, checkedBy: [.lowering],
        summary: "with MySQL's version databases, a retyped column's swap run by Flyway or Liquibase lets the new version's statements fail once (warning)",
        rationale: "The new version reads a retyped column through its database of views, where the view shows the hidden copy under the column's name. Contract's swap renames the columns, which makes that view invalid (ERROR 1356) until it is re-created, and MariaDB and MySQL refuse CREATE VIEW while the swap holds its lock. cutover's mysql runner closes that window with a second session whose CREATE OR REPLACE VIEW queues on the view's lock before the swap releases it (measured: 0 failed statements in 80 swaps with 4 writers; 8 in 20 without). Flyway and Liquibase run a file in one session: the statements the new version sent during the swap fail once, with 1356. Use `runner.tool: mysql`, set `app.versionSchemas: none` (the new version then reads the old type until contract), or make the app retry 1356.",
        triggering: [RuleExample(Snippets.spec(database: Snippets.mysqlDatabase + "    schema: schema.sql\n", extra: "  runner:\n    tool: flyway\n", changes: retype),
                                 files: ["schema.sql": schema]).expecting((20, 7))],
        nonTriggering: [RuleExample(Snippets.spec(database: Snippets.mysqlDatabase + "    schema: schema.sql\n", changes: retype), files: ["schema.sql": schema]),
                        RuleExample(Snippets.spec(database: Snippets.mysqlDatabase + "    schema: schema.sql\n", app: Snippets.app + "    versionSchemas: none\n",
                                                  extra: "  runner:\n    tool: flyway\n", changes: retype), files: ["schema.sql": schema])])

    private static let retype = "    - alterColumn:\n        table: pricing\n        column: amount\n        type: BIGINT\n"
    private static let schema = "CREATE TABLE pricing (\n    id     bigint NOT NULL AUTO_INCREMENT PRIMARY KEY,\n    amount integer NULL\n) ENGINE=InnoDB;\n"

    /// Every retyped column whose swap re-points a view, where the runner is not cutover's own; run by
    /// `SpecValidator` after the spec validated.
    static func check(_ lowered: LoweredSpec, diagnostics: inout DiagnosticBag) {
        let spec = lowered.spec
        guard spec.runner.tool == .flyway || spec.runner.tool == .liquibase, let versions = lowered.mysqlVersionSchemas else { return }
        for alter in versions.copies {
            guard let change = spec.changes.first(where: {
                $0.operation.unit(AlterColumn.self).map { $0.table.value == alter.table.value && $0.column.value == alter.column.value } ?? false
            }) else { continue }
            diagnostics.report(.mysqlSwapClient, Message.mysqlSwapClient(table: alter.table.value, column: alter.column.value, tool: spec.runner.tool.rawValue),
                               at: change.location)
        }
    }
}

extension Message {
    static func mysqlSwapClient(table: String, column: String, tool: String) -> String {
        "contract's swap of '\(table).\(column)' makes the new version's view of '\(table)' invalid until it is re-created; \(tool) runs the file in one session, "
            + "so statements the new version sends during the swap fail once (ERROR 1356); use runner.tool: mysql (its second session closes the window), "
            + "set app.versionSchemas: none, or make the app retry 1356"
    }
}
