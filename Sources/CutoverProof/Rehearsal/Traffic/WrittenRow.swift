/// A row an app version inserted and did not delete: its key values as text, and the value it
/// last wrote to each column, as the SQL expression it sent (re-evaluated by the server to compare).
public struct WrittenRow: Sendable, Equatable {
    public var key: [String]
    public var values: [String: String]

    public init(key: [String], values: [String: String]) {
        self.key = key
        self.values = values
    }
}
