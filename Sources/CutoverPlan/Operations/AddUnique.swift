/// `addUnique`, in complete. PostgreSQL: the unique index is built CONCURRENTLY in a step of its own,
/// then attached as the constraint (USING INDEX: a brief lock, no scan). MySQL: a unique index built in
/// place is the unique constraint; it may replace an index the server made for a foreign key.
struct AddUnique: OperationUnit {
    var name: Name
    var table: Name
    var columns: [Name]

    static let keyword = "addUnique"

    static let field = Field("addUnique", .object(ObjectShape("addUnique", "add a UNIQUE constraint without a long lock", [
        Field("name", SpecShape.identifier, required: true, "constraint name"),
        Field("table", SpecShape.identifier, required: true, "table"),
        Field("columns", SpecShape.identifiers, required: true, "unique columns"),
    ])), "add a UNIQUE constraint through a unique index built concurrently")

    static func read(_ node: SyntaxNode, _ reader: SpecBuilder) -> AddUnique? {
        guard let constraint = reader.name(node["name"]), let table = reader.name(node["table"]) else { return nil }
        return AddUnique(name: constraint, table: table, columns: reader.names(node["columns"]))
    }

    static let examples = [
        OperationExample(engine: .postgresql, schema: OperationExample.pricing,
                         changes: "    - addUnique:\n        name: pricing_amount_key\n        table: pricing\n        columns: [amount]\n"),
        OperationExample(engine: .mysql, schema: OperationExample.pricingMySQL,
                         changes: "    - addUnique:\n        name: pricing_amount_key\n        table: pricing\n        columns: [amount]\n"),
    ]

    var tables: [Name] { [table] }
    func tableWithLaterSteps(engine: MigrationSpec.Engine) -> Name? { table }

    /// CUT041/CUT042 for an unknown table or column, CUT044 for a name already taken.
    func check(_ rules: inout ReferenceRules, change: Change) {
        guard rules.requireTable(table) else { return }
        var known = true
        for column in columns where !rules.requireColumn(column, of: table.value) { known = false }
        rules.checkRetypedKeyColumns(columns, of: table.value, what: "unique constraint '\(name.value)'")
        guard rules.claim(name, table: table.value, kind: .unique) else { return }
        let keys = columns.map { rules.schema.columnKey($0.value) }
        rules.checkPartitionKey(keys, table: table.value, kind: "unique constraint", at: name.location)
        rules.checkPostgresPartitionedConstraint(table: table.value, kind: "UNIQUE", at: name.location)
        rules.schema.register(.init(name: name.value, table: table.value, kind: .unique, columns: keys))
        if known { rules.schema.update(table.value) { $0.uniqueSets.append(Set(keys)) } }
    }

    func lower(_ r: Recipe) -> [StepDraft] {
        let name = self.name.value, table = self.table.value, columns = self.columns.map(\.value)
        return r.capabilities.concurrentIndexes ? Self.postgres(table, name, columns, change: r.change, r.postgres)
                                                : [Self.mysql(table, name, columns, change: r.change, r.mysql)]
    }

    func apply(to schema: inout DatabaseSchema, engine: MigrationSpec.Engine) {
        let name = self.name.value, table = self.table.value, columns = self.columns.map(\.value)
        schema.dropImplicitIndexes(coveredBy: columns, on: table, engine: engine)
        schema.constraints.append(.init(name: name, table: table, kind: .unique, columns: columns))
    }

    static func postgres(_ table: String, _ name: String, _ columns: [String], change: Int, _ b: PostgreSQLBuilder) -> [StepDraft] {
        let build = b.createIndexConcurrently(name: name, table: table, unique: true, method: "btree", columns: b.n.quoteList(columns), whereClause: nil)
        let attach = b.guarded("NOT \(b.constraintExists(table, name))",
                               ["ALTER TABLE \(b.t(table)) ADD CONSTRAINT \(b.q(name)) UNIQUE USING INDEX \(b.q(name));"])
        var down = [b.dropConstraint(table, name)]
        down[0].comment = "Dropping the constraint drops its index too, so the down rebuilds the bare index (the state before the up)."
        return [
            StepDraft(.complete, slug: "add_unique \(name) index", title: "build unique index \(name) on \(table) concurrently", change: change,
                      up: build, down: [b.dropIndexConcurrently(name)], transactional: false),
            StepDraft(.complete, slug: "add_unique \(name)", title: "attach unique constraint \(name) on \(table) using its index", change: change,
                      up: [SQLStatement(attach, comment: "Attach the prebuilt unique index as a constraint (brief ACCESS EXCLUSIVE, no scan). The index keeps its name.")],
                      down: down + build, transactional: false),
        ]
    }

    static func mysql(_ table: String, _ name: String, _ columns: [String], change: Int, _ b: MySQLBuilder) -> StepDraft {
        let implicit = b.context.implicitIndexes(coveredBy: columns, on: table)
        return StepDraft(.complete, slug: "add_unique \(name)", title: "add unique index \(name) on \(table) in place", change: change,
                  up: [SQLStatement(b.addIndex(table, name, unique: true, columns: b.n.quoteList(columns), replacing: implicit),
                                    comment: "A unique index built in place is MySQL's unique constraint (no separate USING INDEX step)."
                                        + (implicit.isEmpty ? "" : "\nIt covers a foreign key whose index the server created by itself: that index is dropped with it."))],
                  down: [b.dropIndex(table, name, restoring: implicit)])
    }
}
