import CutoverPlan
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `cutover verify` end to end on real servers (the shared harness servers through --database-url,
/// and the throwaway-server mode itself).
@Suite(.serialized) struct VerifyCommandTests {
    /// The fixtures `verify` must fail; `*-rehearse-*` ones pass verify (each step reverses) and fail
    /// only `cutover rehearse`, which has its own tests.
    static let broken = TestPaths.files(in: TestPaths.fixtures.appendingPathComponent("broken"), extension: "yaml")
        .filter { !$0.lastPathComponent.contains("-rehearse-") }

    static func engine(of spec: URL) -> MigrationSpec.Engine {
        let text = (try? String(contentsOf: spec, encoding: .utf8)) ?? ""
        return text.contains("engine: mysql") ? .mysql : .postgresql
    }

    /// A TMPDIR short enough that the servers' Unix sockets fit (107 bytes), traversable by `postgres`.
    static func shortTemporaryFolder() throws -> URL {
        var template = Array("/tmp/cvt-XXXXXX".utf8CString)
        guard template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) != nil else { throw HarnessError("mkdtemp failed") }
        let path = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        chmod(path, 0o755)
        return URL(fileURLWithPath: path)
    }

    static func verify(_ spec: URL, url: String? = nil, environment: [String: String] = [:]) throws -> CLIRun {
        var arguments = ["verify", spec.path]
        if let url { arguments += ["--database-url", url] }
        return try CLIRun.run(arguments, environment: environment)
    }

    /// Every broken fixture fails, and its FAIL line names the step of its sql change.
    @Test(.enabled(if: DatabaseHarness.shouldRun(.postgresql) && DatabaseHarness.shouldRun(.mysql), unavailable(.postgresql)),
          arguments: broken)
    func brokenFixtureFails(_ spec: URL) throws {
        let url = try DatabaseHarness.shared.url(Self.engine(of: spec))
        let run = try Self.verify(spec, url: url)
        #expect(run.status == 1, "\(run.stdout)\(run.stderr)")
        let failLine = run.stdout.split(separator: "\n").first { $0.hasPrefix("FAIL 0001_expand_sql_") }
        #expect(failLine != nil, "no FAIL line for the sql step:\n\(run.stdout)")
        if spec.lastPathComponent.contains("not-idempotent") {
            #expect(failLine?.contains("up is not idempotent") == true, "\(run.stdout)")
        } else {
            #expect(failLine?.contains("down did not restore the schema") == true, "\(run.stdout)")
            #expect(run.stdout.contains("--- before the up"), "no diff:\n\(run.stdout)")
        }
        #expect(run.stdout.contains("verified: 1 step, 1 failed"), "\(run.stdout)")
    }

    /// Every shared example passes verify (the blue-green one with rows replicated and sequences synced).
    /// Blue-green runs on its own two throwaway servers: a subscription between two databases of one
    /// cluster (the shared server) can hang in DROP SUBSCRIPTION during the initial table sync.
    @Test(.enabled(if: DatabaseHarness.shouldRun(.postgresql) && DatabaseHarness.shouldRun(.mysql), unavailable(.postgresql)),
          arguments: TestPaths.exampleSpecs)
    func examplePasses(_ spec: URL) throws {
        let blueGreen = ((try? String(contentsOf: spec, encoding: .utf8)) ?? "").contains("strategy: blue-green")
        let url = try DatabaseHarness.shared.url(Self.engine(of: spec))
        let run = try Self.verify(spec, url: blueGreen ? nil : url)
        #expect(run.status == 0, "\(spec.lastPathComponent):\n\(run.stdout)\(run.stderr)")
        #expect(run.stdout.range(of: #"verified: \d+ steps?, 0 failed"#, options: .regularExpression) != nil, "\(run.stdout)")
        #expect(!run.stdout.contains("FAIL"), "\(run.stdout)")
        if spec.lastPathComponent.contains("ledger"), run.stdout.contains("replicate") {
            #expect(run.stdout.contains("PASS replication blue → green"), "\(run.stdout)")
            #expect(run.stdout.contains("PASS sequences on green"), "\(run.stdout)")
        }
    }

    /// Without a URL: a throwaway server, the run passes, and nothing is left in TMPDIR.
    @Test(.enabled(if: DatabaseHarness.shouldRun(.postgresql), unavailable(.postgresql)))
    func throwawayPostgresLeavesNothing() throws {
        let tmp = try Self.shortTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: tmp) }
        let spec = TestPaths.examples.appendingPathComponent("pricing-tiers.yaml")
        let run = try Self.verify(spec, environment: ["TMPDIR": tmp.path])
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        #expect(run.stdout.contains("verified:"), "\(run.stdout)")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: tmp.path)
        #expect(leftovers.isEmpty, "left behind in TMPDIR: \(leftovers) \(leftovers.map { (try? FileManager.default.subpathsOfDirectory(atPath: tmp.path + "/" + $0)) ?? [] })")
        print("verify pricing-tiers with a throwaway PostgreSQL: \(String(format: "%.2f", run.seconds)) s")
    }

    @Test(.enabled(if: DatabaseHarness.shouldRun(.mysql), unavailable(.mysql)))
    func throwawayMariaDBFailsBrokenAndLeavesNothing() throws {
        let tmp = try Self.shortTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: tmp) }
        let spec = TestPaths.fixtures.appendingPathComponent("broken/mysql-down-not-reversing.yaml")
        let run = try Self.verify(spec, environment: ["TMPDIR": tmp.path])
        #expect(run.status == 1, "\(run.stdout)\(run.stderr)")
        #expect(run.stdout.contains("FAIL 0001_expand_sql_create_audit_log"), "\(run.stdout)")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: tmp.path)
        #expect(leftovers.isEmpty, "left behind in TMPDIR: \(leftovers) \(leftovers.map { (try? FileManager.default.subpathsOfDirectory(atPath: tmp.path + "/" + $0)) ?? [] })")
    }

    /// --keep keeps the folder and says where.
    @Test(.enabled(if: DatabaseHarness.shouldRun(.mysql), unavailable(.mysql)))
    func keepKeepsTheFolder() throws {
        let tmp = try Self.shortTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: tmp) }
        let spec = TestPaths.fixtures.appendingPathComponent("broken/mysql-not-idempotent.yaml")
        let run = try CLIRun.run(["verify", spec.path, "--keep"], environment: ["TMPDIR": tmp.path])
        #expect(run.status == 1, "\(run.stdout)\(run.stderr)")
        #expect(run.stdout.contains("FAIL 0001_expand_sql_create_audit_log"), "\(run.stdout)\(run.stderr)")
        let kept = try FileManager.default.contentsOfDirectory(atPath: tmp.path)
        #expect(kept.count == 1, "\(kept)")
        #expect(run.stderr.contains("kept \(tmp.path)/"), "\(run.stderr)")
        #expect(FileManager.default.fileExists(atPath: tmp.appendingPathComponent("\(kept.first ?? "")/steps").path))
    }

    /// `rehearse --keep` keeps its folder from later runs too: the next run's sweep of killed runs'
    /// folders leaves it alone.
    @Test(.enabled(if: DatabaseHarness.shouldRun(.mysql), unavailable(.mysql)))
    func rehearseKeepOutlivesTheNextRun() throws {
        let tmp = try Self.shortTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: tmp) }
        let spec = TestPaths.fixtures.appendingPathComponent("valid/mysql-drop-constraints.yaml")
        let run = try CLIRun.run(["rehearse", spec.path, "--keep", "--rows", "50"], environment: ["TMPDIR": tmp.path])
        #expect(run.stderr.contains("kept \(tmp.path)/"), "\(run.stdout)\(run.stderr)")
        let kept = try FileManager.default.contentsOfDirectory(atPath: tmp.path)
        #expect(kept.count == 1, "\(kept)")
        let next = try CLIRun.run(["rehearse", spec.path, "--rows", "50"], environment: ["TMPDIR": tmp.path])
        #expect(next.status == 0, "\(next.stdout)\(next.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: tmp.path) == kept, "the kept folder is still there, alone")
    }

    /// SIGINT while steps run: exit 130, the server is stopped and the folder is gone.
    @Test(.enabled(if: DatabaseHarness.shouldRun(.postgresql), unavailable(.postgresql)))
    func interruptStopsTheServerAndCleansUp() throws {
        let tmp = try Self.shortTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: tmp) }
        let process = Process()
        process.executableURL = TestPaths.binary
        process.arguments = ["verify", TestPaths.examples.appendingPathComponent("pricing-tiers.yaml").path]
        var env = ProcessInfo.processInfo.environment
        env["TMPDIR"] = tmp.path
        process.environment = env
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        // Wait until the server is up (a postmaster.pid exists), then interrupt.
        var postmaster: pid_t = 0
        let deadline = Date().addingTimeInterval(30)
        while postmaster == 0 && Date() < deadline && process.isRunning {
            if let folder = try? FileManager.default.contentsOfDirectory(atPath: tmp.path).first,
               let text = try? String(contentsOfFile: "\(tmp.path)/\(folder)/pg/data/postmaster.pid", encoding: .utf8),
               let first = text.split(separator: "\n").first, let pid = pid_t(first), pid > 0 {  // negative while initdb runs
                postmaster = pid
            } else {
                usleep(20_000)
            }
        }
        try #require(postmaster > 0, "the server never started")
        kill(process.processIdentifier, SIGINT)
        _ = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 130)
        #expect(kill(postmaster, 0) != 0 || (try? String(contentsOfFile: "/proc/\(postmaster)/stat", encoding: .utf8))?.contains(") Z") == true,
                "postmaster \(postmaster) still runs")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: tmp.path)
        #expect(leftovers.isEmpty, "left behind in TMPDIR: \(leftovers) \(leftovers.map { (try? FileManager.default.subpathsOfDirectory(atPath: tmp.path + "/" + $0)) ?? [] })")
    }

    /// No server binaries and no URL: a clear error, exit 1.
    @Test func noServerIsAClearError() throws {
        let empty = TestPaths.temporaryFolder("no-bin")
        defer { try? FileManager.default.removeItem(at: empty) }
        let spec = TestPaths.fixtures.appendingPathComponent("broken/pg-not-idempotent.yaml")
        let run = try CLIRun.run(["verify", spec.path], environment: ["CUTOVER_PG_BIN": empty.path, "PATH": empty.path])
        #expect(run.status == 1)
        #expect(run.stderr.contains("cannot start a throwaway PostgreSQL server"), "\(run.stderr)")
        #expect(run.stderr.contains("--database-url"), "\(run.stderr)")
    }
}
