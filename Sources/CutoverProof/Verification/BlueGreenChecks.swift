import CutoverPlan
import Foundation

/// The data checks of a blue-green run, between phases (the schema cycle alone cannot show that
/// replication works):
/// - after the replicate phase: rows written on blue arrive on green;
/// - after the sequence-sync phase: every sequence on green that feeds a column is ahead of the
///   largest value of that column (logical replication copies rows, not sequences);
/// - after the reverse-replicate phase: rows written on green (with green's sequences) arrive on blue.
///
/// Test rows go into every published table of the writing side, parents before children: NOT NULL
/// columns without a default get a value of their type (a referenced row for a single-column
/// foreign key); a table that refuses them is noted and left out.
struct BlueGreenChecks {
    let environment: VerificationEnvironment
    let timeout: Double
    private var rowsPerTable = 3

    init(environment: VerificationEnvironment, timeout: Double) {
        self.environment = environment
        self.timeout = timeout
    }

    mutating func after(phase: Phase) -> StepVerdict? {
        switch phase {
        case .replicate: return replication(from: .blue, to: .green)
        case .sequenceSync: return sequences(on: .green)
        case .reverseReplicate: return replication(from: .green, to: .blue)
        default: return nil
        }
    }

    private func session(_ side: DatabaseSide) -> SQLSession { environment.session(for: side) }

    private static func fields(_ row: String) -> [String] {
        row.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
    }

    // MARK: replication

    private struct Column {
        var name: String
        var type: String
        var category: String
        var needsValue: Bool
        var reference: (table: String, column: String)?
    }

    private static let columnsQuery = """
    SELECT concat_ws(E'\\t', c.oid::regclass::text, quote_ident(a.attname), format_type(a.atttypid, a.atttypmod), t.typcategory,
           CASE WHEN a.attnotnull AND NOT a.atthasdef AND a.attidentity = '' AND a.attgenerated = '' THEN 'need' ELSE 'skip' END,
           coalesce((SELECT co.confrelid::regclass::text || E'\\t' || quote_ident(ra.attname)
                     FROM pg_constraint co JOIN pg_attribute ra ON ra.attrelid = co.confrelid AND ra.attnum = co.confkey[1]
                     WHERE co.contype = 'f' AND co.conrelid = c.oid AND cardinality(co.conkey) = 1 AND co.conkey[1] = a.attnum
                     LIMIT 1), ''))
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
    JOIN pg_type t ON t.oid = a.atttypid
    WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition
      AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname !~ '^pg_'
    ORDER BY c.oid::regclass::text, a.attnum
    """

    private static let publishedQuery = """
    SELECT DISTINCT format('%I.%I', schemaname, tablename)::regclass::text FROM pg_publication_tables ORDER BY 1
    """

    /// A value of `column`'s type for row `g` (1...n) of a test batch.
    private static func value(_ column: Column, seed: Int) -> String {
        if let reference = column.reference {
            return "(SELECT r.\(reference.column) FROM \(reference.table) r ORDER BY 1 DESC OFFSET g - 1 LIMIT 1)"
        }
        let type = column.type
        switch type {
        case "uuid": return "gen_random_uuid()"
        case "json", "jsonb": return "'{}'::\(type)"
        case "inet", "cidr": return "('10.0.' || (g % 250) || '.' || (\(seed) % 250))::\(type)"
        default: break
        }
        switch column.category {
        case "N": return "(\(seed) + g)::\(type)"
        case "S": return "('cutover-\(seed)-' || g)::\(type)"
        case "B": return "(g % 2 = 0)"
        case "D": return "now()::\(type)"
        case "T": return "(g || ' days')::interval"
        case "E": return "(enum_range(NULL::\(type)))[1]"
        case "A": return "'{}'::\(type)"
        default: return "NULL::\(type)"
        }
    }

