import CutoverPlan
import CutoverEmit
import Foundation

/// The whole pipeline for one spec: bytes → source → syntax tree → validated spec → plan → files.
/// Each stage is a protocol value, so tests and the fuzzer can drive or replace any of them.
public struct Compiler: Sendable {
    public var limits: InputLimits
    public var decoder: any SourceDecoding
    public var parser: any SyntaxParsing
    public var validator: any SpecValidating
    public var planner: any Planning
    public var emitters: [any Emitting]

    public init(limits: InputLimits = .default) {
        self.limits = limits
        self.decoder = SourceDecoder()
        self.parser = SyntaxParser()
        self.validator = SpecValidator(limits: limits)
        self.planner = Planner()
        self.emitters = Emitters.all
    }

    public struct Result: Sendable {
        public var source: SourceFile?
        public var diagnostics: [Diagnostic]
        public var validated: ValidatedSpec?

        public var hasErrors: Bool { diagnostics.contains { $0.severity == .error } }
    }

    /// Runs the front end (decode, parse, validate) on the bytes of one spec.
    public func check(_ bytes: [UInt8], path: String) -> Result {
        var bag = DiagnosticBag(file: path)
        guard let source = decoder.decode(bytes, path: path, limits: limits, diagnostics: &bag) else {
            return Result(source: nil, diagnostics: bag.diagnostics, validated: nil)
        }
        guard let root = parser.parse(source, limits: limits, diagnostics: &bag) else {
            return Result(source: source, diagnostics: bag.diagnostics, validated: nil)
        }
        // The checks that lower the spec as the planner will run right after validation, in order.
        guard let checked = validator.validate(root, source: source, diagnostics: &bag) else {
            return Result(source: source, diagnostics: bag.diagnostics, validated: nil)
        }
        let validated = PlanChecks.check(checked, diagnostics: &bag)
        return Result(source: source, diagnostics: bag.diagnostics, validated: validated)
    }

    /// Reads a spec file; I/O failures are thrown, problems with the content are diagnostics.
    /// The size is checked before anything is read (`BoundedFile`).
    public func check(fileAt path: String) throws -> Result {
        switch try BoundedFile.read(path, limit: limits.maxBytes) {
        case .bytes(let bytes):
            return check(bytes, path: path)
        case .tooLarge(let size):
            var bag = DiagnosticBag(file: path)
            bag.report(.inputLimit, size.map { Message.fileTooLarge($0, limit: limits.maxBytes) } ?? Message.streamTooLarge(limit: limits.maxBytes),
                       at: .start)
            return Result(source: nil, diagnostics: bag.diagnostics, validated: nil)
        }
    }

    public func plan(_ validated: ValidatedSpec) -> MigrationPlan {
        // The plan holds statements as values where a later pass may still change them; their text is written last.
        StatementRendering.render(planner.plan(validated))
    }

    /// Every step file of the plan read as the Jobs' client will read it (`GeneratedSQLGuard`): throws an
    /// internal error when one would carry a client command. Run before anything is written.
    public func checkGeneratedSQL(_ plan: MigrationPlan) throws {
        try GeneratedSQLGuard.check(RenderedSQL(plan), engine: plan.spec.database.engine)
    }

    /// Every file for a plan, sorted by path, with the generated-by header already in place.
    public func emit(_ plan: MigrationPlan) -> [OutputFile] {
        var files: [OutputFile] = []
        emit(plan) { files.append($0) }
        return files.sorted { $0.path < $1.path }
    }

    /// Every file for a plan, handed to `sink` one at a time as it is made, in no particular order;
    /// `OutputWriter` writes and hashes each one as it comes, so no run holds the whole tree.
    public func emit(_ plan: MigrationPlan, to sink: (OutputFile) throws -> Void) rethrows {
        let context = EmissionContext(plan)
        for emitter in emitters where emitter.makesManySmallFiles { try emitter.emit(context, to: sink) }
        for emitter in emitters where !emitter.makesManySmallFiles { try emitter.emit(context, to: sink) }
    }

    /// Reads at most `limit + 1` bytes so a huge file is refused without being loaded whole.
    public static func readBytes(_ path: String, limit: Int) throws -> [UInt8] {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw CutoverError.cannotRead(path)
        }
        defer { try? handle.close() }
        let data = try handle.read(upToCount: limit + 1) ?? Data()
        return [UInt8](data)
    }
}
