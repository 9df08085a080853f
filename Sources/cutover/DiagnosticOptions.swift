import CutoverPlan
import CutoverCore
import ArgumentParser
import Foundation

extension DiagnosticFormatter.Format: ExpressibleByArgument {}

/// Options every command that reads specs shares.
struct DiagnosticOptions: ParsableArguments {
    @Option(name: .long, help: "Diagnostics format: text, json, sarif or github.")
    var format: DiagnosticFormatter.Format = .text

    @Flag(name: .long, help: "Treat warnings as errors.")
    var warningsAsErrors = false

    @Option(name: .long, help: "Largest spec accepted, in bytes.")
    var maxBytes: Int = InputLimits.default.maxBytes

    func validate() throws {
        guard maxBytes > 0 else { throw ValidationError("--max-bytes must be positive") }
    }

    var limits: InputLimits {
        var limits = InputLimits.default
        limits.maxBytes = maxBytes
        return limits
    }

    var formatter: DiagnosticFormatter { Self.formatter(format) }

    static var textFormatter: DiagnosticFormatter { formatter(.text) }

    /// Colour only on a terminal and never with NO_COLOR (https://no-color.org).
    static func formatter(_ format: DiagnosticFormatter.Format) -> DiagnosticFormatter {
        let tty = isatty(STDERR_FILENO) == 1
        let noColor = ProcessInfo.processInfo.environment["NO_COLOR"].map { !$0.isEmpty } ?? false
        return DiagnosticFormatter(format: format, color: tty && !noColor && format == .text, excerpts: tty && format == .text)
    }

    func isFailure(_ diagnostics: [Diagnostic]) -> Bool {
        diagnostics.contains { $0.severity == .error || (warningsAsErrors && $0.severity == .warning) }
    }
}

/// Runs the front end on every spec and prints all diagnostics together, sorted.
struct SpecBatch {
    var results: [(path: String, result: Compiler.Result)] = []
    var ioErrors: [String] = []

    init(paths: [String], compiler: Compiler) {
        for path in paths {
            do {
                results.append((path, try compiler.check(fileAt: path)))
            } catch let error as CutoverError {
                ioErrors.append("\(path): error: \(error)")
            } catch {
                ioErrors.append("\(path): error: cannot read '\(path)': \(IOErrorText.reason(error))")
            }
        }
    }

    var diagnostics: [Diagnostic] { results.flatMap(\.result.diagnostics) }

    func report(_ options: DiagnosticOptions) {
        report(options.formatter, format: options.format)
    }

    /// Text and GitHub commands go to standard error; JSON and SARIF are the command's output.
    func report(_ formatter: DiagnosticFormatter, format: DiagnosticFormatter.Format) {
        for message in ioErrors { Output.error(message) }
        var sources: [String: SourceFile] = [:]
        for (path, result) in results { sources[path] = result.source }
        let rendered = formatter.render(diagnostics, sources: sources)
        if format == .text || format == .github {
            Output.error(rendered, terminator: "")
        } else {
            Output.print(rendered, terminator: "")
        }
    }
}

enum Output {
    static func print(_ text: String, terminator: String = "\n") {
        FileHandle.standardOutput.write(Data((text + terminator).utf8))
    }

    static func error(_ text: String, terminator: String = "\n") {
        FileHandle.standardError.write(Data((text + terminator).utf8))
    }
}
