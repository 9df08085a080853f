import Yams

/// A literal environment variable. Only non-secret connection settings use these: credentials are
/// always read from the mounted Secret files.
public struct EnvVar: Sendable, Equatable {
    public var name: String
    public var value: String

    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }

    public func node() -> Node {
        ManifestYAML.mapping([("name", ManifestYAML.string(name)), ("value", ManifestYAML.string(value))])
    }
}
