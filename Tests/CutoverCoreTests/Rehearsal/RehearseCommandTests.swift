import CutoverCore
import Foundation
import Testing

/// `cutover rehearse` end to end on the must-fail fixtures: each must exit 1 naming the stage, the
/// Job or the app version, and the statement. These start their own throwaway PostgreSQL server
/// and need helm; without them the tests are skipped, unless REQUIRE_DB=1 (or CI), where they fail.
@Suite(.serialized) struct RehearseCommandTests {
    struct Outcome {
        var run: CLIRun
        var report: [String: Any]
        var failures: [[String: Any]] { report["failures"] as? [[String: Any]] ?? [] }
    }

    static func rehearse(_ fixture: String, rows: Int) throws -> Outcome? {
        let path = TestPaths.fixtures.appendingPathComponent("broken/\(fixture)").path
        let run = try CLIRun.run(["rehearse", "--format", "json", "--rows", String(rows), path])
        guard let object = try? JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any] else {
            if !DatabaseHarness.required && (run.stderr.contains("cannot start a throwaway") || run.stderr.contains("no helm was found")) {
                return nil
            }
            Issue.record("rehearse \(fixture) printed no report (exit \(run.status)):\n\(run.stderr)")
            return nil
        }
        return Outcome(run: run, report: object)
    }

    @Test func lockHeldLongerThanLockTimeoutFails() throws {
        guard let outcome = try Self.rehearse("pg-rehearse-lock-scan.yaml", rows: 0) else { return }
        #expect(outcome.run.status == 1)
        let first = try #require(outcome.failures.first)
        #expect(first["job"] as? String == "pg-rehearse-lock-scan-expand")
        #expect(first["phase"] as? String == "expand")
        #expect(first["file"] as? String == "0001_expand_sql_hold_accounts.up.sql")
        #expect((first["error"] as? String ?? "").contains("AccessExclusive lock on accounts"))
        #expect((first["stage"] as? String ?? "").hasPrefix("forward 1"))
    }

    @Test func metadataLockHeldLongerThanLockTimeoutFailsOnMariaDB() throws {
        guard let outcome = try Self.rehearse("mysql-rehearse-lock-scan.yaml", rows: 500) else { return }
        #expect(outcome.run.status == 1)
        let first = try #require(outcome.failures.first)
        #expect(first["job"] as? String == "mysql-rehearse-lock-scan-expand")
        #expect(first["file"] as? String == "0001_expand_sql_hold_accounts.up.sql")
        #expect((first["error"] as? String ?? "").contains("SHARED_NO_READ_WRITE lock on accounts"))
    }

    @Test func droppingAColumnTheOldVersionWritesFails() throws {
        guard let outcome = try Self.rehearse("pg-rehearse-drop-written-column.yaml", rows: 2000) else { return }
        #expect(outcome.run.status == 1)
        let old = outcome.failures.first { $0["version"] as? String == "old" }
        let failure = try #require(old, "no statement of the old version failed: \(outcome.failures)")
        #expect((failure["stage"] as? String ?? "").hasPrefix("forward 1"))
        #expect(failure["phase"] as? String == "expand")
        #expect(failure["job"] as? String == "pg-rehearse-drop-written-column-expand")
        #expect((failure["statement"] as? String ?? "").contains("nickname"))
        #expect((failure["error"] as? String ?? "").contains("nickname"))
    }

    @Test func notNullWhileTheOldVersionServesFails() throws {
        guard let outcome = try Self.rehearse("pg-rehearse-not-null-early.yaml", rows: 2000) else { return }
        #expect(outcome.run.status == 1)
        let old = outcome.failures.first { $0["version"] as? String == "old" && ($0["statement"] as? String ?? "").hasPrefix("INSERT") }
        let failure = try #require(old, "no INSERT of the old version failed: \(outcome.failures)")
        #expect((failure["stage"] as? String ?? "").hasPrefix("forward 1"))
        #expect(failure["phase"] as? String == "expand")
        #expect((failure["error"] as? String ?? "").contains("null value in column \"region\""))
    }

    /// Blue-green with an UNLOGGED table the app writes: its rows would never reach green. The
    /// replicate Job refuses it before publishing anything, named with the table.
    @Test func blueGreenWithAnUnloggedTableFails() throws {
        guard let outcome = try Self.rehearse("pg-rehearse-bluegreen-unlogged.yaml", rows: 500) else { return }
        #expect(outcome.run.status == 1)
        let first = try #require(outcome.failures.first)
        #expect((first["stage"] as? String ?? "").hasPrefix("forward 1"))
        #expect(first["phase"] as? String == "replicate")
        #expect(first["job"] as? String == "pg-rehearse-bluegreen-unlogged-replicate")
        #expect((first["error"] as? String ?? "").contains("sessions is UNLOGGED"), "\(first)")
    }

    @Test func missingHelmIsAClearError() throws {
        let path = TestPaths.fixtures.appendingPathComponent("broken/pg-rehearse-lock-scan.yaml").path
        let run = try CLIRun.run(["rehearse", "--rows", "0", path], environment: ["CUTOVER_HELM": "/nonexistent/helm"])
        #expect(run.status == 1)
        #expect(run.stderr.contains("CUTOVER_HELM=/nonexistent/helm is not an executable"))
        #expect(run.stdout.isEmpty)
    }

    @Test func usageErrorExits64() throws {
        let run = try CLIRun.run(["rehearse", "--rows", "-1", "x.yaml"])
        #expect(run.status == 64)
    }
}
