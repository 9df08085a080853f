/// One entry of `spec.changes`: the operation with its place in the file and in the list.
public struct Change: Sendable {
    public var index: Int
    public var operation: Operation
    public var location: SourceLocation

    public init(index: Int, operation: Operation, location: SourceLocation) {
        self.index = index
        self.operation = operation
        self.location = location
    }
}

public typealias Name = Located<String>

public enum ReferentialAction: String, Sendable, Codable {
    case noAction = "no action", restrict, cascade, setNull = "set null", setDefault = "set default"

    public var sql: String { rawValue.uppercased() }
}

public struct ColumnReference: Sendable {
    public var table: Name
    public var column: Name
    public var onDelete: ReferentialAction
    public var actions = ForeignKeyActions()
}

public struct ColumnDefinition: Sendable {
    public var name: Name
    public var type: Located<String>
    public var nullable: Bool
    public var defaultValue: Located<String>?
    public var unique: Bool
    public var check: Located<String>?
    public var references: ColumnReference?
    public var location: SourceLocation
    /// `identity: always | byDefault`, `generated: {expression, stored}` and `comment` (`ColumnKinds`).
    public var identity: Located<String>? = nil
    public var generated: GeneratedColumn? = nil
    public var comment: Located<String>? = nil
}

public struct TableReference: Sendable {
    public var table: Name
    public var columns: [Name]
    public var actions = ForeignKeyActions()
    /// `onDelete` written inside `references` (the one form); nil when written beside it or not at all.
    public var onDelete: Located<String>?

    package init(table: Name, columns: [Name], actions: ForeignKeyActions = ForeignKeyActions(), onDelete: Located<String>? = nil) {  // memberwise, for the targets above
        self.table = table
        self.columns = columns
        self.actions = actions
        self.onDelete = onDelete
    }
}

/// One operation of `spec.changes`: an `OperationSpec` (its unit), each declared in its own file in Operations/ and
/// listed in `OperationUnits` (the unit protocols are internal, so the public type wraps one).
public struct Operation: Sendable {
    package let base: any OperationSpec

    /// The operation's key in the spec, e.g. "addColumn".
    public var keyword: String { type(of: base).keyword }

    /// The operation as a `T` when it is that unit, e.g. `change.operation.unit(DropTable.self)`.
    /// The metatypes are compared first: a failed `as?` from an existential asks the runtime for bridging
    /// conformances, and the rules ask this of every change (a tenth of `validate` on 1,000 changes).
    package func unit<T: OperationSpec>(_ type: T.Type) -> T? {
        Swift.type(of: base) == T.self ? base as? T : nil
    }

    /// The tables the change names (`OperationSpec.tables`), for rehearse's traffic.
    package var tables: [Name] { base.tables }
}
