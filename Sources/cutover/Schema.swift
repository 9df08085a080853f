import CutoverEmit
import ArgumentParser

struct Schema: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schema",
        abstract: "Print the JSON Schema (draft 2020-12) of the spec language for editors.",
        discussion: "Save it and point editors at it with '# yaml-language-server: $schema=cutover.schema.json'.")

    enum SchemaFormat: String, ExpressibleByArgument, CaseIterable { case json, markdown }

    @Option(name: .long, help: "json (the JSON Schema) or markdown (the field reference in docs/spec.md).")
    var format: SchemaFormat = .json

    func run() {
        switch format {
        case .json: Output.print(JSONSchemaPrinter().render(), terminator: "")
        case .markdown: Output.print(SpecReference().render(), terminator: "")
        }
    }
}
