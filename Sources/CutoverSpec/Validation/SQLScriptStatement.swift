/// One statement of a script, as the engine's command-line client would send it to the server.
public struct SQLScriptStatement: Sendable, Hashable {
    /// PostgreSQL: the text psql sends (leading blanks and `--` comments dropped, the `;` kept).
    /// MySQL: the text the mysql client sends (comments other than `/*! */` and `/*+ */` dropped,
    /// the delimiter removed, trailing blanks trimmed).
    public var text: String
    /// Byte offset in the script of the statement's first character.
    public var offset: Int
    /// 1-based line and column (in Unicode scalars) of the statement's first character.
    public var line: Int
    public var column: Int

    public init(text: String, offset: Int, line: Int, column: Int) {
        self.text = text
        self.offset = offset
        self.line = line
        self.column = column
    }
}
