@testable import CutoverPlan
@testable import CutoverSpec
@testable import CutoverEmit
@testable import CutoverProof
import CutoverTemplates
import Foundation
import Testing
import Yams

/// Issue 14: a rollback cutover refuses (or a preflight that found problems) fails the same way on
/// every retry, so the runner exits with its own code (65) and every phase Job's podFailurePolicy
/// fails the Job at once on it; any other failure is still retried up to backoffLimit. The policy is
/// read back from the rendered Job, which rehearse plays as Kubernetes would.
@Suite(.serialized) struct RefusedJobTests {
    static let runners = ["run-psql.sh", "run-mysql.sh", "run-flyway.sh", "run-liquibase.sh"]

    static func plan(in folder: URL) throws -> MigrationPlan {
        try RefusalHoistingTests.yaml("postgresql").write(to: folder.appendingPathComponent("hoist.yaml"), atomically: true, encoding: .utf8)
        try RefusalHoistingTests.postgresSchema.write(to: folder.appendingPathComponent("hoist.schema.sql"), atomically: true, encoding: .utf8)
        return try SQLGoldenTests.plan(folder.appendingPathComponent("hoist.yaml").path)
    }

    /// A Job read back from its YAML, as rehearse reads the rendered chart.
    static func read(_ text: String) throws -> RenderedJob {
        guard let object = try Yams.load(yaml: text) as? [String: Any], let job = RenderedJob(object) else {
            throw HarnessError("not a Job: \(text)")
        }
        return job
    }

