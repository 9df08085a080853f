import CutoverPlan
import Foundation

/// The rehearsal's traffic through the traffic library (`Traffic/`): the old version uses the
/// base schema's shape, the new version the shape after the whole forward migration (quarantined
/// `_cutover` names excluded); both work on the tables the migration touches. Seeded rows are
/// fingerprinted by key range before anything runs; afterwards they must be unchanged, and every
/// row either version wrote (and did not delete itself) must still be there, on the tables of the
/// base schema.
final class AppTrafficDriver: TrafficDriver {
    let engine: MigrationSpec.Engine
    let oldShape: AppShape
    let newShape: AppShape
    let oldTables: [String]
    let newTables: [String]
    let seedTables: [String]
    let rows: Int
    let lockTimeout: String
    let expectations: [ColumnExpectation]
    let session: SQLSession
    let connect: () throws -> SQLSession
    private var running: [AppVersion: AppTraffic] = [:]
    private var startedAt: [AppVersion: Date] = [:]
    /// What each run of a version's traffic wrote and kept, to find after the rollback.
    private var reports: [TrafficReport] = []
    private var before: TableFingerprint?
    private var runs = 0

    /// Per version, what its sessions run first to select its own schema of views (empty: the tables).
    var sessionSettings: [AppVersion: [String]] = [:]
    /// Per version, how its sessions connect when not like `connect` (MySQL: to its version's database
    /// of views, `MySQLVersionSchemas`); read when a version's traffic starts.
    var versionConnect: [AppVersion: () throws -> SQLSession] = [:]
    /// Retyped columns both versions reach through the tables (MySQL, or no version schemas): the
    /// new version writes only values their old and new types both hold.
    var sharedRetyped = SharedRetypedColumns(columns: [:])
    /// Enum labels, by type, the new version does not write: those addEnumValue adds (the rollback of
    /// expand refuses rows that hold one) and both names of one renameEnumValue renames (until contract
    /// only the old name exists, after it and until its rollback only the new one).
    var avoidedEnumLabels: [String: Set<String>] = [:]
    /// The new version's ids drawn from an identity's sequence until contract drops it (`AppTraffic.drawnIds`).
    var drawnIds: [String: [String: String]] = [:]
    /// table → renamed column's new name → its old name (the spec's renameColumn changes).
    let renames: [String: [String: String]]
    /// The user's own statements per version (`--traffic-old/--traffic-new`), sent beside the derived ones.
    let scripts: [AppVersion: TrafficScript]
    /// A renamed table's new name → its base name (the spec's renameTable changes): the new version
    /// writes under the new name rows the checks after the rollback find under the base name.
    let tableRenames: [String: String]

    init(engine: MigrationSpec.Engine, oldShape: AppShape, newShape: AppShape, touched: Set<String>, rows: Int, lockTimeout: String,
         expectations: [ColumnExpectation], renames: [String: [String: String]] = [:], tableRenames: [String: String] = [:],
         scripts: [AppVersion: TrafficScript] = [:], session: SQLSession, connect: @escaping () throws -> SQLSession) {
        self.renames = renames
        self.tableRenames = tableRenames
        self.scripts = scripts
        self.engine = engine
        self.oldShape = oldShape.excludingInternal()
        self.newShape = newShape.excludingInternal()
        let newTables = self.newShape.tables.map(\.name).filter(touched.contains)
        self.newTables = newTables
        // The base tables the new version's tables reference: their rows are the parents its inserts point at.
        let parents = Self.referencedBaseTables(of: newTables, in: self.newShape, base: self.oldShape)
        oldTables = Self.oldVersionTables(shape: self.oldShape, touched: touched, parents: parents)
        // Touched tables, the parents of the new version's tables and, transitively, the tables their
        // foreign keys reference (filled first by the seeder). The whole base schema the old version
        // falls back to when nothing is touched is not seeded: its rows are not what the migration changes.
        let touchedOld = self.oldShape.tables.map(\.name).filter(touched.contains)
        var seed = Set(touchedOld).union(parents)
        var queue = touchedOld + parents.filter { !touchedOld.contains($0) }
        while let name = queue.popLast() {
            for key in self.oldShape.table(name)?.foreignKeys ?? [] where !seed.contains(key.referencedTable) {
                seed.insert(key.referencedTable)
                queue.append(key.referencedTable)
            }
        }
        seedTables = self.oldShape.tables.map(\.name).filter(seed.contains)
        self.rows = rows
        self.lockTimeout = lockTimeout
        self.expectations = expectations
        self.session = session
        self.connect = connect
    }

