import ArgumentParser
import CutoverCore
import Foundation

struct Generate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write SQL, Flyway, Liquibase, Helm chart, manifests and plans for each spec into DIR/<name>/.",
        discussion: "Nothing is written when any spec has an error. Files you add to an output folder are kept.")

    @OptionGroup var options: DiagnosticOptions

    @Option(name: .shortAndLong, help: "Output folder.", completion: .directory)
    var output: String

    @Flag(name: .long, help: "Write nothing; exit 1 and list stale, missing and extra files when the output is out of date.")
    var check = false

    @Flag(name: .long, help: "Write nothing; print what would change.")
    var dryRun = false

    @Argument(help: "Spec files.", completion: .file(extensions: ["yaml", "yml"]))
    var specs: [String]

    func validate() throws {
        guard !specs.isEmpty else { throw ValidationError("give at least one spec file") }
        guard !(check && dryRun) else { throw ValidationError("--check and --dry-run cannot be combined") }
    }

    func run() throws {
        let compiler = Compiler(limits: options.limits)
        let batch = SpecBatch(paths: specs, compiler: compiler)
        var diagnostics = batch.diagnostics
        diagnostics += Self.duplicateNames(batch)
        let formatter = options.formatter
        if !diagnostics.isEmpty {
            var sources: [String: SourceFile] = [:]
            for (path, result) in batch.results { sources[path] = result.source }
            Output.error(formatter.render(diagnostics, sources: sources), terminator: "")
        }
        for message in batch.ioErrors { Output.error(message) }
        guard batch.ioErrors.isEmpty, !options.isFailure(diagnostics) else { throw ExitCode(1) }

        let root = URL(fileURLWithPath: output)
        let writer = OutputWriter()
        var drift: [OutputWriter.Drift] = []
        for (_, result) in batch.results {
            guard let validated = result.validated else { throw ExitCode(1) }
            let plan = compiler.plan(validated)
            do {
                try compiler.checkGeneratedSQL(plan)
            } catch let error as CutoverError {
                Output.error("error: \(error)")
                throw ExitCode(1)
            }
            // Files stream from the emitters to the writer, which writes and hashes each as it comes.
            let files: OutputWriter.FileSource = { sink in try compiler.emit(plan, to: sink) }
            if dryRun {
                for (path, change) in try writer.pendingChanges(name: validated.spec.name, root: root, files: files) {
                    Output.print("\(change.rawValue) \(path)")
                }
            } else if check {
                drift += try writer.drift(name: validated.spec.name, root: root, files: files)
            } else {
                do {
                    try writer.write(name: validated.spec.name, root: root, files: files)
                } catch let error as CutoverError {
                    Output.error("error: \(error)")
                    throw ExitCode(1)
                }
            }
        }
        if check {
            for item in drift { Output.print("\(item.kind.rawValue): \(item.path)") }
            if !drift.isEmpty {
                Output.error("\(drift.count) generated file\(drift.count == 1 ? " is" : "s are") out of date; run cutover generate")
                throw ExitCode(1)
            }
        }
    }

    /// Two specs with one name would write into the same folder.
    static func duplicateNames(_ batch: SpecBatch) -> [Diagnostic] {
        var seen: [String: String] = [:]
        var found: [Diagnostic] = []
        for (path, result) in batch.results {
            guard let spec = result.validated?.spec else { continue }
            if let first = seen[spec.name] {
                found.append(Diagnostic(.duplicateMigration, nil, Message.duplicateMigration(spec.name, first: first),
                                        file: path, at: spec.metadata.name.location))
            } else {
                seen[spec.name] = path
            }
        }
        return found
    }
}
