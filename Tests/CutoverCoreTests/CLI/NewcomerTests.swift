import Foundation
import Testing

/// What a new user sees: one line saying where generate wrote, a short OK from validate (and
/// neither in the machine formats), starters that do not share a name, completions with values.
@Suite struct NewcomerTests {
    static let example = TestPaths.examples.appendingPathComponent("pricing-tiers.yaml")

    @Test func generateSaysWhereItWroteOneLinePerSpec() throws {
        let sandbox = TestPaths.temporaryFolder("summary")
        defer { try? FileManager.default.removeItem(at: sandbox) }
        let specs = TestPaths.exampleSpecs.map(\.path)
        let run = try CLIRun.run(["generate"] + specs + ["-o", "out"], currentDirectory: sandbox)
        #expect(run.status == 0, "\(run.stderr)")
        let lines = run.stderr.split(separator: "\n").filter { $0.hasPrefix("wrote ") }
        #expect(lines.count == specs.count, "\(run.stderr)")
        let count = try FileManager.default.subpathsOfDirectory(atPath: sandbox.appendingPathComponent("out/pricing-tiers").path)
            .filter { path in
                var isFolder: ObjCBool = false
                FileManager.default.fileExists(atPath: sandbox.appendingPathComponent("out/pricing-tiers/\(path)").path, isDirectory: &isFolder)
                return !isFolder.boolValue
            }.count
        #expect(lines.contains("wrote out/pricing-tiers/ (\(count) files)"), "\(lines)")
        #expect(run.stdout.isEmpty)
        let check = try CLIRun.run(["generate"] + specs + ["-o", "out", "--check"], currentDirectory: sandbox)
        #expect(check.status == 0)
        #expect(check.stderr.contains("up to date: out/pricing-tiers/"), "\(check.stderr)")
        #expect(check.stdout.isEmpty)
    }

    @Test(arguments: ["json", "sarif", "github"])
    func machineFormatsCarryNoSummary(_ format: String) throws {
        let sandbox = TestPaths.temporaryFolder("summary-\(format)")
        defer { try? FileManager.default.removeItem(at: sandbox) }
        let generate = try CLIRun.run(["generate", Self.example.path, "-o", "out", "--format", format], currentDirectory: sandbox)
        #expect(generate.status == 0)
        let lines = (generate.stderr + generate.stdout).split(separator: "\n")
        #expect(!lines.contains { $0.hasPrefix("wrote ") }, "\(generate.stderr)")
        let validate = try CLIRun.run(["validate", Self.example.path, "--format", format])
        #expect(validate.status == 0)
        #expect(!(validate.stderr + validate.stdout).split(separator: "\n").contains { $0.hasPrefix("ok: ") })
        if format != "github" {
            #expect((try? JSONSerialization.jsonObject(with: Data(validate.stdout.utf8))) != nil, "stdout is not JSON: \(validate.stdout)")
        }
    }

    @Test func validateSaysOK() throws {
        let run = try CLIRun.run(["validate"] + TestPaths.exampleSpecs.map(\.path))
        #expect(run.status == 0)
        #expect(run.stderr.split(separator: "\n").last?.hasPrefix("ok: \(TestPaths.exampleSpecs.count) specs, no errors") == true, "\(run.stderr)")
        #expect(run.stdout.isEmpty)
    }

    /// Both starters generate side by side: their names differ (before, both were `add-nickname`
    /// and the second replaced the first's folder); --name sets the name and is checked.
    @Test func startersAreNamedAfterTheirEngine() throws {
        let sandbox = TestPaths.temporaryFolder("init")
        defer { try? FileManager.default.removeItem(at: sandbox) }
        for engine in ["postgresql", "mysql"] {
            #expect(try CLIRun.run(["init", "--engine", engine, "-o", "\(engine).yaml"], currentDirectory: sandbox).status == 0)
        }
        let run = try CLIRun.run(["generate", "postgresql.yaml", "mysql.yaml", "-o", "out"], currentDirectory: sandbox)
        #expect(run.status == 0, "\(run.stderr)")
        let folders = try FileManager.default.contentsOfDirectory(atPath: sandbox.appendingPathComponent("out").path).sorted()
        #expect(folders == ["add-nickname-mysql", "add-nickname-postgresql"])

        let named = try CLIRun.run(["init", "--engine", "mysql", "--name", "orders-v2"])
        #expect(named.status == 0)
        #expect(named.stdout.contains("\n  name: orders-v2 "))
        let bad = try CLIRun.run(["init", "--name", "Orders V2"])
        #expect(bad.status == 64)
        #expect(bad.stderr.contains("not a valid migration name"), "\(bad.stderr)")
    }

    @Test(arguments: ["bash", "zsh", "fish"])
    func completionsOfferValues(_ shell: String) throws {
        let run = try CLIRun.run(["--generate-completion-script", shell])
        #expect(run.status == 0)
        for value in ["postgresql", "mysql", "sarif", "github", "markdown", "CUT010", "unknown-key"] {
            #expect(run.stdout.contains(value), "\(shell) completion lacks \(value)")
        }
    }
}
