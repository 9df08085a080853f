/// The rules about meaning, run on a structurally valid spec (see docs/rules.md). Rules that need the
/// exact place of a value the typed spec does not keep (engine consistency, strategy fields, canary
/// weights, NOT NULL without default, scripts, images) run on the syntax tree in `ConsistencyRules`;
/// this stage checks the changes in order against the base schema (`ReferenceRules`), its dependents
/// (`DependentRules`), what MySQL's triggers cannot see (`MySQLTriggerRules`) and the generated columns
/// MariaDB's online DDL trips on (`MariaDBGeneratedColumnRules`).
public struct SemanticRules: Sendable {
    public init() {}

    public func check(_ spec: MigrationSpec, schema: DatabaseSchema?, diagnostics: inout DiagnosticBag) {
        var references = ReferenceRules(spec: spec, schema: schema, file: diagnostics.file)
        references.check(spec)
        diagnostics.append(contentsOf: references.diagnostics.diagnostics)
        EngineTypeRule.check(spec, schema: schema, diagnostics: &diagnostics)
        if let schema {
            var dependents = DependentRules(schema: schema, engine: spec.database.engine, file: diagnostics.file)
            dependents.check(spec)
            diagnostics.append(contentsOf: dependents.diagnostics.diagnostics)
            BackfillTriggerRule.check(spec, schema: schema, diagnostics: &diagnostics)
            var triggers = MySQLTriggerRules(spec: spec, schema: schema, file: diagnostics.file)
            triggers.check()
            diagnostics.append(contentsOf: triggers.diagnostics.diagnostics)
            var mariadb = MariaDBGeneratedColumnRules(schema: schema, file: diagnostics.file)
            mariadb.check(spec)
            diagnostics.append(contentsOf: mariadb.diagnostics.diagnostics)
        }
    }
}
