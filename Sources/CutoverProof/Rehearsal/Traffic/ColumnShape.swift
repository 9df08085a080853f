/// One column as the app sees it, read from the catalog.
public struct ColumnShape: Sendable, Equatable {
    public var name: String
    /// The catalog's type text: `format_type` on PostgreSQL (`character varying(40)`, `numeric(10,2)`,
    /// `text[]`, an enum's name), `COLUMN_TYPE` on MariaDB (`varchar(40)`, `enum('a','b')`, `int(10) unsigned`).
    public var dataType: String
    public var nullable: Bool
    public var hasDefault: Bool
    /// The table fills it itself: identity, serial (default nextval), AUTO_INCREMENT, generated.
    public var generated: Bool
    /// The labels of an enum type, in the catalog's order (empty for other types).
    public var enumLabels: [String]
    /// The type under a PostgreSQL domain (`dataType` is the domain's name); nil otherwise.
    public var baseType: String?

    public init(name: String, dataType: String, nullable: Bool, hasDefault: Bool, generated: Bool, enumLabels: [String] = [],
                baseType: String? = nil) {
        self.name = name
        self.dataType = dataType
        self.nullable = nullable
        self.hasDefault = hasDefault
        self.generated = generated
        self.enumLabels = enumLabels
        self.baseType = baseType
    }

    /// An insert must name it: NOT NULL, no default, not filled by the table.
    public var mustBeGiven: Bool { !nullable && !hasDefault && !generated }
}
