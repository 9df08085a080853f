@testable import CutoverCore
import Foundation
import Testing

/// Blue-green rehearsals on two throwaway PostgreSQL servers with the app writing throughout: the
/// shared example must be proven, and the same chart with its fence taken out must not (a pooled
/// connection keeps writing to blue after the switch, and those rows never reach green).
@Suite(.serialized) struct BlueGreenRehearsalTests {
    static func plan(_ name: String) throws -> MigrationPlan {
        let path = TestPaths.examples.appendingPathComponent(name).path
        let compiler = Compiler()
        let result = try compiler.check(fileAt: path)
        let validated = try #require(result.validated, "\(result.diagnostics)")
        return compiler.plan(validated)
    }

    static func rehearse(_ plan: MigrationPlan, rows: Int, filter: (@Sendable ([OutputFile]) -> [OutputFile])? = nil) throws -> RehearsalReport? {
        var options = Rehearsal.Options(rows: rows)
        options.outputFilter = filter
        do {
            return try Rehearsal(plan: plan, options: options).run()
        } catch let VerificationError.noServer(reason) where !DatabaseHarness.required {
            print("skipped: \(reason)")
            return nil
        }
    }

    @Test func exampleWritesThroughTheSwitchAndTheRollback() throws {
        guard let report = try Self.rehearse(try Self.plan("ledger-pg14.yaml"), rows: 2000) else { return }
        #expect(report.proven, "\(report.renderText())")
        #expect(report.checks.contains("after the move to green: every row written on either side is there, no sequence behind blue"), "\(report.checks)")
        #expect(report.checks.contains("after the move to blue: every row written on either side is there, no sequence behind green"), "\(report.checks)")
        #expect(report.checks.contains("re-running the forward stages after the switch: nothing changed"), "\(report.checks)")
        // The app wrote on both sides, and the fence refused some of its writes during the switch.
        let notes = report.sections.flatMap(\.notes)
        #expect(notes.contains { $0.hasPrefix("write pause:") }, "\(notes)")
    }

    @Test func switchWithoutFenceLosesWrites() throws {
        let unfenced: @Sendable ([OutputFile]) -> [OutputFile] = { files in
            files.map { file in
                guard file.path.hasSuffix("chart/templates/job-switchover.yaml") else { return file }
                return OutputFile(path: file.path, contents: file.contents.replacingOccurrences(of: "        - fence:blue\n", with: ""))
            }
        }
        let plan = try Self.plan("ledger-pg14.yaml")
        #expect(Compiler().emit(plan).contains { $0.path.hasSuffix("job-switchover.yaml") && $0.contents.contains("- fence:blue\n") })
        guard let report = try Self.rehearse(plan, rows: 2000, filter: unfenced) else { return }
        #expect(!report.proven)
        let lost = report.failures.first { $0.error.hasPrefix("lost in the move from blue to green") }
        let failure = try #require(lost, "no lost write reported: \(report.renderText())")
        #expect(failure.stage.hasPrefix("forward"))
        #expect(failure.phase == "switchover")
        #expect(failure.job == "ledger-pg14-switchover")
        // Rows the pooled connections wrote to blue after the switch are not on green (or green reused their keys).
        #expect(failure.error.contains("wrote are gone") || failure.error.contains("contents differ"), "\(failure.error)")
    }

    /// A switch whose replication never ran would move the app to an empty green: the switchover
    /// Job refuses before its fence.
    @Test func switchWithoutReplicationIsRefused() throws {
        let unreplicated: @Sendable ([OutputFile]) -> [OutputFile] = { files in
            files.filter { !$0.path.hasSuffix("chart/templates/job-replicate.yaml") }
        }
        guard let report = try Self.rehearse(try Self.plan("ledger-pg14.yaml"), rows: 500, filter: unreplicated) else { return }
        #expect(!report.proven)
        let first = try #require(report.failures.first, "\(report.renderText())")
        #expect(first.job == "ledger-pg14-switchover" || first.job == "ledger-pg14-verify", "\(first)")
        #expect(report.failures.contains { $0.error.contains("run the replicate phase first") }, "\(report.renderText())")
    }
}
