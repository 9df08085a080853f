import ArgumentParser
import CutoverCore
import Foundation

struct Init: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print (or write) an annotated starter spec.")

    @Option(name: .long, help: "Database engine: postgresql or mysql.")
    var engine: String = "postgresql"

    @Option(name: .shortAndLong, help: "Write to this file instead of standard output (never overwrites).")
    var output: String?

    func validate() throws {
        guard ["postgresql", "mysql"].contains(engine) else { throw ValidationError("--engine must be postgresql or mysql") }
    }

    func run() throws {
        let text = StarterSpec.text(engine: engine == "mysql" ? .mysql : .postgresql)
        guard let output else { return Output.print(text, terminator: "") }
        guard !FileManager.default.fileExists(atPath: output) else {
            Output.error("error: '\(output)' exists; cutover init never overwrites")
            throw ExitCode(1)
        }
        do {
            try Data(text.utf8).write(to: URL(fileURLWithPath: output), options: .withoutOverwriting)
        } catch {
            Output.error("error: cannot write '\(output)': \(error.localizedDescription)")
            throw ExitCode(1)
        }
    }
}
