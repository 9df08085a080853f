/// The registry of operations, each in its own file in Operations/: one line per operation. The switch
/// is exhaustive on purpose, so a new operation does not build until it is registered here.
enum OperationRecipes {
    static func recipe(for operation: Operation) -> any OperationRecipe {
        switch operation {
        case .unit(let unit): return unit.base
        }
    }

    /// The drafts of a change.
    static func lower(_ change: Change, context: LoweringContext) -> [StepDraft] {
        recipe(for: change.operation).lower(Recipe(context: context, change: change.index))
    }
}
