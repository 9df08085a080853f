/// Bounds checked before and during parsing, so hostile input costs milliseconds and bounded memory.
public struct InputLimits: Sendable, Equatable {
    public var maxBytes: Int
    public var maxDepth: Int
    public var maxNodes: Int
    public var maxScalarBytes: Int
    public var maxChanges: Int
    /// Keys in one mapping and items in one list; the spec's widest real collection is `changes`.
    public var maxCollectionSize: Int

    public init(
        maxBytes: Int = 4 * 1024 * 1024,
        maxDepth: Int = 32,
        maxNodes: Int = 1_000_000,
        maxScalarBytes: Int = 256 * 1024,
        maxChanges: Int = 50_000,
        maxCollectionSize: Int = 100_000
    ) {
        self.maxBytes = maxBytes
        self.maxDepth = maxDepth
        self.maxNodes = maxNodes
        self.maxScalarBytes = maxScalarBytes
        self.maxChanges = maxChanges
        self.maxCollectionSize = maxCollectionSize
    }

    public static let `default` = InputLimits()
}
