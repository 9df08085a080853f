/// PostgreSQL's replica identity of a table (`ALTER TABLE … REPLICA IDENTITY …`): which old-row columns
/// an UPDATE or DELETE writes to the WAL for logical replication. `primaryKey` is the server's DEFAULT.
public enum ReplicaIdentity: Sendable, Equatable {
    case primaryKey
    case full
    case nothing
    case index(String)

    /// The clause after `REPLICA IDENTITY`, with the index name quoted by `quote`.
    public func sql(_ quote: (String) -> String) -> String {
        switch self {
        case .primaryKey: return "DEFAULT"
        case .full: return "FULL"
        case .nothing: return "NOTHING"
        case .index(let name): return "USING INDEX \(quote(name))"
        }
    }

    /// As a spec writes it: `default`, `full`, `nothing`, `index <name>`.
    public var words: String {
        switch self {
        case .primaryKey: return "default"
        case .full: return "full"
        case .nothing: return "nothing"
        case .index(let name): return "index \(name)"
        }
    }
}
