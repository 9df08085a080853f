import CutoverPlan
import Foundation

/// Fills tables with realistic rows, set-based: one `INSERT … SELECT` over `generate_series`
/// (PostgreSQL) or a `seq_1_to_N` table (MariaDB's Sequence engine; a recursive CTE on MySQL) per table, so 100,000 rows
/// take about a second. Tables are filled parents first; a foreign key points at an existing
/// parent row (chosen through the parent's row numbers); unique values come from the row number;
/// rows a check constraint would refuse are filtered out by the same check in the SELECT. When
/// that filter cannot run (a check on a column the table fills itself), batches of decreasing
/// size are tried and the rows that still fail are skipped. Columns the table fills itself
/// (identity, serial, AUTO_INCREMENT, generated) are left out.
public struct DataSeeder {
    public let engine: MigrationSpec.Engine
    /// Failing statements tolerated per table before the rest of its rows are given up.
    public var failureBudget = 200
    /// MySQL has no Sequence engine: row numbers then come from a recursive CTE (nil: ask the server).
    public var useRecursiveCTE: Bool?
    /// MySQL limits recursion to 1000 rows unless told otherwise; MariaDB has no such variable.
    private var limitsRecursion = false

    public init(engine: MigrationSpec.Engine) { self.engine = engine }

    private var dialect: TrafficSQL { TrafficSQL(engine) }

    /// Seeds `rows` rows into each of `tables` (names in `shape`; unknown names are reported, not thrown).
    public func seed(shape: AppShape, tables: [String], rows: Int, session: SQLSession) throws -> SeedReport {
        var seeder = self
        if engine == .mysql && seeder.useRecursiveCTE == nil {
            seeder.useRecursiveCTE = (try? session.query("SELECT seq FROM seq_1_to_1")) == nil
        }
        if seeder.useRecursiveCTE == true {
            seeder.limitsRecursion = (try? session.query("SELECT @@cte_max_recursion_depth")) != nil
        }
        return try seeder.seedAll(shape: shape, tables: tables, rows: rows, session: session)
    }

    /// Row numbers `from`…`to` as a table `s` with column `g` (PostgreSQL) or `seq` (MariaDB/MySQL).
    func series(_ from: Int64, _ to: Int64) -> String {
        switch engine {
        case .postgresql: return "generate_series(\(from)::bigint, \(to)::bigint) AS s(g)"
        case .mysql:
            if useRecursiveCTE == true {
                return "(WITH RECURSIVE n (seq) AS (SELECT CAST(\(from) AS UNSIGNED) UNION ALL SELECT seq + 1 FROM n WHERE seq < \(to)) SELECT seq FROM n) AS s"
            }
            return "seq_\(from)_to_\(to) AS s"
        }
    }

    /// The session setting a recursive CTE of `rows` rows needs on MySQL (its default depth is 1000).
    func seriesSetting(_ rows: Int64) -> String {
        useRecursiveCTE == true && limitsRecursion ? "SET SESSION cte_max_recursion_depth = \(max(1000, rows + 1)); " : ""
    }

    private func seedAll(shape: AppShape, tables: [String], rows: Int, session: SQLSession) throws -> SeedReport {
        var report = SeedReport(tables: [])
        let triggerWritten = try TriggerWrittenTables.read(session: session, engine: engine)
        var later = Self.dependencyOrder(shape: shape, tables: tables)
        var deferred: [DeferredKey] = []
        while !later.isEmpty {
            let name = later.removeFirst()
            guard let table = shape.table(name) else {
                report.tables.append(.init(table: name, requested: rows, inserted: 0, skipped: rows, seconds: 0,
                                           notes: ["no such table in the schema"]))
                continue
            }
            if TriggerWrittenTables.contains(triggerWritten, name) {
                report.tables.append(.init(table: name, requested: rows, inserted: 0, skipped: 0, seconds: 0,
                                           notes: ["filled by a trigger of another table, not by the app"]))
                continue
            }
            report.tables.append(try seed(table: table, rows: rows, session: session, later: Set(later), deferred: &deferred))
            for key in deferred where key.foreignKey.referencedTable == name {
                report.tables[report.tables.count - 1].notes.append(try close(key, session: session))
            }
            deferred.removeAll { $0.foreignKey.referencedTable == name }
        }
        return report
    }

