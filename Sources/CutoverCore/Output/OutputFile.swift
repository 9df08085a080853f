/// One generated file, by its path relative to the migration's output folder.
public struct OutputFile: Sendable, Equatable {
    public var path: String
    public var contents: String

    public init(path: String, contents: String) {
        self.path = path
        self.contents = contents
    }
}

/// Stage 4: plan to files. Every emitter is one of these; the writer takes their union.
public protocol Emitting: Sendable {
    func emit(_ plan: MigrationPlan) -> [OutputFile]
}
