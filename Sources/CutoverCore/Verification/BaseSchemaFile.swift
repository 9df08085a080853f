import Foundation

/// The copy of database.schema that verify and rehearse load. A real dump names users of the machine
/// it came from: MySQL views, triggers and routines carry `DEFINER=user@host` (creating them as another
/// user needs SUPER), PostgreSQL objects `OWNER TO role` and grants to roles that do not exist on a
/// throwaway server. The scratch owner is unprivileged, so those clauses and lines are blanked out
/// (lines keep their numbers, so a server error still points at the user's file); everything else is
/// loaded as written.
enum BaseSchemaFile {
    static func prepare(_ path: String, engine: MigrationSpec.Engine, into folder: String) throws -> (path: String, removed: Int) {
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            return (path, 0)
        }
        let (rewritten, removed) = strip(text, engine: engine)
        guard removed > 0 else { return (path, 0) }
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let copy = folder + "/" + URL(fileURLWithPath: path).lastPathComponent
        guard FileManager.default.createFile(atPath: copy, contents: Data(rewritten.utf8)) else {
            throw VerificationError.serverFailed("cannot write \(copy)")
        }
        return (copy, removed)
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
