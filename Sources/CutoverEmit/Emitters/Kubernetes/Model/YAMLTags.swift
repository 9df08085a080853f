import Yams

/// Tags shared by every node cutover builds: `Tag(.str)` looks up `Constructor.default`, which builds
/// a new constructor table on each call. Tags are reference types, but only `.implicit` ones are
/// ever mutated (when resolved), so sharing these explicit ones is safe.
enum YAMLTags {
    nonisolated(unsafe) static let str = Tag(.str)
    nonisolated(unsafe) static let int = Tag(.int)
    nonisolated(unsafe) static let bool = Tag(.bool)
    nonisolated(unsafe) static let map = Tag(.map)
    nonisolated(unsafe) static let seq = Tag(.seq)
}