    /// The tables of `base` that the foreign keys of `tables` (in `shape`) reference, in `base`'s order.
    static func referencedBaseTables(of tables: [String], in shape: AppShape, base: AppShape) -> [String] {
        let referenced = Set(tables.flatMap { shape.table($0)?.foreignKeys.map(\.referencedTable) ?? [] })
        return base.tables.map(\.name).filter(referenced.contains)
    }

    /// The tables the old version works on: those the migration touches that it has. When it has none
    /// (a migration that only creates tables), the old version is still the app serving while the Jobs
    /// run: it works on the tables the new ones reference, else on every table of the base schema, so
    /// the proof holds statements of it as it does for any migration (an empty list only when the base
    /// schema has no table, which the rehearsal reports).
    static func oldVersionTables(shape: AppShape, touched: Set<String>, parents: [String]) -> [String] {
        let touchedTables = shape.tables.map(\.name).filter(touched.contains)
        if !touchedTables.isEmpty { return touchedTables }
        if !parents.isEmpty { return parents }
        return shape.tables.map(\.name)
    }

    func seed() throws -> String {
        guard !seedTables.isEmpty else {
            return oldTables.isEmpty ? "no touched table in the base schema to seed"
                : "no touched table in the base schema to seed; the old version works on its tables (\(oldTables.joined(separator: ", "))) as they are"
        }
        let report = try DataSeeder(engine: engine).seed(shape: seedShape, tables: seedTables, rows: rows, session: session)
        var line = "\(report.inserted) rows into \(report.tables.map(\.table).joined(separator: ", ")) in \(RehearsalReport.seconds(report.seconds))"
        if let skipped = report.skippedSummary { line += " (\(skipped))" }
        return line
    }

    /// The base shape plus the foreign keys and unique keys the migration adds between columns that
    /// already exist: production data satisfies a constraint its migration validates (or the
    /// migration fails there too), so the seeded rows must as well.
    private(set) lazy var seedShape: AppShape = makeSeedShape()

