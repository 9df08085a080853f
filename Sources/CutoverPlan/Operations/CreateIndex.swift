/// `createIndex`, in expand: PostgreSQL builds it CONCURRENTLY (after dropping an INVALID leftover of a
/// failed build; a partitioned table's per partition, `PostgreSQLPartitionedIndex`), MySQL in place
/// (ALGORITHM=INPLACE, LOCK=NONE). What MySQL cannot build (other methods, a WHERE clause) is built as
/// BTREE over every row, said in the title and the comment; on MySQL the new index may replace an
/// index the server made for a foreign key, which the down restores.
public struct CreateIndex: Sendable {
    public enum Method: String, Sendable, Codable { case btree, hash, gin, gist, brin, spgist }
    public var name: Name
    public var table: Name
    /// The columns of the keys that name a column (`keys` holds every key, expressions too).
    public var columns: [Name]
    public var unique: Bool
    public var method: Method
    public var whereClause: Located<String>?
    public var keys: [IndexKey] = []
    /// INCLUDE columns and storage parameters (PostgreSQL).
    public var include: [Name] = []
    public var storage: [(key: Name, value: Located<String>)] = []
}

/// Its settings with defaults (`unique`, `method`), declared here with the shape that places them.
extension Settings.Operation {
    static let uniqueIndex = Setting<Bool>("unique", .boolean, default: .value(false), "a unique index")
    static let method = Setting<CreateIndex.Method>("method", .keyword(["btree", "hash", "gin", "gist", "brin", "spgist"]),
                                                    default: .value(.btree), "index method (PostgreSQL)")
}

extension CreateIndex.Method: KeywordSettingValue {}

extension CreateIndex: OperationUnit {
    package static let keyword = "createIndex"

    package static let field = Field("createIndex", .object(ObjectShape("createIndex", "build an index without blocking writes", [
        Field("name", SpecShape.identifier, required: true, "index name"),
        Field("table", SpecShape.identifier, required: true, "table to index"),
        Field("columns", IndexKey.listShape, required: true, "indexed keys: column names, or mappings (indexKey) with a column or an expression and its order"),
        Settings.Operation.uniqueIndex.field,
        Settings.Operation.method.field,
        Field("where", SpecShape.expression, "partial index predicate (PostgreSQL)"),
        Field("include", SpecShape.identifiers, "non-key columns stored in the index (PostgreSQL INCLUDE; MySQL: refused, CUT091)"),
        Field("with", .dictionary(key: .sqlIdentifier, value: SpecShape.expression),
              "storage parameters (PostgreSQL), e.g. {fillfactor: 90}; each value is passed as a string literal (MySQL: refused, CUT091)"),
    ])), "build an index concurrently (PostgreSQL) or in place without locks (MySQL)")

    package static func read(_ node: SyntaxNode, _ reader: SpecBuilder) -> CreateIndex? {
        guard let index = reader.name(node["name"]), let table = reader.name(node["table"]) else { return nil }
        let keys = (node["columns"]?.items ?? []).compactMap { IndexKey.read($0, reader) }
        let storage = (node["with"]?.entries ?? []).compactMap { entry in
            reader.located(entry.value).map { (key: Located(entry.key, at: entry.keyLocation), value: $0) }
        }
        return CreateIndex(name: index, table: table, columns: keys.compactMap(\.column), unique: Settings.Operation.uniqueIndex.value(in: node),
                           method: Settings.Operation.method.value(in: node), whereClause: reader.located(node["where"]),
                           keys: keys, include: reader.names(node["include"]), storage: storage)
    }

