import Foundation

extension RuleID {
    public static let versionViewsRowSecurity = RuleID("CUT113")
}

/// CUT113 `views-row-security`: on PostgreSQL before 15, a table with row-level security gets a view
/// an app version reads it through (a version schema's view, or the compatibility view a renameTable
/// leaves under the old name), and a view reads its table with its owner's rights, so the policies
/// do not apply through it (error; trial 14j MUST-FIX 1: one tenant read and updated another's rows
/// through the new version's schema).
///
/// From 15 on the lowering creates every such view `WITH (security_invoker = true)`
/// (`PostgreSQLBuilder.appViewOptions`), which applies the policies and the
/// privileges of the role that queries it, as the table itself would; before 15 PostgreSQL has no
/// such option, hence the refusal. Known from the schema file (`DatabaseSchema.rowSecurity`: ENABLE or
/// FORCE ROW LEVEL SECURITY, or a CREATE POLICY on the table).
package enum VersionViewsRowSecurityRule: RuleUnit {
    package static let rule = Rule(
        id: .versionViewsRowSecurity, name: "views-row-security", severity: .error, checkedBy: [.lowering],
        summary: "a table with row-level security would be read through a view cutover creates, which bypasses its policies before PostgreSQL 15",
        rationale: "An app version reads a table through a view cutover creates in two places: the version schemas' views (`app.versionSchemas: views`, every table whose columns differ between the versions) and the compatibility view a renameTable leaves under the old name for the old version. A PostgreSQL view reads its table with the rights of its owner (the Jobs' role, which owns the tables), so row-level security policies do not apply through it: each tenant would read and write every tenant's rows for the whole rollout. From PostgreSQL 15 on cutover creates these views `WITH (security_invoker = true)`, which applies the querying role's policies and privileges, as the table itself does. Before 15 there is no such option: set `app.versionSchemas: none` (the new version then reads retyped columns in the old type until contract; the plan README lists what it may not rely on), keep the renameTable out of this migration, or move the server to 15 first and set `database.version` accordingly. Known from the schema file: ENABLE or FORCE ROW LEVEL SECURITY, or a CREATE POLICY, on the table.",
        triggering: [RuleExample(Snippets.spec(database: pg14, changes: rename), files: ["schema.sql": policySchema]).expecting((18, 7))],
        nonTriggering: [RuleExample(Snippets.spec(database: Snippets.pgDatabase + "    schema: schema.sql\n", changes: rename), files: ["schema.sql": policySchema]),
                        RuleExample(Snippets.spec(database: pg14, app: Snippets.app + "    versionSchemas: none\n", changes: rename),
                                    files: ["schema.sql": policySchema]),
                        RuleExample(Snippets.spec(database: pg14, changes: rename), files: ["schema.sql": Snippets.pricingSchema])])

    private static let pg14 = Snippets.pgDatabase.replacingOccurrences(of: "version: \"15\"", with: "version: \"14\"") + "    schema: schema.sql\n"
    private static let rename = "    - renameColumn:\n        table: pricing\n        from: amount\n        to: price\n"
    private static let policySchema = Snippets.pricingSchema
        + "ALTER TABLE pricing ENABLE ROW LEVEL SECURITY;\nCREATE POLICY pricing_tenant ON pricing USING (amount > 0);\n"

    static func check(_ lowered: LoweredSpec, diagnostics: inout DiagnosticBag) {
        let context = lowered.base
        guard context.createsAppVersionViews, context.spec.strategy == .expandContract, !context.postgresInvokerViews,
              let secured = lowered.schema?.rowSecurity, !secured.isEmpty else { return }
        var reported: Set<String> = []
        func report(_ table: String, _ change: Change, view: String) {
            guard let line = secured[table], reported.insert(table).inserted else { return }
            diagnostics.report(.versionViewsRowSecurity, Message.viewsRowSecurity(table: table, line: line, view: view,
                                                                                 version: context.spec.database.version),
                               at: change.location)
        }
        // The views the planner creates (none where the version schemas are off).
        let viewed = Set(lowered.postgresVersionViews.map(\.table))
        for change in context.spec.changes {
            for table in change.operation.tables.map(\.value) where viewed.contains(table) { report(table, change, view: "the version schemas' views") }
        }
        for change in context.spec.changes {
            if let rename = change.operation.unit(RenameTable.self) {
                report(rename.from.value, change, view: "the compatibility view this renameTable leaves under the old name")
            }
        }
    }
}

extension Message {
    static func viewsRowSecurity(table: String, line: Int, view: String, version: String) -> String {
        "table '\(table)' has row-level security (schema line \(line)), and \(view) would read it with the Jobs' role's rights on PostgreSQL \(version), "
            + "bypassing its policies for the whole rollout; views take security_invoker only from PostgreSQL 15: set app.versionSchemas: none, "
            + "keep this change out of the migration, or move the server to 15 first"
    }
}
