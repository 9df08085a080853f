import CutoverPlan

/// Row counts and checksums of tables, per key range, to prove after a rehearsal that no row was
/// lost or changed. Rows are read in key order as canonical text (every column of the shape,
/// quoted, NULL spelled out) and hashed per range: a single-column integer key in ranges of
/// `width` values, any other key in 64 buckets of a hash of the key's text. Rows the app wrote
/// during the rehearsal can be left out (`excluding`), so only rows that existed before are compared.
/// Rows of a table whose key the table generates (identity, serial, AUTO_INCREMENT), alone or with
/// other columns (`tenant_id, id`), are compared up to the highest value of the generated column
/// when the first fingerprint was taken (`keyBounds`): the app's own statements
/// (`--traffic-old/--traffic-new`) insert rows whose generated keys nobody recorded, and those rows
/// are new, not seeded rows changed (user trials of issue #14). A generated key only grows.
public struct TableFingerprint: Sendable, Equatable {
    public struct Range: Sendable, Equatable {
        public var bucket: Int64
        /// For the user: `id 1000…1999` or `hash bucket 17 of 64`.
        public var label: String
        public var count: Int
        public var hash: String
        /// Per column of the shape (`columns`), the hash of that column's values in key order: a range
        /// whose contents differ names the columns that changed (trial 14c: "contents differ" alone
        /// took a manual server start to find `tier`).
        public var columnHashes: [String] = []
    }

    /// Ranges per table, ordered by bucket.
    public var tables: [String: [Range]]
    public var keyColumns: [String: [String]]
    /// The columns of each table, in the order of `Range.columnHashes`.
    public var columns: [String: [String]] = [:]
    /// Per table whose key holds a generated integer column: its highest value when the first
    /// fingerprint was taken (`NULL` when it was empty). A later fingerprint given them reads only
    /// rows up to it.
    public var keyBounds: [String: String] = [:]

    public static let hashBuckets = 64

    public static func take(shape: AppShape, tables: [String], session: SQLSession, engine: MigrationSpec.Engine,
                            excluding: [String: [[String]]] = [:], excludingColumns: [String: [String]] = [:],
                            bounds: [String: String]? = nil, width: Int = 1000) throws -> TableFingerprint {
        let d = TrafficSQL(engine)
        var result = TableFingerprint(tables: [:], keyColumns: [:])
        for name in tables {
            guard let table = shape.table(name), !table.columns.isEmpty else { continue }
            let columns = table.columns.map { d.identifier($0.name) }
            let columnTexts: [String]
            switch engine {
            case .postgresql: columnTexts = columns.map { "quote_nullable((\($0))::text)" }
            case .mysql: columnTexts = columns.map { "QUOTE(\($0))" }
            }
            let rowText = (engine == .postgresql ? "concat_ws('|', " : "CONCAT_WS('|', ") + columnTexts.joined(separator: ", ") + ")"
            let key = table.keyColumns
            let keyExpressions = key.isEmpty ? ["_cutover_r"] : key.map(d.identifier)
            var integerKey: String?
            if key.count == 1, let column = table.column(key[0]), ColumnKind.of(column, in: table, engine: engine).isInteger {
                integerKey = key[0]
            }
            let bucket: String
            if let integerKey {
                bucket = engine == .postgresql ? "floor(\(d.identifier(integerKey)) / \(width)::numeric)::bigint"
                    : "FLOOR(\(d.identifier(integerKey)) / \(width))"
            } else {
                let keyText = key.isEmpty ? rowText : (engine == .postgresql
                    ? "concat_ws('|', " + key.map { "quote_nullable((\(d.identifier($0)))::text)" }.joined(separator: ", ") + ")"
                    : "CONCAT_WS('|', " + key.map { "QUOTE(\(d.identifier($0)))" }.joined(separator: ", ") + ")")
                bucket = engine == .postgresql
                    ? "((('x' || substr(md5(\(keyText)), 1, 7))::bit(28)::int) % \(hashBuckets))"
                    : "(CONV(SUBSTR(MD5(\(keyText)), 1, 7), 16, 10) % \(hashBuckets))"
            }
            var conditions: [String] = []
            if let generatedKey = Self.generatedKeyColumn(table, engine: engine) {
                var bound: String?
                if let bounds {
                    bound = bounds[name]  // not in the first fingerprint: every row, as before
                } else {
                    let highest = engine == .postgresql
                        ? "SELECT json_build_array(max(\(d.identifier(generatedKey)))::text)::text FROM \(d.identifier(name))"
                        : "SELECT JSON_ARRAY(CAST(MAX(\(d.identifier(generatedKey))) AS CHAR)) FROM \(d.identifier(name))"
                    let max = try TrafficSQL.rows(session.query(highest)).first?.first ?? nil
                    bound = max.flatMap { Int64($0) }.map(String.init) ?? "NULL"
                }
                if let bound {
                    result.keyBounds[name] = bound
                    conditions.append("\(d.identifier(generatedKey)) <= \(bound)")
                }
            }
            // The app's rows are named by the key its version wrote them with: a table keyless in this
            // shape may have one in the new version's (addPrimaryKey), whose inserts are excluded by it.
            let excludedBy = excludingColumns[name] ?? key
            let excluded = (excluding[name] ?? []).filter { $0.count == excludedBy.count }
            if !excludedBy.isEmpty && !excluded.isEmpty {
                let tuple = "(" + excludedBy.map(d.identifier).joined(separator: ", ") + ")"
                let list = excluded.map { "(" + $0.map(d.literal).joined(separator: ", ") + ")" }.joined(separator: ", ")
                conditions.append("\(tuple) NOT IN (\(list))")
            }
            let filter = conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND ")
            let keySelect = key.isEmpty ? "" : ", " + key.map(d.identifier).joined(separator: ", ")
            let columnSelect = columnTexts.indices.map { ", \(columnTexts[$0]) AS _cutover_c\($0)" }.joined()
            let inner = "SELECT \(bucket) AS _cutover_b, \(rowText) AS _cutover_r\(columnSelect)\(keySelect) FROM \(d.identifier(name))\(filter)"
            let order = keyExpressions.joined(separator: ", ")
            let statement: String
            switch engine {
            case .postgresql:
                let perColumn = columnTexts.indices.map { ", md5(string_agg(coalesce(_cutover_c\($0), ''), E'\\n' ORDER BY \(order)))" }.joined()
                statement = "SELECT json_build_array(_cutover_b::text, count(*)::text, md5(string_agg(_cutover_r, E'\\n' ORDER BY \(order)))\(perColumn))::text FROM (\(inner)) AS x GROUP BY _cutover_b ORDER BY _cutover_b"
            case .mysql:
                let perColumn = columnTexts.indices.map { ", MD5(GROUP_CONCAT(_cutover_c\($0) ORDER BY \(order) SEPARATOR '\\n'))" }.joined()
                statement = "SET SESSION group_concat_max_len = 1073741824; SELECT JSON_ARRAY(CAST(_cutover_b AS CHAR), CAST(COUNT(*) AS CHAR), MD5(GROUP_CONCAT(_cutover_r ORDER BY \(order) SEPARATOR '\\n'))\(perColumn)) FROM (\(inner)) AS x GROUP BY _cutover_b ORDER BY _cutover_b"
            }
            var ranges: [Range] = []
            for row in try TrafficSQL.rows(session.query(statement)) where row.count == 3 + columnTexts.count {
                guard let bucketText = row[0], let value = Int64(bucketText.split(separator: ".").first ?? ""),
                      let count = row[1].flatMap({ Int($0) }) else { continue }
                let label = integerKey.map { "\($0) \(value * Int64(width))…\(value * Int64(width) + Int64(width) - 1)" }
                    ?? "hash bucket \(value) of \(hashBuckets)"
                ranges.append(Range(bucket: value, label: label, count: count, hash: row[2] ?? "", columnHashes: row[3...].map { $0 ?? "" }))
            }
            result.tables[name] = ranges.sorted { $0.bucket < $1.bucket }
            result.keyColumns[name] = key
            result.columns[name] = table.columns.map(\.name)
        }
        return result
    }