    package static let examples = [
        OperationExample(engine: .postgresql, schema: OperationExample.pricing,
                         changes: "    - createIndex:\n        name: pricing_amount_idx\n        table: pricing\n        columns: [amount]\n"),
        OperationExample(engine: .mysql, schema: OperationExample.pricingMySQL,
                         changes: "    - createIndex:\n        name: pricing_amount_idx\n        table: pricing\n        columns: [amount]\n"),
        // Keys beyond plain names: an expression with an operator class, DESC NULLS LAST, INCLUDE, storage parameters.
        OperationExample(engine: .postgresql, schema: OperationExample.pricing,
                         changes: "    - createIndex:\n        name: pricing_amount_idx\n        table: pricing\n        columns:\n"
                             + "          - expression: abs(amount)\n            opclass: int4_ops\n          - column: id\n            order: desc\n            nulls: last\n"
                             + "        include: [amount]\n        with: {fillfactor: 90}\n"),
        // MySQL: DESC keys (MySQL 8, MariaDB 10.8+); the rest is refused (CUT091).
        OperationExample(engine: .mysql, schema: OperationExample.pricingMySQL,
                         changes: "    - createIndex:\n        name: pricing_amount_idx\n        table: pricing\n        columns:\n"
                             + "          - column: amount\n            order: desc\n          - id\n"),
    ]

    package var tables: [Name] { [table] }
    /// Expand only: a later renameTable finds the index on the renamed table.
    package func tableWithLaterSteps(engine: MigrationSpec.Engine) -> Name? { nil }

    /// CUT041/CUT042 for an unknown table or column, CUT044 for a name already taken, CUT090 for a key
    /// that names neither or both of column and expression, CUT091 for what the engine or method lacks.
    package func check(_ rules: inout ReferenceRules, change: Change) {
        guard rules.requireTable(table) else { return }
        var known = true
        for key in keys {
            guard key.target != nil else {
                rules.report(.indexKeyShape, Message.indexKeyShape, at: key.location)
                known = false
                continue
            }
            if let column = key.column, !rules.requireColumn(column, of: table.value) { known = false }
        }
        for column in include { _ = rules.requireColumn(column, of: table.value) }
        rules.checkRetypedKeyColumns(keys.compactMap(\.column) + include, of: table.value, what: "index '\(name.value)'")
        if let whereClause {
            // Before the retype, an index that reads the column only in its WHERE would not be rebuilt on the copy (CUT078).
            let keyColumns = Set(columns.map { rules.schema.columnKey($0.value) }), schema = rules.schema
            rules.checkRetypedExpression(whereClause, of: table.value, what: "index '\(name.value)' (its WHERE)") { column, _ in
                keyColumns.contains(schema.columnKey(column)) ? nil : Message.indexBeforeRetype
            }
        }
        checkFeatures(&rules)
        guard rules.claim(name, table: table.value, kind: .index) else { return }
        if unique && known && keys.allSatisfy({ $0.column != nil }) {
            rules.checkPartitionKey(columns.map { rules.schema.columnKey($0.value) }, table: table.value, kind: "unique index", at: name.location)
        }
        rules.schema.register(.init(name: name.value, table: table.value, kind: .index,
                                    columns: columns.map { rules.schema.columnKey($0.value) }, uniqueIndex: unique, partial: whereClause != nil,
                                    predicate: whereClause?.value,
                                    keyList: keys.allSatisfy(\.isPlainColumn) ? nil : keyList(SQLNames(engine: rules.engine)),
                                    included: include.map { rules.schema.columnKey($0.value) }))
        if unique && whereClause == nil && known && keys.allSatisfy({ $0.column != nil }) {
            let keys = Set(columns.map { rules.schema.columnKey($0.value) })
            rules.schema.update(table.value) { $0.uniqueSets.append(keys) }
        }
    }

