/// The spec half of an operation (`Operations/<Name>.swift`): its key and shape in the spec, its typed
/// read, its checks (with their rules) and their effect on Validation's `SymbolicSchema`. The same file
/// conforms to the recipe half (`OperationUnit`: `lower`, `apply`), which Planning declares, so
/// Validation sees an operation only through this protocol and never reaches its lowering. The list of
/// operations is injected (`SpecLanguage.operations`); a change holds one as `Operation.base`.
package protocol OperationSpec: Sendable {
    /// The operation's key in `spec.changes`, e.g. "dropConstraint".
    static var keyword: String { get }
    /// Its entry in `spec.changes`: fields, required ones, defaults and docs.
    static var field: Field { get }
    /// Its examples, one or more per engine, run as tests (`OperationExampleTests`).
    static var examples: [OperationExample] { get }
    /// The engines that have the operation; on another one its check reports CUT080 (`engine-lacks-operation`).
    static var engines: Set<MigrationSpec.Engine> { get }
    /// The rules its checks report, each declared in the unit's file.
    static var rules: [Rule] { get }
    /// The typed read of a shape-checked entry; nil when a required field is missing (the shape checker
    /// reported it).
    static func read(_ node: SyntaxNode, _ reader: SpecBuilder) -> Self?
    /// Checks the change against the schema as the earlier changes left it, and records its effect there.
    func check(_ rules: inout ReferenceRules, change: Change)
    /// The tables the change names: the preflight checks they exist (except `createdTables`), rehearse's
    /// traffic works on them.
    var tables: [Name] { get }
    /// The tables the change creates (or renames into): the preflight does not look for them, then or later.
    var createdTables: [Name] { get }
    /// The tables a schema dump must hold for the change's checks (`SchemaReader.focus`): `tables`, and
    /// tables a new column or table only references.
    var readTables: [Name] { get }
    /// Whether the change needs the columns of every view worked out, not only of the views that name
    /// `readTables` (`SchemaReader.focus`): addEnumValue's rollback rebuilds the views over any column of
    /// its type, in tables the spec does not name.
    var needsEveryView: Bool { get }
    /// The columns that must exist before the migration (the preflight checks them): a column the change
    /// renames, drops or alters.
    var existingColumns: [(table: Name, column: Name)] { get }
    /// The column types the change writes, checked against the engine (`EngineTypeRule`).
    var columnTypes: [Located<String>] { get }
    /// The columns the change brings (renameColumn's `to`, addColumn's column): an expression written
    /// in an earlier change cannot read them yet (`ReferenceRules.introducedColumns`).
    var introducedColumns: [(table: Name, column: Name)] { get }
    /// The table a step after expand (complete, contract) works on, if any: a later renameTable would
    /// leave that step on the compatibility view (CUT057).
    func tableWithLaterSteps(engine: MigrationSpec.Engine) -> Name?
}

package extension OperationSpec {
    static var rules: [Rule] { [] }
    static var engines: Set<MigrationSpec.Engine> { [.postgresql, .mysql] }
    var createdTables: [Name] { [] }
    var readTables: [Name] { tables }
    var needsEveryView: Bool { false }
    var columnTypes: [Located<String>] { [] }
    var existingColumns: [(table: Name, column: Name)] { [] }
    var introducedColumns: [(table: Name, column: Name)] { [] }
}
