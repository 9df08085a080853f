import ArgumentParser
import CutoverCore

struct Plan: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print the phased plan of a spec.")

    enum PlanFormat: String, ExpressibleByArgument { case text, json }

    @OptionGroup var options: DiagnosticOptions

    @Option(name: .customLong("plan-format"), help: "Plan format: text or json.")
    var planFormat: PlanFormat = .text

    @Flag(name: .customLong("json"), help: "Same as --plan-format json.")
    var json = false

    @Argument(help: "Spec file.", completion: .file(extensions: ["yaml", "yml"]))
    var spec: String

    func run() throws {
        let compiler = Compiler(limits: options.limits)
        let batch = SpecBatch(paths: [spec], compiler: compiler)
        batch.report(options)
        guard batch.ioErrors.isEmpty, !options.isFailure(batch.diagnostics),
              let validated = batch.results.first?.result.validated else { throw ExitCode(1) }
        let plan = compiler.plan(validated)
        if json || planFormat == .json {
            Output.print(PlanJSON(plan: plan).encoded(), terminator: "")
        } else {
            Output.print(PlanText(plan: plan).render(), terminator: "")
        }
    }
}