    private func makeSeedShape() -> AppShape {
        var shape = oldShape
        for index in shape.tables.indices {
            let table = shape.tables[index]
            guard let later = newShape.table(table.name) else { continue }
            let known = Set(table.columns.map(\.name))
            // A constraint on a renamed column holds for its old name while the old version writes it.
            let renamed = renames[table.name] ?? [:]
            let laterKeys = later.foreignKeys.map { key -> ForeignKeyShape in
                var key = key
                key.columns = key.columns.map { renamed[$0] ?? $0 }
                // A key to a table the migration renames names the new name; the seeded parent rows are in the base one.
                key.referencedTable = tableRenames[key.referencedTable] ?? key.referencedTable
                return key
            }
            for key in laterKeys where !table.foreignKeys.contains(key) && key.columns.allSatisfy(known.contains)
                && (oldShape.table(key.referencedTable).map { referenced in key.referencedColumns.allSatisfy { column in referenced.column(column) != nil } } ?? false) {
                shape.tables[index].foreignKeys.append(key)
            }
            for unique in later.uniques where !table.uniques.contains(unique) && unique.allSatisfy(known.contains) {
                shape.tables[index].uniques.append(unique)
            }
            // A text column the migration retypes (to a date, a number): its `up` (or the cast) converts
            // every value the old version wrote, and preflight refuses values it cannot convert before
            // anything changes, as it would in production, where the column holds values of that shape.
            // Seeded rows and the old version's writes are values of the new type in their text form
            // (trial 14d: 'starts_on-961162' failed `CAST(starts_on AS date)` in preflight): generated
            // as for a domain over the new type, whose values are cast to the column's type.
            let newNames = Dictionary(renamed.map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
            for (i, column) in table.columns.enumerated() {
                guard let after = later.column(newNames[column.name] ?? column.name), after.dataType != column.dataType,
                      case .text(let length) = ColumnKind.of(column, in: table, engine: engine) else { continue }
                guard let width = SharedRetypedColumns.textWidth(ColumnKind.of(after, in: later, engine: engine), engine: engine),
                      width <= (length ?? .max) else { continue }
                shape.tables[index].columns[i].baseType = after.baseType ?? after.dataType
            }
            // A check the migration adds on columns that already exist (not one on its new columns).
            let added = Set(later.columns.map(\.name)).subtracting(known)
            for check in later.checks where !table.checks.contains(check) && !added.contains(where: { ColumnKind.mentions(check, $0) }) {
                shape.tables[index].checks.append(check)
            }
        }
        return shape
    }

    func start(_ version: AppVersion) {
        guard running[version] == nil else { return }
        running[version] = makeRun(version)
        startedAt[version] = Date()
        running[version]?.start()
    }

    func move(_ version: AppVersion, overlap: Double) -> TrafficTally {
        guard let old = running.removeValue(forKey: version) else { return TrafficTally() }
        let origin = startedAt[version] ?? Date()
        start(version)
        if overlap > 0 { Thread.sleep(forTimeInterval: overlap) }
        return tally(old.stop(), version: version, origin: origin)
    }

    private func makeRun(_ version: AppVersion) -> AppTraffic {
        runs += 1
        // The old version writes data that already satisfies what the migration formalises (seedShape).
        var shape = version == .old ? seedShape
            : sharedRetyped.narrowing(newShape, old: oldShape, renames: renames, tableRenames: tableRenames, engine: engine)
        if version == .new && !avoidedEnumLabels.isEmpty { shape = withoutAvoidedLabels(shape) }
        let traffic = AppTraffic(version: version.rawValue, shape: shape,
                                 tables: version == .old ? oldTables : newTables, engine: engine, connect: versionConnect[version] ?? connect,
                                 lockTimeout: lockTimeout, seed: UInt64(runs) &* 0x9E37_79B9)
        // About 100 statements a second per version: enough to meet every state of the schema,
        // without starving the Jobs of the CPU they share with it here.
        traffic.pause = 0.01
        traffic.sessionSettings = sessionSettings[version] ?? []
        traffic.script = scripts[version]
        if version == .new { traffic.drawnIds = drawnIds }
        return traffic
    }

    /// `shape` with the labels of `avoidedEnumLabels` taken out of the enum columns of their type (a
    /// column keeps its labels when none would be left).
    func withoutAvoidedLabels(_ shape: AppShape) -> AppShape {
        var shape = shape
        for t in shape.tables.indices {
            for c in shape.tables[t].columns.indices {
                let column = shape.tables[t].columns[c]
                let type = String(column.dataType.prefix { $0 != "[" }.split(separator: ".").last ?? "").replacingOccurrences(of: "\"", with: "")
                guard let renamed = avoidedEnumLabels[type] else { continue }
                let kept = column.enumLabels.filter { !renamed.contains($0) }
                if !kept.isEmpty { shape.tables[t].columns[c].enumLabels = kept }
            }
        }
        return shape
    }

    func dwell(statements: Int, timeout: Double) {
        let serving = Array(running.values)
        let group = DispatchGroup()
        for traffic in serving {
            group.enter()
            Thread { traffic.sendUnpaced(statements, timeout: timeout); group.leave() }.start()
        }
        group.wait()
    }

    func stop(_ version: AppVersion) -> TrafficTally {
        guard let traffic = running.removeValue(forKey: version) else { return TrafficTally() }
        return tally(traffic.stop(), version: version, origin: startedAt[version] ?? Date())
    }

    private func tally(_ report: TrafficReport, version: AppVersion, origin date: Date) -> TrafficTally {
        let origin = date.timeIntervalSince1970
        reports.append(report.renamingTables(tableRenames))
        return TrafficTally(sent: report.sent, failed: report.failed,
                            failures: report.failures.map { .init(statement: $0.statement, error: $0.error, at: origin + $0.elapsed) })
    }

    func checkCompleteness() throws -> [String] {
        try Completeness.check(expectations: expectations, session: session, engine: engine)
    }

    func fingerprint() throws {
        before = try TableFingerprint.take(shape: oldShape, tables: seedTables, session: session, engine: engine)
    }

    func lostRows() throws -> [String] {
        try missingRows(on: session)
    }

    func lostQuarantinedWrites(_ quarantine: RollbackQuarantine) throws -> [String] {
        guard !quarantine.columns.isEmpty else { return [] }
        var problems: [String] = []
        for report in reports {
            // A version's runs each report a gone column: once is enough.
            for problem in try report.lostQuarantinedWrites(quarantine, shape: report.version == AppVersion.new.rawValue ? newShape : oldShape,
                                                            session: session, engine: engine) where !problems.contains(problem) {
                problems.append(problem)
            }
        }
        return Array(problems.prefix(20)) + (problems.count > 20 ? ["… and \(problems.count - 20) more"] : [])
    }

    /// Seeded rows changed or gone, and rows an app version wrote and kept that are not there, in
    /// `session`'s database (blue-green: the side that serves; tables of the base schema only).
    func missingRows(on session: SQLSession) throws -> [String] {
        var excluding: [String: [[String]]] = [:]
        var excludingColumns: [String: [String]] = [:]
        for report in reports {
            for (table, list) in report.writtenKeys { excluding[table, default: []] += list }
            for (table, key) in report.keyColumns {
                guard let base = oldShape.table(table), base.keyColumns.isEmpty, key.allSatisfy({ base.column($0) != nil }) else { continue }
                excludingColumns[table] = key
            }
        }
        var problems: [String] = []
        if let before {
            let after = try TableFingerprint.take(shape: oldShape, tables: seedTables, session: session, engine: engine,
                                                  excluding: excluding, excludingColumns: excludingColumns, bounds: before.keyBounds)
            problems += before.lost(comparedTo: after)
        }
        // Every row an app version wrote and kept must still be there, holding what it wrote last,
        // on the columns the base schema has.
        var rows: [String] = []
        // Columns whose type the migration changes: the new version's values come back converted.
        var converted: [String: Set<String>] = [:]
        for table in oldShape.tables {
            guard let later = newShape.table(table.name) else { continue }
            for column in table.columns where later.column(column.name).map({ $0.dataType != column.dataType }) ?? false {
                converted[table.name, default: []].insert(column.name)
            }
        }
        // Tables the app's own statements update or delete from (either version's), under their base names.
        var updated = Set<String>(), deleted = Set<String>()
        for script in scripts.values {
            let written = script.writtenTables()
            updated.formUnion(written.updated.map { tableRenames[$0] ?? $0 })
            deleted.formUnion(written.deleted.map { tableRenames[$0] ?? $0 })
        }
        for report in reports {
            rows += try report.lostWrites(shape: oldShape, session: session, engine: engine,
                                          converted: report.version == AppVersion.new.rawValue ? converted : [:],
                                          scriptUpdated: updated, scriptDeleted: deleted)
        }
        problems += rows.prefix(20)
        if rows.count > 20 { problems.append("… and \(rows.count - 20) more rows written by the app missing or changed") }
        return problems
    }

    /// What the new version expects filled when it starts, read from the spec's changes: a renamed
    /// column (where its source is set), a column added with `up`, a column made NOT NULL, a
    /// converted column (where it was set). A type change through a copy column is read in the copy,
    /// which holds the new values until contract swaps it in (the column under its name is the old
    /// one, where the old version may still write NULL: reading it reported rows as NULL that complete
    /// then validated; issue #14, second trial). `context` (the spec over its base schema) tells which
    /// changes go through a copy; without it every column is read under its name.
    static func expectations(_ spec: MigrationSpec, context: LoweringContext? = nil) -> [ColumnExpectation] {
        var out: [ColumnExpectation] = []
        var walk = context
        let hidden = context.map(MySQLVersionSchemas.hiddenCopies) ?? []
        for change in spec.changes {
            defer { walk?.apply(change.operation) }
            let operation = change.operation
            if let add = operation.unit(AddColumn.self), add.up != nil || (!add.column.nullable && add.column.defaultValue == nil) {
                out.append(ColumnExpectation(table: add.table.value, column: add.column.name.value))
            } else if let rename = operation.unit(RenameColumn.self) {
                out.append(ColumnExpectation(table: rename.table.value, column: rename.to.value, source: rename.from.value))
            } else if let alter = operation.unit(AlterColumn.self) {
                // A conversion (`up`) of a nullable column keeps its NULLs: only NOT NULL asks for every row.
                if alter.nullable?.value == false {
                    let throughCopy = walk.map { walk in
                        walk.engine == .postgresql ? PostgreSQLVersionSchemas.rewrites(alter, walk)
                            : hidden.contains { $0.table.value == alter.table.value && $0.column.value == alter.column.value }
                    } ?? false
                    out.append(ColumnExpectation(table: alter.table.value,
                                                 column: throughCopy ? walk!.derived.rewriteCopy(alter.column.value) : alter.column.value))
                } else if alter.type != nil || alter.up != nil {
                    out.append(ColumnExpectation(table: alter.table.value, column: alter.column.value, source: alter.column.value))
                }
            }
        }
        return out
    }

    static func renames(_ spec: MigrationSpec) -> [String: [String: String]] {
        var out: [String: [String: String]] = [:]
        for change in spec.changes {
            if let rename = change.operation.unit(RenameColumn.self) { out[rename.table.value, default: [:]][rename.to.value] = rename.from.value }
        }
        return out
    }

    static func tableRenames(_ spec: MigrationSpec) -> [String: String] {
        var out: [String: String] = [:]
        for change in spec.changes {
            if let rename = change.operation.unit(RenameTable.self) { out[rename.to.value] = rename.from.value }
        }
        return out
    }

    /// Tables the spec's changes name; with the tables whose shape the migration changes, what the traffic works on.
    static func namedTables(_ spec: MigrationSpec) -> Set<String> {
        var out: Set<String> = []
        for change in spec.changes {
            out.formUnion(change.operation.tables.map(\.value))
        }
        for table in spec.checksum?.tables ?? [] { out.insert(table.value) }
        return out
    }
}
