/// Which parent row each foreign key of one inserted row points at, when foreign keys share columns.
/// A multi-tenant schema keys its tables by `(tenant_id, id)` and its foreign keys by
/// `(tenant_id, owner_id) → users (tenant_id, id)` beside `(tenant_id, project_id) → projects` and
/// `tenant_id → tenants`: the shared `tenant_id` must be one value, so every foreign key takes the
/// whole key of a parent that agrees with the columns already given (trial 14j: a foreign key
/// overlapping another one was left out, and the NOT NULL `owner_id` went in as NULL).
/// The widest foreign keys choose first (they fix the most columns at once); one whose columns are
/// all given already (`tenant_id → tenants` after the users row) holds through the wider parent.
struct ParentKeyChoice {
    /// Foreign key positions, most columns first (ties keep the catalog's order).
    static func order(_ foreignKeys: [ForeignKeyShape]) -> [Int] {
        foreignKeys.indices.sorted { a, b in
            foreignKeys[a].columns.count != foreignKeys[b].columns.count
                ? foreignKeys[a].columns.count > foreignKeys[b].columns.count : a < b
        }
    }

    /// The parent row per foreign key position (absent: the key is left out), from `samples` (per
    /// position, parent key rows in the order of `referencedColumns`). `wanted(i)` says whether an
    /// optional key is given this time, `pick(n)` draws one of `n`. Nil when a required foreign key
    /// has no sample that agrees with the columns chosen before it: then the app could not insert.
    static func choose(_ foreignKeys: [ForeignKeyShape], samples: [[[String?]]], required: [Bool],
                       wanted: (Int) -> Bool, pick: (Int) -> Int) -> [Int: [String?]]? {
        var given: [String: String?] = [:]
        var chosen: [Int: [String?]] = [:]
        for index in order(foreignKeys) {
            let foreignKey = foreignKeys[index]
            guard foreignKey.columns.contains(where: { given[$0] == nil }) else { continue }
            let agreeing = samples[index].filter { row in
                zip(foreignKey.columns, row).allSatisfy { column, value in given[column].map { $0 == value } ?? true }
            }
            if agreeing.isEmpty {
                if required[index] { return nil }
                continue
            }
            guard required[index] || wanted(index) else { continue }
            let row = agreeing[pick(agreeing.count)]
            chosen[index] = row
            for (column, value) in zip(foreignKey.columns, row) where given[column] == nil { given[column] = value }
        }
        return chosen
    }
}
