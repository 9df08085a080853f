import Foundation
import Testing

/// Every file in fixtures/hostile must be refused cleanly: exit 1, a located message, no signal,
/// bounded time and memory, and nothing written inside or outside the output folder.
@Suite struct HostileCorpusTests {
    static let corpus = TestPaths.files(in: TestPaths.fixtures.appendingPathComponent("hostile"), extension: "yaml")

    @Test func corpusIsLargeEnough() {
        #expect(Self.corpus.count >= 100)
    }

    @Test(arguments: corpus)
    func refused(_ file: URL) throws {
        let sandbox = TestPaths.temporaryFolder("hostile")
        defer { try? FileManager.default.removeItem(at: sandbox) }
        let output = sandbox.appendingPathComponent("out")
        let run = try CLIRun.run(["generate", file.path, "-o", output.path], currentDirectory: sandbox)
        #expect(!run.signaled, "\(file.lastPathComponent) killed by a signal")
        #expect(run.status == 1, "\(file.lastPathComponent): exit \(run.status)\n\(run.stderr)")
        #expect(run.stderr.contains(": error: "), "\(file.lastPathComponent): no error message")
        #expect(run.stderr.range(of: #":[0-9]+:[0-9]+: error: "#, options: .regularExpression) != nil,
                "\(file.lastPathComponent): error without line:column\n\(run.stderr)")
        // Bounded, not timed: a blow-up (the nesting and alias bombs) runs for minutes, while the largest
        // file is refused in about a second by a debug build and twice that on a loaded 2-core CI.
        #expect(run.seconds < 20, "\(file.lastPathComponent) took \(run.seconds) s")
        #expect(CLIRun.peakChildRSS < 200 * 1024 * 1024, "a child exceeded 200 MB")
        #expect(!FileManager.default.fileExists(atPath: output.path), "\(file.lastPathComponent) wrote output")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: sandbox.path)
        #expect(leftovers.isEmpty, "\(file.lastPathComponent) wrote \(leftovers)")
    }

    @Test(arguments: ["bom.yaml", "crlf.yaml", "base-pg.yaml", "base-mysql.yaml", "base-blue-green.yaml"])
    func acceptedEncodings(_ name: String) throws {
        let file = TestPaths.fixtures.appendingPathComponent("valid-encoding").appendingPathComponent(name)
        let run = try CLIRun.run(["validate", file.path])
        #expect(run.status == 0, "\(name): \(run.stderr)")
    }
}
