import CutoverEmit
import CutoverCore
import Foundation
import Testing

/// The whole generated tree of every example and valid fixture, pinned under Tests/golden/<name>/.
/// A mismatch shows `git diff --no-index` between the pinned and the new tree. After an intended
/// change, regenerate with `UPDATE_GOLDEN=1 swift test --filter GoldenTreeTests` and review the diff.
@Suite struct GoldenTreeTests {
    static let goldenRoot = TestPaths.packageRoot.appendingPathComponent("Tests/golden")
    static let specs = TestPaths.exampleSpecs + TestPaths.files(in: TestPaths.fixtures.appendingPathComponent("valid"), extension: "yaml")

    @Test(arguments: specs)
    func treeMatchesGolden(_ spec: URL) throws {
        let compiler = Compiler()
        let result = try compiler.check(fileAt: spec.path)
        let validated = try #require(result.validated, "\(spec.lastPathComponent): \(result.diagnostics)")
        let files = compiler.emit(compiler.plan(validated))
        let name = validated.spec.name

        let actualRoot = TestPaths.temporaryFolder("golden")
        defer { try? FileManager.default.removeItem(at: actualRoot) }
        try OutputWriter().write(files, name: name, root: actualRoot)
        let actual = actualRoot.appendingPathComponent(name)
        let golden = Self.goldenRoot.appendingPathComponent(name)

        if ProcessInfo.processInfo.environment["UPDATE_GOLDEN"] == "1" {
            try? FileManager.default.removeItem(at: golden)
            try FileManager.default.createDirectory(at: Self.goldenRoot, withIntermediateDirectories: true)
            try FileManager.default.copyItem(at: actual, to: golden)
            return
        }
        let diff = try Self.gitDiff(golden, actual)
        #expect(diff.isEmpty, "generated tree of \(name) differs from Tests/golden/\(name):\n\(diff)")
    }

    static func gitDiff(_ expected: URL, _ actual: URL) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["git", "diff", "--no-index", "--no-color", "--stat", "--patch", expected.path, actual.path]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        return lines.count > 200 ? lines.prefix(200).joined(separator: "\n") + "\n… (\(lines.count - 200) more lines)" : text
    }
}
