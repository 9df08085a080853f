/// Every operation of the spec language, each declared as one unit (`OperationUnit`) in its own file,
/// one line each, in the order docs/spec.md and the JSON Schema list them.
enum OperationUnits {
    static let all: [any OperationUnit.Type] = [
        AddColumn.self,
        DropColumn.self,
        RenameColumn.self,
        AlterColumn.self,
        CreateTable.self,
        DropTable.self,
        RenameTable.self,
        RawSQL.self,
        CreateIndex.self,
        DropIndex.self,
        AddCheck.self,
        AddUnique.self,
        AddForeignKey.self,
        DropConstraint.self,
        RenameIndex.self,
        RenameConstraint.self,
        AddPrimaryKey.self,
        DropPrimaryKey.self,
        SetReplicaIdentity.self,
        SetComment.self,
        SetIdentity.self,
        CreateEnum.self,
        AddEnumValue.self,
        RenameEnumValue.self,
        DropEnum.self,
    ]

    /// `all` as the validator takes them. Each element is upcast where the compiler knows the types: passing
    /// `all` as `[any OperationSpec.Type]` casts the array at run time, a conformance lookup per element
    /// at every start.
    static let specs: [any OperationSpec.Type] = all.map { $0 as any OperationSpec.Type }

    /// `all` by metatype, for `Operation.unit`.
    static let byType: [ObjectIdentifier: any OperationUnit.Type] =
        Dictionary(uniqueKeysWithValues: all.map { (ObjectIdentifier($0), $0) })

    static var fields: [Field] { all.map { $0.field } }
    static var rules: [Rule] { all.flatMap { $0.rules } + ServerFilledColumns.rules + ColumnKinds.rules }
}
