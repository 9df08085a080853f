/// A column's `generated: {expression, stored}`: the server computes it from the row, on write (stored)
/// or on read (virtual, MySQL only before PostgreSQL 18).
public struct GeneratedColumn: Sendable {
    public var expression: Located<String>
    public var stored: Bool
    public var location: SourceLocation
}
