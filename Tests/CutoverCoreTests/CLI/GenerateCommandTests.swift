import Foundation
import Testing

/// `generate` as a GitOps repo and a pre-commit hook use it: byte-identical output, drift checks,
/// user files kept, nothing written for an invalid spec.
@Suite(.serialized) struct GenerateCommandTests {
    let examples = TestPaths.exampleSpecs.map(\.path)

    func tree(_ root: URL) throws -> [String: Data] {
        var result: [String: Data] = [:]
        let enumerator = FileManager.default.enumerator(at: root, includingPropertiesForKeys: [.isRegularFileKey])
        while let url = enumerator?.nextObject() as? URL {
            guard (try url.resourceValues(forKeys: [.isRegularFileKey])).isRegularFile == true else { continue }
            result[String(url.path.dropFirst(root.path.count))] = try Data(contentsOf: url)
        }
        return result
    }

    @Test func deterministicAcrossRunsTimeZonesAndLocales() throws {
        let a = TestPaths.temporaryFolder("det-a"), b = TestPaths.temporaryFolder("det-b")
        defer { try? FileManager.default.removeItem(at: a); try? FileManager.default.removeItem(at: b) }
        let first = try CLIRun.run(["generate"] + examples + ["-o", a.path])
        #expect(first.status == 0, "\(first.stderr)")
        let second = try CLIRun.run(["generate"] + examples + ["-o", b.path], environment: ["TZ": "Asia/Tokyo", "LANG": "C", "LC_ALL": "C"])
        #expect(second.status == 0, "\(second.stderr)")
        let treeA = try tree(a), treeB = try tree(b)
        #expect(!treeA.isEmpty)
        #expect(treeA == treeB)
        for (path, data) in treeA {
            let text = String(decoding: data, as: UTF8.self)
            #expect(!text.contains("\r"), "\(path) has CR")
            #expect(text.hasSuffix("\n"), "\(path) lacks a trailing newline")
        }
    }

    @Test func checkReportsStaleMissingAndExtraAndKeepsUserFiles() throws {
        let out = TestPaths.temporaryFolder("check")
        defer { try? FileManager.default.removeItem(at: out) }
        #expect(try CLIRun.run(["generate"] + examples + ["-o", out.path]).status == 0)
        #expect(try CLIRun.run(["generate"] + examples + ["-o", out.path, "--check"]).status == 0)

        let name = "pricing-tiers"
        let readme = out.appendingPathComponent("\(name)/README.md")
        try Data("edited\n".utf8).write(to: readme)
        let plan = out.appendingPathComponent("\(name)/plan.json")
        try FileManager.default.removeItem(at: plan)
        let stray = out.appendingPathComponent("\(name)/sql/9999_stray.up.sql")
        try FileManager.default.createDirectory(at: stray.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data("select 1;\n".utf8).write(to: stray)
        let userFile = out.appendingPathComponent("\(name)/TEAM-NOTES.md")
        try Data("ours\n".utf8).write(to: userFile)

        let check = try CLIRun.run(["generate"] + examples + ["-o", out.path, "--check"])
        #expect(check.status == 1)
        #expect(check.stdout.contains("stale: \(name)/README.md"), "\(check.stdout)")
        #expect(check.stdout.contains("missing: \(name)/plan.json"), "\(check.stdout)")
        #expect(check.stdout.contains("extra: \(name)/sql/9999_stray.up.sql"), "\(check.stdout)")
        #expect(!check.stdout.contains("TEAM-NOTES.md"))

        #expect(try CLIRun.run(["generate"] + examples + ["-o", out.path]).status == 0)
        #expect(FileManager.default.fileExists(atPath: userFile.path), "generate removed a user's file")
        #expect(FileManager.default.fileExists(atPath: plan.path))
        #expect(try String(contentsOf: readme, encoding: .utf8) != "edited\n")
    }

    @Test func invalidSpecWritesNothing() throws {
        let sandbox = TestPaths.temporaryFolder("invalid")
        defer { try? FileManager.default.removeItem(at: sandbox) }
        let spec = sandbox.appendingPathComponent("bad.yaml")
        let text = try String(contentsOfFile: examples[0], encoding: .utf8).replacingOccurrences(of: "kind: Migration", with: "kind: Migrashun")
        try Data(text.utf8).write(to: spec)
        let out = sandbox.appendingPathComponent("out")
        let run = try CLIRun.run(["generate", examples[1], spec.path, "-o", out.path])
        #expect(run.status == 1)
        #expect(run.stderr.contains("bad.yaml:"))
        #expect(!FileManager.default.fileExists(atPath: out.path))
    }

    @Test(arguments: [["generate"], ["validate"], ["bogus"], ["generate", "x.yaml"], ["explain", "CUT999"]])
    func usageErrorsExit64(_ arguments: [String]) throws {
        #expect(try CLIRun.run(arguments).status == 64)
    }

    @Test func validateAcceptsTheExamples() throws {
        let run = try CLIRun.run(["validate"] + examples)
        #expect(run.status == 0, "\(run.stderr)")
    }
}

extension GenerateCommandTests {
    @Test func dryRunListsWhatWouldChangeAndWritesNothing() throws {
        let out = TestPaths.temporaryFolder("dry")
        defer { try? FileManager.default.removeItem(at: out) }
        let first = try CLIRun.run(["generate", examples[0], "-o", out.path, "--dry-run"])
        #expect(first.status == 0)
        #expect(first.stdout.contains("create "))
        #expect(try FileManager.default.contentsOfDirectory(atPath: out.path).isEmpty)
        #expect(try CLIRun.run(["generate", examples[0], "-o", out.path]).status == 0)
        let second = try CLIRun.run(["generate", examples[0], "-o", out.path, "--dry-run"])
        #expect(second.status == 0)
        #expect(second.stdout.isEmpty, "\(second.stdout)")
    }
}
