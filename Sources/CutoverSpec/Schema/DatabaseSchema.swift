/// The base schema as read from `database.schema`: enough of the catalog to check references and to
/// let the SQL lowering know a column's type, nullability and the indexes and constraints on it.
public struct DatabaseSchema: Sendable {
    public struct Column: Sendable {
        public var name: String
        public var type: String
        public var nullable: Bool
        public var defaultValue: String?
        /// GENERATED ... AS IDENTITY or AUTO_INCREMENT.
        public var isIdentity: Bool
        /// PostgreSQL GENERATED ALWAYS (not BY DEFAULT) AS IDENTITY: the server refuses explicit values.
        public var identityAlways = false
        /// A generated column's expression (`GENERATED ALWAYS AS (expr) STORED`, MySQL `AS (expr)`).
        public var generated: String? = nil
        /// A generated column that is stored (`STORED`, MariaDB's `PERSISTENT`, PostgreSQL's only kind);
        /// false for MySQL's VIRTUAL, the default there.
        public var generatedStored = false
        /// MySQL `ON UPDATE CURRENT_TIMESTAMP`: the server sets it whenever an UPDATE changes the row.
        public var updatedOnWrite = false
        /// MySQL: the column's own `CHARACTER SET`, `COLLATE` and `COMMENT` as the dump writes them (the
        /// comment as its quoted literal). MODIFY COLUMN resets what it leaves out to the table's defaults.
        /// PostgreSQL: the comment of `COMMENT ON COLUMN … IS '…'`, as its quoted literal.
        public var charset: String? = nil
        public var collation: String? = nil
        public var comment: String? = nil

        public init(name: String, type: String, nullable: Bool, defaultValue: String?, isIdentity: Bool) {
            self.name = name
            self.type = type
            self.nullable = nullable
            self.defaultValue = defaultValue
            self.isIdentity = isIdentity
        }
    }

    public struct Index: Sendable {
        public var name: String
        public var table: String
        public var columns: [String]
        public var unique: Bool
        public var method: String?
        /// The original statement text, so a dropIndex's down can rebuild it exactly.
        public var definition: String
        /// The WHERE predicate of a partial index, as written.
        public var predicate: String?
        /// MySQL: the index the server created by itself for a foreign key (no index covered its columns).
        /// The server drops such an index silently when another index starts to cover the key.
        public var implicit: Bool
        /// PostgreSQL, an index of a partitioned table: the partitions' indexes attached to it
        /// (`ALTER INDEX … ATTACH PARTITION`), by name, so a rebuild gives them their names again.
        public var attached: [(table: String, index: String)] = []
        /// The key list as SQL when it is more than plain column names (expressions, DESC, operator
        /// classes), and PostgreSQL's INCLUDE/WITH after it, so a rebuild (dropIndex's down) is exact.
        public var keyList: String?
        public var options = ""

        public init(name: String, table: String, columns: [String], unique: Bool, method: String?, definition: String,
                    predicate: String? = nil, implicit: Bool = false) {
            self.name = name
            self.table = table
            self.columns = columns
            self.unique = unique
            self.method = method
            self.definition = definition
            self.predicate = predicate
            self.implicit = implicit
        }
    }

    public struct Constraint: Sendable {
        public enum Kind: String, Sendable { case primaryKey, unique, foreignKey, check }
        public var name: String
        public var table: String
        public var kind: Kind
        public var columns: [String]
        /// For a foreign key: the referenced table and columns (empty columns: the referenced primary key).
        public var referencedTable: String?
        public var referencedColumns: [String]
        /// For a CHECK: the expression as written.
        public var expression: String?
        /// For a foreign key: its `ON DELETE …` / `ON UPDATE …` clauses as written (empty when none).
        public var actions: String
        /// For a MySQL foreign key: the name the server gives the index it creates for the key when no
        /// index covers its columns (the constraint's name, else the first column's name).
        public var implicitIndexName: String?
        /// PostgreSQL: a DEFERRABLE unique constraint (its index is not immediate).
        public var deferrable = false
        /// A unique key's key list as written when some key is more than a name (MySQL `email(50)`,
        /// `b DESC`), so a rebuild on a copy column keeps it; nil for plain names.
        public var keyList: String?
        /// PostgreSQL: what a unique constraint says beyond its columns (NULLS NOT DISTINCT, INCLUDE, WITH,
        /// USING INDEX TABLESPACE), which its rebuild on a copy column does not carry (CUT114 refuses it).
        public var indexOptions: String?

