import ArgumentParser
import CutoverCore

struct Schema: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print the JSON Schema (draft 2020-12) of the spec language for editors.",
        discussion: "Save it and point editors at it with '# yaml-language-server: $schema=cutover.schema.json'.")

    func run() {
        Output.print(JSONSchemaPrinter().render(), terminator: "")
    }
}
