/// One statement of an app version that the server refused.
public struct TrafficFailure: Sendable, Equatable {
    /// The statement as sent.
    public var statement: String
    /// The server's error, as the client printed it.
    public var error: String
    /// Seconds from the start of the traffic to when the statement was sent.
    public var elapsed: Double
    /// insert, update, delete, select; connect (opening the session or setting the lock timeout);
    /// prepare (reading a table's keys before the loop).
    public var kind: String
    public var table: String

    public init(statement: String, error: String, elapsed: Double, kind: String = "", table: String = "") {
        self.statement = statement
        self.error = error
        self.elapsed = elapsed
        self.kind = kind
        self.table = table
    }
}
