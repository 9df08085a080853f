import Foundation
import Testing

/// `cutover rehearse` proves that expand's rollback keeps what the new version wrote into added
/// columns: the must-fail fixture drops the kept column in a later down (what every rollback did
/// before issue 9) and must fail after the rollback naming it; an example with added columns passes
/// with them kept. Needs PostgreSQL and helm (skipped without them unless REQUIRE_DB=1).
@Suite(.serialized) struct RollbackQuarantineRehearsalTests {
    @Test func aRollbackThatDropsWhatTheNewVersionWroteFails() throws {
        guard let outcome = try RehearseCommandTests.rehearse("pg-rehearse-rollback-drops-added-column.yaml", rows: 2000) else { return }
        #expect(outcome.run.status == 1)
        let lost = outcome.failures.filter { ($0["error"] as? String ?? "").contains("accounts.display_name: what the new version wrote is gone") }
        let failure = try #require(lost.first, "\(outcome.failures)")
        #expect(failure["stage"] as? String == "after rollback")
        #expect(outcome.failures.count == 1, "\(outcome.failures)")
    }

    @Test func addedColumnsAreKeptUnderTheirQuarantineNames() throws {
        let spec = TestPaths.examples.appendingPathComponent("pricing-tiers.yaml").path
        let run = try CLIRun.run(["rehearse", "--format", "json", "--rows", "2000", spec])
        guard let report = try? JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any] else {
            if !DatabaseHarness.required && (run.stderr.contains("cannot start a throwaway") || run.stderr.contains("no helm was found")) { return }
            Issue.record("no report (exit \(run.status)):\n\(run.stderr)")
            return
        }
        #expect(run.status == 0, "\(report["failures"] ?? "")")
        let checks = report["checks"] as? [String] ?? []
        #expect(checks.contains("columns expand added, kept by the rollback: _cutover_pricing_tiers_attrs, _cutover_pricing_tiers_billing_period, _cutover_pricing_tiers_tier"), "\(checks)")
        #expect(checks.contains("values written into added columns: kept under their quarantine names"), "\(checks)")
    }
}
