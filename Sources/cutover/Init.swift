import CutoverPlan
import CutoverEmit
import CutoverCore
import ArgumentParser
import Foundation

struct Init: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Print (or write) an annotated starter spec.",
        discussion: """
            The starter is named after its engine (add-nickname-postgresql, add-nickname-mysql) unless --name is given. \
            With -o FILE, the starter's base schema is written beside it (FILE's stem plus .schema.sql, kept if it exists) \
            and the spec points at it, so validate, verify and rehearse work on it as written.
            """)

    enum Engine: String, ExpressibleByArgument, CaseIterable {
        case postgresql, mysql

        var engine: MigrationSpec.Engine { self == .mysql ? .mysql : .postgresql }
    }

    @Option(name: .long, help: "Database engine: postgresql or mysql.")
    var engine: Engine = .postgresql

    @Option(name: .long, help: "metadata.name of the starter: the output folder's name and every generated object's prefix.")
    var name: String?

    @Option(name: .shortAndLong, help: "Write to this file, and its base schema beside it, instead of standard output (never overwrites).", completion: .file(extensions: ["yaml", "yml"]))
    var output: String?

    /// The starter text; a --name the validator refuses is a usage error with its message.
    func starter() throws -> String {
        let chosen = name ?? StarterSpec.defaultName(engine: engine.engine)
        // Checked without its schema: the file beside it may not exist yet.
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
        let schemaName = StarterSpec.schemaFileName(forSpec: output)
        let schemaPath = ((output as NSString).deletingLastPathComponent as NSString).appendingPathComponent(schemaName)
        let chosen = name ?? StarterSpec.defaultName(engine: engine.engine)
        let spec = StarterSpec.text(engine: engine.engine, name: chosen, schema: schemaName)
        // The schema first: a spec pointing at a schema that failed to be written would not validate.
        let keptSchema = FileManager.default.fileExists(atPath: schemaPath)
        do {
            if !keptSchema {
                try Data(StarterSpec.schema(engine: engine.engine).utf8).write(to: URL(fileURLWithPath: schemaPath), options: .withoutOverwriting)
            }
            try Data(spec.utf8).write(to: URL(fileURLWithPath: output), options: .withoutOverwriting)
        } catch {
            Output.error("error: cannot write '\(output)': \(IOErrorText.reason(error))")
            throw ExitCode(1)
        }
        Output.error("wrote \(output) (metadata.name: \(chosen))")
        Output.error(keptSchema ? "kept \(schemaPath) (it exists): the spec's database.schema points at it"
                                : "wrote \(schemaPath): the tables the starter changes, as they are now; replace it with your own DDL")
    }
}
