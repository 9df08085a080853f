import Yams

/// One string entry of a labels, annotations, selector or data mapping. Lists of these keep their order.
public struct KeyValue: Sendable, Equatable {
    public var key: String
    public var value: String

    public init(_ key: String, _ value: String) {
        self.key = key
        self.value = value
    }

    public static func node(_ entries: [KeyValue]) -> Node {
        ManifestYAML.mapping(entries.map { ($0.key, ManifestYAML.string($0.value)) })
    }

    /// Entries of a Swift dictionary, sorted by key so output never depends on hashing.
    public static func sorted(_ dictionary: [String: String]) -> [KeyValue] {
        dictionary.keys.sorted().map { KeyValue($0, dictionary[$0]!) }
    }
}
