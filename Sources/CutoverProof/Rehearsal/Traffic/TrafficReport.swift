import CutoverPlan

/// What one app version's traffic sent and what failed.
public struct TrafficReport: Sendable {
    public var version: String
    public var sent: Int
    public var failed: Int
    /// The first failures (at most `AppTraffic.failureLimit`), in the order they happened.
    public var failures: [TrafficFailure]
    public var inserts: Int
    public var updates: Int
    public var deletes: Int
    public var selects: Int
    /// Failures per statement kind (insert, update, delete, select, connect).
    public var failedByKind: [String: Int]
    /// Rows this version inserted and did not delete, by table: key values as text, in
    /// `keyColumns[table]` order. The integrity check after rollback looks for them.
    public var writtenKeys: [String: [[String]]]
    public var keyColumns: [String: [String]]
    /// The same rows with the values last written to them.
    public var writtenRows: [String: [WrittenRow]]
    /// Seconds between start() and stop().
    public var seconds: Double

    public init(version: String) {
        self.version = version
        sent = 0
        failed = 0
        failures = []
        inserts = 0
        updates = 0
        deletes = 0
        selects = 0
        failedByKind = [:]
        writtenKeys = [:]
        keyColumns = [:]
        writtenRows = [:]
        seconds = 0
    }

    /// The same report with each table named as `names` maps it (a renamed table's rows, checked
    /// after the rollback under its base name).
    func renamingTables(_ names: [String: String]) -> TrafficReport {
        guard !names.isEmpty else { return self }
        var copy = self
        func renamed<Value>(_ map: [String: [Value]]) -> [String: [Value]] {
            var out: [String: [Value]] = [:]
            for (table, values) in map { out[names[table] ?? table, default: []] += values }
            return out
        }
        copy.writtenKeys = renamed(writtenKeys)
        copy.writtenRows = renamed(writtenRows)
        copy.keyColumns = Dictionary(keyColumns.map { (names[$0.key] ?? $0.key, $0.value) }) { first, _ in first }
        return copy
    }

    /// The rows this version wrote that are missing, or whose columns no longer hold what it
    /// wrote last, compared on the columns `shape` still has (e.g. the base schema after a
    /// rollback). One message per row; empty when every row is intact.
    ///
    /// `converted`: per table, the columns the rollback converted back to another type (`down` or the
    /// engine's cast). What the new version wrote there is stored converted, so those columns are
    /// left out of its rows (the rollback's fit check refuses values that do not convert).
    ///
    /// `scriptUpdated`/`scriptDeleted`: tables the app's own statements (`--traffic-old/-new`) update or
    /// delete from: a row there may hold what such a statement wrote last, or be gone by it, so "changed"
    /// (or "missing") is not reported there (trial 14d: a `--traffic-new` UPDATE changed a row the old
    /// version's derived traffic inserted, in 4 of 8 runs).
    public func lostWrites(shape: AppShape, session: SQLSession, engine: MigrationSpec.Engine,
                           converted: [String: Set<String>] = [:], scriptUpdated: Set<String> = [], scriptDeleted: Set<String> = []) throws -> [String] {
        let d = TrafficSQL(engine)
        var problems: [String] = []
        let triggered = writtenRows.isEmpty ? [:] : try TriggerAssignedColumns.read(session: session, engine: engine)
        for table in writtenRows.keys.sorted() {
            guard let rows = writtenRows[table], !rows.isEmpty, let key = keyColumns[table], !key.isEmpty,
                  let current = shape.table(table), key.allSatisfy({ current.column($0) != nil }) else { continue }
            let known = Set(current.columns.map(\.name))
            for start in stride(from: 0, to: rows.count, by: 100) {
                let batch = rows[start..<min(rows.count, start + 100)]
                let selects = batch.enumerated().map { offset, row -> String in
                    let condition = d.keyCondition(key, row.key)
                    let same = row.values.keys.sorted().filter { column in
                        known.contains(column) && !key.contains(column) && !TriggerAssignedColumns.contains(triggered[table] ?? [], column)
                            && !(converted[table]?.contains(column) ?? false)
                    }.map { column -> String in
                        let value = row.values[column]!
                        switch engine {
                        case .postgresql: return "(\(d.identifier(column)))::text IS NOT DISTINCT FROM (\(value))::text"
                        case .mysql:
                            // Strings byte for byte: the column's collation and the expression's may differ.
                            switch current.column(column).map({ ColumnKind.of($0, in: current, engine: engine) }) {
                            case .text?, .enumeration?, .json?, .uuid?, .binary?:
                                return "BINARY \(d.identifier(column)) <=> BINARY (\(value))"
                            default:
                                return "\(d.identifier(column)) <=> (\(value))"
                            }
                        }
                    }
                    let matches = ([condition] + same).joined(separator: " AND ")
                    let quoted = d.identifier(table)
                    return "SELECT \(d.jsonArray(["'\(offset)'", d.text("(SELECT count(*) FROM \(quoted) WHERE \(condition))"), d.text("(SELECT count(*) FROM \(quoted) WHERE \(matches))")]))"
                }
                let answers = try TrafficSQL.rows(session.query(selects.joined(separator: " UNION ALL ")))
                for answer in answers where answer.count == 3 {
                    guard let offset = answer[0].flatMap({ Int($0) }), offset < batch.count else { continue }
                    let row = batch[batch.startIndex + offset]
                    let label = "\(table) (\(zip(key, row.key).map { "\($0)=\($1)" }.joined(separator: ", "))), written by \(version)"
                    if answer[1] == "0" {
                        if !scriptDeleted.contains(table) { problems.append("\(label): missing") }
                    } else if answer[2] == "0" && !scriptUpdated.contains(table) {
                        problems.append("\(label): changed")
                    }
                }
            }
        }
        return problems
    }
}
