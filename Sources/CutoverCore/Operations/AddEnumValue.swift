/// `addEnumValue`, in expand (PostgreSQL): the new app version may write the label from its first pod
/// on, and the old one never sees it unless a new pod wrote it. `ALTER TYPE … ADD VALUE IF NOT EXISTS`
/// (guarded on pg_enum from PostgreSQL 12 on, so a re-run is a no-op) touches only pg_enum: no table is locked or scanned. It runs outside a
/// transaction block (`transactional: false`): before PostgreSQL 12 ADD VALUE is refused inside one, and
/// from 12 on a label added in a transaction cannot be used before it commits, so a later statement of
/// the same Job could not use it.
///
/// The down is a note, and the step is irreversible: PostgreSQL cannot drop an enum label (only by
/// rebuilding the type and rewriting every table that uses it, under ACCESS EXCLUSIVE). The label
/// stays after a rollback, which is what a rollback needs: rows the new version wrote with it stay
/// readable, and the old version, which never writes it, is unaffected. `cutover verify` runs the up
/// twice on the migrated end state instead of the up/down cycle. MySQL: refused (CUT085); append the
/// label to the column's inline `enum(…)` type with alterColumn.
struct AddEnumValue: OperationUnit {
    var enumType: Name
    var value: Located<String>
    var before: Located<String>?
    var after: Located<String>?

    static let keyword = "addEnumValue"

    static let field = Field("addEnumValue", .object(ObjectShape("addEnumValue", "add a label to an enum type (PostgreSQL, expand)", [
        Field("enum", SpecShape.identifier, required: true, "enum type", example: "order_status"),
        Field("value", .text(.plain), required: true, "the new label (at most 63 bytes)", example: "refunded"),
        Field("before", .text(.plain), "put it before this label (default: last)"),
        Field("after", .text(.plain), "put it after this label (default: last)"),
    ])), "add a label to a PostgreSQL enum type in expand (ADD VALUE IF NOT EXISTS, outside a transaction); irreversible: PostgreSQL cannot drop a label, so a rollback leaves it (harmless). MySQL: alterColumn to enum(…) with the label appended")

    static func read(_ node: SyntaxNode, _ reader: SpecBuilder) -> AddEnumValue? {
        guard let type = reader.name(node["enum"]), let value = reader.located(node["value"]) else { return nil }
        return AddEnumValue(enumType: type, value: value, before: reader.located(node["before"]), after: reader.located(node["after"]))
    }

    static let examples = [
        OperationExample(engine: .postgresql, schema: EnumTypeRules.schema,
                         changes: "    - addEnumValue:\n        enum: order_status\n        value: refunded\n"
                            + "    - addEnumValue:\n        enum: order_status\n        value: draft\n        before: pending\n"
                            + "    - addEnumValue:\n        enum: order_status\n        value: packed\n        after: paid\n"),
        OperationExample(engine: .mysql, schema: EnumTypeRules.mysqlSchema,
                         changes: "    - addEnumValue:\n        enum: order_status\n        value: refunded\n", refusal: .enumTypeEngine),
    ]

    var tables: [Name] { [] }
    func tableWithLaterSteps(engine: MigrationSpec.Engine) -> Name? { nil }

    /// CUT085 on MySQL, CUT086 for an unknown type, CUT087 for a label already there, a before/after label
    /// that is not, both given, or a label over 63 bytes.
    func check(_ rules: inout ReferenceRules, change: Change) {
        guard rules.requirePostgresEnums(Self.keyword, at: enumType.location) else { return }
        if let before, after != nil {
            rules.report(.enumLabel, Message.enumBeforeAndAfter(), before)
            return
        }
        if value.value.utf8.count > 63 {
            rules.report(.enumLabel, Message.enumLabelTooLong(value.value), value)
            return
        }
        guard let known = rules.enumLabels(enumType) else { return }
        guard var labels = known else { return }
        if labels.contains(value.value) {
            rules.report(.enumLabel, Message.enumLabelPresent(value.value, type: enumType.value), value)
            return
        }
        if let anchor = before ?? after, !labels.contains(anchor.value) {
            rules.report(.enumLabel, Message.enumLabelMissing(anchor.value, type: enumType.value, labels: labels), anchor)
            return
        }
        var type = EnumType(name: enumType.value, labels: labels)
        type.add(value.value, before: before?.value, after: after?.value)
        labels = type.labels
        rules.schema.enums.set(enumType.value, labels)
    }

    func lower(_ r: Recipe) -> [StepDraft] {
        guard r.engine == .postgresql else { return [] }
        let b = r.postgres
        let position = before.map { " BEFORE \(b.lit($0.value))" } ?? after.map { " AFTER \(b.lit($0.value))" } ?? ""
        let type = b.q(enumType.value)
        let add = "ALTER TYPE \(type) ADD VALUE IF NOT EXISTS \(b.lit(value.value))\(position);"
        // From PostgreSQL 12 ADD VALUE may run in a DO block: guarded on pg_enum, a re-run is a no-op even
        // after a later renameEnumValue renamed the BEFORE/AFTER label. Before 12 it must be a statement
        // of its own (IF NOT EXISTS).
        let statement = r.context.postgresMajorVersion >= 12
            ? b.guarded("NOT EXISTS (SELECT 1 FROM pg_catalog.pg_enum\n             WHERE enumtypid = to_regtype(\(b.lit(type))) AND enumlabel = \(b.lit(value.value)))", [add])
            : add
        return [StepDraft(.expand, slug: "add_enum_value \(enumType.value) \(value.value)", title: "add label \(value.value) to enum type \(enumType.value)", change: r.change,
                          up: [SQLStatement(statement, comment: "Only pg_enum changes: no table is locked or scanned. No transaction around it, so the label is usable\nas soon as the statement ends; guarded so a re-run is a no-op.")],
                          down: r.note("IRREVERSIBLE: PostgreSQL cannot drop an enum label. It stays after a rollback, harmlessly: rows the new\napp version wrote with it stay readable, and the old version never writes it."),
                          reversible: false, transactional: false)]
    }

    func apply(to schema: inout DatabaseSchema, engine: MigrationSpec.Engine) {
        schema.updateEnumType(enumType.value) { $0.add(value.value, before: before?.value, after: after?.value) }
    }
}
