import CutoverPlan
import CutoverEmit
import CutoverCore
import ArgumentParser

struct Plan: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "plan", abstract: "Print the phased plan of a spec.")

    enum PlanFormat: String, ExpressibleByArgument, CaseIterable { case text, json }

    @Option(name: .long, help: "Plan format: text or json (the same document as plan.json).")
    var format: PlanFormat = .text

    @Flag(name: .long, help: "Treat warnings as errors.")
    var warningsAsErrors = false

    @Option(name: .long, help: "Largest spec accepted, in bytes.")
    var maxBytes: Int = InputLimits.default.maxBytes

    @Argument(help: "Spec file.", completion: .file(extensions: ["yaml", "yml"]))
    var spec: String

    func validate() throws {
        guard maxBytes > 0 else { throw ValidationError("--max-bytes must be positive") }
    }

    func run() throws {
        // Diagnostics always go to standard error as text here; standard output carries the plan.
        var limits = InputLimits.default
        limits.maxBytes = maxBytes
        let compiler = Compiler(limits: limits)
        let batch = SpecBatch(paths: [spec], compiler: compiler)
        batch.report(DiagnosticOptions.textFormatter, format: .text)
        let failed = batch.diagnostics.contains { $0.severity == .error || (warningsAsErrors && $0.severity == .warning) }
        guard batch.ioErrors.isEmpty, !failed,
              let validated = batch.results.first?.result.validated else { throw ExitCode(1) }
        let plan = compiler.plan(validated)
        if format == .json {
            Output.print(PlanJSON(plan: plan).encoded(), terminator: "")
        } else {
            Output.print(PlanText(plan: plan).render(), terminator: "")
        }
    }
}
