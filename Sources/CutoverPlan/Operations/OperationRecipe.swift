/// One operation of the spec language in one file (`Operations/<Operation>.swift`): its recipe for
/// both engines and its effect on the shared schema model (`DatabaseSchema`).
protocol OperationRecipe {
    /// The drafts of the change, in the order they run within their phases.
    func lower(_ recipe: Recipe) -> [StepDraft]
    /// What later changes see after this one.
    func apply(to schema: inout DatabaseSchema, engine: MigrationSpec.Engine)
}
