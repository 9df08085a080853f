/// What the spec means the schema to be after its last change, as Validation models it: the base schema
/// file with each change's effect on `SymbolicSchema` applied in order (`ReferenceRules`). It does not
/// come from the SQL lowering, so `cutover rehearse` can hold the live catalog after contract against
/// it (issue #14) instead of against a second copy of the lowering. Read-only; what the model does not
/// know is nil or flagged, and the checker skips it.
package struct SpecTargetSchema: Sendable {
    package struct Column: Sendable {
        package var name: String
        /// Nil when the model does not know it.
        package var nullable: Bool?
        /// The type as written in the schema file or the spec; nil when not known.
        package var type: String?
    }

    package struct Index: Sendable {
        package var name: String
        /// "index", "primary key" or "unique constraint".
        package var kind: String
        /// The plain columns among its keys (an expression key is not listed), as the change named them.
        package var columns: [String]
        /// Nil when not known.
        package var unique: Bool?
        /// A partial index's WHERE as written; nil for none, or where `predicateKnown` is false (an index
        /// a `sql` change created: the model has its name and columns, not its WHERE).
        package var predicate: String?
        package var predicateKnown: Bool
        /// Whether it has a WHERE; nil when not known. Derived from `predicate`, so the two cannot disagree.
        package var partial: Bool? { predicateKnown ? predicate != nil : nil }
    }

    package struct Table: Sendable {
        package var name: String
        /// Every column is known (schema file or createTable, no `sql` change since).
        package var columnsKnown: Bool
        /// Every index and key is known.
        package var indexesKnown: Bool
        package var columns: [Column]
        package var indexes: [Index]
        /// Column sets the model knows to be unique (primary key, unique constraints and indexes, a
        /// column's `unique: true`), whatever their index is named.
        package var uniqueSets: [Set<String>]
        /// The primary key's column keys (empty when none or not known).
        package var primaryKey: [String]
        /// Names of foreign keys on the table (MySQL names the index it makes for one after it).
        package var foreignKeys: [(name: String, columns: [String])]
    }

    /// Every table is known: a schema file was given and no `sql` change ran.
    package var tablesKnown: Bool
    package var tables: [Table]
    /// MySQL: names compare case-insensitively.
    package var mysql: Bool
    /// The columns a dropColumn retires, by the table's final name: contract quarantines them with
    /// their indexes and checks, which purge drops.
    package var droppedColumns: [String: [String]] = [:]
    /// The partitions a createTable declares, by the table's final name, in the spec's order: the model
    /// keeps the partitioned table, not its partitions (PostgreSQL makes each a table, MySQL lists them in
    /// information_schema.PARTITIONS). A table a later change drops, or whose partition a later change
    /// names, is left out (not known).
    package var createdPartitions: [String: [String]] = [:]

    /// Nil when the spec does not pass validation's reference checks (the model would be incomplete).
    package init?(spec: MigrationSpec, schema: DatabaseSchema?) {
        var rules = ReferenceRules(spec: spec, schema: schema, file: spec.sourcePath, rules: RuleRegistry.table)
        rules.check(spec)
        guard !rules.diagnostics.hasErrors else { return nil }
        let model = rules.schema
        var finalName: [String: String] = [:]
        for change in spec.changes.reversed() {
            if let rename = change.operation.unit(RenameTable.self) { finalName[rename.from.value] = finalName[rename.to.value] ?? rename.to.value }
        }
        for change in spec.changes {
            guard let drop = change.operation.unit(DropColumn.self) else { continue }
            droppedColumns[finalName[drop.table.value] ?? drop.table.value, default: []].append(drop.column.value)
        }
        for (position, change) in spec.changes.enumerated() {
            guard let create = change.operation.unit(CreateTable.self), let partitioning = create.partitioning else { continue }
            let names = partitioning.partitions.map(\.name.value)
            let later = spec.changes.dropFirst(position + 1).flatMap { $0.operation.tables.map(\.value) }
            guard !later.contains(where: { names.contains($0) }),
                  !spec.changes.dropFirst(position + 1).contains(where: { $0.operation.unit(DropTable.self)?.name.value == create.name.value }) else { continue }
            createdPartitions[finalName[create.name.value] ?? create.name.value] = names
        }
        mysql = model.mysql
        tablesKnown = model.complete
        tables = model.tableNames.compactMap { name in
            guard let table = model.tables[name] else { return nil }
            let objects = model.objects(on: name)
            return Table(
                name: name, columnsKnown: model.isComplete(table), indexesKnown: model.complete || model.knowsIndexes(table),
                columns: table.columns.values.map { Column(name: $0.name, nullable: $0.nullable, type: $0.type) }.sorted { $0.name < $1.name },
                indexes: objects.filter { [.index, .unique, .primaryKey].contains($0.kind) }.map { object in
                    Index(name: object.name, kind: object.kind.words, columns: object.columns,
                          unique: object.kind == .index ? object.uniqueIndex : true,
                          predicate: object.predicate, predicateKnown: object.kind != .index || object.partial != nil)
                },
                uniqueSets: table.uniqueSets, primaryKey: table.primaryKey,
                foreignKeys: objects.filter { $0.kind == .foreignKey }.map { ($0.name, $0.columns) })
        }
    }

    package init(tablesKnown: Bool, tables: [Table], mysql: Bool) {
        self.tablesKnown = tablesKnown
        self.tables = tables
        self.mysql = mysql
    }

    /// The key the model files a column under (MySQL: lowercased).
    package func columnKey(_ name: String) -> String { mysql ? name.lowercased() : name }
}
