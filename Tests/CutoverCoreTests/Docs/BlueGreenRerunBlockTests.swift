@testable import CutoverPlan
@testable import CutoverSpec
@testable import CutoverEmit
@testable import CutoverCore
import Foundation
import Testing

/// Issue #10, SRE review sre10e (MUST-FIX M3): with plain kubectl the switch and the switchback may
/// run a second time within the Jobs' `ttlSecondsAfterFinished` (a second switch after a switchback,
/// or a re-run). Applying an unchanged Job leaves the completed one in place, so each kubectl block
/// deletes its Jobs before applying them and `wait_job` waits for this run's Job.
extension PlanReadmeTests {
    /// Runs LINES under /bin/sh with a kubectl stub that keeps Jobs: those in `completed` exist from an
    /// earlier run (Complete); `delete job NAME` removes one; any other Job reads Failed (this run's
    /// Job fails). `apply` changes nothing, as kubectl does with an unchanged Job. Returns the calls.
    static func runWithEarlierJobs(_ lines: [String], completed: [String]) throws -> [String] {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("cutover-rerun-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try "".write(to: directory.appendingPathComponent("log"), atomically: true, encoding: .utf8)
        try (completed.joined(separator: "\n") + "\n").write(to: directory.appendingPathComponent("jobs"), atomically: true, encoding: .utf8)
        let script = """
            D='\(directory.path)'
            NAMESPACE=finance
            log() { printf '%s\\n' "$*" >> "$D/log"; }
            helm() { log "helm $*"; return 1; }
            kubectl() {
              log "kubectl $*"
              case "$1 $2" in
                "delete job") grep -vxF "$3" "$D/jobs" > "$D/jobs.new" || true; mv "$D/jobs.new" "$D/jobs" ;;
                "get job") if grep -qxF "$3" "$D/jobs"; then printf 'Complete '; else printf 'Failed '; fi ;;
              esac
              return 0
            }
            sleep() { :; }
            \(PlanReadme.waitFunctions)
            \(lines.joined(separator: "\n"))
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/timeout")
        process.arguments = ["20", "/bin/sh", "-c", script]
        process.standardError = Pipe()
        process.standardOutput = Pipe()
        try process.run()
        process.waitUntilExit()
        return try String(contentsOf: directory.appendingPathComponent("log"), encoding: .utf8).split(separator: "\n").map(String.init)
    }

    /// The second switch (and the second switchback) under kubectl, with the first one's Jobs still
    /// there, completed: this run's switchover Job fails, and the block stops there, before the
    /// Service's apply and the restart. Before, `wait_job` read the first run's success and the
    /// Service moved to green with nothing fenced or caught up.
    @Test(arguments: ["ledger-pg14.yaml", "fixtures/valid/pg-ledger-blue-green.yaml"])
    func secondSwitchWaitsForItsOwnJob(spec: String) throws {
        let readme = try Self.readme(path: spec.hasPrefix("fixtures/") ? TestPaths.fixtures.appendingPathComponent(String(spec.dropFirst("fixtures/".count)))
                                                                         : TestPaths.examples.appendingPathComponent(spec))
        var checked = 0
        for header in ["Run:", "Roll back:"] {
            for lines in Self.blocks(readme, after: header) where lines.contains(where: { $0.hasPrefix("kubectl apply -k manifests/switch") }) {
                let jobs = lines.compactMap { $0.hasPrefix("wait_job ") ? String($0.dropFirst("wait_job ".count).prefix { $0 != " " }) : nil }
                #expect(jobs.count == 2, "\(spec) \(header): \(lines)")
                let calls = try Self.runWithEarlierJobs(lines, completed: jobs)
                // Only the first Job's apply ran: its wait read this run's failure and stopped the block.
                let applies = calls.filter { $0.hasPrefix("kubectl apply ") }
                #expect(applies.count == 1, "\(spec) \(header): applied after the first Job failed: \(calls)")
                #expect(!calls.contains { $0.hasPrefix("kubectl patch ") }, "\(spec) \(header): the app restarted: \(calls)")
                #expect(calls.last?.hasPrefix("kubectl logs job/\(jobs[0]) ") == true, "\(spec) \(header): \(calls)")
                // Each Job deleted before its apply, in this namespace.
                let delete = calls.firstIndex { $0.hasPrefix("kubectl delete job \(jobs[0]) --namespace ") && $0.contains("--ignore-not-found") }
                #expect(delete != nil && delete! < calls.firstIndex { $0.hasPrefix("kubectl apply ") }!, "\(spec) \(header): \(calls)")
                #expect(lines.contains { $0.hasPrefix("kubectl delete job \(jobs[1]) ") }, "\(spec) \(header): \(lines)")
                checked += 1
            }
        }
        #expect(checked >= 2, "\(spec): \(checked) kubectl switch blocks")
    }
}
