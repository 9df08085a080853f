/// The checks that read one operation's typed value (`change.operation.unit(AlterColumn.self)`), run by
/// `SemanticRules` after `ReferenceRules`, in this order, through `SpecLanguage.checks`: they live here,
/// beside the operations, since Validation sees an operation only through `OperationSpec`.
enum OperationChecks {
    static let rules: [Rule] = [
        EngineTypeRule.rule,
        BackfillTriggerRule.rule,
    ]

    static let all: [SpecCheck] = [
        { spec, schema, diagnostics in EngineTypeRule.check(spec, schema: schema, diagnostics: &diagnostics) },
        { spec, schema, diagnostics in
            guard let schema else { return }
            var dependents = DependentRules(schema: schema, engine: spec.database.engine, file: diagnostics.file)
            dependents.check(spec)
            diagnostics.append(contentsOf: dependents.diagnostics.diagnostics)
        },
        { spec, schema, diagnostics in
            guard let schema else { return }
            BackfillTriggerRule.check(spec, schema: schema, diagnostics: &diagnostics)
        },
        { spec, schema, diagnostics in
            guard let schema else { return }
            var triggers = MySQLTriggerRules(spec: spec, schema: schema, file: diagnostics.file)
            triggers.check()
            diagnostics.append(contentsOf: triggers.diagnostics.diagnostics)
        },
        { spec, schema, diagnostics in
            guard let schema else { return }
            var mariadb = MariaDBGeneratedColumnRules(schema: schema, file: diagnostics.file)
            mariadb.check(spec)
            diagnostics.append(contentsOf: mariadb.diagnostics.diagnostics)
        },
    ]
}
