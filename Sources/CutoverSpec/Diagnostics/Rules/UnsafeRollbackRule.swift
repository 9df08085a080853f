extension RuleID {
    public static let unsafeRollback = RuleID("CUT053")
}

/// CUT053 `unsafe-rollback`: a step's down cannot rebuild what its up removed, or cannot restore it once the new app ran (warning).
package enum UnsafeRollbackRule: RuleUnit {
    package static let rule = Rule(
        id: .unsafeRollback, name: "unsafe-rollback", severity: .warning, checkedBy: [.references],
        summary: "a step's down cannot rebuild what its up removed, or cannot restore it once the new app ran (warning)",
        rationale: "Every step has a down, but some cannot be complete: dropping an index whose definition cutover does not know (no schema file, not created earlier in the spec) cannot be undone; and dropping a NOT NULL column without a default, or letting a NOT NULL column accept NULL (alterColumn nullable: true), lets the new app version write NULL into it. An emergency rollback must neither fail nor lose rows, so without 'down' it keeps those rows as they are: on PostgreSQL it adds CHECK (col IS NOT NULL) NOT VALID, so every write from then on is held to NOT NULL again, and sets NOT NULL only when no NULL is left; on MySQL the column stays nullable while NULL rows are left. The rollback Job prints 'cutover rollback warning: TABLE.COLUMN keeps N row(s) with NULL …'; fill the rows and run the Job again to finish. With 'down', an expression that refills them, the rollback restores NOT NULL in full.",
        triggering: [RuleExample(Snippets.spec(database: Snippets.pgDatabase + "    schema: schema.sql\n", changes: "    - dropColumn:\n        table: pricing\n        column: amount\n"),
                                 files: ["schema.sql": Snippets.pricingSchema]).expecting((20, 17))],
        nonTriggering: [RuleExample(Snippets.spec(database: Snippets.pgDatabase + "    schema: schema.sql\n", changes: "    - dropColumn:\n        table: pricing\n        column: amount\n        down: \"0\"\n"),
                             files: ["schema.sql": Snippets.pricingSchema])])
}

extension Message {
    public static func dropNotNullWithoutDown(_ column: String) -> String {
        "'\(column)' is NOT NULL without a default: the expand step lets it accept NULL, and a rollback keeps the rows the new app version wrote with NULL (NOT NULL comes back only once none is left, the rollback warns); give 'down', an expression that refills them"
    }
    public static func relaxNotNullWithoutDown(_ column: String) -> String {
        "'\(column)' accepts NULL from expand on: a rollback keeps the rows the new app version wrote with NULL (NOT NULL comes back only once none is left, the rollback warns); give 'down', an expression that refills them"
    }
    public static func relaxRetypedNotNull(_ column: String) -> String {
        "'\(column)' accepts NULL from expand on, with its type change: a rollback keeps the rows the new app version wrote with NULL (NOT NULL comes back only once none is left, the rollback warns); fill them before rolling back to restore NOT NULL"
    }
    public static func dropIndexUnknownDefinition(_ name: String) -> String {
        "index '\(name)' is neither in the schema file nor created earlier in the spec: the down cannot rebuild it, so the step is irreversible; give 'database.schema'"
    }
}
