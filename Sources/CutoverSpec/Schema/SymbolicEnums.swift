/// Validation's view of PostgreSQL enum types, one change at a time (`SymbolicSchema.enums`): the
/// labels of each type the schema file defines or the spec creates, and the names other types take
/// (domains, composite types), which a createEnum cannot take either.
package struct SymbolicEnums {
    /// Labels in sort order, by type name.
    package private(set) var labels: [String: [String]] = [:]
    /// Names CREATE TYPE (not an enum) or CREATE DOMAIN define in the schema file.
    package private(set) var otherTypes: Set<String> = []

    init() {}

    init(_ schema: DatabaseSchema) {
        for type in schema.enumTypes { labels[type.name] = type.labels }
        otherTypes = Set(schema.userTypes).subtracting(labels.keys)
    }

    /// The labels of `name`: found, known missing (the schema file is complete and the spec did not
    /// create it), or unknown (no schema file, or a `sql` change ran since).
    package func lookup(_ name: String, complete: Bool) -> SymbolicSchema.Lookup<[String]>? {
        if let found = labels[name] { return .found(found) }
        return complete ? .missing(reason: nil) : nil
    }

    package var names: [String] { labels.keys.sorted() }

    package mutating func set(_ name: String, _ values: [String]) { labels[name] = values }
    package mutating func remove(_ name: String) { labels[name] = nil }
}
