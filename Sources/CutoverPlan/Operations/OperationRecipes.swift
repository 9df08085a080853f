/// Lowers a change through its unit's recipe (each operation in its own file in Operations/, registered
/// in `OperationUnits`).
enum OperationRecipes {
    /// The drafts of a change.
    static func lower(_ change: Change, context: LoweringContext) -> [StepDraft] {
        var context = context
        context.changeIndex = change.index
        return change.operation.unit.lower(Recipe(context: context, change: change.index))
    }
}