    /// Parents before children among `tables` (self references ignored; a cycle keeps the given order).
    static func dependencyOrder(shape: AppShape, tables: [String]) -> [String] {
        var remaining = tables.reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
        var ordered: [String] = []
        while !remaining.isEmpty {
            let ready = remaining.firstIndex { name in
                let parents = shape.table(name)?.foreignKeys.map(\.referencedTable).filter { $0 != name } ?? []
                return parents.allSatisfy { !remaining.contains($0) }
            } ?? 0
            ordered.append(remaining.remove(at: ready))
        }
        return ordered
    }

    /// A foreign key of a cycle (sakila: store.manager_staff_id → staff, staff.store_id → store)
    /// whose parent is seeded after its table: MySQL fills it with placeholders while its checks
    /// are off, and points it at real parents once they exist (`close`).
    private struct DeferredKey {
        var table: TableShape
        var foreignKey: ForeignKeyShape
        var oneToOne: Bool
    }

    /// Points a deferred foreign key at the parent's rows, by row number (one parent per row when
    /// the key is unique), and says how many rows still point nowhere (more children than parents).
    private func close(_ key: DeferredKey, session: SQLSession) throws -> String {
        let d = dialect
        let keyColumns = key.table.keyColumns
        let child = "_cutover_seed_cycle_child", parent = "_cutover_seed_cycle_parent"
        defer {
            try? session.execute("DROP TABLE IF EXISTS \(d.identifier(child))")
            try? session.execute("DROP TABLE IF EXISTS \(d.identifier(parent))")
        }
        guard !keyColumns.isEmpty else { return "\(key.table.name).\(key.foreignKey.columns.joined(separator: ", ")) left pointing nowhere: the table has no key" }
        let childKeys = keyColumns.enumerated().map { "\(d.identifier($1)) AS k\($0)" }.joined(separator: ", ")
        let childOrder = keyColumns.map(d.identifier).joined(separator: ", ")
        try session.execute("CREATE TABLE \(d.identifier(child)) (rn BIGINT NOT NULL PRIMARY KEY) SELECT row_number() OVER (ORDER BY \(childOrder)) AS rn, \(childKeys) FROM \(d.identifier(key.table.name))")
        let parentValues = key.foreignKey.referencedColumns.enumerated().map { "\(d.identifier($1)) AS v\($0)" }.joined(separator: ", ")
        let parentOrder = key.foreignKey.referencedColumns.map(d.identifier).joined(separator: ", ")
        try session.execute("CREATE TABLE \(d.identifier(parent)) (rn BIGINT NOT NULL PRIMARY KEY) SELECT row_number() OVER (ORDER BY \(parentOrder)) AS rn, \(parentValues) FROM \(d.identifier(key.foreignKey.referencedTable))")
        let count = try d.count(parent, session: session)
        guard count > 0 else { return "\(key.foreignKey.columns.joined(separator: ", ")) left pointing nowhere: \(key.foreignKey.referencedTable) has no rows" }
        let match = keyColumns.enumerated().map { "c.\(d.identifier($1)) = r.k\($0)" }.joined(separator: " AND ")
        let mapping = key.oneToOne ? "r.rn" : "(1 + ((r.rn * 7919) % \(count)))"
        let assignments = key.foreignKey.columns.enumerated().map { "c.\(d.identifier($1)) = p.v\($0)" }.joined(separator: ", ")
        try session.execute("SET SESSION foreign_key_checks = 0; UPDATE \(d.identifier(key.table.name)) AS c JOIN \(d.identifier(child)) AS r ON \(match) JOIN \(d.identifier(parent)) AS p ON p.rn = \(mapping) SET \(assignments); SET SESSION foreign_key_checks = 1")
        let rows = try d.count(child, session: session)
        let dangling = key.oneToOne ? max(0, rows - count) : 0
        return "\(key.table.name).\(key.foreignKey.columns.joined(separator: ", ")) (a cycle) pointed at \(key.foreignKey.referencedTable)" + (dangling > 0 ? "; \(dangling) rows point nowhere" : "")
    }