    /// Writes test rows on `side`; returns the tables written and notes about the ones left out.
    private func writeRows(on side: DatabaseSide) throws -> (tables: [String], notes: [String]) {
        let session = self.session(side)
        let published = Set(try session.query(Self.publishedQuery))
        var columns: [String: [Column]] = [:]
        var order: [String] = []
        for row in try session.query(Self.columnsQuery) {
            let f = Self.fields(row)
            guard f.count >= 5 else { continue }
            if columns[f[0]] == nil { order.append(f[0]) }
            let reference = f.count >= 7 && !f[5].isEmpty ? (f[5], f[6]) : nil
            columns[f[0], default: []].append(Column(name: f[1], type: f[2], category: f[3], needsValue: f[4] == "need", reference: reference))
        }
        var pending = order.filter { published.contains($0) }
        var written: [String] = []
        var notes: [String] = []
        // Parents first: a table waits for the tables its NOT NULL foreign keys point to.
        while !pending.isEmpty {
            let ready = pending.filter { table in
                (columns[table] ?? []).allSatisfy { column in
                    guard column.needsValue, let reference = column.reference, reference.table != table else { return true }
                    return !pending.contains(reference.table)
                }
            }
            let batch = ready.isEmpty ? [pending[0]] : ready
            pending.removeAll { batch.contains($0) }
            for table in batch {
                let needed = (columns[table] ?? []).filter(\.needsValue)
                let seed = Int.random(in: 1000...20000)
                let sql: String
                if needed.isEmpty {
                    sql = Array(repeating: "INSERT INTO \(table) DEFAULT VALUES;", count: rowsPerTable).joined(separator: "\n")
                } else {
                    sql = "INSERT INTO \(table) (\(needed.map(\.name).joined(separator: ", "))) SELECT "
                        + needed.map { Self.value($0, seed: seed) }.joined(separator: ", ")
                        + " FROM generate_series(1, \(rowsPerTable)) AS g;"
                }
                do {
                    try session.execute(sql)
                    written.append(table)
                } catch let failure as SQLFailure {
                    notes.append("no test rows for \(table): \(failure.message.split(separator: "\n").first ?? "")")
                }
            }
        }
        return (written, notes)
    }

    private func counts(_ tables: [String], on side: DatabaseSide) throws -> [String: Int] {
        guard !tables.isEmpty else { return [:] }
        let sql = tables.enumerated().map { index, table in
            "SELECT '\(index)' || E'\\t' || (SELECT count(*) FROM \(table))::text"
        }.joined(separator: " UNION ALL ")
        var result: [String: Int] = [:]
        for row in try session(side).query(sql) {
            let f = Self.fields(row)
            if f.count == 2, let index = Int(f[0]), let count = Int(f[1]), index < tables.count { result[tables[index]] = count }
        }
        return result
    }

    private func replication(from source: DatabaseSide, to target: DatabaseSide) -> StepVerdict {
        var verdict = StepVerdict(name: "replication \(source.rawValue) → \(target.rawValue)")
        let start = Date()
        do {
            let (tables, notes) = try writeRows(on: source)
            verdict.notes += notes
            guard !tables.isEmpty else {
                verdict.fail("no published table on \(source.rawValue) took test rows (is there a publication?)")
                verdict.milliseconds = Int(Date().timeIntervalSince(start) * 1000)
                return verdict
            }
            let expected = try counts(tables, on: source)
            var arrived: [String: Int] = [:]
            let deadline = Date().addingTimeInterval(timeout)
            var targetError: String?
            while true {
                do {
                    arrived = try counts(tables, on: target)
                    targetError = nil
                } catch let failure as SQLFailure {
                    targetError = failure.message
                }
                if targetError == nil && tables.allSatisfy({ arrived[$0] == expected[$0] }) { break }
                if Date() >= deadline { break }
                usleep(50_000)
            }
            if let targetError {
                verdict.fail("cannot count the rows on \(target.rawValue)", details: targetError.split(separator: "\n").map(String.init))
            } else {
                let missing = tables.filter { arrived[$0] != expected[$0] }
                if missing.isEmpty {
                    let rows = expected.values.reduce(0, +)
                    verdict.notes.insert("test rows arrived: \(tables.count) table\(tables.count == 1 ? "" : "s") match, \(rows) rows", at: 0)
                } else {
                    verdict.fail("rows written on \(source.rawValue) did not arrive on \(target.rawValue) within \(Int(timeout)) s",
                                 details: missing.map { "\($0): \(source.rawValue) \(expected[$0] ?? 0) rows, \(target.rawValue) \(arrived[$0] ?? 0)" }
                                    + subscriptionState(on: target))
                }
            }
        } catch let failure as SQLFailure {
            verdict.fail("cannot write test rows on \(source.rawValue)", details: failure.message.split(separator: "\n").map(String.init))
        } catch {
            verdict.fail("\(error)")
        }
        verdict.milliseconds = Int(Date().timeIntervalSince(start) * 1000)
        return verdict
    }

