import CutoverPlan
import CutoverEmit
import CutoverCore
import ArgumentParser
import Foundation

struct Generate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
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
        var tell: (@Sendable (String) -> Void)?
        if options.format == .text { tell = { @Sendable line in Output.error(line) } }
        let writer = OutputWriter(waiting: tell)
        var drift: [OutputWriter.Drift] = []
        var folders: [String] = []
        // One line per migration on success, to standard error and only with --format text: the
        // JSON and SARIF formats (and github's workflow commands) stay machine output alone, and
        // standard output keeps carrying only --dry-run's and --check's lists.
        let summaries = options.format == .text
        do {
            // Every plan's SQL is lexed before anything is written: a client command in a generated
            // file is an internal failure, and no spec of the batch gets written then.
            var plans: [(ValidatedSpec, MigrationPlan)] = []
            for (_, result) in batch.results {
                guard let validated = result.validated else { throw ExitCode(1) }
                let plan = compiler.plan(validated)
                try compiler.checkGeneratedSQL(plan)
                plans.append((validated, plan))
            }
            for (validated, plan) in plans {
                let name = validated.spec.name
                let folder = OutputWriter.displayPath(root.appendingPathComponent(name).path) + "/"
                // Files stream from the emitters to the writer, which writes and hashes each as it comes.
                let files: OutputWriter.FileSource = { sink in try compiler.emit(plan, to: sink) }
                if dryRun {
                    for (path, change) in try writer.pendingChanges(name: name, root: root, files: files) {
                        Output.print("\(change.rawValue) \(path)")
                    }
                } else if check {
                    drift += try writer.drift(name: name, root: root, files: files)
                    folders.append(folder)
                } else {
                    let count = try writer.write(name: name, root: root, files: files)
                    if summaries { Output.error("wrote \(folder) (\(count) file\(count == 1 ? "" : "s"))") }
                }
            }
        } catch let exit as ExitCode {
            throw exit
        } catch let error as CutoverError {
            Output.error("error: \(error)")
            throw ExitCode(1)
        } catch {
            Output.error("error: cannot write '\(output)': \(IOErrorText.reason(error))")
            throw ExitCode(1)
        }
        if check {
            for item in drift { Output.print("\(item.kind.rawValue): \(item.path)") }
            if !drift.isEmpty {
                Output.error("\(drift.count) generated file\(drift.count == 1 ? " is" : "s are") out of date; run cutover generate")
                throw ExitCode(1)
            }
            if summaries { for folder in folders { Output.error("up to date: \(folder)") } }
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
