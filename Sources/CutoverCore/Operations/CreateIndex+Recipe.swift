/// `createIndex`, in expand: PostgreSQL builds it CONCURRENTLY (after dropping an INVALID leftover of a
/// failed build; a partitioned table's per partition, `PostgreSQLPartitionedIndex`), MySQL in place
/// (ALGORITHM=INPLACE, LOCK=NONE). What MySQL cannot build (other methods, a WHERE clause) is built as
/// BTREE over every row, said in the title and the comment; on MySQL the new index may replace an
/// index the server made for a foreign key, which the down restores.
extension CreateIndex: OperationUnit {
    static let keyword = "createIndex"

    static let field = Field("createIndex", .object(ObjectShape("createIndex", "build an index without blocking writes", [
        Field("name", SpecShape.identifier, required: true, "index name"),
        Field("table", SpecShape.identifier, required: true, "table to index"),
        Field("columns", SpecShape.identifiers, required: true, "indexed columns"),
        Settings.Operation.uniqueIndex.field,
        Settings.Operation.method.field,
        Field("where", SpecShape.expression, "partial index predicate (PostgreSQL)"),
    ])), "build an index concurrently (PostgreSQL) or in place without locks (MySQL)")

    static func read(_ node: SyntaxNode, _ reader: SpecBuilder) -> CreateIndex? {
        guard let index = reader.name(node["name"]), let table = reader.name(node["table"]) else { return nil }
        return CreateIndex(name: index, table: table, columns: reader.names(node["columns"]), unique: Settings.Operation.uniqueIndex.value(in: node),
                           method: Settings.Operation.method.value(in: node), whereClause: reader.located(node["where"]))
    }

    static let examples = [
        OperationExample(engine: .postgresql, schema: OperationExample.pricing,
                         changes: "    - createIndex:\n        name: pricing_amount_idx\n        table: pricing\n        columns: [amount]\n"),
        OperationExample(engine: .mysql, schema: OperationExample.pricingMySQL,
                         changes: "    - createIndex:\n        name: pricing_amount_idx\n        table: pricing\n        columns: [amount]\n"),
    ]

    var tables: [Name] { [table] }
    /// Expand only: a later renameTable finds the index on the renamed table.
    func tableWithLaterSteps(engine: MigrationSpec.Engine) -> Name? { nil }

    /// CUT041/CUT042 for an unknown table or column, CUT044 for a name already taken.
    func check(_ rules: inout ReferenceRules, change: Change) {
        guard rules.requireTable(table) else { return }
        var known = true
        for column in columns where !rules.requireColumn(column, of: table.value) { known = false }
        guard rules.claim(name, table: table.value, kind: .index) else { return }
        rules.schema.register(.init(name: name.value, table: table.value, kind: .index,
                                    columns: columns.map { rules.schema.columnKey($0.value) }, uniqueIndex: unique, partial: whereClause != nil))
        if unique && whereClause == nil && known {
            let keys = Set(columns.map { rules.schema.columnKey($0.value) })
            rules.schema.update(table.value) { $0.uniqueSets.append(keys) }
        }
    }

    func lower(_ r: Recipe) -> [StepDraft] {
        let name = self.name.value, table = self.table.value, columns = self.columns.map(\.value)
        let title = "create \(unique ? "unique " : "")index \(name) on \(table)"
        if r.capabilities.concurrentIndexes {
            let b = r.postgres
            if let partitioned = PostgreSQLPartitionedIndex(self, b) { return [partitioned.lowerCreate(change: r.change, b)] }
            let build = b.createIndexConcurrently(name: name, table: table, unique: unique, method: method.rawValue,
                                                  columns: b.n.quoteList(columns), whereClause: whereClause?.value)
            return [StepDraft(.expand, slug: "create_index \(name)", title: title + " concurrently", change: r.change,
                              up: build, down: [b.dropIndexConcurrently(name)], transactional: false)]
        }
        let b = r.mysql
        var notes: [String] = []
        var suffix = ""
        if method != .btree {
            notes.append("InnoDB has no \(method.rawValue) indexes: built as BTREE.")
            suffix += " (MySQL: BTREE instead of \(method.rawValue))"
        }
        if let whereClause {
            notes.append("MySQL has no partial indexes: the predicate (\(whereClause.value)) is ignored and the index covers every row.")
            suffix += " (MySQL: WHERE ignored)"
        }
        let implicit = r.context.implicitIndexes(coveredBy: columns, on: table)
        if !implicit.isEmpty {
            notes.append("The index covers a foreign key whose index the server created by itself (\(implicit.map { "`\($0.name)`" }.joined(separator: ", "))): the server\n"
                         + "drops that one now; the ALTER names it so a re-run after the down gives the same schema.")
        }
        let up = SQLStatement(b.addIndex(table, name, unique: unique, columns: b.n.quoteList(columns), replacing: implicit),
                              comment: notes.isEmpty ? nil : notes.joined(separator: "\n"))
        return [StepDraft(.expand, slug: "create_index \(name)", title: title + " in place" + suffix, change: r.change,
                          up: [up], down: [b.dropIndex(table, name, restoring: implicit)])]
    }

    /// The index, and on MySQL the server's foreign-key indexes it makes redundant are gone.
    func apply(to schema: inout DatabaseSchema, engine: MigrationSpec.Engine) {
        schema.dropImplicitIndexes(coveredBy: columns.map(\.value), on: table.value, engine: engine)
        schema.indexes.append(DatabaseSchema.Index(name: name.value, table: table.value, columns: columns.map(\.value), unique: unique,
                                                   method: method.rawValue, definition: "", predicate: whereClause?.value))
    }
}
