import CutoverPlan

/// Checks, when the new version starts serving, that the columns it expects filled are filled.
public enum Completeness {
    /// One message per expectation that does not hold (rows with the column NULL, or the column
    /// missing altogether); empty when all hold. Throws only when the session itself fails.
    public static func check(expectations: [ColumnExpectation], session: SQLSession, engine: MigrationSpec.Engine) throws -> [String] {
        let d = TrafficSQL(engine)
        var problems: [String] = []
        for expectation in expectations {
            let column = d.identifier(expectation.column)
            var missing = "\(column) IS NULL"
            if let source = expectation.source { missing = "\(d.identifier(source)) IS NOT NULL AND " + missing }
            let statement = "SELECT \(d.jsonArray([d.text("count(*)"), d.text("coalesce(sum(CASE WHEN \(missing) THEN 1 ELSE 0 END), 0)")])) FROM \(d.identifier(expectation.table))"
            let rows: [[String?]]
            do { rows = try TrafficSQL.rows(session.query(statement)) } catch let failure as SQLFailure {
                problems.append("\(expectation.table).\(expectation.column): cannot be read: \(failure.message.split(separator: "\n").first ?? "")")
                continue
            }
            guard let row = rows.first, row.count == 2, let total = row[0].flatMap({ Int($0) }),
                  let empty = row[1].flatMap({ Int($0.split(separator: ".").first ?? "") }) else {
                throw SQLFailure("completeness: unexpected answer for \(expectation.table).\(expectation.column)")
            }
            if empty > 0 {
                let condition = expectation.source.map { " where \($0) is not" } ?? ""
                problems.append("\(expectation.table).\(expectation.column): \(empty) of \(total) rows are NULL\(condition)")
            }
        }
        return problems
    }
}
