import ArgumentParser
import CutoverCore

struct Verify: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Prove every up/down pair of a spec on a real database server.")

    @OptionGroup var options: DiagnosticOptions

    @Option(name: .long, help: "Use this server instead of starting a throwaway one.")
    var databaseURL: String?

    @Flag(name: .long, help: "Keep the throwaway server's folder.")
    var keep = false

    @Argument(help: "Spec file.", completion: .file(extensions: ["yaml", "yml"]))
    var spec: String

    func run() throws {
        Output.error("error: verify is not implemented yet")
        throw ExitCode(1)
    }
}
