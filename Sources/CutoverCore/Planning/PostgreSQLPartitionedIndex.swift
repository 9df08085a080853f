/// `createIndex` on a partitioned PostgreSQL table. CREATE INDEX CONCURRENTLY is refused on a
/// partitioned parent, and a plain CREATE INDEX on it locks every partition against writes for the
/// whole build. The usual way instead: create the index on the parent only (`ON ONLY`: catalog only, no
/// scan, the index stays invalid), build the index of each partition concurrently, and attach each to
/// the parent; the parent's index becomes valid when the last partition's is attached.
struct PostgreSQLPartitionedIndex {
    let index: CreateIndex
    let partitions: [String]

    init?(_ index: CreateIndex, _ context: LoweringContext) {
        guard context.isPartitioned(index.table.value) else { return nil }
        self.index = index
        self.partitions = context.schema.partitions(of: index.table.value).map(\.name)
    }

    /// The name of the index built on one partition: `<partition>_<index>`, shortened to fit.
    func partitionIndexName(_ partition: String, _ b: PostgreSQLBuilder) -> String {
        b.context.names.fit("\(partition)_\(index.name.value)")
    }

    func lower(change: Int, _ b: PostgreSQLBuilder) -> StepDraft {
        let name = index.name.value, table = index.table.value
        let columns = b.n.quoteList(index.columns.map(\.value))
        let method = index.method.rawValue
        var parent = "CREATE \(index.unique ? "UNIQUE " : "")INDEX IF NOT EXISTS \(b.q(name)) ON ONLY \(b.q(table)) USING \(method) (\(columns))"
        if let predicate = index.whereClause?.value { parent += " WHERE (\(predicate))" }
        var up = [SQLStatement(parent + ";",
                               comment: "\(table) is partitioned (\(partitions.count) partition\(partitions.count == 1 ? "" : "s")): CONCURRENTLY is refused on the parent.\nON ONLY creates the parent's index alone, empty and invalid: catalog only, no scan, a brief lock.",
                               suppressions: .rules(["require-concurrent-index-creation"],
                                                    "ON ONLY builds nothing (no scan); each partition's index is built concurrently below"))]
        var down = [SQLStatement("DROP INDEX IF EXISTS \(b.q(name));",
                                 comment: "Rollback only: drops the parent's index and every partition index attached to it (DROP INDEX CONCURRENTLY is refused on a partitioned index); a brief lock.",
                                 suppressions: .rules(["require-concurrent-index-deletion"],
                                                      "DROP INDEX CONCURRENTLY is refused on a partitioned index; catalog only"))]
        for partition in partitions {
            let own = partitionIndexName(partition, b)
            var build = b.createIndexConcurrently(name: own, table: partition, unique: index.unique, method: method, columns: columns,
                                                  whereClause: index.whereClause?.value)
            build[0].comment = "Partition \(partition): built concurrently (writes go on), then attached to \(name).\n" + (build[0].comment ?? "")
            up += build
            up.append(SQLStatement("ALTER INDEX \(b.q(name)) ATTACH PARTITION \(b.q(own));",
                                   comment: "A no-op when already attached, so a re-run passes."))
            down.append(SQLStatement("DROP INDEX CONCURRENTLY IF EXISTS \(b.q(own));",
                                     comment: partition == partitions.first ? "An index a failed up built but did not attach (attached ones went with the parent's)." : nil))
        }
        return StepDraft(.expand, slug: "create_index \(name)",
                         title: "create \(index.unique ? "unique " : "")index \(name) on partitioned \(table) (each partition concurrently, then attached)",
                         change: change, up: up, down: down, transactional: false)
    }
}
