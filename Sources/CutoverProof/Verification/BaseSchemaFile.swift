import CutoverPlan
import Foundation

/// The copy of database.schema that verify and rehearse load. A real dump names users of the machine
/// it came from: MySQL views, triggers and routines carry `DEFINER=user@host` (creating them as another
/// user needs SUPER), PostgreSQL objects `OWNER TO role` and grants to roles that do not exist on a
/// throwaway server. The scratch owner is unprivileged, so those clauses and lines are blanked out
/// (lines keep their numbers, so a server error still points at the user's file); everything else is
/// loaded as written.
///
/// On MariaDB standing in for MySQL 8, MySQL 8's UCA 9.0.0 collations (`utf8mb4_0900_ai_ci`, the default
/// of every MySQL 8 table, so in nearly every real dump's `COLLATE=`) are unknown before MariaDB
/// 11.4.5 (ERROR 1273); they are loaded as MariaDB's UCA 14.0.0 NO PAD collations with the same
/// accent and case sensitivity (`utf8mb4_uca1400_nopad_ai_ci`), the mapping MariaDB 11.4.5 itself
/// applies. A language-tailored one (`utf8mb4_de_pb_0900_ai_ci`) loses its tailoring.
enum BaseSchemaFile {
    static func prepare(_ path: String, engine: MigrationSpec.Engine, standIn: Bool = false, into folder: String) throws -> (path: String, removed: Int, mapped: Int) {
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            return (path, 0, 0)
        }
        var (rewritten, removed) = strip(text, engine: engine)
        var mapped = 0
        if standIn && engine == .mysql { (rewritten, mapped) = mapCollations(rewritten) }
        guard removed + mapped > 0 else { return (path, 0, 0) }
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let copy = folder + "/" + URL(fileURLWithPath: path).lastPathComponent
        guard FileManager.default.createFile(atPath: copy, contents: Data(rewritten.utf8)) else {
            throw VerificationError.serverFailed("cannot write \(copy)")
        }
        return (copy, removed, mapped)
    }

    /// `utf8mb4_0900_ai_ci` → `utf8mb4_uca1400_nopad_ai_ci`, `utf8mb4_0900_bin` → `utf8mb4_nopad_bin`,
    /// with or without a language between the character set and `0900`.
    static func mapCollations(_ text: String) -> (String, Int) {
        var out = text, count = 0
        let rules: [(String, String)] = [
            (#"\b(utf8mb4)_(?:[a-z]{2,3}(?:_[a-z]{2,4})?_)?0900_bin\b"#, "$1_nopad_bin"),
            (#"\b(utf8mb4)_(?:[a-z]{2,3}(?:_[a-z]{2,4})?_)?0900_(ai_ci|as_ci|as_cs|ai_cs)\b"#, "$1_uca1400_nopad_$2"),
        ]
        for (pattern, template) in rules {
            guard let regex = try? NSRegularExpression(pattern: pattern, options: [.caseInsensitive]) else { continue }
            let range = NSRange(out.startIndex..., in: out)
            let found = regex.numberOfMatches(in: out, range: range)
            guard found > 0 else { continue }
            count += found
            out = regex.stringByReplacingMatches(in: out, range: range, withTemplate: template)
        }
        return (out, count)
    }

    static func strip(_ text: String, engine: MigrationSpec.Engine) -> (String, Int) {
        let pattern = engine == .mysql
            ? #"DEFINER\s*=\s*(?:`(?:[^`]|``)*`|'(?:[^'\\]|\\.|'')*'|[A-Za-z0-9_$.%-]+)(?:\s*@\s*(?:`(?:[^`]|``)*`|'(?:[^'\\]|\\.|'')*'|[A-Za-z0-9_$.%-]+))?(?:\s*\(\s*\))?"#
            : #"(?m)^(?:ALTER [A-Z ]+ .* OWNER TO [^;\n]+|GRANT [^;\n]+|REVOKE [^;\n]+);[ \t]*$"#
        guard let regex = try? NSRegularExpression(pattern: pattern) else { return (text, 0) }
        let range = NSRange(text.startIndex..., in: text)
        let count = regex.numberOfMatches(in: text, range: range)
        guard count > 0 else { return (text, 0) }
        return (regex.stringByReplacingMatches(in: text, range: range, withTemplate: engine == .mysql ? "" : "-- (not loaded by verify)"), count)
    }
}
