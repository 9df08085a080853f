/// Reads SQL scripts the way the engines' command-line clients do (psql's `psqlscan.l`, the mysql and
/// mariadb clients' `add_line`), so that cutover sees the same statements and the same client commands
/// (`\!`, `\connect`, `system`, `source`…) as the client that will run the file.
///
/// Where the client's reading depends on something the text cannot pin down (PostgreSQL's
/// `standard_conforming_strings`, which psql re-reads after every statement; MySQL's
/// `NO_BACKSLASH_ESCAPES` and `ANSI_QUOTES`; whether a `/*+ */` or `/*M! */` comment is code, which
/// differs between the mysql and mariadb clients; psql before and after 15 on `1e'…'`), the lexer follows
/// every reading: it forks at the first byte where the readings differ and merges the readings again at
/// the next statement boundary where they agree. A command or problem found by any reading is reported.
/// Statements come from the default reading (the server defaults, following explicit `SET`s).
///
/// Every loop moves forward; a fork budget bounds the work on hostile input (`SQLLexProblem.tooAmbiguous`).
public enum SQLLexer {
    /// Everything the clients would see in `text`.
    public static func scan(_ text: String, engine: MigrationSpec.Engine) -> SQLLexResult {
        scan(text, engine: engine, collectStatements: true)
    }

    /// The statements as the client would send them, in order (`DELIMITER` applied, client commands left out).
    public static func statements(in text: String, engine: MigrationSpec.Engine) -> [SQLScriptStatement] {
        scan(text, engine: engine, collectStatements: true).statements
    }

    /// Commands and problems only: what validation and the emission guard need.
    public static func check(_ text: String, engine: MigrationSpec.Engine) -> SQLLexResult {
        scan(text, engine: engine, collectStatements: false)
    }

    /// `check` of UTF-8 bytes (a schema file as read), without making a String of them first.
    public static func check(bytes: [UInt8], engine: MigrationSpec.Engine) -> SQLLexResult {
        bytes.withUnsafeBufferPointer { scan($0, engine: engine, collectStatements: false) }
    }

    /// The text without pg_dump's `\restrict KEY` / `\unrestrict KEY` lines (each replaced by an empty
    /// line, so line numbers stay), for loading a dump through anything that is not psql 17.6 or later.
    /// Only lines the lexer reads as those commands are removed; the text is otherwise unchanged.
    public static func removingDumpRestrictLines(_ text: String) -> String {
        let restrict = check(text, engine: .postgresql).commands.filter { $0.kind == .dumpRestrict }
        guard !restrict.isEmpty else { return text }
        let bytes = Array(text.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var cursor = 0
        for command in restrict.sorted(by: { $0.offset < $1.offset }) where command.offset >= cursor {
            out.append(contentsOf: bytes[cursor..<command.offset])
            var end = command.offset
            while end < bytes.count && bytes[end] != 0x0A { end += 1 }
            cursor = end
        }
        out.append(contentsOf: bytes[cursor...])
        return String(decoding: out, as: UTF8.self)
    }

    static func scan(_ text: String, engine: MigrationSpec.Engine, collectStatements: Bool) -> SQLLexResult {
        var text = text
        return text.withUTF8 { scan($0, engine: engine, collectStatements: collectStatements) }
    }

    static func scan(_ buffer: UnsafeBufferPointer<UInt8>, engine: MigrationSpec.Engine, collectStatements: Bool) -> SQLLexResult {
        let recorder = SQLLexRecorder(bytes: buffer, collect: collectStatements)
        switch engine {
        case .postgresql: PostgresScanner.scan(buffer, recorder)
        case .mysql: MySQLScanner.scan(buffer, recorder)
        }
        return recorder.result()
    }
}
