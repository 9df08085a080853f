import Foundation
import Testing

/// Every command of README's "A five-minute tour" runs as written in an empty folder, in order, with
/// the built binary on PATH (the tour's first line, the release build, is what puts it there).
/// verify and rehearse need the throwaway servers (and helm): without them they are skipped, unless
/// REQUIRE_DB=1 or CI.
@Suite struct ReadmeTourTests {
    /// The tour's command lines, comments stripped, from the first sh block after the heading.
    static func tour() throws -> [String] {
        let readme = try String(contentsOf: TestPaths.packageRoot.appendingPathComponent("README.md"), encoding: .utf8)
        let section = try #require(readme.range(of: "## A five-minute tour"))
        let rest = readme[section.upperBound...]
        let open = try #require(rest.range(of: "```sh\n"))
        let close = try #require(rest[open.upperBound...].range(of: "```"))
        return rest[open.upperBound..<close.lowerBound].split(separator: "\n").map { line in
            // A comment starts at `  #` (two spaces): no command of the tour has one inside quotes.
            (line.range(of: "  #").map { String(line[..<$0.lowerBound]) } ?? String(line)).trimmingCharacters(in: .whitespaces)
        }.filter { !$0.isEmpty }
    }

    @Test func everyTourCommandRunsAsWritten() throws {
        let commands = try Self.tour()
        #expect(commands.first?.hasPrefix("swift build -c release") == true, "the tour starts with the build: \(commands)")
        #expect(commands.contains { $0.hasPrefix("cutover verify") } && commands.contains { $0.hasPrefix("cutover rehearse") })
        let sandbox = TestPaths.temporaryFolder("tour")
        defer { try? FileManager.default.removeItem(at: sandbox) }
        var environment = ProcessInfo.processInfo.environment
        environment["PATH"] = TestPaths.binary.deletingLastPathComponent().path + ":" + ((environment["HOME"].map { "\($0)/.cache/conformance/bin:" }) ?? "")
            + (environment["PATH"] ?? "/usr/bin:/bin")
        environment["NO_COLOR"] = "1"
        for command in commands.dropFirst() {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/bin/sh")
            process.arguments = ["-c", command]
            process.environment = environment
            process.currentDirectoryURL = sandbox
            let out = Pipe(), err = Pipe()
            process.standardOutput = out
            process.standardError = err
            try process.run()
            _ = out.fileHandleForReading.readDataToEndOfFile()
            let errors = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            let needsServers = command.hasPrefix("cutover verify") || command.hasPrefix("cutover rehearse")
            if process.terminationStatus != 0 && needsServers && !DatabaseHarness.required
                && (errors.contains("cannot start") || errors.contains("no helm was found")) {
                continue
            }
            #expect(process.terminationStatus == 0, "`\(command)` exited \(process.terminationStatus):\n\(errors)")
        }
        // What the tour says it made.
        for path in ["migration.yaml", "migration.schema.sql", "cutover.schema.json", "deploy/add-nickname-postgresql/README.md"] {
            #expect(FileManager.default.fileExists(atPath: sandbox.appendingPathComponent(path).path), "\(path)")
        }
    }
}
