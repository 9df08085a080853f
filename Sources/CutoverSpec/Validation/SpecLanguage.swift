/// What the validator checks a spec against, injected from above Validation (`SpecLanguage.cutover`,
/// declared beside `OperationUnits`): the operations (their spec halves), every rule, and the checks that
/// read one operation's typed value. Validation names no operation and no lowering itself, so an arrow
/// from Validation into Planning does not build.
package struct SpecLanguage: Sendable {
    /// Every operation, in the order docs/spec.md and the JSON Schema list them.
    package let operations: [any OperationSpec.Type]
    /// Every rule: a reported rule's default severity comes from here.
    package let rules: RuleTable
    /// Run by `SemanticRules` after `ReferenceRules`, in this order.
    package let checks: [SpecCheck]
    /// The spec's shape with every operation's entry.
    package let migration: ObjectShape

    package init(operations: [any OperationSpec.Type], rules: RuleTable, checks: [SpecCheck]) {
        self.operations = operations
        self.rules = rules
        self.checks = checks
        self.migration = SpecShape.migration(operations: operations.map { $0.field })
    }
}

/// A check of the typed spec against the base schema (nil without one) that reads an operation's typed
/// value, e.g. `DependentRules`; declared above Validation, beside the operations it reads.
package typealias SpecCheck = @Sendable (MigrationSpec, DatabaseSchema?, inout DiagnosticBag) -> Void
