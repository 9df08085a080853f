/// The database as the changes see it, one change at a time: seeded from `database.schema` when given,
/// else from nothing. It separates what is known to exist, what is known to be gone (dropped or renamed
/// earlier, with the reason) and what is simply unknown: without a schema file a table the spec never
/// created may well exist, so only tables and columns the spec itself defines or removes are checked.
/// A `sql` change can do anything, so after one only known facts are used, never completeness.
package struct SymbolicSchema {
    package enum ObjectKind: Equatable {
        case index, primaryKey, unique, foreignKey, check

        package var words: String {
            switch self {
            case .index: return "index"
            case .primaryKey: return "primary key"
            case .unique: return "unique constraint"
            case .foreignKey: return "foreign key"
            case .check: return "check constraint"
            }
        }
    }

    package struct Column {
        package var name: String
        package var nullable: Bool?
        /// The column type when known (schema file, addColumn, createTable, alterColumn).
        package var type: String? = nil
        /// Whether the column has a default, when known.
        package var hasDefault: Bool? = nil
        /// GENERATED … AS IDENTITY or AUTO_INCREMENT: the server fills it.
        package var isIdentity = false
        /// A generated column (`GENERATED ALWAYS AS (…)`, MySQL `AS (…)`): the server refuses writes to it.
        package var generated = false

        package init(name: String, nullable: Bool? = nil, type: String? = nil, hasDefault: Bool? = nil, isIdentity: Bool = false, generated: Bool = false) {  // memberwise, for the targets above
            self.name = name
            self.nullable = nullable
            self.type = type
            self.hasDefault = hasDefault
            self.isIdentity = isIdentity
            self.generated = generated
        }
    }

    package struct Table {
        package var name: String
        package var columns: [String: Column] = [:]
        /// Column keys known to be gone, with why.
        package var gone: [String: String] = [:]
        /// Every column is known (from the schema file or created by the spec).
        var complete: Bool
        /// Every index and constraint on the table is known (created by the spec after any `sql` change).
        package var createdInSpec: Bool
        /// Column keys of the primary key; empty when the table has none (meaningful when `complete`).
        package var primaryKey: [String] = []
        /// Column-key sets with a unique constraint or unique index.
        package var uniqueSets: [Set<String>] = []
        /// Where the spec first mentioned or created it, for messages.
        var origin: String?
        /// `complete` and `createdInSpec` hold only while no `sql` change ran since (see `generation`).
        package var generation = 0
        /// A partitioned table's key column keys (empty when not known); nil when not partitioned.
        package var partitionKey: [String]? = nil

        package init(name: String, columns: [String: Column] = [:], gone: [String: String] = [:], complete: Bool, createdInSpec: Bool, primaryKey: [String] = [], uniqueSets: [Set<String>] = [], origin: String? = nil, generation: Int = 0, partitionKey: [String]? = nil) {  // memberwise, for the targets above
            self.name = name
            self.columns = columns
            self.gone = gone
            self.complete = complete
            self.createdInSpec = createdInSpec
            self.primaryKey = primaryKey
            self.uniqueSets = uniqueSets
            self.origin = origin
            self.generation = generation
            self.partitionKey = partitionKey
        }
    }

    package struct Object {
        package var name: String
        package var table: String
        package var kind: ObjectKind
        package var columns: [String]
        /// A foreign key's referenced table and column keys (resolved to the primary key when the key names none).
        package var referencedTable: String? = nil
        package var referencedColumns: [String] = []
        /// A foreign key's own actions as written (`ON DELETE CASCADE`), which decide its drop's phase.
        package var actions = ""
        /// An index: whether it is unique and whether it has a WHERE clause (a replica identity needs a
        /// unique, non-partial one); nil when not known.
        package var uniqueIndex: Bool? = nil
        package var partial: Bool? = nil
        /// A partial index's WHERE, as written (CUT078 reads which columns it names).
        package var predicate: String? = nil
        /// A DEFERRABLE unique constraint (PostgreSQL).
        package var deferrable = false
        /// An index's or unique key's key list as written when more than names (`b DESC`, `c(40)`), and a
        /// PostgreSQL unique constraint's index options; CUT114 reads whether they hold for a new type.
        var keyList: String? = nil
        var indexOptions: String? = nil
        /// PostgreSQL: an index's INCLUDE columns (keys), rebuilt on a copy with its key columns (CUT095).
        var included: [String] = []

        package init(name: String, table: String, kind: ObjectKind, columns: [String], referencedTable: String? = nil, referencedColumns: [String] = [], actions: String = "", uniqueIndex: Bool? = nil, partial: Bool? = nil, predicate: String? = nil, deferrable: Bool = false, keyList: String? = nil, indexOptions: String? = nil, included: [String] = []) {  // memberwise, for the targets above
            self.name = name
            self.table = table
            self.kind = kind
            self.columns = columns
            self.referencedTable = referencedTable
            self.referencedColumns = referencedColumns
            self.actions = actions
            self.uniqueIndex = uniqueIndex
            self.partial = partial
            self.predicate = predicate
            self.deferrable = deferrable
            self.keyList = keyList
            self.indexOptions = indexOptions
            self.included = included
        }
    }

    package enum Lookup<Value> {
        case found(Value)
        case missing(reason: String?)
    }

    package let mysql: Bool
    /// Every table, index and constraint is known: a schema file was given and no `sql` change ran yet.
    package private(set) var complete: Bool
    /// Bumped by every `sql` change, which makes every table's facts uncertain in O(1).
    package private(set) var generation = 0
    package private(set) var tables: [String: Table] = [:]
    private var goneTables: [String: String] = [:]
    /// The last state of tables dropped or renamed away (verify runs before contract, so they still count).
    private(set) var formerTables: [String: Table] = [:]
    private var objects: [Int: Object] = [:]
    private var objectKeys: [String: Int] = [:]
    private var goneObjects: [String: String] = [:]
    private var objectsByTable: [String: Set<Int>] = [:]
    private var nextObject = 0
    /// PostgreSQL enum types and their labels (createEnum, addEnumValue, renameEnumValue).
    package var enums = SymbolicEnums()

    init(engine: MigrationSpec.Engine, schema: DatabaseSchema?) {
        mysql = engine == .mysql
        complete = schema != nil
        guard let schema else { return }
        enums = SymbolicEnums(schema)
        // Sized once: a 2 MB dump has thousands of tables, constraints and indexes, and growing these
        // tables step by step rehashed them about a dozen times each.
        let objectCount = schema.constraints.count + schema.indexes.count
        tables.reserveCapacity(schema.tables.count)
        objects.reserveCapacity(objectCount)
        objectKeys.reserveCapacity(2 * objectCount)
        objectsByTable.reserveCapacity(schema.tables.count)
        for table in schema.tables {
            var state = Table(name: table.name, complete: true, createdInSpec: false, origin: "the schema file")
            state.columns.reserveCapacity(table.columns.count)
            for column in table.columns {
                state.columns[columnKey(column.name)] = Column(name: column.name, nullable: column.nullable, type: column.type,
                                                               hasDefault: column.defaultValue != nil, isIdentity: column.isIdentity,
                                                               generated: column.generated != nil)
            }
            state.primaryKey = table.primaryKey.map(columnKey)
            if table.partitioned { state.partitionKey = table.partitionKey.map(columnKey) }
            if !state.primaryKey.isEmpty { state.uniqueSets.append(Set(state.primaryKey)) }
            store(state)
        }
        for constraint in schema.constraints where tables[constraint.table] != nil {
            let kind: ObjectKind
            switch constraint.kind {
            case .primaryKey: kind = .primaryKey
            case .unique: kind = .unique
            case .foreignKey: kind = .foreignKey
            case .check: kind = .check
            }
            let keys = constraint.columns.map(columnKey)
            if kind == .primaryKey || kind == .unique { tables[constraint.table]?.uniqueSets.append(Set(keys)) }
            if kind == .primaryKey && (tables[constraint.table]?.primaryKey.isEmpty ?? false) { tables[constraint.table]?.primaryKey = keys }
            if conflict(name: constraint.name, table: constraint.table, kind: kind) == nil {
                var object = Object(name: constraint.name, table: constraint.table, kind: kind, columns: keys)
                object.deferrable = constraint.deferrable
                object.keyList = constraint.keyList
                object.indexOptions = constraint.indexOptions
                if kind == .foreignKey, let target = constraint.referencedTable {
                    object.referencedTable = target
                    object.actions = constraint.actions
                    object.referencedColumns = constraint.referencedColumns.isEmpty
                        ? (schema.table(target)?.primaryKey ?? []).map(columnKey)
                        : constraint.referencedColumns.map(columnKey)
                }
                register(object)
            }
        }
        for index in schema.indexes where tables[index.table] != nil {
            let keys = index.columns.map(columnKey)
            if index.unique && index.predicate == nil { tables[index.table]?.uniqueSets.append(Set(keys)) }
            if conflict(name: index.name, table: index.table, kind: .index) == nil {
                register(Object(name: index.name, table: index.table, kind: .index, columns: keys,
                                uniqueIndex: index.unique, partial: index.predicate != nil, predicate: index.predicate,
                                keyList: index.keyList,
                                included: IndexKeyText.includedColumns(index.options, engine: mysql ? .mysql : .postgresql).map(columnKey)))
            }
        }
    }

    /// Every column of the table is known.
    package func isComplete(_ table: Table) -> Bool { table.complete && table.generation == generation }

    /// Every index and constraint of the table is known.
    package func knowsIndexes(_ table: Table) -> Bool { table.createdInSpec && table.generation == generation }

    /// A table as it is now, or as it was before contract dropped or renamed it.
    func tableForVerify(_ name: String) -> Table? { tables[name] ?? formerTables[name] }

    // MARK: keys

    package func columnKey(_ name: String) -> String { mysql ? name.lowercased() : name }

    /// The names of the keys and constraints a spec declares without naming them, as Planning writes them.
    package var objectNames: ObjectNames { ObjectNames(engine: mysql ? .mysql : .postgresql) }

    /// The namespaces an object's name lives in. PostgreSQL: indexes, primary keys and unique constraints
    /// share the schema-wide relation namespace; constraint names are unique per table. MySQL: index names
    /// (PRIMARY and unique keys too) are per table; foreign key and check names per database.
    private func keys(name: String, table: String, kind: ObjectKind) -> [String] {
        if mysql {
            switch kind {
            case .index, .primaryKey, .unique: return ["i:\(table)\u{0}\(name.lowercased())"]
            case .foreignKey, .check: return ["c:\(name.lowercased())"]
            }
        }
        switch kind {
        case .index: return ["r:\(name)"]
        case .primaryKey, .unique: return ["r:\(name)", "c:\(table)\u{0}\(name)"]
        case .foreignKey, .check: return ["c:\(table)\u{0}\(name)"]
        }
    }

    private func indexKey(name: String, table: String) -> String {
        mysql ? "i:\(table)\u{0}\(name.lowercased())" : "r:\(name)"
    }

    // MARK: tables

    /// A table the change refers to. An unknown table (no schema file) is taken to exist from here on.
    mutating func table(_ name: String, mentionedAt line: Int) -> Lookup<Table> {
        if let table = tables[name] { return .found(table) }
        if let reason = goneTables[name] { return .missing(reason: reason) }
        if complete { return .missing(reason: nil) }
        var table = Table(name: name, complete: false, createdInSpec: false, origin: "line \(line)")
        table.generation = generation
        store(table)
        return .found(table)
    }

    package func exists(table name: String) -> Bool { tables[name] != nil }

    package var tableNames: [String] { tables.keys.sorted() }

    package mutating func store(_ table: Table) {
        tables[table.name] = table
        goneTables[table.name] = nil
    }

    package mutating func remove(table name: String, reason: String) {
        formerTables[name] = tables.removeValue(forKey: name)
        goneTables[name] = reason
        for id in objectsByTable.removeValue(forKey: name) ?? [] {
            guard let object = objects.removeValue(forKey: id) else { continue }
            for key in keys(name: object.name, table: object.table, kind: object.kind) where objectKeys[key] == id {
                objectKeys[key] = nil
                goneObjects[key] = reason
            }
        }
    }

    package mutating func rename(table from: String, to: String, reason: String) {
        guard var table = tables.removeValue(forKey: from) else { return }
        formerTables[from] = table
        goneTables[from] = reason
        table.name = to
        store(table)
        let ids = objectsByTable.removeValue(forKey: from) ?? []
        for id in ids {
            guard var object = objects[id] else { continue }
            for key in keys(name: object.name, table: object.table, kind: object.kind) where objectKeys[key] == id { objectKeys[key] = nil }
            object.table = to
            objects[id] = object
            for key in keys(name: object.name, table: to, kind: object.kind) { objectKeys[key] = id }
        }
        objectsByTable[to, default: []].formUnion(ids)
        for (id, object) in objects where object.referencedTable == from { objects[id]?.referencedTable = to }
    }

    /// Foreign keys (of any table) that reference `table`'s column `key`.
    /// The foreign keys of `table` that include the column.
    package func outgoingForeignKeys(table: String, columnKey key: String) -> [Object] {
        objects.values.filter { $0.kind == .foreignKey && $0.table == table && $0.columns.contains(key) }
            .sorted { $0.name < $1.name }
    }

    package func incomingForeignKeys(table: String, columnKey key: String) -> [Object] {
        objects.values.filter { $0.kind == .foreignKey && $0.referencedTable == table && $0.referencedColumns.contains(key) }
            .sorted { ($0.table, $0.name) < ($1.table, $1.name) }
    }

    // MARK: columns

    /// A column of a table already looked up. Unknown columns of a table whose columns are not all known
    /// are taken to exist from here on.
    mutating func column(_ name: String, of tableName: String) -> Lookup<Column> {
        guard let table = tables[tableName] else { return .missing(reason: nil) }
        let key = columnKey(name)
        if let column = table.columns[key] { return .found(column) }
        if let reason = table.gone[key] { return .missing(reason: reason) }
        if isComplete(table) { return .missing(reason: nil) }
        let column = Column(name: name, nullable: nil)
        update(tableName) { $0.columns[key] = column }
        return .found(column)
    }

    package func hasColumn(_ name: String, in table: String) -> Bool { tables[table]?.columns[columnKey(name)] != nil }

    func columnNames(of table: String) -> [String] { (tables[table]?.columns.values.map(\.name) ?? []).sorted() }

    /// Changes a table in place (taken out of the dictionary first, so its storage is not copied).
    package mutating func update(_ tableName: String, _ body: (inout Table) -> Void) {
        guard var table = tables.removeValue(forKey: tableName) else { return }
        body(&table)
        tables[tableName] = table
    }

    // MARK: indexes and constraints

    /// The existing object whose name the new one would clash with, if any.
    package func conflict(name: String, table: String, kind: ObjectKind) -> Object? {
        for key in keys(name: name, table: table, kind: kind) {
            if let id = objectKeys[key], let object = objects[id] { return object }
        }
        return nil
    }

    /// The indexes and constraints known on `table`, in the order they were registered.
    package func objects(on table: String) -> [Object] {
        (objectsByTable[table] ?? []).sorted().compactMap { objects[$0] }
    }

    package mutating func register(_ object: Object) {
        let id = nextObject
        nextObject += 1
        objects[id] = object
        objectsByTable[object.table, default: []].insert(id)
        for key in keys(name: object.name, table: object.table, kind: object.kind) {
            objectKeys[key] = id
            goneObjects[key] = nil
        }
    }

    package enum IndexLookup {
        case found(Object)
        case missing(reason: String?)
        case unknown
    }

    package func index(named name: String, table: String) -> IndexLookup {
        let key = indexKey(name: name, table: table)
        if let id = objectKeys[key], let object = objects[id] { return .found(object) }
        if let reason = goneObjects[key] { return .missing(reason: reason) }
        if complete || (tables[table].map(knowsIndexes) ?? false) { return .missing(reason: nil) }
        return .unknown
    }

    /// MySQL: the foreign keys left without an index if `index` goes. InnoDB needs, on the referencing
    /// and on the referenced table, an index whose leading columns are the key's columns in order, and
    /// refuses to drop the last one (ERROR 1553).
    package func foreignKeysNeeding(index name: String, table: String) -> [Object] {
        guard mysql, case .found(let dropped) = index(named: name, table: table) else { return [] }
        let others = (objectsByTable[table] ?? []).compactMap { objects[$0] }
            .filter { [.index, .unique, .primaryKey].contains($0.kind) && $0.name != dropped.name }
            .map(\.columns) + [tables[table]?.primaryKey ?? []]
        func serves(_ columns: [String], _ key: [String]) -> Bool { !key.isEmpty && columns.starts(with: key) }
        return objects.values.filter { key in
            guard key.kind == .foreignKey else { return false }
            let needs = (key.table == table ? [key.columns] : []) + (key.referencedTable == table ? [key.referencedColumns] : [])
            return needs.contains { need in serves(dropped.columns, need) && !others.contains { serves($0, need) } }
        }.sorted { ($0.table, $0.name) < ($1.table, $1.name) }
    }

    package mutating func remove(index name: String, table: String, reason: String) {
        let key = indexKey(name: name, table: table)
        if let id = objectKeys[key], let object = objects.removeValue(forKey: id) {
            for other in keys(name: object.name, table: object.table, kind: object.kind) where objectKeys[other] == id {
                objectKeys[other] = nil
                goneObjects[other] = reason
            }
            objectsByTable[object.table]?.remove(id)
        } else {
            goneObjects[key] = reason
        }
    }

    /// The constraint (check, unique, foreign key or primary key) named `name` on `table`, as a change that
    /// drops or renames a constraint looks it up: PostgreSQL names constraints per table; MySQL names
    /// checks and foreign keys per database (the one found may be on another table) and unique keys per table.
    package func constraint(named name: String, table: String) -> IndexLookup {
        let candidates = mysql ? ["c:\(name.lowercased())", "i:\(table)\u{0}\(name.lowercased())"] : ["c:\(table)\u{0}\(name)"]
        for key in candidates {
            if let id = objectKeys[key], let object = objects[id], object.kind != .index { return .found(object) }
        }
        if let reason = candidates.lazy.compactMap({ self.goneObjects[$0] }).first { return .missing(reason: reason) }
        if complete || (tables[table].map(knowsIndexes) ?? false) { return .missing(reason: nil) }
        return .unknown
    }

    /// The names of the constraints on `table` (for a did-you-mean).
    package func constraintNames(on table: String) -> [String] {
        (objectsByTable[table] ?? []).compactMap { objects[$0] }.filter { $0.kind != .index }.map(\.name).sorted()
    }

    /// Removes an index or constraint found earlier; a later change that names it learns why it is gone.
    package mutating func remove(_ object: Object, reason: String) {
        for key in keys(name: object.name, table: object.table, kind: object.kind) {
            if let id = objectKeys[key], let found = objects[id], found.name == object.name, found.table == object.table {
                objects[id] = nil
                objectsByTable[object.table]?.remove(id)
            }
            objectKeys[key] = nil
            goneObjects[key] = reason
        }
    }

    package func indexNames(on table: String) -> [String] {
        (objectsByTable[table] ?? []).compactMap { objects[$0] }.filter { $0.kind == .index || ($0.kind == .unique && mysql) }
            .map(\.name).sorted()
    }

    // MARK: sql changes

    /// After a `sql` change nothing is complete any more: it may have created anything.
    package mutating func forgetCompleteness() {
        complete = false
        generation += 1
    }
}
