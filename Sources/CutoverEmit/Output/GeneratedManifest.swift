import Foundation

/// `.cutover-manifest.json`: which files in an output folder cutover wrote, with their SHA-256, so a
/// later run removes only its own files and `--check` can tell generated files from the user's.
public struct GeneratedManifest: Codable, Sendable, Equatable {
    public struct Entry: Codable, Sendable, Equatable {
        public var path: String
        public var sha256: String
    }

    public static let fileName = ".cutover-manifest.json"

    public var format: String = "cutover.dev/manifest/v1"
    public var files: [Entry]

    public init(files: [OutputFile]) {
        self.init(entries: files.map { Entry(path: $0.path, sha256: SHA256.hex($0.contents)) })
    }

    /// The entries sorted by path.
    public init(entries: [Entry]) {
        self.files = entries.sorted { $0.path < $1.path }
    }

    public func encoded() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: (try? encoder.encode(self)) ?? Data(), as: UTF8.self) + "\n"
    }

    func encodedBytes() -> [UInt8] { Array(encoded().utf8) }

    /// Larger than any manifest cutover writes (about 100 bytes a file); a bigger one is refused
    /// before it is read.
    public static let maxBytes = 16 * 1024 * 1024

    /// The manifest in `folder`, or nil when there is none, it is unreadable or too large (then
    /// nothing counts as generated); entries outside the folder are dropped. The writer itself
    /// uses `OutputWriter.readManifest`, which says why a manifest is refused.
    public static func read(in folder: URL) -> GeneratedManifest? {
        try? OutputWriter.readManifest(in: folder.path, display: folder.path)
    }
}
