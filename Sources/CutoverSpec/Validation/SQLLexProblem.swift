/// Text the client would read past its end: an unterminated quote, dollar quote, quoted name or comment,
/// or a script the lexer cannot read one way only.
public struct SQLLexProblem: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable {
        case unterminatedString = "string"
        case unterminatedIdentifier = "quoted name"
        case unterminatedDollarQuote = "dollar quote"
        case unterminatedComment = "comment"
        /// PostgreSQL `client_encoding` / `SET NAMES`: psql re-reads every later byte in the new encoding.
        case encodingChange = "client encoding change"
        /// More readings (standard_conforming_strings, sql_mode, client flavour) than the lexer follows.
        case tooAmbiguous = "ambiguous text"
    }

    public var kind: Kind
    /// Byte offset of the opening quote or comment (the statement, for the other kinds).
    public var offset: Int
    public var line: Int
    public var column: Int
    public var assumption: String?

    public init(kind: Kind, offset: Int, line: Int, column: Int, assumption: String? = nil) {
        self.kind = kind
        self.offset = offset
        self.line = line
        self.column = column
        self.assumption = assumption
    }
}
