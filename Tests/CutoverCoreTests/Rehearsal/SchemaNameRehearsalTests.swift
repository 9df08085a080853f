@testable import CutoverPlan
@testable import CutoverSpec
@testable import CutoverEmit
@testable import CutoverCore
@testable import CutoverProof
import Foundation
import Testing

/// `database.schemaName: app` end to end (issue 13 item 6): fixtures/valid/pg-app-schema keeps its
/// tables in `app` and same-named decoys in `public`. The rehearsal is proven; with the Jobs' search_path
/// (`PGOPTIONS`, `RunnerProfile.environment`) taken out, the runner's own session of the rollback's
/// quarantine step looks at the `public` decoy, keeps nothing, and the down drops what the new version
/// wrote: NOT PROVEN, naming the lost values.
@Suite(.serialized) struct SchemaNameRehearsalTests {
    static let path = TestPaths.fixtures.appendingPathComponent("valid/pg-app-schema.yaml").path
    static let jobSearchPath = "        - name: PGOPTIONS\n          value: -c search_path=\"app\",public\n"

    @Test func theAppSchemaFixtureIsProven() throws {
        let plan = try TargetSchemaRehearsalTests.plan(Self.path)
        guard let report = try BlueGreenRehearsalTests.rehearse(plan, rows: 300) else { return }
        #expect(report.proven, "\(report.renderText())")
        #expect(report.checks.contains("values written into added columns: kept under their quarantine names"), "\(report.checks)")
        #expect(report.checks.contains { $0.hasPrefix("schema after the last forward stage: the spec's target") }, "\(report.checks)")
    }

    @Test func withoutTheJobsSearchPathTheQuarantineLooksAtTheDecoy() throws {
        let plan = try TargetSchemaRehearsalTests.plan(Self.path)
        let isJob: @Sendable (OutputFile) -> Bool = { $0.path.hasPrefix("chart/templates/job-") }
        let filter: @Sendable ([OutputFile]) -> [OutputFile] = { files in
            files.map { file in
                guard isJob(file) else { return file }
                var file = file
                file.contents = file.contents.replacingOccurrences(of: Self.jobSearchPath, with: "")
                return file
            }
        }
        #expect(Compiler().emit(plan).contains { isJob($0) && $0.contents.contains(Self.jobSearchPath) }, "the Jobs no longer set search_path this way: update the test")
        guard let report = try BlueGreenRehearsalTests.rehearse(plan, rows: 300, filter: filter) else { return }
        #expect(!report.proven)
        let lines = report.failures.map(\.error)
        #expect(lines.contains { $0.contains("orders.placed_at: what the new version wrote is gone") }, "\(lines)")
    }
}
