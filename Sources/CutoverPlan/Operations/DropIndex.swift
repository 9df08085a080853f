/// `dropIndex`, in contract (the old app version may still need it until then): PostgreSQL drops it
/// CONCURRENTLY (outside a transaction; a partitioned table's index by catalog, `PostgreSQLPartitionedIndex`),
/// MySQL in place. The down rebuilds it from the base schema's definition, the same way it would be
/// built; without one it cannot, and the step says so.
struct DropIndex: OperationUnit {
    var name: Name
    var table: Name

    static let keyword = "dropIndex"

    static let field = Field("dropIndex", .object(ObjectShape("dropIndex", "retire an index (contract)", [
        Field("name", SpecShape.identifier, required: true, "index name"),
        Field("table", SpecShape.identifier, required: true, "table of the index"),
    ])), "drop an index in the contract phase; its down rebuilds it")

    static func read(_ node: SyntaxNode, _ reader: SpecBuilder) -> DropIndex? {
        guard let index = reader.name(node["name"]), let table = reader.name(node["table"]) else { return nil }
        return DropIndex(name: index, table: table)
    }

    static let examples = [
        OperationExample(engine: .postgresql, schema: OperationExample.pricing + "CREATE INDEX pricing_amount_idx ON pricing (amount);\n",
                         changes: "    - dropIndex:\n        name: pricing_amount_idx\n        table: pricing\n"),
        OperationExample(engine: .mysql, schema: OperationExample.pricingMySQL + "CREATE INDEX pricing_amount_idx ON pricing (amount);\n",
                         changes: "    - dropIndex:\n        name: pricing_amount_idx\n        table: pricing\n"),
    ]

    var tables: [Name] { [table] }

    /// PostgreSQL drops an index by its own name; MySQL through ALTER TABLE of its table.
    func tableWithLaterSteps(engine: MigrationSpec.Engine) -> Name? { engine == .mysql ? table : nil }

    /// CUT043 for an index the table does not have (or a constraint that is no index), CUT053 when its
    /// definition is unknown (the down cannot rebuild it), CUT079 for the last index a MySQL foreign key can use.
    func check(_ rules: inout ReferenceRules, change: Change) {
        let line = change.location.line
        guard rules.requireTable(table) else { return }
        switch rules.schema.index(named: name.value, table: table.value) {
        case .found(let object):
            if object.table != table.value {
                rules.report(.unknownIndexOrConstraint, Message.indexOnOtherTable(name.value, table: object.table, not: table.value), table)
                return
            }
            if object.kind != .index && !(rules.schema.mysql && object.kind == .unique) {
                rules.report(.unknownIndexOrConstraint, Message.notAnIndex(name.value, kind: object.kind.words), name)
                return
            }
        case .missing(let reason):
            let suggestion = Suggestion.closest(to: name.value, among: rules.schema.indexNames(on: table.value))
            rules.report(.unknownIndexOrConstraint, Message.unknownIndex(name.value, table: table.value, reason: reason, suggestion: suggestion), name)
            return
        case .unknown:
            rules.report(.unsafeRollback, Message.dropIndexUnknownDefinition(name.value), name)
        }
        let keys = rules.schema.foreignKeysNeeding(index: name.value, table: table.value)
        if !keys.isEmpty {
            rules.report(.foreignKeyIndex, Message.indexNeededByForeignKey(name.value, keys: keys.map(\.name)), name)
            return
        }
        rules.schema.remove(index: name.value, table: table.value, reason: "it was dropped at line \(line)")
    }

    func lower(_ r: Recipe) -> [StepDraft] {
        let name = self.name.value, table = self.table.value
        let base = r.context.index(named: name)
        if r.engine == .postgresql, let base, let partitioned = PostgreSQLPartitionedIndex(rebuilding: base, r.postgres) {
            return [partitioned.lowerDrop(change: r.change, r.postgres)]
        }
        let concurrent = r.capabilities.concurrentIndexes
        var down = r.note("The base schema does not define \(name): the down cannot rebuild it.")
        if let base { down = rebuild(base, r) }
        return [StepDraft(.contract, slug: "drop_index \(name)", title: "drop index \(name) on \(table) \(concurrent ? "concurrently" : "in place")", change: r.change,
                          up: [concurrent ? r.postgres.dropIndexConcurrently(name) : SQLStatement(r.mysql.dropIndex(table, name))],
                          down: down, reversible: base != nil, transactional: !concurrent)]
    }

    /// The index as the base schema defines it, built the engine's online way.
    func rebuild(_ index: DatabaseSchema.Index, _ r: Recipe) -> [SQLStatement] {
        let name = self.name.value
        let comment = "Re-create from the definition in the base schema."
        guard r.engine == .postgresql else {
            let b = r.mysql
            return [SQLStatement(b.addIndex(index.table, name, unique: index.unique, columns: index.keyList ?? b.n.quoteList(index.columns)), comment: comment)]
        }
        let b = r.postgres
        let columns = index.keyList ?? index.columns.map { SQLText.identifierProblem($0, maxLength: 64) == nil ? b.q($0) : $0 }.joined(separator: ", ")
        var statements = b.createIndexConcurrently(name: name, table: index.table, unique: index.unique, method: index.method ?? "btree",
                                                   columns: columns, options: index.options, whereClause: PostgreSQLDialect.whereClause(of: index.definition) ?? index.predicate)
        statements[0].comment = comment + "\n" + (statements[0].comment ?? "")
        return statements
    }

    func apply(to schema: inout DatabaseSchema, engine: MigrationSpec.Engine) {
        schema.indexes.removeAll { $0.name == name.value && $0.table == table.value }
    }
}