    private struct Parent {
        var foreignKey: ForeignKeyShape
        var source: String  // a subquery (PostgreSQL) or a helper table (MariaDB) with rn, v0, v1, …
        var count: Int64
        var oneToOne: Bool
        /// The parent's row number for row `g` when a unique set spans several foreign keys (nil: the usual spread).
        var mapping: String? = nil
        /// The whole join when the parent must agree with columns another foreign key gave (`agreeingJoin`).
        var join: String? = nil
    }

    /// The join that gives row g a parent of `foreignKey` holding the values another foreign key
    /// gave its `shared` columns (the same `tenant_id`): the parents numbered within each group of
    /// shared values, and the size of each group, so row g takes parent `1 + (g * 7919) % size`
    /// of its own group. No such parent: the columns stay NULL (the row is left out where they are NOT NULL).
    private func agreeingJoin(_ foreignKey: ForeignKeyShape, index: Int, fkIndex: Int, shared: [String], table: TableShape,
                              given: [String: (parent: Int, position: Int)], session: SQLSession,
                              helperTables: inout [String]) throws -> String {
        let d = dialect
        let g = engine == .postgresql ? "s.g" : "s.seq"
        let parentName = d.identifier(foreignKey.referencedTable)
        let sharedReferenced = shared.map { foreignKey.referencedColumns[foreignKey.columns.firstIndex(of: $0)!] }
        let group = sharedReferenced.map(d.identifier).joined(separator: ", ")
        let values = foreignKey.referencedColumns.enumerated().map { "\(d.identifier($1)) AS v\($0)" }.joined(separator: ", ")
        let order = foreignKey.referencedColumns.map(d.identifier).joined(separator: ", ")
        let notNull = foreignKey.referencedColumns.map { "\(d.identifier($0)) IS NOT NULL" }.joined(separator: " AND ")
        let keys = sharedReferenced.enumerated().map { "\(d.identifier($1)) AS k\($0)" }.joined(separator: ", ")
        let numbered = "SELECT row_number() OVER (PARTITION BY \(group) ORDER BY \(order)) AS rn, \(values) FROM \(parentName) WHERE \(notNull)"
        let sizes = "SELECT \(keys), count(*) AS n FROM \(parentName) WHERE \(notNull) GROUP BY \(group)"
        let numberedSource: String, sizeSource: String
        switch engine {
        case .postgresql:
            numberedSource = "(\(numbered))"
            sizeSource = "(\(sizes))"
        case .mysql:
            // Keyed helper tables, as for the other parents: MariaDB would join a derived table row by row.
            let base = "_cutover_seed_\(table.name.prefix(28))_fk\(fkIndex)"
            let sharedValues = shared.map { "v\(foreignKey.columns.firstIndex(of: $0)!)" }
            for (name, create) in [(base + "g", "CREATE TABLE \(d.identifier(base + "g")) (KEY (\((sharedValues + ["rn"]).joined(separator: ", ")))) \(numbered)"),
                                   (base + "n", "CREATE TABLE \(d.identifier(base + "n")) (KEY (\(shared.indices.map { "k\($0)" }.joined(separator: ", ")))) \(sizes)")] {
                try session.execute("DROP TABLE IF EXISTS \(d.identifier(name))")
                try session.execute(create)
                helperTables.append(name)
            }
            numberedSource = d.identifier(base + "g")
            sizeSource = d.identifier(base + "n")
        }
        let givenValue = { (column: String) -> String in
            let (parent, position) = given[column]!
            return "f\(parent).v\(position)"
        }
        let sizeMatch = shared.enumerated().map { "n\(index).k\($0) = \(givenValue($1))" }.joined(separator: " AND ")
        let parentMatch = shared.map { "f\(index).v\(foreignKey.columns.firstIndex(of: $0)!) = \(givenValue($0))" }.joined(separator: " AND ")
        return " LEFT JOIN \(sizeSource) AS n\(index) ON \(sizeMatch)"
            + " LEFT JOIN \(numberedSource) AS f\(index) ON \(parentMatch) AND f\(index).rn = 1 + ((\(g) * 7919) % n\(index).n)"
    }