    /// CUT091: MySQL has DESC keys only; PostgreSQL orders keys of btree indexes only and INCLUDEs
    /// columns in btree, gist and spgist indexes (the server would refuse the statement mid-rollout).
    private func checkFeatures(_ rules: inout ReferenceRules) {
        if rules.schema.mysql {
            for key in keys {
                if let expression = key.expression { rules.report(.indexFeatureUnsupported, Message.mysqlExpressionKey, expression) }
                if let nulls = key.nulls { rules.report(.indexFeatureUnsupported, Message.mysqlIndexFeature("NULLS FIRST/LAST"), nulls) }
                if let opclass = key.opclass { rules.report(.indexFeatureUnsupported, Message.mysqlIndexFeature("operator classes"), opclass) }
            }
            if let first = include.first { rules.report(.indexFeatureUnsupported, Message.mysqlIndexFeature("INCLUDE columns"), first) }
            if let first = storage.first { rules.report(.indexFeatureUnsupported, Message.mysqlIndexFeature("storage parameters (with)"), first.key) }
            return
        }
        if method != .btree {
            for key in keys {
                if let order = key.order, key.descending { rules.report(.indexFeatureUnsupported, Message.unorderedMethod(method.rawValue, "DESC"), order) }
                if let nulls = key.nulls { rules.report(.indexFeatureUnsupported, Message.unorderedMethod(method.rawValue, "NULLS FIRST/LAST"), nulls) }
            }
        }
        if ![.btree, .gist, .spgist].contains(method), let first = include.first {
            rules.report(.indexFeatureUnsupported, Message.includeMethod(method.rawValue), first)
        }
    }

    /// The key list as SQL: each key rendered for the engine (a plain name as `quoteList` renders it).
    func keyList(_ n: SQLNames) -> String {
        keys.map { n.engine == .postgresql ? $0.postgres(n) : $0.mysql(n) }.joined(separator: ", ")
    }

    /// PostgreSQL: ` INCLUDE (…)` and ` WITH (…)` after the key list; empty when neither is given.
    func options(_ n: SQLNames) -> String {
        var text = ""
        if !include.isEmpty { text += " INCLUDE (\(n.quoteList(include.map(\.value))))" }
        if !storage.isEmpty { text += " WITH (" + storage.map { "\(n.quote($0.key.value)) = \(n.literal($0.value.value))" }.joined(separator: ", ") + ")" }
        return text
    }

    func lower(_ r: Recipe) -> [StepDraft] {
        let name = self.name.value, table = self.table.value, columns = self.columns.map(\.value)
        let title = "create \(unique ? "unique " : "")index \(name) on \(table)"
        if r.capabilities.concurrentIndexes {
            let b = r.postgres
            if let partitioned = PostgreSQLPartitionedIndex(self, b) { return [partitioned.lowerCreate(change: r.change, b)] }
            let build = b.createIndexConcurrently(name: name, table: table, unique: unique, method: method.rawValue,
                                                  columns: keyList(b.n), options: options(b.n), whereClause: whereClause?.value)
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
        let up = SQLStatement(b.addIndex(table, name, unique: unique, columns: keyList(b.n), replacing: implicit),
                              comment: notes.isEmpty ? nil : notes.joined(separator: "\n"))
        return [StepDraft(.expand, slug: "create_index \(name)", title: title + " in place" + suffix, change: r.change,
                          up: [up], down: [b.dropIndex(table, name, restoring: implicit)])]
    }

    /// The index, and on MySQL the server's foreign-key indexes it makes redundant are gone.
    func apply(to schema: inout DatabaseSchema, engine: MigrationSpec.Engine) {
        schema.dropImplicitIndexes(coveredBy: columns.map(\.value), on: table.value, engine: engine)
        var index = DatabaseSchema.Index(name: name.value, table: table.value, columns: keys.map(\.schemaText), unique: unique,
                                         method: method.rawValue, definition: "", predicate: whereClause?.value)
        if !keys.allSatisfy(\.isPlainColumn) || !include.isEmpty || !storage.isEmpty {
            let n = SQLNames(engine: engine)
            index.keyList = keyList(n)
            index.options = engine == .postgresql ? options(n) : ""
        }
        schema.indexes.append(index)
    }
}

extension CreateIndex {
    package static let rules = [IndexKeyShapeRule.rule, IndexFeatureUnsupportedRule.rule]

