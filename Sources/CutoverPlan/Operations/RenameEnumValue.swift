/// `renameEnumValue`, in contract (PostgreSQL): the old app version writes and compares the old label
/// (an INSERT of it fails with "invalid input value for enum" once it is renamed), so the label is
/// renamed only once no pod of the old version serves. No single label works for the new version on
/// both sides of the rename (and of its rollback), so during the rollout it reads both and writes
/// neither (the plan README says so; rehearse's traffic keeps to it). `ALTER TYPE … RENAME VALUE`
/// (PostgreSQL 10+) changes only pg_enum: rows store the label's OID, so nothing is rewritten or scanned.
/// Guarded on pg_enum, so a re-run is a no-op; the down renames it back. MySQL: refused (CUT085).
package struct RenameEnumValue: OperationUnit {
    package var enumType: Name
    package var from: Located<String>
    package var to: Located<String>

    package static let keyword = "renameEnumValue"

    package static let field = Field("renameEnumValue", .object(ObjectShape("renameEnumValue", "rename a label of an enum type (PostgreSQL, contract)", [
        Field("enum", SpecShape.identifier, required: true, "enum type", example: "order_status"),
        Field("from", .text(.plain), required: true, "current label", example: "shipped"),
        Field("to", .text(.plain), required: true, "new label (at most 63 bytes)", example: "dispatched"),
    ])), "rename a PostgreSQL enum label in the contract phase (the old version writes the old label; during the rollout the new one reads both and writes neither); its down renames it back")

    package static func read(_ node: SyntaxNode, _ reader: SpecBuilder) -> RenameEnumValue? {
        guard let type = reader.name(node["enum"]), let from = reader.located(node["from"]), let to = reader.located(node["to"]) else { return nil }
        return RenameEnumValue(enumType: type, from: from, to: to)
    }

    package static let examples = [
        OperationExample(engine: .postgresql, schema: EnumTypeRules.schema,
                         changes: "    - renameEnumValue:\n        enum: order_status\n        from: shipped\n        to: dispatched\n"),
        OperationExample(engine: .mysql, schema: EnumTypeRules.mysqlSchema,
                         changes: "    - renameEnumValue:\n        enum: order_status\n        from: shipped\n        to: dispatched\n", refusal: .enumTypeEngine),
    ]

    package var tables: [Name] { [] }
    package func tableWithLaterSteps(engine: MigrationSpec.Engine) -> Name? { nil }

    /// CUT085 on MySQL, CUT086 for an unknown type, CUT087 for a `from` that is not a label or a `to` that is.
    package func check(_ rules: inout ReferenceRules, change: Change) {
        guard rules.requirePostgresEnums(Self.keyword, at: enumType.location) else { return }
        if from.value == to.value {
            rules.report(.enumLabel, Message.enumLabelPresent(to.value, type: enumType.value), to)
            return
        }
        if to.value.utf8.count > 63 {
            rules.report(.enumLabel, Message.enumLabelTooLong(to.value), to)
            return
        }
        guard let known = rules.enumLabels(enumType), let labels = known else { return }
        guard labels.contains(from.value) else {
            rules.report(.enumLabel, Message.enumLabelMissing(from.value, type: enumType.value, labels: labels), from)
            return
        }
        guard !labels.contains(to.value) else {
            rules.report(.enumLabel, Message.enumLabelPresent(to.value, type: enumType.value), to)
            return
        }
        rules.schema.enums.set(enumType.value, labels.map { $0 == from.value ? to.value : $0 })
    }

    func lower(_ r: Recipe) -> [StepDraft] {
        guard r.engine == .postgresql else { return [] }
        let b = r.postgres
        let type = b.t(enumType.value)
        func rename(_ old: String, _ new: String) -> String {
            b.guarded("EXISTS (SELECT 1 FROM pg_catalog.pg_enum\n             WHERE enumtypid = to_regtype(\(b.lit(type))) AND enumlabel = \(b.lit(old)))",
                      ["ALTER TYPE \(type) RENAME VALUE \(b.lit(old)) TO \(b.lit(new));"])
        }
        return [StepDraft(.contract, slug: "rename_enum_value \(enumType.value) \(from.value)", title: "rename label \(from.value) of enum type \(enumType.value) to \(to.value)",
                          change: r.change,
                          up: [SQLStatement(rename(from.value, to.value),
                                            comment: "Contract: no pod of the old version, which writes the old label, serves any more. Only pg_enum changes\n(rows hold the label's OID): no table is locked or scanned. Guarded so a re-run is a no-op.")],
                          down: [SQLStatement(rename(to.value, from.value), comment: "The rollback of contract gives the old version its label back before it serves again.")])]
    }

    func apply(to schema: inout DatabaseSchema, engine: MigrationSpec.Engine) {
        schema.updateEnumType(enumType.value) { $0.rename(from.value, to: to.value) }
    }
}