    private func seed(table: TableShape, rows requested: Int, session: SQLSession, later: Set<String> = [],
                      deferred: inout [DeferredKey]) throws -> SeedReport.Table {
        let started = Date()
        let d = dialect
        var notes: [String] = []
        let quotedTable = d.identifier(table.name)
        let existing = try d.count(table.name, session: session)
        let columns = table.columns.filter { !$0.generated }
        var helperTables: [String] = []
        defer { for helper in helperTables { try? session.execute("DROP TABLE IF EXISTS \(d.identifier(helper))") } }

        // Foreign keys: each one reads the parent's key values by row number.
        var parents: [Parent] = []
        var fkColumn: [String: (parent: Int, position: Int)] = [:]
        var nullColumns = Set<String>()
        var placeholders: [String: String] = [:]
        var limit = Int64(requested)
        // Parents that must agree with columns another foreign key gave (`tenant_id`): rows of the
        // child with no such parent are left out where the key is NOT NULL (`required`).
        var agreeing: [(parent: Int, table: String, shared: [String], required: Bool)] = []
        for index in ParentKeyChoice.order(table.foreignKeys) {
            let foreignKey = table.foreignKeys[index]
            // The widest foreign keys first: a key whose every column a wider parent gave holds
            // through it (`tenant_id → tenants` after `(tenant_id, owner_id) → users`); one that
            // shares some of them takes a parent with the same values there (`agreeingJoin`).
            let shared = foreignKey.columns.filter { fkColumn[$0] != nil }
            guard foreignKey.columns.allSatisfy({ name in columns.contains { $0.name == name } }),
                  shared.count < foreignKey.columns.count,
                  nullColumns.isDisjoint(with: foreignKey.columns) else { continue }
            let parentName = d.identifier(foreignKey.referencedTable)
            let values = foreignKey.referencedColumns.enumerated().map { "\(d.identifier($1)) AS v\($0)" }.joined(separator: ", ")
            let order = foreignKey.referencedColumns.map(d.identifier).joined(separator: ", ")
            let notNull = foreignKey.referencedColumns.map { "\(d.identifier($0)) IS NOT NULL" }.joined(separator: " AND ")
            let select = "SELECT row_number() OVER (ORDER BY \(order)) AS rn, \(values) FROM \(parentName) WHERE \(notNull)"
            let count: Int64
            let source: String
            if foreignKey.referencedTable == table.name {
                count = existing
            } else {
                count = try d.count(foreignKey.referencedTable, where: notNull, session: session)
            }
            switch engine {
            case .postgresql:
                source = "(\(select))"
            case .mysql:
                // A keyed helper table: MariaDB would join a derived table row by row.
                let helper = "_cutover_seed_\(table.name.prefix(30))_fk\(index)"
                try session.execute("DROP TABLE IF EXISTS \(d.identifier(helper))")
                try session.execute("CREATE TABLE \(d.identifier(helper)) (rn BIGINT NOT NULL PRIMARY KEY) \(select)")
                helperTables.append(helper)
                source = d.identifier(helper)
            }
            let nullable = foreignKey.columns.filter { !shared.contains($0) }.allSatisfy { name in table.column(name)?.nullable ?? false }
            if count == 0 {
                if nullable {
                    notes.append("\(foreignKey.columns.joined(separator: ", ")) left NULL: \(foreignKey.referencedTable) has no rows")
                    nullColumns.formUnion(foreignKey.columns.filter { !shared.contains($0) })
                    continue
                }
                let unique = ([table.primaryKey] + table.uniques).contains { set in !set.isEmpty && set.allSatisfy(foreignKey.columns.contains) }
                if engine == .mysql && later.contains(foreignKey.referencedTable) && foreignKey.columns.count == 1 {
                    // A cycle: placeholders now (row numbers), real parents once the parent is seeded.
                    placeholders[foreignKey.columns[0]] = engine == .postgresql ? "s.g" : "s.seq"
                    deferred.append(DeferredKey(table: table, foreignKey: foreignKey, oneToOne: unique))
                    continue
                }
                notes.append("not seeded: \(foreignKey.referencedTable) has no rows for \(foreignKey.columns.joined(separator: ", "))")
                return .init(table: table.name, requested: requested, inserted: 0, skipped: requested,
                             seconds: Date().timeIntervalSince(started), notes: notes)
            }
            if !shared.isEmpty {
                // Row g takes one of the parents that hold the shared values, by its number among them.
                let join = try agreeingJoin(foreignKey, index: parents.count, fkIndex: index, shared: shared, table: table,
                                            given: fkColumn, session: session, helperTables: &helperTables)
                for (position, name) in foreignKey.columns.enumerated() where !shared.contains(name) { fkColumn[name] = (parents.count, position) }
                parents.append(Parent(foreignKey: foreignKey, source: source, count: count, oneToOne: false, join: join))
                agreeing.append((parents.count - 1, foreignKey.referencedTable, shared, !nullable))
                continue
            }
            // A foreign key that is itself unique (one-to-one) needs a parent of its own per row:
            // row g takes parent g, so a second round continues after the parents the first one took.
            let oneToOne = ([table.primaryKey] + table.uniques).contains { set in !set.isEmpty && set.allSatisfy(foreignKey.columns.contains) }
            if oneToOne && count - existing < limit {
                let available = max(0, count - existing)
                notes.append("\(available) rows: \(foreignKey.columns.joined(separator: ", ")) is unique and \(foreignKey.referencedTable) has \(count) rows")
                limit = available
            }
            for (position, name) in foreignKey.columns.enumerated() { fkColumn[name] = (parents.count, position) }
            parents.append(Parent(foreignKey: foreignKey, source: source, count: count, oneToOne: oneToOne))
        }

        // A unique set made of the columns of several foreign keys (a join table's primary key,
        // film_id + category_id): each row needs its own combination of parents, so row g is
        // written in mixed radix over the parents' row counts (one digit per parent), with the
        // later digits shifted by the first one so that a parent's children spread.
        let g0 = engine == .postgresql ? "(s.g - 1)" : "(s.seq - 1)"
        let divide = engine == .postgresql ? "/" : "DIV"
        for set in [table.primaryKey] + table.uniques where !set.isEmpty {
            guard set.allSatisfy({ fkColumn[$0] != nil }) else { continue }
            let involved = set.compactMap { fkColumn[$0]?.parent }.reduce(into: [Int]()) { if !$0.contains($1) { $0.append($1) } }
            guard involved.count >= 2, involved.allSatisfy({ !parents[$0].oneToOne && parents[$0].mapping == nil && parents[$0].join == nil }) else { continue }
            var product: Int64 = 1
            for (digit, index) in involved.enumerated() {
                let count = parents[index].count
                let quotient = digit == 0 ? g0 : "(\(g0) \(divide) \(product))"
                let shift = digit == 0 ? "" : " + (\(g0) % \(parents[involved[0]].count)) * 7919"
                parents[index].mapping = "(1 + ((\(quotient)\(shift)) % \(count)))"
                product = product.multipliedReportingOverflow(by: max(1, count)).overflow ? Int64.max : product * max(1, count)
            }
            if product - existing < limit {
                let available = max(0, product - existing)
                notes.append("\(available) rows: \(set.joined(separator: ", ")) is unique and its parents have \(product) combinations")
                limit = available
            }
        }

        // A narrow key the table generates (TINYINT/SMALLINT AUTO_INCREMENT, smallserial) ends where
        // its type ends: half of what is left goes to the seeded rows, the other half stays for the
        // inserts of both app versions over the whole rehearsal (a filled range fails every insert).
        for column in table.columns where column.generated {
            let kind = ColumnKind.of(column, in: table, engine: engine)
            guard kind.isInteger, let whole = kind.capacity(), whole < 4 * limit + 100_000 else { continue }
            let maximum = try TrafficSQL.rows(session.query(
                "SELECT \(d.jsonArray([d.text("max(\(d.identifier(column.name)))")])) FROM \(quotedTable)")).first?.first ?? nil
            let room = (kind.capacity(above: maximum.flatMap { Int64($0) } ?? 0) ?? whole) / 2
            if room < limit {
                notes.append("\(room) rows: \(column.name) (\(column.dataType)) is generated and half of its range is left for the app's inserts")
                limit = room
            }
        }

        let uniqueColumns = Self.injectiveColumns(table, given: Set(columns.map(\.name)), foreign: Set(fkColumn.keys), engine: engine)
        // Unique integer columns continue above the largest existing value.
        var bases: [String: Int64] = [:]
        for column in columns where uniqueColumns.contains(column.name) && fkColumn[column.name] == nil {
            let kind = ColumnKind.of(column, in: table, engine: engine)
            switch kind {
            case .integer, .decimal:
                let maximum = try TrafficSQL.rows(session.query(
                    "SELECT \(d.jsonArray([d.text("max(\(d.identifier(column.name)))")])) FROM \(quotedTable)")).first?.first ?? nil
                bases[column.name] = maximum.flatMap { Int64($0.split(separator: ".").first ?? "") } ?? 0
            default: break
            }
            // A narrow type limits the row count to what it can tell apart; of an integer's range,
            // half stays for the app's inserts, which continue above the largest value.
            if let capacity = kind.capacity(above: bases[column.name] ?? 0) {
                let available = kind.isInteger ? capacity / 2 : max(0, capacity - existing)
                if available < limit {
                    notes.append("\(available) rows: unique \(column.name) (\(column.dataType)) has no more distinct values")
                    limit = available
                }
            }
        }

        let g = engine == .postgresql ? "s.g" : "s.seq"
        let expressions = SeedExpression(dialect: d)
        var selectList: [String] = []
        var names: [String] = []
        for column in columns {
            let kind = ColumnKind.of(column, in: table, engine: engine)
            var value: String
            // A bare NULL in a derived table is text on PostgreSQL.
            let typedNull = engine == .postgresql ? "NULL::\(column.dataType)" : "NULL"
            if let placeholder = placeholders[column.name] {
                value = placeholder
            } else if nullColumns.contains(column.name) {
                value = typedNull
            } else if let (parent, position) = fkColumn[column.name] {
                value = "f\(parent).v\(position)"
            } else if kind == .other && (column.nullable || column.hasDefault) {
                // A type without a generator: NULL or its default rather than a guess that may not parse.
                if column.hasDefault { notes.append("\(column.name) (\(column.dataType)): left to its default"); continue }
                notes.append("\(column.name) (\(column.dataType)): left NULL")
                value = typedNull
            } else if let expression = expressions.value(column, kind: kind, table: table.name, g: g,
                                                         unique: uniqueColumns.contains(column.name), base: bases[column.name] ?? 0,
                                                         range: ColumnKind.checkedRange(column.name, in: table),
                                                         allowed: ColumnKind.checkedNumbers(column.name, in: table),
                                                         partition: table.partition) {
                value = expression
            } else if column.nullable || column.hasDefault {
                notes.append("\(column.name) (\(column.dataType)): no generator for this type, left to its default")
                continue
            } else {
                value = typedNull
            }
            // Mostly filled: an occasional NULL where allowed, never in a key.
            if column.nullable && !table.uniqueColumns.contains(column.name) && table.partition?.constrains(column.name) != true
                && value != typedNull {
                value = "CASE WHEN \(g) % 20 = 0 THEN NULL ELSE \(value) END"
            }
            selectList.append("\(value) AS \(d.identifier(column.name))")
            names.append(d.identifier(column.name))
        }
        guard !names.isEmpty else {
            notes.append("every column is filled by the table itself")
            return try seedDefaults(table: table, rows: Int(limit), session: session, started: started, notes: notes)
        }
        let joins = parents.enumerated().map { index, parent in
            if let join = parent.join { return join }
            let mapping = parent.mapping ?? (parent.oneToOne ? g : "(1 + ((\(g) * 7919) % \(parent.count)))")
            return " LEFT JOIN \(parent.source) AS f\(index) ON f\(index).rn = \(mapping)"
        }.joined()
        let filter = table.checks.isEmpty ? "" : " WHERE " + table.checks.map { "(\($0)) IS NOT FALSE" }.joined(separator: " AND ")
        // A NOT NULL key whose parent must agree on shared columns: rows whose shared values no
        // parent holds are left out (said below), not sent to fail one by one.
        let requiredAgreeing = agreeing.filter(\.required)
        let parentFilter = requiredAgreeing.isEmpty ? "" : " WHERE " + requiredAgreeing.map { "f\($0.parent).rn IS NOT NULL" }.joined(separator: " AND ")
        func statement(_ from: Int64, _ to: Int64, filtered: Bool) -> String {
            let insert = seriesSetting(to - from + 1) + "INSERT INTO \(quotedTable) (\(names.joined(separator: ", "))) SELECT \(names.joined(separator: ", ")) FROM (SELECT "
                + selectList.joined(separator: ", ") + " FROM \(series(from, to))\(joins)\(parentFilter)) AS _cutover_rows\(filtered ? filter : "")"
            // Every foreign-key value was just read from its parent; InnoDB's per-row parent lookups
            // (random reads of wide parent rows) would triple the time. A failed statement ends the
            // client, and the session's next connection has the checks on again.
            if engine == .mysql && (!parents.isEmpty || !placeholders.isEmpty) {
                return "SET SESSION foreign_key_checks = 0; \(insert); SET SESSION foreign_key_checks = 1"
            }
            return insert
        }
        let first = existing + 1
        let last = existing + limit
        var skipped = requested - Int(limit)
        if limit > 0 {
            var done = false
            if !filter.isEmpty {
                do { try session.execute(statement(first, last, filtered: true)); done = true } catch {
                    notes.append("check filter not usable (\(Self.firstLine(error))); inserting in batches")
                }
            } else {
                do { try session.execute(statement(first, last, filtered: false)); done = true } catch {
                    notes.append("one statement failed (\(Self.firstLine(error))); inserting in batches")
                }
            }
            if !done {
                var budget = failureBudget
                var lastError = ""
                func insert(_ from: Int64, _ to: Int64) {
                    guard budget > 0 else { skipped += Int(to - from + 1); return }
                    do { try session.execute(statement(from, to, filtered: false)) } catch {
                        budget -= 1
                        lastError = Self.firstLine(error)
                        if from == to { skipped += 1; return }
                        let step = max(1, (to - from + 1 + 9) / 10)
                        var start = from
                        while start <= to { insert(start, min(to, start + step - 1)); start += step }
                    }
                }
                let step = max(1, (limit + 9) / 10)
                var start = first
                while start <= last { insert(start, min(last, start + step - 1)); start += step }
                if skipped > requested - Int(limit) { notes.append("rows skipped; last error: \(lastError)") }
            }
        }
        try advanceSequences(table: table, session: session)
        let after = try d.count(table.name, session: session)
        let inserted = Int(after - existing)
        if inserted < Int(limit) && skipped == requested - Int(limit) {
            let required = agreeing.filter(\.required)
            notes.append("\(Int(limit) - inserted) rows left out: "
                         + (required.isEmpty ? "a check constraint refuses them"
                            : required.map { "no \($0.table) row with the same \($0.shared.joined(separator: ", "))" }.joined(separator: " or ")
                              + (filter.isEmpty ? "" : ", or a check constraint refuses them")))
        }
        return .init(table: table.name, requested: requested, inserted: inserted, skipped: max(skipped, requested - inserted),
                     seconds: Date().timeIntervalSince(started), notes: notes)
    }

