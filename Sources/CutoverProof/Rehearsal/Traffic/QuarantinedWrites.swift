import CutoverPlan

/// After expand's rollback, what an app version wrote into the columns expand added must still be
/// there, under the quarantine names the rollback gave them (`RollbackQuarantine`). `lostWrites`
/// compares the base schema's columns only, where an added column's values do not appear: a rollback
/// that drops the column loses them and passes that check, not this one.
extension TrafficReport {
    /// One message per added column gone, and per row whose kept value differs from what this
    /// version wrote last. `shape`: the shape the version wrote in (the column's kind, for MySQL's
    /// byte-for-byte comparison of strings). A row that is missing altogether is `lostWrites`' to report.
    func lostQuarantinedWrites(_ quarantine: RollbackQuarantine, shape: AppShape, session: SQLSession,
                               engine: MigrationSpec.Engine) throws -> [String] {
        let d = TrafficSQL(engine)
        let kept = quarantine.byTable
        let filled = Set(quarantine.columns.filter(\.filled).map { "\($0.table).\($0.column)" })
        var problems: [String] = []
        for table in writtenRows.keys.sorted() {
            guard let names = kept[table], let rows = writtenRows[table], !rows.isEmpty,
                  let key = keyColumns[table], !key.isEmpty else { continue }
            let written = names.keys.sorted().filter { column in rows.contains { $0.values[column] != nil } }
            guard !written.isEmpty else { continue }
            let schema = engine == .postgresql ? "current_schema()" : "DATABASE()"
            let present = Set(try TrafficSQL.rows(session.query(
                "SELECT \(d.jsonArray(["column_name"])) FROM information_schema.columns WHERE table_schema = \(schema) AND table_name = \(d.literal(table))"))
                .compactMap { $0.first ?? nil })
            for column in written where !present.contains(names[column]!) {
                problems.append("\(table).\(column): what the \(version) version wrote is gone (no column \(names[column]!) after the rollback)")
            }
            let checked = written.filter { present.contains(names[$0]!) }
            guard !checked.isEmpty else { continue }
            let current = shape.table(table)
            for start in stride(from: 0, to: rows.count, by: 100) {
                let batch = rows[start..<min(rows.count, start + 100)]
                let selects = batch.enumerated().map { offset, row -> String in
                    let condition = d.keyCondition(key, row.key)
                    let same = checked.compactMap { column -> String? in
                        guard let value = row.values[column] else { return nil }
                        let q = d.identifier(names[column]!)
                        let equal: String
                        switch engine {
                        case .postgresql: equal = "(\(q))::text IS NOT DISTINCT FROM (\(value))::text"
                        case .mysql:
                            switch current?.column(column).map({ ColumnKind.of($0, in: current, engine: engine) }) {
                            case .text?, .enumeration?, .json?, .uuid?, .binary?: equal = "BINARY \(q) <=> BINARY (\(value))"
                            default: equal = "\(q) <=> (\(value))"
                            }
                        }
                        // The spec's `up` trigger filled a NULL the version left (until the rollback removed it).
                        return filled.contains("\(table).\(column)") ? "((\(value)) IS NULL OR \(equal))" : equal
                    }
                    let matches = ([condition] + same).joined(separator: " AND ")
                    let quoted = d.identifier(table)
                    return "SELECT \(d.jsonArray(["'\(offset)'", d.text("(SELECT count(*) FROM \(quoted) WHERE \(condition))"), d.text("(SELECT count(*) FROM \(quoted) WHERE \(matches))")]))"
                }
                for answer in try TrafficSQL.rows(session.query(selects.joined(separator: " UNION ALL "))) where answer.count == 3 {
                    guard let offset = answer[0].flatMap({ Int($0) }), offset < batch.count, answer[1] != "0", answer[2] == "0" else { continue }
                    let row = batch[batch.startIndex + offset]
                    let columns = checked.filter { row.values[$0] != nil }.map { "\($0) as \(names[$0]!)" }.joined(separator: ", ")
                    problems.append("\(table) (\(zip(key, row.key).map { "\($0)=\($1)" }.joined(separator: ", "))), written by \(version): not kept (\(columns))")
                }
            }
        }
        return problems
    }
}
