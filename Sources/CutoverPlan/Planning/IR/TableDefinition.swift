/// A new table as a value: columns, the primary key and every constraint already named (`ObjectNames`
/// for those the spec leaves unnamed), so each engine's renderer only spells it.
public struct TableDefinition: Sendable, Equatable {
    public struct Column: Sendable, Equatable {
        public var name: String
        public var type: String
        /// Already false for a primary key column.
        public var nullable: Bool
        public var defaultValue: String?
        /// The column's comment as a string literal (PostgreSQL COMMENT ON COLUMN after the table, MySQL COMMENT clause).
        public var comment: String? = nil
        /// Constraints declared on the column itself (`unique`, `check`, `references`), named.
        public var unique: String?
        public var check: (name: String, expression: String)?
        public var references: Constraint?
        /// MySQL: the column whose character set and collation this text column takes, as the server
        /// reports them when the Job runs (`TableDefinition.matchReferencedEncodings`): a foreign key's.
        public var encodingOf: ColumnReference? = nil

        public static func == (a: Column, b: Column) -> Bool {
            a.name == b.name && a.type == b.type && a.nullable == b.nullable && a.defaultValue == b.defaultValue && a.comment == b.comment && a.unique == b.unique
                && a.encodingOf == b.encodingOf
                && a.check?.name == b.check?.name && a.check?.expression == b.check?.expression && a.references == b.references
        }
    }

    public struct Constraint: Sendable, Equatable {
        public enum Kind: Sendable, Equatable {
            case check(String)
            case unique([String])
            case foreignKey(columns: [String], table: String, referencedColumns: [String], onDelete: ReferentialAction)
        }
        public var name: String
        public var kind: Kind
        /// A foreign key's ` ON UPDATE … DEFERRABLE …` after ON DELETE (`ForeignKeyActions.clause`), or empty.
        public var actions = ""
    }

    public struct ColumnReference: Sendable, Equatable {
        public var table: String
        public var column: String
    }

    public var name: String
    public var columns: [Column]
    /// The primary key's declared name and columns (empty: none).
    public var primaryKeyName: String
    public var primaryKey: [String]
    /// Table-level constraints, in spec order.
    public var constraints: [Constraint]
    /// `PARTITION BY` and the partitions (`TablePartitioning`), or nil.
    public var partitioning: Partitioning? = nil

    /// A partitioned table's method, key and partitions, bounds already SQL literals.
    public struct Partitioning: Sendable, Equatable {
        public enum Method: String, Sendable { case range, list, hash }
        public struct Partition: Sendable, Equatable {
            public var name: String
            /// Range: lower (PostgreSQL only) and upper bound, one literal per key column.
            public var from: [String]
            public var to: [String]
            /// List: the values.
            public var values: [String]
            /// Hash: PostgreSQL's modulus and remainder (MySQL: the partition's position).
            public var modulus: Int?
            public var remainder: Int?
            public var isDefault: Bool
        }
        public var method: Method
        public var columns: [String]
        public var partitions: [Partition]
    }
}
