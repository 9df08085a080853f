@testable import CutoverPlan
@testable import CutoverSpec
@testable import CutoverEmit
@testable import CutoverCore
import Foundation
import Testing

/// The Jobs' deadline bounds every statement they send, and Helm's `--timeout` in the runbook
/// covers every Job an invocation's hooks run, one after another.
@Suite struct JobTimeoutTests {
    @Test(arguments: [("30m", "15m", "2s"), ("10m", "10m", "3s"), ("5m", "20m", "30s"), ("1h", "59m", "1m"), ("90s", "1s", "500ms")])
    func deadlineCoversAStatementAndItsLockWait(_ deadline: String, _ statement: String, _ lock: String) {
        let spec = KubernetesFixtures.spec(KubernetesFixtures.expandContractYAML, replacing: [
            ("deadline: 10m", "deadline: \(deadline)\n    statementTimeout: \(statement)\n    lockTimeout: \(lock)"),
        ])
        let runner = spec.runner
        #expect(runner.deadline.text == deadline || runner.deadline == Duration.parse(deadline))
        let job = PhaseCommands.jobDeadlineSeconds(spec)
        #expect(job >= runner.deadline.seconds)
        #expect(job >= runner.statementTimeout.seconds + runner.lockTimeout.seconds + LoweringContext.jobMarginSeconds)
        // The backfill loop (one statement) ends on the server before the pod is killed.
        let budget = LoweringContext(spec: spec, schema: nil).backfillBudget
        #expect(budget >= runner.statementTimeout)
        #expect(budget.seconds + runner.lockTimeout.seconds + LoweringContext.jobMarginSeconds <= job)
    }

    /// A Job that fences a side (the switchover and the switchback) gets the grace period its EXIT trap
    /// needs to lift the fence after a TERM (run-psql.sh's UNFENCE_SECONDS, 90, plus the step TERM
    /// interrupted); Kubernetes' 30 s would KILL it half-way. Jobs that fence nothing keep the default.
    @Test func fencingJobsHaveRoomToUnfenceAfterTerm() throws {
        let path = TestPaths.examples.appendingPathComponent("ledger-pg14.yaml").path
        let compiler = Compiler()
        let validated = try #require(try compiler.check(fileAt: path).validated)
        let files = compiler.emit(compiler.plan(validated))
        let script = try String(contentsOf: TestPaths.packageRoot.appendingPathComponent("templates/run-psql.sh"), encoding: .utf8)
        #expect(script.contains("UNFENCE_SECONDS=\"${UNFENCE_SECONDS:-90}\""))
        #expect(JobBuilder.fencingGracePeriodSeconds >= 90 + 60)
        for suffix in ["switchover", "switchback"] {
            let job = try #require(files.first { $0.path.hasSuffix("chart/templates/job-\(suffix).yaml") })
            #expect(job.contents.contains("      terminationGracePeriodSeconds: 180\n"), "\(job.contents)")
            let manifest = try #require(files.first { $0.path.hasSuffix("/job-\(suffix).yaml") && $0.path.contains("manifests/") })
            #expect(manifest.contents.contains("terminationGracePeriodSeconds: 180\n"), "\(manifest.path)")
        }
        for suffix in ["preflight", "replicate", "reverse-replication", "drop-reverse", "cleanup"] {
            let job = try #require(files.first { $0.path.hasSuffix("chart/templates/job-\(suffix).yaml") })
            #expect(!job.contents.contains("terminationGracePeriodSeconds"), "\(job.path)")
        }
    }

    @Test func helmTimeoutCoversEveryHookJobOfTheInvocation() throws {
        let helm = FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache/conformance/bin/helm").path
        guard FileManager.default.isExecutableFile(atPath: helm) else {
            if DatabaseHarness.required { Issue.record("helm is missing; run ../shared/conformance/setup") }
            return
        }
        let sandbox = TestPaths.temporaryFolder("helm-timeouts")
        defer { try? FileManager.default.removeItem(at: sandbox) }
        let specs = TestPaths.exampleSpecs + [TestPaths.fixtures.appendingPathComponent("valid/pg-billing-invoices.yaml")]
        let generate = try CLIRun.run(["generate"] + specs.map(\.path) + ["-o", "out"], currentDirectory: sandbox)
        #expect(generate.status == 0, "\(generate.stderr)")
        var checked = 0
        for folder in try FileManager.default.contentsOfDirectory(atPath: sandbox.appendingPathComponent("out").path).sorted() {
            let root = sandbox.appendingPathComponent("out/\(folder)")
            let readme = try String(contentsOf: root.appendingPathComponent("README.md"), encoding: .utf8)
            for line in Set(readme.split(separator: "\n").filter { $0.hasPrefix("helm upgrade ") }.map(String.init)) {
                let words = line.split(separator: " ").map(String.init)
                let timeout = try #require(words.firstIndex(of: "--timeout").flatMap { Int(words[$0 + 1].dropLast()) }, "\(line)")
                var arguments = ["template", folder, root.appendingPathComponent("chart").path]
                for (index, word) in words.enumerated() where word == "--set" {
                    arguments += ["--set", words[index + 1].contains("$") ? "app.image=registry.example/app:previous" : words[index + 1]]
                }
                let process = Process()
                process.executableURL = URL(fileURLWithPath: helm)
                process.arguments = arguments
                let out = Pipe()
                process.standardOutput = out
                process.standardError = Pipe()
                try process.run()
                let rendered = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
                process.waitUntilExit()
                #expect(process.terminationStatus == 0, "\(line)")
                let deadlines = rendered.components(separatedBy: "\n---\n").filter { $0.contains("\nkind: Job\n") && $0.contains("helm.sh/hook:") }
                    .compactMap { job in job.split(separator: "\n").first { $0.hasPrefix("  activeDeadlineSeconds: ") }.flatMap { Int($0.split(separator: " ").last!) } }
                #expect(timeout >= deadlines.reduce(0, +), "\(folder): \(line): \(deadlines.count) hook Jobs of \(deadlines) s")
                checked += 1
            }
        }
        #expect(checked >= 15)
    }
}
