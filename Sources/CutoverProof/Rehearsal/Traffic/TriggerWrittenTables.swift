import CutoverPlan
import Foundation

/// Tables the schema's own triggers insert into (sakila's `film_text`, which a trigger on `film`
/// fills): the app does not write them, the trigger does, with keys of its own choosing. Rows
/// written there directly would take the keys the trigger is about to use, so the seeder leaves
/// such a table to the trigger and the app traffic only reads it. cutover's own triggers
/// (`_cutover_…`) do not count.
enum TriggerWrittenTables {
    static func read(session: SQLSession, engine: MigrationSpec.Engine) throws -> Set<String> {
        let d = TrafficSQL(engine)
        let sql: String
        switch engine {
        case .postgresql:
            sql = "SELECT " + d.jsonArray(["p.prosrc"]) + " FROM pg_trigger t JOIN pg_proc p ON p.oid = t.tgfoid"
                + " WHERE NOT t.tgisinternal AND left(t.tgname, 9) <> '_cutover_'"
        case .mysql:
            sql = "SELECT " + d.jsonArray(["ACTION_STATEMENT"]) + " FROM information_schema.TRIGGERS"
                + " WHERE TRIGGER_SCHEMA = DATABASE() AND LEFT(TRIGGER_NAME, 9) <> '_cutover_'"
        }
        var written = Set<String>()
        for row in try TrafficSQL.rows(session.query(sql)) {
            guard let body = row.first ?? nil else { continue }
            written.formUnion(tables(insertedIn: body))
        }
        return written
    }

    /// The tables of `INSERT INTO [schema.]table` in a trigger body (quoted or not; unquoted
    /// names as the server folds them are matched without case by the callers).
    static func tables(insertedIn body: String) -> Set<String> {
        let name = #"(?:"([^"]+)"|`([^`]+)`|([A-Za-z_][A-Za-z0-9_$]*))"#
        let pattern = #"(?i)\bINSERT\s+(?:IGNORE\s+)?INTO\s+(?:"# + name + #"\s*\.\s*)?"# + name
        guard let regex = try? NSRegularExpression(pattern: pattern) else { return [] }
        var out = Set<String>()
        let text = body as NSString
        for match in regex.matches(in: body, range: NSRange(location: 0, length: text.length)) {
            for group in 4...6 where match.range(at: group).location != NSNotFound {
                out.insert(text.substring(with: match.range(at: group)))
            }
        }
        return out
    }

    /// Whether `table` is one of `written` (an unquoted name compares without case).
    static func contains(_ written: Set<String>, _ table: String) -> Bool {
        written.contains(table) || written.contains { $0.lowercased() == table.lowercased() }
    }
}
