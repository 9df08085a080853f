/// What seeding did, per table in the order the tables were filled.
public struct SeedReport: Sendable {
    public struct Table: Sendable {
        public var table: String
        public var requested: Int
        public var inserted: Int
        /// Rows left out: a check constraint refused them, or a limit of the type (e.g. a unique boolean).
        public var skipped: Int
        public var seconds: Double
        /// Why rows were skipped or a column was left to its default, for the user.
        public var notes: [String]
    }

    public var tables: [Table]

    public var inserted: Int { tables.reduce(0) { $0 + $1.inserted } }

    /// `3000 skipped: workspaces 3000 (not seeded: …); tasks 12 (…)`: the rows left out, per table
    /// with the seeder's reason (trial 14j: a bare "(3000 skipped)" hid which table went unseeded and why).
    /// Nil when no row was skipped.
    public var skippedSummary: String? {
        let skipping = tables.filter { $0.skipped > 0 }
        guard !skipping.isEmpty else { return nil }
        let total = skipping.reduce(0) { $0 + $1.skipped }
        return "\(total) skipped: " + skipping.map { table in
            // Notes about a column left NULL or to its default say nothing about rows left out.
            let reasons = table.notes.filter { !$0.contains("): left") && !$0.contains("): no generator") }
            return "\(table.table) \(table.skipped)" + (reasons.isEmpty ? "" : " (\(reasons.joined(separator: "; ")))")
        }.joined(separator: "; ")
    }
    public var seconds: Double { tables.reduce(0) { $0 + $1.seconds } }
}
