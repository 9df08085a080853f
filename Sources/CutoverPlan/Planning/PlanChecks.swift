/// The checks that lower the spec as the planner will, run by the driver right after validation
/// (`Compiler.check`): CUT108 first (it reads the lowering's PostgreSQL column facts; an error stops
/// there), then, on a spec without errors, one lowering (`LoweredSpec`) for the warnings that name the
/// plan's steps, kept in the result for the planner. Validation cannot call them: they live above it.
package enum PlanChecks {
    package static let rules: [Rule] = [
        MySQLTableCopyRule.rule,
        VersionViewsRowSecurityRule.rule,
        MySQLRetypedDefaultRule.rule,
        AddedDefaultUpRule.rule,
        PostgresRetypedCheckRule.rule,
        PostgresRetypedWriteRule.rule,
        MySQLRetypedWriteRule.rule,
        MySQLSwapClientRule.rule,
        MySQLVersionDatabasesSQLRule.rule,
    ]

    /// Nil when a check reported an error (the diagnostics then hold it, as validation's would).
    package static func check(_ checked: CheckedSpec, diagnostics: inout DiagnosticBag) -> ValidatedSpec? {
        let spec = checked.spec, schema = checked.schema
        PostgresRetypedCheckRule.check(spec, schema: schema, diagnostics: &diagnostics)
        if diagnostics.hasErrors { return nil }
        // Only a spec without errors is lowered (as `generate` will lower it): the warnings name the plan's
        // steps. One lowering for the rules, kept in the result for the planner.
        let lowered = LoweredSpec(spec: spec, schema: schema)
        MySQLTableCopyRule.check(lowered, diagnostics: &diagnostics)
        MySQLRetypedDefaultRule.check(lowered, diagnostics: &diagnostics)
        AddedDefaultUpRule.check(lowered, diagnostics: &diagnostics)
        PostgresRetypedWriteRule.check(lowered, diagnostics: &diagnostics)
        MySQLRetypedWriteRule.check(lowered, diagnostics: &diagnostics)
        MySQLSwapClientRule.check(lowered, diagnostics: &diagnostics)
        MySQLVersionDatabasesSQLRule.check(lowered, diagnostics: &diagnostics)
        VersionViewsRowSecurityRule.check(lowered, diagnostics: &diagnostics)
        return ValidatedSpec(lowered: lowered)
    }
}
