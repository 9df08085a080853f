/// What the lowering of one operation may know: the spec, the schema as it stands after the changes
/// before this one (the base schema from `database.schema`, plus tables and columns the spec itself
/// creates), and the names and settings every step shares. When the base schema is absent, lookups
/// return nil and each lowering falls back to a form that does not need the fact (and says so).
public struct LoweringContext: Sendable {
    public let spec: MigrationSpec
    public var names: SQLNames
    public var derived: DerivedNames
    /// The schema as the lowering goes: base schema plus the effects of earlier changes.
    public private(set) var schema: DatabaseSchema
    /// Whether a base schema was given at all (an empty one still counts).
    public var hasBaseSchema: Bool
    /// The schema as given, before any change: a step that needs the whole migration's view of a
    /// table (MySQL's version databases, re-pointed by a type change's swap) starts from it.
    public let givenSchema: DatabaseSchema?

    /// The index of the change being lowered (`OperationRecipes.lower` sets it): the renameTables after
    /// it decide what its steps after expand call a table (`tableName(_:in:)`). Nil outside a recipe.
    public internal(set) var changeIndex: Int?
    /// The renameTable changes of the spec, in order: `tableName(_:in:)` reads only those after the change
    /// being lowered, not the whole spec again for every foreign key.
    private let renames: [Change]

    public init(spec: MigrationSpec, schema: DatabaseSchema?) {
        self.spec = spec
        self.givenSchema = schema
        self.names = SQLNames(engine: spec.database.engine)
        self.derived = DerivedNames(names: names, migrationName: spec.name)
        self.schema = schema ?? DatabaseSchema()
        self.hasBaseSchema = schema != nil && !(schema?.tables.isEmpty ?? true)
        self.schema.addImplicitIndexes(engine: spec.database.engine)
        self.renames = spec.changes.filter { $0.operation.unit(RenameTable.self) != nil }
    }

    public var engine: MigrationSpec.Engine { spec.database.engine }

    /// The schema a PostgreSQL statement names its spec's relations (tables, indexes, views, sequences)
    /// in, or nil where they are named bare: MySQL (the connection's database is the schema) and the
    /// PostgreSQL default `public`, which every plan before `database.schemaName` named bare, so that
    /// output stays byte-identical. One place decides it, so no statement can slip back to relying on
    /// `search_path` (issue 13, item 6).
    public var qualifyingSchema: String? {
        guard engine == .postgresql, spec.database.schemaName != "public" else { return nil }
        return spec.database.schemaName
    }

    /// The name a step of `phase` must give a table that the change being lowered names `table` (a
    /// referenced table: the one the change acts on cannot be renamed later, CUT057). Every expand step
    /// runs before any backfill, complete, verify or contract step, and a rollback of those runs while
    /// every expand effect is still in place: there a table that a later renameTable renames has its name
    /// after all renames, and the old one is its compatibility view, which a foreign key cannot reference
    /// ("referenced relation is not a table"; MySQL likewise). An expand step, and its down (which runs
    /// after the later changes' expand downs undid their renames), sees the table as the change does; so
    /// does the preflight, before anything ran.
    public func tableName(_ table: String, in phase: Phase) -> String {
        guard phase > .expand, let changeIndex, let last = renames.last, last.index > changeIndex else { return table }
        return RenameTable.finalNames(renames.filter { $0.index > changeIndex })[table] ?? table
    }

    // MARK: schema lookups

    public func table(_ name: String) -> DatabaseSchema.Table? { schema.table(name) }
    public func column(_ table: String, _ column: String) -> DatabaseSchema.Column? { schema.table(table)?.column(column) }

    /// The key a backfill walks: the primary key from the schema, else `id` (stated in the step).
    public func batchKey(_ table: String) -> (columns: [String], assumed: Bool) {
        if let key = schema.table(table)?.primaryKey, !key.isEmpty { return (key, false) }
        return (["id"], true)
    }

    public func indexes(on table: String, column: String) -> [DatabaseSchema.Index] {
        schema.indexes.filter { $0.table == table && $0.columns.contains { sameName($0, column) } }
    }

    public func index(named name: String) -> DatabaseSchema.Index? { schema.indexes.first { $0.name == name } }

    /// Constraints on `table` that involve `column`: unique and foreign keys listing it, checks whose expression uses it.
    public func constraints(on table: String, column: String) -> [DatabaseSchema.Constraint] {
        schema.constraints.filter { constraint in
            guard constraint.table == table else { return false }
            if constraint.columns.contains(where: { sameName($0, column) }) { return true }
            if constraint.kind == .check, let expression = constraint.expression {
                return ColumnExpression.uses(expression, column: column, engine: engine)
            }
            return false
        }
    }