    /// The key column the table generates (identity, serial/bigserial, AUTO_INCREMENT), when its key
    /// has one: the key alone (`id`) or with other columns (`tenant_id, id` of a multi-tenant schema,
    /// `id, occurred_at` of a partitioned table, whose key must hold the partition column). A row
    /// with a value above the highest one at the first fingerprint was inserted later, whoever
    /// inserted it, so the whole key counts as generated, not natural (user trials 14i and 14j: the
    /// app's own inserts under such keys were reported as seeded rows changed). A key of columns
    /// the app gives (a natural key, a join table's two foreign keys) has none: every row is compared.
    static func generatedKeyColumn(_ table: TableShape, engine: MigrationSpec.Engine) -> String? {
        table.keyColumns.first { name in
            guard let column = table.column(name), column.generated else { return false }
            return ColumnKind.of(column, in: table, engine: engine).isInteger
        }
    }

    /// The rows of this fingerprint missing or changed in `later`, by table and key range.
    public func lost(comparedTo later: TableFingerprint) -> [String] {
        var problems: [String] = []
        for name in tables.keys.sorted() {
            let before = tables[name] ?? []
            guard let after = later.tables[name] else {
                problems.append("\(name): not in the later fingerprint (\(before.reduce(0) { $0 + $1.count }) rows before)")
                continue
            }
            let afterByBucket = Dictionary(after.map { ($0.bucket, $0) }, uniquingKeysWith: { first, _ in first })
            for range in before {
                guard let other = afterByBucket[range.bucket] else {
                    problems.append("\(name) \(range.label): \(range.count) rows before, none after")
                    continue
                }
                if other.count < range.count {
                    problems.append("\(name) \(range.label): \(range.count) rows before, \(other.count) after")
                } else if other.count != range.count || other.hash != range.hash {
                    problems.append("\(name) \(range.label): \(range.count) rows before, \(other.count) after, contents differ"
                                    + changedColumns(name, range, other, in: later))
                }
            }
        }
        return problems
    }

    /// ` in column(s) a, b` where the same rows (same count) differ only there; empty where it is not
    /// known (another count, other columns in the later fingerprint).
    private func changedColumns(_ table: String, _ before: Range, _ after: Range, in later: TableFingerprint) -> String {
        guard before.count == after.count, let names = columns[table], later.columns[table] == names,
              before.columnHashes.count == names.count, after.columnHashes.count == names.count else { return "" }
        let changed = names.indices.filter { before.columnHashes[$0] != after.columnHashes[$0] }.map { names[$0] }
        guard !changed.isEmpty else { return "" }
        return " in column\(changed.count == 1 ? "" : "s") \(changed.joined(separator: ", "))"
    }
}