    /// The columns whose values must differ on every row so that each unique set (and the primary
    /// key) holds: one per set, the widest one, preferring columns that are not foreign keys (those
    /// are one-to-one mapped only when the set is made of them alone). A set with a column the
    /// table fills itself already holds.
    static func injectiveColumns(_ table: TableShape, given: Set<String>, foreign: Set<String>, engine: MigrationSpec.Engine) -> Set<String> {
        var chosen = Set<String>()
        for set in [table.primaryKey] + table.uniques where !set.isEmpty {
            if set.contains(where: { !given.contains($0) }) || set.contains(where: chosen.contains) { continue }
            let candidates = set.filter { !foreign.contains($0) }
            guard !candidates.isEmpty else { continue }  // all foreign keys: the one-to-one mapping handles it
            let best = candidates.max { a, b in
                let ca = table.column(a).map { ColumnKind.of($0, in: table, engine: engine).capacity() ?? Int64.max } ?? 0
                let cb = table.column(b).map { ColumnKind.of($0, in: table, engine: engine).capacity() ?? Int64.max } ?? 0
                return ca < cb
            }!
            chosen.insert(best)
        }
        return chosen
    }

    /// A table whose every column fills itself: rows of defaults, set-based.
    private func seedDefaults(table: TableShape, rows: Int, session: SQLSession, started: Date, notes: [String]) throws -> SeedReport.Table {
        let d = dialect
        guard let column = table.columns.first, rows > 0 else {
            return .init(table: table.name, requested: rows, inserted: 0, skipped: rows, seconds: 0, notes: notes)
        }
        switch engine {
        case .postgresql:
            // serial and identity columns alike take their default only from DEFAULT VALUES.
            try session.execute("DO $cutover$ BEGIN FOR i IN 1..\(rows) LOOP INSERT INTO \(d.identifier(table.name)) DEFAULT VALUES; END LOOP; END $cutover$")
        case .mysql:
            try session.execute(seriesSetting(Int64(rows)) + "INSERT INTO \(d.identifier(table.name)) (\(d.identifier(column.name))) SELECT NULL FROM \(series(1, Int64(rows)))")
        }
        return .init(table: table.name, requested: rows, inserted: rows, skipped: 0, seconds: Date().timeIntervalSince(started), notes: notes)
    }

    /// Sequences behind serial/identity columns are set past the largest key (values may have been given).
    private func advanceSequences(table: TableShape, session: SQLSession) throws {
        guard engine == .postgresql else { return }  // AUTO_INCREMENT moves past explicit values by itself
        let d = dialect
        for column in table.columns where column.generated && ColumnKind.of(column, in: table, engine: engine).isInteger {
            let name = d.literal(d.identifier(table.name))
            _ = try session.query("""
                SELECT setval(s, m) FROM (SELECT pg_get_serial_sequence(\(name), \(d.literal(column.name))) AS s, \
                (SELECT max(\(d.identifier(column.name))) FROM \(d.identifier(table.name))) AS m) AS x WHERE s IS NOT NULL AND m IS NOT NULL
                """)
        }
    }

    /// The line of a client's message that carries the error (the mariadb client echoes the statement first).
    static func firstLine(_ error: Error) -> String {
        let lines = "\(error)".split(separator: "\n")
        return String(lines.first { $0.contains("ERROR") } ?? lines.first ?? "")
    }
}