    static func indexSpec(_ database: String, _ keys: String, extra: String = "") -> String {
        Snippets.spec(database: database + "    schema: schema.sql\n",
                      changes: "    - createIndex:\n        name: pricing_amount_idx\n        table: pricing\n        columns:\n\(keys)\(extra)")
    }

    enum IndexKeyShapeRule: RuleUnit {
        static let rule = Rule(
            id: .indexKeyShape, name: "index-key-shape", severity: .error, checkedBy: [.references],
            summary: "an index key mapping names neither or both of column and expression",
            rationale: "Each key of createIndex.columns is a column name, or a mapping with exactly one of 'column' (a column of the table) and 'expression' (an SQL expression such as lower(email)), plus its order, NULLs placement and operator class. A mapping with both or neither says nothing the server could build.",
            triggering: [RuleExample(indexSpec(Snippets.pgDatabase, "          - order: desc\n"), files: ["schema.sql": Snippets.pricingSchema]).expecting((22, 13))],
            nonTriggering: [RuleExample(indexSpec(Snippets.pgDatabase, "          - column: amount\n            order: desc\n"), files: ["schema.sql": Snippets.pricingSchema])])
    }

    enum IndexFeatureUnsupportedRule: RuleUnit {
        static let rule = Rule(
            id: .indexFeatureUnsupported, name: "index-feature-unsupported", severity: .error, checkedBy: [.references],
            summary: "an index key or option the engine or the index method cannot build",
            rationale: "MySQL 8 has functional key parts from 8.0.13, but MariaDB (10.11, which cutover rehearses MySQL on) has none, and a generated column would change what the old app version's SELECT * and INSERT see: an expression key is refused on MySQL (index a virtual generated column added by addColumn instead). MySQL has no NULLS FIRST/LAST, operator classes, INCLUDE columns or storage parameters; DESC keys are built (MySQL 8, MariaDB 10.8+). On PostgreSQL only btree indexes have an order (DESC, NULLS), and only btree, gist and spgist indexes take INCLUDE columns; the server refuses the rest when the Job runs, mid-rollout, so cutover refuses them when the spec is checked.",
            triggering: [RuleExample(indexSpec(Snippets.mysqlDatabase, "          - expression: abs(amount)\n"),
                                     files: ["schema.sql": OperationExample.pricingMySQL]).expecting((22, 25)),
                         RuleExample(indexSpec(Snippets.pgDatabase, "          - amount\n", extra: "        method: hash\n        include: [id]\n"),
                                     files: ["schema.sql": Snippets.pricingSchema]).expecting((24, 19))],
            nonTriggering: [RuleExample(indexSpec(Snippets.mysqlDatabase, "          - column: amount\n            order: desc\n"),
                                        files: ["schema.sql": OperationExample.pricingMySQL]),
                            RuleExample(indexSpec(Snippets.pgDatabase, "          - expression: abs(amount)\n            nulls: first\n", extra: "        include: [id]\n        with: {fillfactor: 90}\n"),
                                        files: ["schema.sql": Snippets.pricingSchema])])
    }
}

extension RuleID {
    public static let indexKeyShape = RuleID("CUT090")
    public static let indexFeatureUnsupported = RuleID("CUT091")
}

extension Message {
    static let indexKeyShape = "an index key needs exactly one of 'column' and 'expression'"
    static let mysqlExpressionKey = "MySQL: an expression key needs functional key parts (MySQL 8.0.13+), which MariaDB lacks; index a virtual generated column instead (addColumn with `generated: {expression: …, stored: false}`)"
    static func mysqlIndexFeature(_ feature: String) -> String { "MySQL indexes have no \(feature) (PostgreSQL only)" }
    static func unorderedMethod(_ method: String, _ feature: String) -> String {
        "\(method) indexes have no order: PostgreSQL refuses \(feature) on them (btree only)"
    }
    static func includeMethod(_ method: String) -> String {
        "\(method) indexes cannot INCLUDE columns: PostgreSQL allows INCLUDE on btree, gist and spgist only"
    }
}