    /// Foreign keys of other tables (or the same one) that reference `table.column`.
    public func incomingForeignKeys(to table: String, column: String) -> [DatabaseSchema.Constraint] {
        schema.constraints.filter { constraint in
            guard constraint.kind == .foreignKey, constraint.referencedTable == table else { return false }
            if constraint.referencedColumns.isEmpty {
                return self.table(table)?.primaryKey.contains { sameName($0, column) } ?? false
            }
            return constraint.referencedColumns.contains { sameName($0, column) }
        }
    }

    /// MySQL: the indexes the server created for foreign keys on `table` that an index on `columns`
    /// would cover (its leading columns are the key's columns), so the server drops them when that index appears.
    public func implicitIndexes(coveredBy columns: [String], on table: String) -> [DatabaseSchema.Index] {
        guard engine == .mysql else { return [] }
        // A column a renameColumn of this spec names is a copy until contract: the model shows the foreign
        // key's index on the new name, but on the server it still serves the key on the old column (the key
        // moves only in backfill, CarriedObjects). The server keeps that index; dropping it fails with 1553.
        let copies = spec.changes.compactMap { $0.operation.unit(RenameColumn.self) }
            .filter { $0.table.value == table }.map(\.to.value)
        return schema.indexes.filter { index in
            index.implicit && index.table == table && covers(columns, index.columns)
                && !index.columns.contains { column in copies.contains { sameName($0, column) } }
        }
    }

    /// Column names compare case-insensitively on MySQL.
    public func sameName(_ a: String, _ b: String) -> Bool { ColumnNames(mysql: engine == .mysql).same(a, b) }

    /// An index on `indexColumns` can serve a key on `keyColumns`: the key's columns lead the index in order.
    func covers(_ indexColumns: [String], _ keyColumns: [String]) -> Bool {
        ColumnNames(mysql: engine == .mysql).covers(indexColumns, keyColumns)
    }

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
    /// What a Job needs besides its statements' server-side time: the pod starting, the client
    /// connecting, the session settings; so the server ends a statement before Kubernetes kills the pod.
    public static let jobMarginSeconds = 60

    /// The Jobs' `activeDeadlineSeconds`: the runner's deadline, and never less than one statement's
    /// whole bound (statement_timeout, which on PostgreSQL includes its lock wait, plus a lock wait
    /// before it, as MySQL's lock_wait_timeout is separate) and the margin.
    public static func jobDeadlineSeconds(_ spec: MigrationSpec) -> Int {
        max(1, spec.runner.deadline.seconds,
            spec.runner.statementTimeout.seconds + spec.runner.lockTimeout.seconds + jobMarginSeconds)
    }

    /// The batched backfill loop is one statement: its statement_timeout is the Job's deadline less
    /// the margin and a lock wait, never less than the statement timeout, so the server stops the loop
    /// (committed batches stay, a re-run resumes) before Kubernetes kills the pod.
    public var backfillBudget: Duration {
        let runner = spec.runner
        let seconds = Self.jobDeadlineSeconds(spec) - runner.lockTimeout.seconds - Self.jobMarginSeconds
        return seconds > runner.statementTimeout.seconds ? Duration(milliseconds: seconds * 1000) : runner.statementTimeout
    }

    public var postgresMajorVersion: Int {
        Int(spec.database.version.split(separator: ".").first ?? "") ?? 15
    }

    /// Whether the views cutover creates on PostgreSQL for an app version (version schemas, a
    /// renameTable's compatibility view) take `security_invoker`, which PostgreSQL has from 15 on:
    /// the views then apply the querying role's row-level security and privileges, as the table
    /// does; before 15, CUT113 refuses a table with row-level security instead.
    public var postgresInvokerViews: Bool {
        engine == .postgresql && postgresMajorVersion >= 15
    }

    /// Whether the plan creates, on PostgreSQL, views an app version reads tables through: the version
    /// schemas' (`PostgreSQLVersionSchemas.enabled`) or the compatibility view a renameTable leaves
    /// under the old name. Such views need `postgresInvokerViews` on a server that has it, so the
    /// preflight then requires 15 (`Preflight.postgresMinimum`), and before 15 CUT113 checks the
    /// tables they read (`VersionViewsRowSecurityRule`).
    public var createsAppVersionViews: Bool {
        engine == .postgresql
            && (PostgreSQLVersionSchemas.enabled(self) || spec.changes.contains { $0.operation.unit(RenameTable.self) != nil })
    }

    // MARK: schema evolution

    /// Records the effect of a change so later changes see it (the effect lives with the shared schema model).
    public mutating func apply(_ operation: Operation) {
        schema.apply(operation, engine: engine)
    }
}
