/// An operation declared as one unit in its own file: its spec half (`OperationSpec`: key, shape, typed
/// read, checks and their effect on `SymbolicSchema`) and its recipe half (`OperationRecipe`: the recipe
/// for both engines and its effect on `DatabaseSchema`). `OperationUnits` registers it with one line;
/// the validator gets that list injected (`SpecLanguage.cutover`), the preflight and the planner read it.
protocol OperationUnit: OperationSpec, OperationRecipe {}

extension Operation {
    /// The change's unit with its recipe. Every registered operation conforms to both halves in its own
    /// file (`OperationUnits.all` holds only `OperationUnit`s), so the cast cannot fail for a change the
    /// validator read.
    /// The unit's type is looked up by metatype and the value cast to it: a cast from one existential to
    /// another (`as? any OperationUnit`) asks the runtime for the conformance on every call, and the
    /// planner and the plan checks ask for every change more than once.
    var unit: any OperationUnit {
        guard let type = OperationUnits.byType[ObjectIdentifier(Swift.type(of: base))] else {
            preconditionFailure("operation '\(keyword)' has no recipe (not in OperationUnits.all)")
        }
        return opened(type)
    }

    private func opened<U: OperationUnit>(_ type: U.Type) -> any OperationUnit {
        guard let unit = base as? U else { preconditionFailure("operation '\(keyword)' is not a \(U.self)") }
        return unit
    }
}
