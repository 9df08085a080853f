import CutoverPlan
import Foundation

/// Columns the schema's own triggers assign (`NEW.col := …` in a PostgreSQL trigger function,
/// `SET NEW.col = …` in a MySQL trigger, a C trigger's column arguments) or MySQL sets on update
/// (`ON UPDATE CURRENT_TIMESTAMP`), per table. What the app wrote there is not what the row
/// holds (a `BEFORE INSERT` trigger that stores `LOWER(email)`, say), so the written-row check
/// compares every other column and leaves these out. cutover's own sync triggers (`_cutover_…`) are
/// never left out: their effect is what the rehearsal proves.
enum TriggerAssignedColumns {
    static func read(session: SQLSession, engine: MigrationSpec.Engine) throws -> [String: Set<String>] {
        let d = TrafficSQL(engine)
        let sql: String
        switch engine {
        case .postgresql:
            // A trigger function in C (tsvector_update_trigger('fulltext', …), moddatetime('updated_at'))
            // has no body to read: the arguments that name a column of the table count as assigned.
            sql = "SELECT " + d.jsonArray(["c.relname::text", "p.prosrc", "encode(t.tgargs, 'escape')"]) + " FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid"
                + " JOIN pg_proc p ON p.oid = t.tgfoid WHERE NOT t.tgisinternal AND left(t.tgname, 9) <> '_cutover_'"
        case .mysql:
            sql = "SELECT " + d.jsonArray(["EVENT_OBJECT_TABLE", "ACTION_STATEMENT", "''"]) + " FROM information_schema.TRIGGERS"
                + " WHERE TRIGGER_SCHEMA = DATABASE() AND LEFT(TRIGGER_NAME, 9) <> '_cutover_'"
        }
        var assigned: [String: Set<String>] = [:]
        for row in try TrafficSQL.rows(session.query(sql)) where row.count == 3 {
            guard let table = row[0], let body = row[1] else { continue }
            assigned[table, default: []].formUnion(columns(assignedIn: body))
            assigned[table, default: []].formUnion(arguments(row[2] ?? ""))
        }
        if engine == .mysql {
            // `ON UPDATE CURRENT_TIMESTAMP` (sakila's last_update): the server sets it on every update.
            for row in try TrafficSQL.rows(session.query("SELECT " + d.jsonArray(["TABLE_NAME", "COLUMN_NAME"])
                + " FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND LOWER(EXTRA) LIKE '%on update%'")) where row.count == 2 {
                guard let table = row[0], let column = row[1] else { continue }
                assigned[table, default: []].insert(column)
            }
        }
        return assigned
    }

    /// The arguments of a PostgreSQL trigger as `encode(tgargs, 'escape')` prints them (each ends in `\\000`).
    static func arguments(_ escaped: String) -> Set<String> {
        Set(escaped.components(separatedBy: "\\000").filter { !$0.isEmpty })
    }

    /// `NEW.name` (quoted or not) followed by `=` or `:=`, case-insensitively; a comparison
    /// (`NEW.a = OLD.a` in an IF) counts too, which only leaves out more.
    static func columns(assignedIn body: String) -> Set<String> {
        let pattern = #"(?i)\bNEW\s*\.\s*(?:"([^"]+)"|`([^`]+)`|([A-Za-z_][A-Za-z0-9_$]*))\s*:?="#
        guard let regex = try? NSRegularExpression(pattern: pattern) else { return [] }
        var out: Set<String> = []
        let text = body as NSString
        for match in regex.matches(in: body, range: NSRange(location: 0, length: text.length)) {
            for group in 1...3 where match.range(at: group).location != NSNotFound {
                out.insert(text.substring(with: match.range(at: group)))
            }
        }
        return out
    }

    /// Whether `column` is one of `assigned`: exactly (a quoted name) or without case (an unquoted
    /// PostgreSQL name folds to lower case; MySQL column names ignore case).
    static func contains(_ assigned: Set<String>, _ column: String) -> Bool {
        assigned.contains(column) || assigned.contains { $0.lowercased() == column.lowercased() }
    }
}