    /// Subscriptions of the target and their table states, to explain rows that did not arrive.
    private func subscriptionState(on side: DatabaseSide) -> [String] {
        let rows = (try? session(side).query("""
        SELECT format('subscription %I on \(side.rawValue): enabled %s, tables %s', s.subname, s.subenabled,
               coalesce((SELECT string_agg(r.srrelid::regclass::text || '=' || r.srsubstate, ', ' ORDER BY 1) FROM pg_subscription_rel r WHERE r.srsubid = s.oid), 'none'))
        FROM pg_subscription s WHERE s.subdbid = (SELECT oid FROM pg_database WHERE datname = current_database())
        """)) ?? []
        return rows.isEmpty ? ["no subscription on \(side.rawValue)"] : rows
    }

    // MARK: sequences

    private static let sequencesQuery = """
    SELECT concat_ws(E'\\t', s.seqrelid::regclass::text, d.refobjid::regclass::text, quote_ident(a.attname),
           coalesce(pg_sequence_last_value(s.seqrelid) + s.seqincrement, s.seqstart)::text, s.seqincrement::text)
    FROM pg_sequence s
    JOIN pg_depend d ON d.classid = 'pg_class'::regclass AND d.objid = s.seqrelid AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i')
    JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
    ORDER BY 1
    """

    private func sequences(on side: DatabaseSide) -> StepVerdict {
        var verdict = StepVerdict(name: "sequences on \(side.rawValue)")
        let start = Date()
        do {
            let rows = try session(side).query(Self.sequencesQuery).map(Self.fields).filter { $0.count == 5 }
            guard !rows.isEmpty else {
                verdict.notes.append("no sequence feeds a column")
                verdict.milliseconds = Int(Date().timeIntervalSince(start) * 1000)
                return verdict
            }
            let sql = rows.enumerated().map { index, f in
                "SELECT '\(index)' || E'\\t' || coalesce((SELECT max(\(f[2])) FROM \(f[1]))::text, '')"
            }.joined(separator: " UNION ALL ")
            var maxima: [Int: String] = [:]
            for row in try session(side).query(sql) {
                let f = Self.fields(row)
                if f.count == 2, let index = Int(f[0]) { maxima[index] = f[1] }
            }
            var checked = 0
            for (index, f) in rows.enumerated() {
                guard let maxText = maxima[index], !maxText.isEmpty, let maxValue = Decimal(string: maxText),
                      let next = Decimal(string: f[3]), let increment = Decimal(string: f[4]), increment > 0 else { continue }
                checked += 1
                if next <= maxValue {
                    verdict.fail("\(f[0]) is behind the copied rows",
                                 details: ["\(f[0]): next value \(f[3]), but max(\(f[1]).\(f[2])) on \(side.rawValue) is \(maxText)"])
                }
            }
            if checked == 0 {
                verdict.fail("no rows on \(side.rawValue) to compare its sequences with (did replication copy any?)")
            } else if verdict.passed {
                verdict.notes.append("\(checked) sequence\(checked == 1 ? "" : "s") ahead of the copied rows")
            }
        } catch {
            verdict.fail("cannot read the sequences on \(side.rawValue): \(error)")
        }
        verdict.milliseconds = Int(Date().timeIntervalSince(start) * 1000)
        return verdict
    }
}
