/// The composition root of validation: the operations registered in `OperationUnits`, every rule
/// (`RuleRegistry`) and the operation checks, injected into the stages below, which name none of them.
extension SpecLanguage {
    package static let cutover = SpecLanguage(operations: OperationUnits.specs, rules: RuleRegistry.table, checks: OperationChecks.all)
}

extension SpecValidator {
    public init(limits: InputLimits = .default) {
        self.init(limits: limits, language: .cutover)
    }
}

extension SpecBuilder {
    public init() {
        self.init(operations: OperationUnits.specs)
    }
}

extension ShapeChecker {
    public init(limits: InputLimits = .default) {
        self.init(limits: limits, migration: SpecLanguage.cutover.migration)
    }
}

extension SpecShape {
    /// Every operation's entry, declared in its own file (`OperationUnits`).
    public static let operations: [Field] = OperationUnits.fields

    public static let migration = SpecLanguage.cutover.migration
}
