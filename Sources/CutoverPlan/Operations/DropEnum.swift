/// `dropEnum`, in contract (PostgreSQL): drops an enum type no column uses any more. Refused (CUT099) while
/// a column of the base schema (a dropped one is quarantined until the purge), or one an earlier change adds
/// or retypes, has the type: DROP TYPE
/// would fail, and the old app version may still read or write that column during the rollout. In
/// contract the old version is gone. DROP TYPE (no CASCADE, so a column the check could not see makes the
/// Job fail instead of losing data) only touches the catalog; guarded on `to_regtype`, so a re-run is a
/// no-op. The down creates the type again with its labels from the base schema (or the spec's createEnum
/// and addEnumValue); without them it is a note. MySQL has no named enum types: refused (CUT085).
struct DropEnum: OperationUnit {
    var name: Name

    static let keyword = "dropEnum"

    static let field = Field("dropEnum", .object(ObjectShape("dropEnum", "drop an enum type no column uses (PostgreSQL, contract)", [
        Field("name", SpecShape.identifier, required: true, "type name", example: "legacy_state"),
    ])), "drop a PostgreSQL enum type that no column uses any more, in contract; its down creates it again with the labels of the base schema")

    static func read(_ node: SyntaxNode, _ reader: SpecBuilder) -> DropEnum? {
        reader.name(node["name"]).map { DropEnum(name: $0) }
    }

    static let unused = "CREATE TYPE public.legacy_state AS ENUM (\n    'open',\n    'it''s closed'\n);\n\n" + EnumTypeRules.schema

    static let examples = [
        OperationExample(engine: .postgresql, schema: unused, changes: "    - dropEnum:\n        name: legacy_state\n"),
        OperationExample(engine: .postgresql, schema: OperationExample.pricing,
                         changes: "    - createEnum:\n        name: tier\n        values: [basic, pro]\n    - dropEnum:\n        name: tier\n"),
        OperationExample(engine: .mysql, schema: EnumTypeRules.mysqlSchema, changes: "    - dropEnum:\n        name: order_status\n", refusal: .enumTypeEngine),
    ]

    static let rules = [InUseRule.rule]

    /// CUT099: a column still has the type.
    enum InUseRule: RuleUnit {
        static let rule = Rule(
            id: .enumTypeInUse, name: "enum-type-in-use", severity: .error, checkedBy: [.references],
            summary: "dropEnum of a type that a column of the base schema or one the spec adds or retypes has",
            rationale: "DROP TYPE fails while a column has the type (cannot drop type … because other objects depend on it), so the contract Job would stop half way; CASCADE would drop the column and its data with it. The old app version reads and writes that column until contract, and a column the spec drops or retypes is kept, quarantined with its rows, until the purge after contract, so it still has the type. Fix: drop the column (dropColumn) or change its type (alterColumn) in an earlier migration, then drop the type once the purge ran.",
            triggering: [RuleExample(Snippets.spec(database: Snippets.pgDatabase + "    schema: schema.sql\n",
                                                   changes: "    - dropEnum:\n        name: order_status\n"),
                                     files: ["schema.sql": EnumTypeRules.schema]).expecting((19, 15))],
            nonTriggering: [RuleExample(Snippets.spec(database: Snippets.pgDatabase + "    schema: schema.sql\n",
                                                      changes: "    - dropEnum:\n        name: legacy_state\n"),
                                        files: ["schema.sql": unused])])
    }

    var tables: [Name] { [] }
    func tableWithLaterSteps(engine: MigrationSpec.Engine) -> Name? { nil }

    /// CUT085 on MySQL, CUT086 for an unknown type, CUT099 for a type a column uses.
    func check(_ rules: inout ReferenceRules, change: Change) {
        guard rules.requirePostgresEnums(Self.keyword, at: name.location), let known = rules.enumLabels(name) else { return }
        // Columns of the type now, and those of the base schema: one the spec drops or retypes is kept, quarantined
        // with its rows, until the purge after contract, and keeps the type until then.
        let now = rules.schema.tables.values.flatMap { table in
            table.columns.values.filter { $0.type.map { Self.names($0, name.value) } ?? false }.map { "\(table.name).\($0.name)" }
        }
        let before = (rules.base?.tables ?? []).flatMap { table in
            table.columns.filter { Self.names($0.type, name.value) }.map { "\(table.name).\($0.name)" }
        }
        let users = Array(Set(now + before)).sorted()
        if !users.isEmpty {
            rules.report(.enumTypeInUse, Message.enumTypeInUse(name.value, users: users), name)
            return
        }
        if known != nil { rules.schema.enums.remove(name.value) }
    }

    /// Whether a column type is enum type `name` (or an array of it), as pg_dump or the spec writes it.
    static func names(_ type: String, _ name: String) -> Bool {
        var text = type.lowercased().replacingOccurrences(of: "\"", with: "").trimmingCharacters(in: .whitespaces)
        while text.hasSuffix("[]") { text = String(text.dropLast(2)).trimmingCharacters(in: .whitespaces) }
        if text.hasPrefix("public.") { text = String(text.dropFirst(7)) }
        return text == name.lowercased()
    }

    func lower(_ r: Recipe) -> [StepDraft] {
        guard r.engine == .postgresql else { return [] }
        let b = r.postgres
        let type = b.t(name.value)
        let up = SQLStatement(b.guarded("to_regtype(\(b.lit(type))) IS NOT NULL", ["DROP TYPE \(type);"]),
                              comment: "Contract: no column uses the type and the old version is gone. A catalog change, no table lock;\nno CASCADE, so a column that still has the type stops the Job instead of losing its data.")
        let slug = "drop_enum \(name.value)", title = "drop enum type \(name.value)"
        guard let labels = r.context.schema.enumType(name.value)?.labels else {
            return [StepDraft(.contract, slug: slug, title: title, change: r.change, up: [up],
                              down: r.note("Irreversible: the labels of the type are not known (no schema file)."), reversible: false)]
        }
        let create = b.guarded("to_regtype(\(b.lit(type))) IS NULL", ["CREATE TYPE \(type) AS ENUM (\(labels.map { b.lit($0) }.joined(separator: ", ")));"])
        return [StepDraft(.contract, slug: slug, title: title, change: r.change, up: [up],
                          down: [SQLStatement(create, comment: "The type again, with the labels of the base schema in their order.")])]
    }

    func apply(to schema: inout DatabaseSchema, engine: MigrationSpec.Engine) {
        schema.enumTypes.removeAll { $0.name == name.value }
    }
}

extension RuleID {
    public static let enumTypeInUse = RuleID("CUT099")
}

extension Message {
    public static func enumTypeInUse(_ name: String, users: [String]) -> String {
        "enum type '\(name)' is still used by \(users.joined(separator: ", ")): drop or retype the column first (DROP TYPE would fail in contract)"
    }
}
