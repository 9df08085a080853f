/// `createEnum`, in expand (PostgreSQL): a new enum type nothing uses yet, so both app versions are
/// unaffected. CREATE TYPE … AS ENUM guarded on `to_regtype` (a re-run is a no-op), a catalog change with
/// no table lock; the down drops the type when nothing depends on it (the downs of later changes run
/// first, but a column the rollback quarantines keeps it). MySQL has no named enum types: refused (CUT085) with
/// the inline `enum('a','b')` column type as the fix.
package struct CreateEnum: OperationUnit {
    package var name: Name
    var values: [Located<String>]

    package static let keyword = "createEnum"

    package static let field = Field("createEnum", .object(ObjectShape("createEnum", "create an enum type (PostgreSQL)", [
        Field("name", SpecShape.identifier, required: true, "type name", example: "order_status"),
        Field("values", .list(.text(.plain), minItems: 1), required: true, "labels in sort order (at most 63 bytes each)", example: "[pending, paid, shipped]"),
    ])), "create a PostgreSQL enum type in expand (CREATE TYPE … AS ENUM, guarded); its down drops it when nothing uses it. MySQL has none: write enum('a','b') as the column type")

    package static func read(_ node: SyntaxNode, _ reader: SpecBuilder) -> CreateEnum? {
        guard let name = reader.name(node["name"]) else { return nil }
        return CreateEnum(name: name, values: reader.names(node["values"]))
    }

    package static let examples = [
        OperationExample(engine: .postgresql, schema: OperationExample.pricing,
                         changes: "    - createEnum:\n        name: price_tier\n        values: [basic, plus, \"it's pro\"]\n"
                            + "    - addColumn:\n        table: pricing\n        column:\n          name: tier\n          type: price_tier\n"),
        OperationExample(engine: .mysql, schema: OperationExample.pricingMySQL,
                         changes: "    - createEnum:\n        name: price_tier\n        values: [basic, plus, pro]\n", refusal: .enumTypeEngine),
    ]

    package static let rules = EnumTypeRules.all

    package var tables: [Name] { [] }
    package func tableWithLaterSteps(engine: MigrationSpec.Engine) -> Name? { nil }

    /// CUT085 on MySQL, CUT044 for a type (or table: its row type) of that name, CUT087 for a repeated
    /// or too long label.
    package func check(_ rules: inout ReferenceRules, change: Change) {
        guard rules.requirePostgresEnums(Self.keyword, at: name.location) else { return }
        if rules.schema.enums.labels[name.value] != nil || rules.schema.enums.otherTypes.contains(name.value) || rules.schema.exists(table: name.value) {
            rules.report(.alreadyExists, Message.typeExists(name.value), name)
            return
        }
        var seen: Set<String> = []
        for value in values {
            if value.value.utf8.count > 63 { rules.report(.enumLabel, Message.enumLabelTooLong(value.value), value) }
            else if !seen.insert(value.value).inserted { rules.report(.enumLabel, Message.enumLabelRepeated(value.value, type: name.value), value) }
        }
        rules.schema.enums.set(name.value, values.map(\.value))
    }

    func lower(_ r: Recipe) -> [StepDraft] {
        guard r.engine == .postgresql else { return [] }
        let b = r.postgres
        let type = b.t(name.value)
        let create = b.guarded("to_regtype(\(b.lit(type))) IS NULL", ["CREATE TYPE \(type) AS ENUM (\(values.map { b.lit($0.value) }.joined(separator: ", ")));"])
        return [StepDraft(.expand, slug: "create_enum \(name.value)", title: "create enum type \(name.value)", change: r.change,
                          up: [SQLStatement(create, comment: "A new type nothing uses yet: a catalog change, no table lock; guarded so a re-run is a no-op.")],
                          down: [SQLStatement(b.guarded("to_regtype(\(b.lit(type))) IS NOT NULL AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend\n             WHERE refclassid = 'pg_catalog.pg_type'::regclass AND refobjid = to_regtype(\(b.lit(type))) AND deptype = 'n')",
                                                        ["DROP TYPE \(type);"]),
                                              comment: "Dropped only when nothing uses it: the downs of later changes run first, but the rollback keeps a column\nthe new version filled (quarantined, with its rows), and that column keeps the type.")])]
    }

    func apply(to schema: inout DatabaseSchema, engine: MigrationSpec.Engine) {
        schema.enumTypes.removeAll { $0.name == name.value }
        schema.enumTypes.append(EnumType(name: name.value, labels: values.map(\.value)))
    }
}

extension Message {
    public static func typeExists(_ name: String) -> String {
        "a type or table named '\(name)' already exists (every PostgreSQL table has a row type of its name)"
    }
}
