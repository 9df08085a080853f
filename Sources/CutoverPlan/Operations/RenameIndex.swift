/// `renameIndex`, in contract: the old app version may name the index (a MySQL index hint such as
/// `FORCE INDEX (name)` fails on an unknown name; PostgreSQL tooling such as `CLUSTER … USING` or
/// pg_hint_plan names it too), so the new name exists only once no pod of the old version serves.
/// PostgreSQL: ALTER INDEX IF EXISTS … RENAME TO (a catalog change under SHARE UPDATE EXCLUSIVE, no
/// scan); MySQL: RENAME INDEX in place (metadata only, LOCK=NONE). The down renames it back.
struct RenameIndex: OperationUnit {
    var table: Name
    var from: Name
    var to: Name

    static let keyword = "renameIndex"

    static let field = Field("renameIndex", .object(ObjectShape("renameIndex", "rename an index (contract)", [
        Field("table", SpecShape.identifier, required: true, "table of the index"),
        Field("from", SpecShape.identifier, required: true, "current name", example: "orders_cust_idx"),
        Field("to", SpecShape.identifier, required: true, "new name", example: "orders_customer_idx"),
    ])), "rename an index in the contract phase (the old version may name it in index hints); its down renames it back")

    static func read(_ node: SyntaxNode, _ reader: SpecBuilder) -> RenameIndex? {
        guard let table = reader.name(node["table"]), let from = reader.name(node["from"]), let to = reader.name(node["to"]) else { return nil }
        return RenameIndex(table: table, from: from, to: to)
    }

    static let examples = [
        OperationExample(engine: .postgresql, schema: OperationExample.pricing + "CREATE INDEX pricing_amt_idx ON pricing (amount);\n",
                         changes: "    - renameIndex:\n        table: pricing\n        from: pricing_amt_idx\n        to: pricing_amount_idx\n"),
        OperationExample(engine: .mysql, schema: OperationExample.pricingMySQL + "CREATE INDEX pricing_amt_idx ON pricing (amount);\n",
                         changes: "    - renameIndex:\n        table: pricing\n        from: pricing_amt_idx\n        to: pricing_amount_idx\n"),
        // MySQL matches index names case-insensitively: the down restores the schema's own spelling.
        OperationExample(engine: .mysql, schema: OperationExample.pricingMySQL + "CREATE INDEX Pricing_Amt_Idx ON pricing (amount);\n",
                         changes: "    - renameIndex:\n        table: pricing\n        from: PRICING_AMT_IDX\n        to: pricing_amount_idx\n"),
    ]

    var tables: [Name] { [table] }
    func tableWithLaterSteps(engine: MigrationSpec.Engine) -> Name? { table }

    /// CUT043 for an index the table does not have (or a constraint that is no index), CUT044 for a new
    /// name that is taken or the same.
    func check(_ rules: inout ReferenceRules, change: Change) {
        if from.value == to.value {
            rules.report(.alreadyExists, Message.renameToItself("index", from.value), to)
            return
        }
        guard rules.requireTable(table) else { return }
        var found: SymbolicSchema.Object?
        switch rules.schema.index(named: from.value, table: table.value) {
        case .found(let object):
            if object.table != table.value {
                rules.report(.unknownIndexOrConstraint, Message.indexOnOtherTable(from.value, table: object.table, not: table.value), table)
                return
            }
            if object.kind != .index && !(rules.schema.mysql && object.kind == .unique) {
                rules.report(.unknownIndexOrConstraint, Message.renameNotAnIndex(from.value, kind: object.kind.words), from)
                return
            }
            found = object
        case .missing(let reason):
            let suggestion = Suggestion.closest(to: from.value, among: rules.schema.indexNames(on: table.value))
            rules.report(.unknownIndexOrConstraint, Message.unknownIndex(from.value, table: table.value, reason: reason, suggestion: suggestion), from)
            return
        case .unknown:
            break
        }
        guard rules.claim(to, table: table.value, kind: found?.kind ?? .index, inContract: true) else { return }
        let line = change.location.line
        if let found {
            rules.schema.remove(found, reason: "it was renamed to '\(to.value)' at line \(line)")
            var renamed = found
            renamed.name = to.value
            rules.schema.register(renamed)
        } else {
            rules.schema.remove(index: from.value, table: table.value, reason: "it was renamed to '\(to.value)' at line \(line)")
            rules.schema.register(.init(name: to.value, table: table.value, kind: .index, columns: []))
        }
    }

    func lower(_ r: Recipe) -> [StepDraft] {
        let table = self.table.value, from = self.from.value, to = self.to.value
        let title = "rename index \(from) on \(table) to \(to)"
        guard r.engine == .mysql else {
            let b = r.postgres
            return [StepDraft(.contract, slug: "rename_index \(from)", title: title, change: r.change,
                              up: [SQLStatement("ALTER INDEX IF EXISTS \(b.t(from)) RENAME TO \(b.q(to));",
                                                comment: "A catalog change (SHARE UPDATE EXCLUSIVE, no scan); IF EXISTS makes a re-run a no-op.",
                                                suppressions: .rules(["renaming-object"], "contract: no pod of the old version, which may name the index, serves any more"))],
                              down: [SQLStatement("ALTER INDEX IF EXISTS \(b.t(to)) RENAME TO \(b.q(from));",
                                                  suppressions: .rules(["renaming-object"], "the rollback of contract gives the old version its name back before it serves again"))])]
        }
        let b = r.mysql
        // The base schema's spelling: MySQL matches the spec's name case-insensitively, and the down must
        // give the index back its own name.
        let original = r.context.schema.indexes.first { $0.table == table && $0.name.lowercased() == from.lowercased() }?.name
            ?? r.context.schema.constraints.first { $0.table == table && $0.kind == .unique && $0.name.lowercased() == from.lowercased() }?.name
            ?? from
        func rename(_ old: String, _ new: String) -> String {
            b.guarded("ALTER TABLE \(b.q(table)) RENAME INDEX \(b.q(old)) TO \(b.q(new)), ALGORITHM=INPLACE, LOCK=NONE",
                      whenFound: true, in: .statistics, table: table, ["index_name = \(b.lit(old))"])
        }
        return [StepDraft(.contract, slug: "rename_index \(from)", title: title + " in place", change: r.change,
                          up: [SQLStatement(rename(from, to), comment: "Metadata only (in place, writes go on); guarded on the catalog so a re-run is a no-op.")],
                          down: [SQLStatement(rename(to, original))])]
    }

    /// The index (and on MySQL the unique constraint it is) takes its new name.
    func apply(to schema: inout DatabaseSchema, engine: MigrationSpec.Engine) {
        let same: (String, String) -> Bool = engine == .mysql ? { $0.lowercased() == $1.lowercased() } : { $0 == $1 }
        for i in schema.indexes.indices where schema.indexes[i].table == table.value && same(schema.indexes[i].name, from.value) {
            schema.indexes[i].name = to.value
        }
        if engine == .mysql {
            for i in schema.constraints.indices where schema.constraints[i].kind == .unique && schema.constraints[i].table == table.value
                && same(schema.constraints[i].name, from.value) {
                schema.constraints[i].name = to.value
            }
        }
    }
}

extension Message {
    public static func renameNotAnIndex(_ name: String, kind: String) -> String {
        "'\(name)' is a \(kind), not an index; rename it with renameConstraint"
    }
}
