import CutoverPlan

/// One database connection held for a whole verification run, through a client library (libpq,
/// MariaDB Connector/C). Files are applied statement by statement as the runner's client applies
/// them (psql `-v ON_ERROR_STOP=1`, never `-1`; the mariadb client in batch mode), stopping at the
/// first error; a file with a client command is refused. After an error the session reconnects by
/// itself when it must, so the caller can go on.
public protocol SQLSession: AnyObject {
    var engine: MigrationSpec.Engine { get }
    /// The connection, for messages and for another side's subscription.
    var connection: ConnectionParameters { get }

    /// Applies a SQL file; throws `SQLFailure` with the server's message, located, when a statement fails.
    func apply(file path: String) throws
    /// Runs statements; throws `SQLFailure` on an error.
    func execute(_ sql: String) throws
    /// Runs one query and returns the first column of each row (NULL as "").
    func query(_ sql: String) throws -> [String]
    /// The schema from the catalog.
    func snapshot() throws -> SchemaSnapshot
    func close()
}

/// A statement failed; `message` is the server's error as the client would print it (located in the file).
public struct SQLFailure: Error, CustomStringConvertible, Sendable {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
