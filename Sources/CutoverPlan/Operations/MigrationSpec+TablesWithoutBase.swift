extension MigrationSpec {
    /// The first table the spec acts on (a change, or a blue-green checksum) that no createTable before
    /// it creates, named for a message; nil when the spec builds every table it uses. Rehearse asks it
    /// when there is no database.schema: its servers would start empty.
    package var firstTableWithoutBase: String? {
        var created = Set<String>()
        for change in changes {
            if let create = change.operation.unit(CreateTable.self) { created.insert(create.name.value); continue }
            if let table = change.operation.tables.first(where: { !created.contains($0.value) }) { return "table \(table.value)" }
            if let rename = change.operation.unit(RenameTable.self) { created.insert(rename.to.value) }
        }
        if let table = checksum?.tables.first(where: { !created.contains($0.value) }) { return "table \(table.value) (verify.checksum.tables)" }
        return nil
    }
}
