/// The rules about meaning, run on a structurally valid spec (see docs/rules.md). Rules that need the
/// exact place of a value the typed spec does not keep (engine consistency, strategy fields, canary
/// weights, NOT NULL without default, scripts, images) run on the syntax tree in `ConsistencyRules`;
/// this stage checks the changes in order against the base schema (`ReferenceRules`), its dependents
/// (`DependentRules`), what MySQL's triggers cannot see (`MySQLTriggerRules`) and the generated columns
/// MariaDB's online DDL trips on (`MariaDBGeneratedColumnRules`).
public struct SemanticRules: Sendable {
    /// The checks that read one operation's typed value, run after `ReferenceRules` in this order
    /// (`SpecLanguage.checks`: `DependentRules`, `MySQLTriggerRules`, ... are declared above Validation).
    let checks: [SpecCheck]

    package init(checks: [SpecCheck]) {
        self.checks = checks
    }

    public func check(_ spec: MigrationSpec, schema: DatabaseSchema?, diagnostics: inout DiagnosticBag) {
        var references = ReferenceRules(spec: spec, schema: schema, file: diagnostics.file, rules: diagnostics.rules)
        references.check(spec)
        diagnostics.append(contentsOf: references.diagnostics.diagnostics)
        for check in checks { check(spec, schema, &diagnostics) }
    }
}
