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
    public var seconds: Double { tables.reduce(0) { $0 + $1.seconds } }
}
