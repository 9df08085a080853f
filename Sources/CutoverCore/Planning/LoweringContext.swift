/// What the lowering of one operation may know: the spec, the schema as it stands after the changes
/// before this one (the base schema from `database.schema`, plus tables and columns the spec itself
/// creates), and the names and settings every step shares. When the base schema is absent, lookups
/// return nil and each lowering falls back to a form that does not need the fact (and says so).
public struct LoweringContext: Sendable {
    public var spec: MigrationSpec
    public var names: SQLNames
    public var derived: DerivedNames
    /// The schema as the lowering goes: base schema plus the effects of earlier changes.
    public private(set) var schema: DatabaseSchema
    /// Whether a base schema was given at all (an empty one still counts).
    public var hasBaseSchema: Bool

    public init(spec: MigrationSpec, schema: DatabaseSchema?) {
        self.spec = spec
        self.names = SQLNames(engine: spec.database.engine)
        self.derived = DerivedNames(names: names, migrationName: spec.name)
        self.schema = schema ?? DatabaseSchema()
        self.hasBaseSchema = schema != nil && !(schema?.tables.isEmpty ?? true)
    }

    public var engine: MigrationSpec.Engine { spec.database.engine }

    // MARK: schema lookups

    public func table(_ name: String) -> DatabaseSchema.Table? { schema.table(name) }
    public func column(_ table: String, _ column: String) -> DatabaseSchema.Column? { schema.table(table)?.column(column) }

    /// The key a backfill walks: the primary key from the schema, else `id` (stated in the step).
    public func batchKey(_ table: String) -> (columns: [String], assumed: Bool) {
        if let key = schema.table(table)?.primaryKey, !key.isEmpty { return (key, false) }
        return (["id"], true)
    }

    public func indexes(on table: String, column: String) -> [DatabaseSchema.Index] {
        schema.indexes.filter { $0.table == table && $0.columns.contains(column) }
    }

    public func index(named name: String) -> DatabaseSchema.Index? { schema.indexes.first { $0.name == name } }

    // MARK: settings

    public var batchSize: Int { spec.backfill.batchSize }

    /// The pause between batches in seconds, e.g. "0.05".
    public var pauseSeconds: String {
        let ms = spec.backfill.pause.milliseconds
        if ms % 1000 == 0 { return String(ms / 1000) }
        var fraction = String(ms % 1000)
        fraction = String(repeating: "0", count: 3 - fraction.count) + fraction
        while fraction.hasSuffix("0") { fraction.removeLast() }
        return "\(ms / 1000).\(fraction)"
    }

    /// PostgreSQL's GUC spelling of a duration: ms, s, min, h.
    public static func postgresDuration(_ duration: Duration) -> String {
        let ms = duration.milliseconds
        if ms % 3_600_000 == 0 { return "\(ms / 3_600_000)h" }
        if ms % 60_000 == 0 { return "\(ms / 60_000)min" }
        if ms % 1000 == 0 { return "\(ms / 1000)s" }
        return "\(ms)ms"
    }

    /// The time budget of a backfill statement: the longer of the statement timeout and the Job deadline.
    public var backfillBudget: Duration { max(spec.runner.statementTimeout, spec.runner.deadline) }

    public var postgresMajorVersion: Int {
        Int(spec.database.version.split(separator: ".").first ?? "") ?? 15
    }

    // MARK: schema evolution

    /// Records the effect of a change so later changes see it (types and keys of new tables and columns).
    public mutating func apply(_ operation: Operation) {
        switch operation {
        case .createTable(let name, let columns, let primaryKey, _):
            let cols = columns.map {
                DatabaseSchema.Column(name: $0.name.value, type: $0.type.value, nullable: $0.nullable,
                                      defaultValue: $0.defaultValue?.value, isIdentity: Self.isIdentityType($0.type.value))
            }
            schema.tables.append(DatabaseSchema.Table(name: name.value, columns: cols, primaryKey: primaryKey.map(\.value)))
        case .addColumn(let table, let column, _):
            mutateTable(table.value) {
                $0.columns.append(DatabaseSchema.Column(name: column.name.value, type: column.type.value, nullable: column.nullable,
                                                        defaultValue: column.defaultValue?.value, isIdentity: false))
            }
        case .renameColumn(let table, let from, let to):
            mutateTable(table.value) { table in
                if let index = table.columns.firstIndex(where: { $0.name == from.value }) {
                    table.columns[index].name = to.value
                    table.primaryKey = table.primaryKey.map { $0 == from.value ? to.value : $0 }
                }
            }
            for i in schema.indexes.indices where schema.indexes[i].table == table.value {
                schema.indexes[i].columns = schema.indexes[i].columns.map { $0 == from.value ? to.value : $0 }
            }
        case .alterColumn(let alter):
            mutateTable(alter.table.value) { table in
                guard let index = table.columns.firstIndex(where: { $0.name == alter.column.value }) else { return }
                if let type = alter.type { table.columns[index].type = type.value }
                if let nullable = alter.nullable { table.columns[index].nullable = nullable.value }
                if let value = alter.defaultValue { table.columns[index].defaultValue = value.value }
                if alter.dropDefault { table.columns[index].defaultValue = nil }
            }
        case .renameTable(let from, let to):
            mutateTable(from.value) { $0.name = to.value }
            for i in schema.indexes.indices where schema.indexes[i].table == from.value { schema.indexes[i].table = to.value }
        case .createIndex(let index):
            schema.indexes.append(DatabaseSchema.Index(name: index.name.value, table: index.table.value,
                                                       columns: index.columns.map(\.value), unique: index.unique,
                                                       method: index.method.rawValue, definition: ""))
        case .dropColumn, .dropTable, .dropIndex, .addForeignKey, .addCheck, .addUnique, .sql:
            break
        }
    }

    private mutating func mutateTable(_ name: String, _ body: (inout DatabaseSchema.Table) -> Void) {
        guard let index = schema.tables.firstIndex(where: { $0.name == name }) else { return }
        body(&schema.tables[index])
    }

    static func isIdentityType(_ type: String) -> Bool {
        let lower = type.lowercased()
        return lower.contains("identity") || lower.contains("auto_increment") || lower.hasSuffix("serial")
    }
}
