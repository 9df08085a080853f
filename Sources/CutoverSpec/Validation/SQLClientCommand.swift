/// A command the engine's command-line client would run itself instead of sending it to the server:
/// a psql meta-command (`\!`, `\connect`, `\i`…) or a mysql client command (`\!`, `system`, `source`…).
public struct SQLClientCommand: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable {
        /// Any client command: refused everywhere.
        case command
        /// A dump tool's own guard line, recognised exactly: pg_dump's `\restrict KEY` / `\unrestrict KEY`
        /// (the whole line, key alphanumeric; accepted in a base schema and stripped before loading, never
        /// executed) and mariadb-dump's `/*M!999999\- enable the sandbox mode */` (it only restricts the
        /// mariadb client).
        case dumpRestrict
        /// The mysql client's `DELIMITER x` line: changes the statement terminator, runs nothing.
        case delimiter
    }

    public var kind: Kind
    /// The command as written: `\!`, `\connect`, `system`, `DELIMITER`.
    public var name: String
    /// Byte offset of the command's first character (the backslash, or the command word).
    public var offset: Int
    public var line: Int
    public var column: Int
    /// Set when only a non-default reading finds the command, e.g. "when standard_conforming_strings is off".
    public var assumption: String?

    public init(kind: Kind, name: String, offset: Int, line: Int, column: Int, assumption: String? = nil) {
        self.kind = kind
        self.name = name
        self.offset = offset
        self.line = line
        self.column = column
        self.assumption = assumption
    }
}
