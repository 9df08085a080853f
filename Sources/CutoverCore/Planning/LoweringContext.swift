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
        if spec.database.engine == .mysql {
            for constraint in self.schema.constraints where constraint.kind == .foreignKey {
                addImplicitIndexIfNeeded(for: constraint)
            }
        }
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
        return schema.indexes.filter { $0.implicit && $0.table == table && covers(columns, $0.columns) }
    }

    /// Column names compare case-insensitively on MySQL.
    public func sameName(_ a: String, _ b: String) -> Bool { ColumnNames(mysql: engine == .mysql).same(a, b) }

    /// An index on `indexColumns` can serve a key on `keyColumns`: the key's columns lead the index in order.
    func covers(_ indexColumns: [String], _ keyColumns: [String]) -> Bool {
        ColumnNames(mysql: engine == .mysql).covers(indexColumns, keyColumns)
    }

    /// Whether some index, primary key or unique constraint of `table` leads with `columns`.
    func isCovered(_ columns: [String], on table: String) -> Bool {
        if let key = schema.table(table)?.primaryKey, covers(key, columns) { return true }
        if schema.indexes.contains(where: { $0.table == table && $0.predicate == nil && covers($0.columns, columns) }) { return true }
        return schema.constraints.contains { ($0.kind == .unique || $0.kind == .primaryKey) && $0.table == table && covers($0.columns, columns) }
    }

    /// MySQL creates an index for a foreign key whose columns no index leads with.
    private mutating func addImplicitIndexIfNeeded(for constraint: DatabaseSchema.Constraint) {
        guard engine == .mysql, constraint.kind == .foreignKey, !isCovered(constraint.columns, on: constraint.table) else { return }
        let name = constraint.implicitIndexName ?? constraint.name
        schema.indexes.append(DatabaseSchema.Index(name: name, table: constraint.table, columns: constraint.columns, unique: false,
                                                   method: nil, definition: "", implicit: true))
    }

    /// The server drops implicit foreign-key indexes that a new index covers.
    private mutating func dropImplicitIndexes(coveredBy columns: [String], on table: String) {
        guard engine == .mysql else { return }
        let rule = ColumnNames(mysql: true)
        schema.indexes.removeAll { $0.implicit && $0.table == table && rule.covers(columns, $0.columns) }
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

    // MARK: schema evolution

    /// Records the effect of a change so later changes see it (types and keys of new tables and columns,
    /// indexes and constraints, and on MySQL the indexes the server adds and drops for foreign keys).
    public mutating func apply(_ operation: Operation) {
        switch operation {
        case .createTable(let name, let columns, let primaryKey, let constraints):
            let table = name.value
            let keyNames = Set(primaryKey.map(\.value))
            let cols = columns.map {
                DatabaseSchema.Column(name: $0.name.value, type: $0.type.value, nullable: $0.nullable && !keyNames.contains($0.name.value),
                                      defaultValue: $0.defaultValue?.value, isIdentity: Self.isIdentityType($0.type.value))
            }
            schema.tables.append(DatabaseSchema.Table(name: table, columns: cols, primaryKey: primaryKey.map(\.value)))
            if !primaryKey.isEmpty {
                schema.constraints.append(.init(name: engine == .mysql ? "PRIMARY" : names.fit("\(table)_pkey"), table: table,
                                                kind: .primaryKey, columns: primaryKey.map(\.value)))
            }
            var foreignKeys: [DatabaseSchema.Constraint] = []
            for column in columns {
                let c = column.name.value
                if column.unique { schema.constraints.append(.init(name: names.fit("\(table)_\(c)_key"), table: table, kind: .unique, columns: [c])) }
                if let check = column.check {
                    schema.constraints.append(.init(name: names.fit("\(table)_\(c)_check"), table: table, kind: .check, columns: [], expression: check.value))
                }
                if let ref = column.references {
                    foreignKeys.append(.init(name: names.fit("\(table)_\(c)_fkey"), table: table, kind: .foreignKey, columns: [c],
                                             referencedTable: ref.table.value, referencedColumns: [ref.column.value],
                                             actions: "ON DELETE \(ref.onDelete.sql)"))
                }
            }
            for constraint in constraints {
                guard let kind = constraint.kind else { continue }
                switch kind {
                case .check(let expression):
                    schema.constraints.append(.init(name: constraint.name.value, table: table, kind: .check, columns: [], expression: expression.value))
                case .unique(let cols):
                    schema.constraints.append(.init(name: constraint.name.value, table: table, kind: .unique, columns: cols.map(\.value)))
                case .foreignKey(let cols, let ref, let onDelete):
                    foreignKeys.append(.init(name: constraint.name.value, table: table, kind: .foreignKey, columns: cols.map(\.value),
                                             referencedTable: ref.table.value, referencedColumns: ref.columns.map(\.value),
                                             actions: "ON DELETE \(onDelete.sql)"))
                }
            }
            // Keys first, then the foreign keys (which may need implicit indexes), as the server does.
            for key in foreignKeys {
                schema.constraints.append(key)
                addImplicitIndexIfNeeded(for: key)
            }
        case .addColumn(let table, let column, _):
            let t = table.value, c = column.name.value
            mutateTable(t) {
                $0.columns.append(DatabaseSchema.Column(name: c, type: column.type.value, nullable: column.nullable,
                                                        defaultValue: column.defaultValue?.value, isIdentity: false))
            }
            if column.unique { schema.constraints.append(.init(name: names.fit("\(t)_\(c)_key"), table: t, kind: .unique, columns: [c])) }
            if let check = column.check {
                schema.constraints.append(.init(name: names.fit("\(t)_\(c)_check"), table: t, kind: .check, columns: [], expression: check.value))
            }
            if let ref = column.references {
                let key = DatabaseSchema.Constraint(name: names.fit("\(t)_\(c)_fkey"), table: t, kind: .foreignKey, columns: [c],
                                                    referencedTable: ref.table.value, referencedColumns: [ref.column.value],
                                                    actions: "ON DELETE \(ref.onDelete.sql)")
                schema.constraints.append(key)
                addImplicitIndexIfNeeded(for: key)
            }
        case .renameColumn(let table, let from, let to):
            let t = table.value
            let rule = ColumnNames(mysql: engine == .mysql)
            let sameName = rule.same
            mutateTable(t) { table in
                if let index = table.columns.firstIndex(where: { sameName($0.name, from.value) }) {
                    table.columns[index].name = to.value
                    table.primaryKey = table.primaryKey.map { sameName($0, from.value) ? to.value : $0 }
                }
            }
            for i in schema.indexes.indices where schema.indexes[i].table == t {
                schema.indexes[i].columns = schema.indexes[i].columns.map { sameName($0, from.value) ? to.value : $0 }
            }
            for i in schema.constraints.indices {
                if schema.constraints[i].table == t {
                    schema.constraints[i].columns = schema.constraints[i].columns.map { sameName($0, from.value) ? to.value : $0 }
                    if let expression = schema.constraints[i].expression {
                        schema.constraints[i].expression = ColumnExpression.rename(expression, from: from.value, to: to.value, engine: engine)
                    }
                }
                if schema.constraints[i].referencedTable == t {
                    schema.constraints[i].referencedColumns = schema.constraints[i].referencedColumns.map { sameName($0, from.value) ? to.value : $0 }
                }
            }
        case .alterColumn(let alter):
            let sameName = ColumnNames(mysql: engine == .mysql).same
            mutateTable(alter.table.value) { table in
                guard let index = table.columns.firstIndex(where: { sameName($0.name, alter.column.value) }) else { return }
                if let type = alter.type { table.columns[index].type = type.value }
                if let nullable = alter.nullable { table.columns[index].nullable = nullable.value }
                if let value = alter.defaultValue { table.columns[index].defaultValue = value.value }
                if alter.dropDefault { table.columns[index].defaultValue = nil }
            }
        case .renameTable(let from, let to):
            mutateTable(from.value) { $0.name = to.value }
            for i in schema.indexes.indices where schema.indexes[i].table == from.value { schema.indexes[i].table = to.value }
            for i in schema.constraints.indices {
                if schema.constraints[i].table == from.value { schema.constraints[i].table = to.value }
                if schema.constraints[i].referencedTable == from.value { schema.constraints[i].referencedTable = to.value }
            }
        case .createIndex(let index):
            dropImplicitIndexes(coveredBy: index.columns.map(\.value), on: index.table.value)
            schema.indexes.append(DatabaseSchema.Index(name: index.name.value, table: index.table.value,
                                                       columns: index.columns.map(\.value), unique: index.unique,
                                                       method: index.method.rawValue, definition: "",
                                                       predicate: index.whereClause?.value))
        case .dropIndex(let name, let table):
            schema.indexes.removeAll { $0.name == name.value && $0.table == table.value }
        case .addForeignKey(let name, let table, let columns, let references, let onDelete):
            let key = DatabaseSchema.Constraint(name: name.value, table: table.value, kind: .foreignKey, columns: columns.map(\.value),
                                                referencedTable: references.table.value, referencedColumns: references.columns.map(\.value),
                                                actions: "ON DELETE \(onDelete.sql)")
            schema.constraints.append(key)
            addImplicitIndexIfNeeded(for: key)
        case .addCheck(let name, let table, let expression):
            schema.constraints.append(.init(name: name.value, table: table.value, kind: .check, columns: [], expression: expression.value))
        case .addUnique(let name, let table, let columns):
            dropImplicitIndexes(coveredBy: columns.map(\.value), on: table.value)
            schema.constraints.append(.init(name: name.value, table: table.value, kind: .unique, columns: columns.map(\.value)))
        case .dropColumn, .dropTable, .sql:
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

/// How column names compare: exactly on PostgreSQL, case-insensitively on MySQL.
struct ColumnNames: Sendable {
    var mysql: Bool

    func same(_ a: String, _ b: String) -> Bool { mysql ? a.lowercased() == b.lowercased() : a == b }

    /// The key's columns lead the index's columns, in order.
    func covers(_ indexColumns: [String], _ keyColumns: [String]) -> Bool {
        guard !keyColumns.isEmpty, indexColumns.count >= keyColumns.count else { return false }
        return zip(indexColumns, keyColumns).allSatisfy { same($0, $1) }
    }
}
