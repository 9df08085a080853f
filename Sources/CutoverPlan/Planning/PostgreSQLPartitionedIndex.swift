/// An index on a partitioned PostgreSQL table, built or rebuilt without blocking writes. CREATE INDEX
/// CONCURRENTLY is refused on a partitioned parent, and a plain CREATE INDEX on it locks every partition
/// against writes for the whole build. The usual way instead: create the index on the parent only
/// (`ON ONLY`: catalog only, no scan, the index stays invalid), build the index of each partition
/// concurrently, and attach each to the parent; the parent's index becomes valid when the last
/// partition's is attached. `createIndex` builds it so; `dropIndex`'s down rebuilds it so, with the
/// partition indexes' names from the base schema.
struct PostgreSQLPartitionedIndex {
    var name: String
    var table: String
    var unique: Bool
    var method: String
    /// The key as SQL (quoted columns, expressions as written).
    var columns: String
    /// INCLUDE/WITH after the key list, or empty.
    var options = ""
    var predicate: String?
    /// Each partition and the name of its index.
    var partitions: [(table: String, index: String)]

    /// A new index of the spec (`createIndex`); nil when the table is not partitioned.
    init?(_ index: CreateIndex, _ b: PostgreSQLBuilder) {
        guard b.context.isPartitioned(index.table.value) else { return nil }
        name = index.name.value
        table = index.table.value
        unique = index.unique
        method = index.method.rawValue
        columns = index.keyList(b.n)
        options = index.options(b.n)
        predicate = index.whereClause?.value
        let own = name
        partitions = b.context.schema.partitions(of: table).map { ($0.name, b.context.names.fit("\($0.name)_\(own)")) }
    }

    /// An index of the base schema (`dropIndex`'s down); nil when its table is not partitioned.
    init?(rebuilding index: DatabaseSchema.Index, _ b: PostgreSQLBuilder) {
        guard b.context.isPartitioned(index.table) else { return nil }
        name = index.name
        table = index.table
        unique = index.unique
        method = index.method ?? "btree"
        columns = index.keyList ?? index.columns.map { SQLText.identifierProblem($0, maxLength: 64) == nil ? b.q($0) : $0 }.joined(separator: ", ")
        options = index.options
        predicate = PostgreSQLDialect.whereClause(of: index.definition) ?? index.predicate
        let own = index.name
        partitions = index.attached.isEmpty
            ? b.context.schema.partitions(of: table).map { ($0.name, b.context.names.fit("\($0.name)_\(own)")) }
            : index.attached
    }

    /// ON ONLY the parent, then each partition's index concurrently and attached.
    func build(_ b: PostgreSQLBuilder) -> [SQLStatement] {
        var parent = "CREATE \(unique ? "UNIQUE " : "")INDEX IF NOT EXISTS \(b.q(name)) ON ONLY \(b.t(table)) USING \(method) (\(columns))\(options)"
        if let predicate { parent += " WHERE (\(predicate))" }
        var statements = [SQLStatement(parent + ";",
                                       comment: "\(table) is partitioned (\(partitions.count) partition\(partitions.count == 1 ? "" : "s")): CONCURRENTLY is refused on the parent.\nON ONLY creates the parent's index alone, empty and invalid: catalog only, no scan, a brief lock.",
                                       suppressions: .rules(["require-concurrent-index-creation"],
                                                            "ON ONLY builds nothing (no scan); each partition's index is built concurrently below"))]
        for partition in partitions {
            var create = b.createIndexConcurrently(name: partition.index, table: partition.table, unique: unique, method: method, columns: columns,
                                                   options: options, whereClause: predicate)
            create[0].comment = "Partition \(partition.table): built concurrently (writes go on), then attached to \(name).\n" + (create[0].comment ?? "")
            statements += create
            statements.append(SQLStatement("ALTER INDEX \(b.t(name)) ATTACH PARTITION \(b.t(partition.index));",
                                           comment: "A no-op when already attached, so a re-run passes."))
        }
        return statements
    }

    /// The parent's index, which takes the attached partition indexes with it, then any a failed build left unattached.
    func drop(_ b: PostgreSQLBuilder, comment: String) -> [SQLStatement] {
        var statements = [SQLStatement("DROP INDEX IF EXISTS \(b.t(name));", comment: comment,
                                       suppressions: .rules(["require-concurrent-index-deletion"],
                                                            "DROP INDEX CONCURRENTLY is refused on a partitioned index; catalog only"))]
        for (offset, partition) in partitions.enumerated() {
            statements.append(SQLStatement("DROP INDEX CONCURRENTLY IF EXISTS \(b.t(partition.index));",
                                           comment: offset == 0 ? "An index a failed up built but did not attach (attached ones went with the parent's)." : nil,
                                           kind: .concurrentIndex))
        }
        return statements
    }

    func lowerCreate(change: Int, _ b: PostgreSQLBuilder) -> StepDraft {
        StepDraft(.expand, slug: "create_index \(name)",
                  title: "create \(unique ? "unique " : "")index \(name) on partitioned \(table) (each partition concurrently, then attached)",
                  change: change, up: build(b),
                  down: drop(b, comment: "Rollback only: drops the parent's index and every partition index attached to it (DROP INDEX CONCURRENTLY is refused on a partitioned index); a brief lock."),
                  transactional: false)
    }

    func lowerDrop(change: Int, _ b: PostgreSQLBuilder) -> StepDraft {
        var down = build(b)
        down[0].comment = "Re-create from the definition in the base schema, partition by partition, under the partition indexes' own names.\n" + (down[0].comment ?? "")
        return StepDraft(.contract, slug: "drop_index \(name)", title: "drop index \(name) on partitioned \(table) (with its partitions' indexes)", change: change,
                         up: drop(b, comment: "\(table) is partitioned: DROP INDEX CONCURRENTLY is refused on its index. Dropping it (and the partition indexes attached to it) is catalog only, under a brief lock."),
                         down: down, transactional: false)
    }
}
