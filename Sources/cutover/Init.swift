import ArgumentParser
import CutoverCore
import Foundation

struct Init: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print (or write) an annotated starter spec.",
        discussion: "The starter is named after its engine (add-nickname-postgresql, add-nickname-mysql) unless --name is given.")

    enum Engine: String, ExpressibleByArgument, CaseIterable {
        case postgresql, mysql

        var engine: MigrationSpec.Engine { self == .mysql ? .mysql : .postgresql }
    }

    @Option(name: .long, help: "Database engine: postgresql or mysql.")
    var engine: Engine = .postgresql

    @Option(name: .long, help: "metadata.name of the starter: the output folder's name and every generated object's prefix.")
    var name: String?

    @Option(name: .shortAndLong, help: "Write to this file instead of standard output (never overwrites).", completion: .file(extensions: ["yaml", "yml"]))
    var output: String?

    /// The starter text; a --name the validator refuses is a usage error with its message.
    func starter() throws -> String {
        let chosen = name ?? StarterSpec.defaultName(engine: engine.engine)
        let text = StarterSpec.text(engine: engine.engine, name: chosen)
        let result = Compiler().check(Array(text.utf8), path: "starter.yaml")
        if let problem = result.diagnostics.first(where: { $0.severity == .error }) {
            throw ValidationError("--name '\(chosen)': \(problem.message)")
        }
        return text
    }

    func validate() throws {
        _ = try starter()
    }

    func run() throws {
        let text = try starter()
        guard let output else { return Output.print(text, terminator: "") }
        guard !FileManager.default.fileExists(atPath: output) else {
            Output.error("error: '\(output)' exists; cutover init never overwrites")
            throw ExitCode(1)
        }
        do {
            try Data(text.utf8).write(to: URL(fileURLWithPath: output), options: .withoutOverwriting)
        } catch {
            Output.error("error: cannot write '\(output)': \(IOErrorText.reason(error))")
            throw ExitCode(1)
        }
        Output.error("wrote \(output) (metadata.name: \(name ?? StarterSpec.defaultName(engine: engine.engine)))")
    }
}