    @Test func everyPhaseJobFailsAtOnceOnTheRunnersRefusal() throws {
        let folder = TestPaths.temporaryFolder("refused-policy")
        defer { try? FileManager.default.removeItem(at: folder) }
        let plan = try Self.plan(in: folder)
        let builder = JobBuilder(plan: plan, toolImage: "tool", clientImage: "client")
        let units = JobCatalog(plan).jobs
        #expect(units.contains { $0.suffix == "rollback-contract" } && units.contains { $0.suffix == "preflight" })
        for unit in units {
            let job = builder.job(unit, configMap: "cm")
            #expect(job.template.spec.restartPolicy == "Never", "podFailurePolicy needs restartPolicy Never")
            let container = try #require(job.template.spec.containers.first).name
            #expect(job.podFailurePolicy == PodFailurePolicy(rules: [
                .init(action: .failJob, containerName: container, exitCodes: [65]),
                .init(action: .ignore, podConditions: ["DisruptionTarget"]),
            ]), "\(unit.suffix)")
            // As rendered, and read back the way rehearse reads it.
            let text = ManifestYAML.document(job.node(), header: "")
            #expect(text.contains("""
                  podFailurePolicy:
                    rules:
                    - action: FailJob
                      onExitCodes:
                        containerName: \(container)
                        operator: In
                        values:
                        - 65
                    - action: Ignore
                      onPodConditions:
                      - type: DisruptionTarget
                        status: 'True'
                """), "\(text)")
            let rendered = try Self.read(text)
            #expect(rendered.podFailurePolicy.first?.matches(container: container, code: 65) == true)
            #expect(rendered.podFailurePolicy.contains { $0.matches(container: container, code: 3) } == false)
        }
        // The runners' code is the policy's.
        for name in Self.runners {
            let script = Templates.text(try #require(Templates.File.script(named: name)))
            #expect(script.contains("\nREFUSED=\(PodFailurePolicy.refusedExitCode)\n"), "\(name)")
        }
    }

    // MARK: the runners' exit code, with a stand-in client

    /// Runs `runner` (mount paths moved into a scratch folder) with a stand-in for its client that
    /// prints `stderr` and exits `status`.
    static func runWithClient(_ runner: String, client: String, stderr: String, status: Int) throws -> (status: Int32, output: String) {
        let root = TestPaths.temporaryFolder("refused-runner")
        defer { try? FileManager.default.removeItem(at: root) }
        for path in ["tmp", "bin", "etc/cutover/sql", "etc/cutover/db"] {
            try FileManager.default.createDirectory(at: root.appendingPathComponent(path), withIntermediateDirectories: true)
        }
        try "app".write(to: root.appendingPathComponent("etc/cutover/db/username"), atomically: true, encoding: .utf8)
        try "secret".write(to: root.appendingPathComponent("etc/cutover/db/password"), atomically: true, encoding: .utf8)
        try "SELECT 1;\n".write(to: root.appendingPathComponent("etc/cutover/sql/0001_contract_x.down.sql"), atomically: true, encoding: .utf8)
        // The script as cutover writes it (fragments included), not the template file.
        let script = Templates.text(try #require(Templates.File.script(named: runner)))
            .replacingOccurrences(of: "/tmp/", with: root.path + "/tmp/").replacingOccurrences(of: "/etc/cutover", with: root.path + "/etc/cutover")
        try script.write(to: root.appendingPathComponent("run.sh"), atomically: true, encoding: .utf8)
        // mysql's runner reads the session's connection id off the first two lines of its output.
        let fake = "#!/bin/sh\ncat > /dev/null\nprintf 'cutover_connection\\n7\\n'\ncat <<'EOF' >&2\n\(stderr)\nEOF\nexit \(status)\n"
        let path = root.appendingPathComponent("bin/\(client)").path
        try fake.write(toFile: path, atomically: true, encoding: .utf8)
        chmod(path, 0o755)
        return try RefusalHoistingTests.shell(root.appendingPathComponent("run.sh").path, ["0001_contract_x.down.sql"],
                                               env: ["PATH": "\(root.path)/bin:/usr/bin:/bin", "DB_HOST": "db", "DB_PORT": "5432", "DB_NAME": "app",
                                                     "DB_ENGINE": "postgresql"])
    }

    @Test(arguments: [
        ("run-psql.sh", "psql", "psql:/etc/cutover/sql/0001_contract_x.down.sql:3: ERROR:  cutover rollback refused: orders holds rows", 3, 65),
        ("run-psql.sh", "psql", "psql:/etc/cutover/sql/0000_preflight.up.sql:1: ERROR:  cutover preflight: 2 problem(s), nothing was changed:", 3, 65),
        // Must fail: any other error keeps the client's status, and is retried.
        ("run-psql.sh", "psql", "psql:/etc/cutover/sql/0001_contract_x.down.sql:3: ERROR:  canceling statement due to lock timeout", 3, 3),
        ("run-psql.sh", "psql", "psql: error: connection to server failed", 2, 2),
        ("run-mysql.sh", "mysql", "ERROR 1644 (45000) at line 9: cutover rollback refused: orders holds rows the new app version wrote", 1, 65),
        ("run-mysql.sh", "mysql", "ERROR 1644 (45000) at line 4: cutover preflight: 1 problem(s), listed above; nothing was changed", 1, 65),
        ("run-mysql.sh", "mysql", "ERROR 1205 (HY000) at line 9: Lock wait timeout exceeded; try restarting transaction", 1, 1),
        ("run-flyway.sh", "flyway", "ERROR: Migration V1__preflight.sql failed\nSQL State  : P0001\nMessage    : ERROR: cutover preflight: 1 problem(s), nothing was changed:", 1, 65),
        // The failed statement flyway echoes holds the refusal as a literal: not a refusal.
        ("run-flyway.sh", "flyway", "Message    : ERROR: canceling statement due to lock timeout\nStatement  : DO $$ BEGIN RAISE EXCEPTION '%', 'cutover rollback refused: x'; END $$", 1, 1),
        ("run-liquibase.sh", "liquibase", "Unexpected error running Liquibase: ERROR: cutover rollback refused: orders holds rows", 1, 65),
        ("run-liquibase.sh", "liquibase", "Unexpected error running Liquibase: ERROR: deadlock detected [Failed SQL: (0) SELECT 'cutover rollback refused: x']", 1, 1),
    ])
    func theRunnerExits65OnARefusalOnly(_ runner: String, _ client: String, _ stderr: String, _ status: Int, _ expected: Int32) throws {
        let result = try Self.runWithClient(runner, client: client, stderr: stderr, status: status)
        #expect(result.status == expected, "\(result.output)")
        // The client's own message still reaches the log.
        #expect(result.output.contains(stderr.split(separator: "\n").last.map(String.init) ?? ""), "\(result.output)")
        #expect(result.output.contains("cutover: refused (exit code 65)") == (expected == 65), "\(result.output)")
    }

    // MARK: rehearse plays the rendered Job

    /// The hoist migration's rollback-contract Job, as JobBuilder renders it, played by JobPlayer on
    /// the test run's PostgreSQL: the repeated key the new version wrote is refused after one pod;
    /// an ordinary failure (a table the down needs is gone) uses every retry; fixed, it completes.
    @Test(.enabled(if: DatabaseHarness.shouldRun(.postgresql), unavailable(.postgresql)))
    func aRefusedRollbackFailsAfterOnePod() throws {
        guard case .success(let server) = DatabaseHarness.shared.server(.postgresql), let local = server.server as? LocalPostgresServer else {
            throw HarnessError("PostgreSQL is not available")
        }
        let root = TestPaths.temporaryFolder("refused-job")
        defer { try? FileManager.default.removeItem(at: root) }
        let plan = try Self.plan(in: root)
        let url = try DatabaseHarness.shared.url(.postgresql)
        try BackfillUnderLoadTests.run(url, ["-c", "DROP DATABASE IF EXISTS refused_job", "-c", "CREATE DATABASE refused_job"])
        let db = url.replacingOccurrences(of: "/postgres?", with: "/refused_job?")

        let builder = JobBuilder(plan: plan, toolImage: "tool", clientImage: "client")
        let catalog = JobCatalog(plan).jobs
        func rendered(_ suffix: String) throws -> (job: RenderedJob, configMaps: [String: [String: String]]) {
            let unit = try #require(catalog.first { $0.suffix == suffix })
            let text = ManifestYAML.document(builder.job(unit, configMap: "sql-\(suffix)").node(), header: "")
            let job = try Self.read(text)
            var files: [String: String] = [:]
            for file in RunnerFiles(plan).files(for: [unit]) { files[file.key] = file.value }
            return (job, ["sql-\(suffix)": files])
        }
        let player = JobPlayer(context: .init(overrides: ["DB_HOST": local.folder, "DB_PORT": "5432", "DB_NAME": "refused_job"],
                                              secret: ["username": "postgres", "password": ""],
                                              path: [(local.client as NSString).deletingLastPathComponent], setpriv: nil),
                               folder: root.appendingPathComponent("jobs").path) { _ in }
        let rollback = try rendered("rollback-contract")
        #expect(rollback.job.backoffLimit >= 1, "the spec's retries: \(rollback.job.backoffLimit)")

        // A preflight that finds the tables missing: one pod.
        let preflight = try rendered("preflight")
        let missing = try player.play(preflight.job, configMaps: preflight.configMaps, index: 1)
        #expect(!missing.succeeded && missing.attempts == 1 && missing.failedAtOnce == 65, "\(missing.output)")
        #expect(missing.output.contains("cutover preflight: "), "\(missing.output)")

        try BackfillUnderLoadTests.run(db, ["-c", RefusalHoistingTests.postgresSchema, "-c", "INSERT INTO customers VALUES (1); INSERT INTO orders VALUES (1, 1, 'r1')"])
        let sql = RenderedSQL(plan)
        for index in plan.steps.indices {
            let file = root.appendingPathComponent("up-\(index).sql")
            try sql.text(index, .up).write(to: file, atomically: true, encoding: .utf8)
            try BackfillUnderLoadTests.run(db, ["-f", file.path])
        }
        try BackfillUnderLoadTests.run(db, ["-c", "INSERT INTO orders VALUES (2, 1, 'r1')"])

        let refused = try player.play(rollback.job, configMaps: rollback.configMaps, index: 2)
        #expect(!refused.succeeded && refused.attempts == 1 && refused.failedAtOnce == 65, "\(refused.attempts) attempts: \(refused.output)")
        #expect(refused.output.contains("cutover rollback refused: orders holds rows the new app version wrote that repeat (reference)"), "\(refused.output)")
        #expect(refused.output.contains("podFailurePolicy FailJob: the Job fails at once"), "\(refused.output)")
        let line = RehearsalReport.JobLine(name: rollback.job.name, hook: "pre-rollback", attempts: refused.attempts, succeeded: false,
                                           seconds: 1, longestLock: nil, failedAtOnce: refused.failedAtOnce)
        var section = RehearsalReport.Section(title: "1", direction: "rollback", phases: ["contract"], values: [:])
        section.jobs = [line]
        var report = RehearsalReport(spec: "hoist", engine: "postgresql", strategy: "expand-contract", rows: 0)
        report.sections = [section]
        #expect(report.renderText().contains("FAILED at once on exit code 65 (refused)"), "\(report.renderText())")

        // Must fail: the rows fixed but the table the foreign key's down needs gone, an ordinary error: every retry.
        try BackfillUnderLoadTests.run(db, ["-c", "UPDATE orders SET reference = 'r2' WHERE id = 2", "-c", "ALTER TABLE customers RENAME TO clients"])
        let failed = try player.play(rollback.job, configMaps: rollback.configMaps, index: 3)
        #expect(!failed.succeeded && failed.attempts == rollback.job.backoffLimit + 1 && failed.failedAtOnce == nil, "\(failed.attempts) attempts: \(failed.output)")
        #expect(!failed.output.contains("cutover: refused"), "\(failed.output)")

        try BackfillUnderLoadTests.run(db, ["-c", "ALTER TABLE clients RENAME TO customers"])
        let done = try player.play(rollback.job, configMaps: rollback.configMaps, index: 4)
        #expect(done.succeeded && done.attempts == 1, "\(done.output)")
    }
}
