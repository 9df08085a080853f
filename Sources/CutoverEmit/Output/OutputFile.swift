import CutoverPlan

/// One generated file, by its path relative to the migration's output folder.
///
/// The large documents are serialized to UTF-8 bytes, and the file keeps those bytes as they are
/// (`init(path:bytes:)`): turning them into a `String` only to write them out again copied every
/// large file once more. `contents` reads either form as text.
public struct OutputFile: Sendable, Equatable {
    public var path: String
    private var storage: Storage

    private enum Storage: Sendable {
        case text(String)
        case bytes([UInt8])
    }

    public init(path: String, contents: String) {
        self.path = path
        self.storage = .text(contents)
    }

    /// A file whose contents are UTF-8 bytes (serialized documents kept as the bytes they were written as).
    init(path: String, bytes: [UInt8]) {
        self.path = path
        self.storage = .bytes(bytes)
    }

    public var contents: String {
        get {
            switch storage {
            case .text(let text): return text
            case .bytes(let bytes): return String(decoding: bytes, as: UTF8.self)
            }
        }
        set { storage = .text(newValue) }
    }

    /// The size in bytes.
    var byteCount: Int {
        switch storage {
        case .text(let text): return text.utf8.count
        case .bytes(let bytes): return bytes.count
        }
    }

    /// Calls `body` with the contents as UTF-8, without copying them.
    func withBytes<Result>(_ body: (UnsafeRawBufferPointer) throws -> Result) rethrows -> Result {
        switch storage {
        case .text(var text): return try text.withUTF8 { try body(UnsafeRawBufferPointer($0)) }
        case .bytes(let bytes): return try bytes.withUnsafeBytes(body)
        }
    }

    public static func == (lhs: OutputFile, rhs: OutputFile) -> Bool {
        lhs.path == rhs.path && lhs.withBytes { a in rhs.withBytes { b in a.elementsEqual(b) } }
    }
}

/// Stage 4: plan to files. Every emitter is one of these; the writer takes their union.
///
/// Emitters hand their files to a sink one at a time, so `generate` writes (and hashes) each file
/// as soon as it exists and never holds the whole tree; the work several emitters share (the SQL
/// text, the Jobs, the object lists) comes from one `EmissionContext`.
public protocol Emitting: Sendable {
    func emit(_ context: EmissionContext, to sink: (OutputFile) throws -> Void) rethrows
    /// True for emitters of many small files that take little work to make (the SQL layouts): they
    /// run first, so the writer thread is busy creating files while the large documents are built.
    var makesManySmallFiles: Bool { get }
}

extension Emitting {
    public var makesManySmallFiles: Bool { false }

    /// Every file of the plan, collected (tests, and callers that want a list).
    public func emit(_ plan: MigrationPlan) -> [OutputFile] {
        var files: [OutputFile] = []
        emit(EmissionContext(plan)) { files.append($0) }
        return files
    }
}