        public init(name: String, table: String, kind: Kind, columns: [String],
                    referencedTable: String? = nil, referencedColumns: [String] = [], expression: String? = nil,
                    actions: String = "", implicitIndexName: String? = nil) {
            self.name = name
            self.table = table
            self.kind = kind
            self.columns = columns
            self.referencedTable = referencedTable
            self.referencedColumns = referencedColumns
            self.expression = expression
            self.actions = actions
            self.implicitIndexName = implicitIndexName
        }
    }

    public struct Table: Sendable {
        public var name: String
        public var columns: [Column]
        public var primaryKey: [String]
        /// PostgreSQL `PARTITION BY` (MySQL `PARTITION BY` too): a partitioned parent.
        public var partitioned: Bool = false
        /// The partitioned table this one is a partition of (`PARTITION OF`, `ATTACH PARTITION`).
        public var partitionOf: String?
        /// A partitioned table's key columns when the key is plain columns (empty: an expression, or not read).
        public var partitionKey: [String] = []
        /// MySQL: the table's `DEFAULT CHARSET` (or the character set of its `COLLATE`), the one a column
        /// without its own has.
        public var charset: String?
        /// PostgreSQL `ALTER TABLE … REPLICA IDENTITY …` (pg_dump writes it for a table whose identity is
        /// not the default).
        public var replicaIdentity: ReplicaIdentity = .primaryKey
        /// The table's comment as its quoted SQL literal (PostgreSQL `COMMENT ON TABLE … IS '…'`, MySQL the
        /// `COMMENT='…'` table option), so a down can write it back as it was; nil when it has none.
        public var comment: String? = nil

        public init(name: String, columns: [Column], primaryKey: [String]) {
            self.name = name
            self.columns = columns
            self.primaryKey = primaryKey
        }

        public func column(_ name: String) -> Column? { columns.first { $0.name == name } }
    }

    /// Tables in file order.
    public var tables: [Table]
    public var indexes: [Index]
    public var constraints: [Constraint]
    /// Views and triggers, with the columns they use.
    public var dependents: SchemaDependents
    /// Names that CREATE TYPE and CREATE DOMAIN define (PostgreSQL), as written (qualified when not in
    /// `public`): a column of such a type is not refused as a foreign type (CUT069).
    public var userTypes: [String] = []
    /// PostgreSQL enum types with their labels (`CREATE TYPE … AS ENUM`, `ALTER TYPE … ADD|RENAME VALUE`).
    public var enumTypes: [EnumType] = []
    /// PostgreSQL tables with row-level security (`ENABLE ROW LEVEL SECURITY`, or a `CREATE POLICY … ON`
    /// them), with the line that says so: a view reads them with its owner's rights before version 15
    /// (CUT113).
    public var rowSecurity: [String: Int] = [:]

    public init(tables: [Table] = [], indexes: [Index] = [], constraints: [Constraint] = [],
                dependents: SchemaDependents = SchemaDependents()) {
        self.tables = tables
        self.indexes = indexes
        self.constraints = constraints
        self.dependents = dependents
    }

    /// The partitions of `table`, in file order.
    public func partitions(of table: String) -> [Table] { tables.filter { $0.partitionOf == table } }

    public func table(_ name: String) -> Table? { tables.first { $0.name == name } }
}
