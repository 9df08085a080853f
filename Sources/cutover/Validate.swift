import CutoverCore
import ArgumentParser

struct Validate: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "validate", abstract: "Check specs and report every problem with its file:line:column.")

    @OptionGroup var options: DiagnosticOptions

    @Argument(help: "Spec files.", completion: .file(extensions: ["yaml", "yml"]))
    var specs: [String]

    func validate() throws {
        guard !specs.isEmpty else { throw ValidationError("give at least one spec file") }
    }

    func run() throws {
        let batch = SpecBatch(paths: specs, compiler: Compiler(limits: options.limits))
        batch.report(options)
        if !batch.ioErrors.isEmpty || options.isFailure(batch.diagnostics) { throw ExitCode(1) }
        // A short line on success, to standard error and only with --format text, so JSON and
        // SARIF on standard output (and github's workflow commands) stay machine output alone.
        if options.format == .text {
            let warnings = batch.diagnostics.filter { $0.severity == .warning }.count
            let specs = "\(specs.count) spec\(specs.count == 1 ? "" : "s")"
            Output.error("ok: \(specs), no errors" + (warnings == 0 ? "" : ", \(warnings) warning\(warnings == 1 ? "" : "s")"))
        }
    }
}
