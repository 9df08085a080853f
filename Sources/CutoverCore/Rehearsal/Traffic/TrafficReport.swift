/// What one app version's traffic sent and what failed.
public struct TrafficReport: Sendable {
    public var version: String
    public var sent: Int
    public var failed: Int
    /// The first failures (at most `AppTraffic.failureLimit`), in the order they happened.
    public var failures: [TrafficFailure]
    public var inserts: Int
    public var updates: Int
    public var deletes: Int
    public var selects: Int
    /// Failures per statement kind (insert, update, delete, select, connect).
    public var failedByKind: [String: Int]
    /// Rows this version inserted and did not delete, by table: key values as text, in
    /// `keyColumns[table]` order. The integrity check after rollback looks for them.
    public var writtenKeys: [String: [[String]]]
    public var keyColumns: [String: [String]]
    /// Seconds between start() and stop().
    public var seconds: Double

    public init(version: String) {
        self.version = version
        sent = 0
        failed = 0
        failures = []
        inserts = 0
        updates = 0
        deletes = 0
        selects = 0
        failedByKind = [:]
        writtenKeys = [:]
        keyColumns = [:]
        seconds = 0
    }
}
