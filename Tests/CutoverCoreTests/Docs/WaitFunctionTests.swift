@testable import CutoverEmit
import Foundation
import Testing

/// Runs the runbook's `wait_job` and `wait_rollout` under /bin/sh against a fake `kubectl` that
/// answers from a script of states (the last one repeating), with `sleep` a no-op.
@Suite struct WaitFunctionTests {
    struct Outcome { var status: Int32; var errors: String; var calls: Int }

    static func run(_ call: String, kubectlStates: [String], failing: Bool = false, environment: String = "") throws -> Outcome {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("cutover-wait-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try (kubectlStates.joined(separator: "\n") + "\n").write(to: directory.appendingPathComponent("states"), atomically: true, encoding: .utf8)
        try "0\n".write(to: directory.appendingPathComponent("calls"), atomically: true, encoding: .utf8)
        let fake = """
            kubectl() {
              [ "$1" = logs ] && { echo "logs of $3"; return 0; }
              n=$(($(cat "$D/calls") + 1)); echo "$n" > "$D/calls"
              total=$(wc -l < "$D/states")
              [ "$n" -gt "$total" ] && n=$total
              line=$(sed -n "${n}p" "$D/states")
              [ "$line" = MISSING ] && { echo 'Error from server (NotFound)' >&2; return 1; }
              printf '%s' "$line"
            }
            sleep() { :; }
            """
        let script = "D='\(directory.path)'\nNAMESPACE=billing\n\(environment)\n\(fake)\n\(PlanReadme.waitFunctions)\n\(call)\n"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/timeout")
        process.arguments = ["20", "/bin/sh", "-c", script]
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = Pipe()
        try process.run()
        let text = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        let calls = Int(try String(contentsOf: directory.appendingPathComponent("calls"), encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
        return Outcome(status: process.terminationStatus, errors: text, calls: calls)
    }

    @Test func waitJobEndsWhenTheJobNeverAppears() throws {
        let missing = try Self.run("wait_job pricing-tiers-expnad", kubectlStates: ["MISSING"])
        #expect(missing.status == 1, "ends (timeout(1) would say 124)")
        #expect(missing.errors.contains("wait_job: no Job pricing-tiers-expnad in namespace billing for 120s"))
        // A Job that appears late (applied a moment after) is still waited for.
        let late = try Self.run("wait_job pricing-tiers-expand", kubectlStates: ["MISSING", "MISSING", "MISSING", "", "Complete "])
        #expect(late.status == 0)
        let failed = try Self.run("wait_job pricing-tiers-expand", kubectlStates: ["", "Failed "])
        #expect(failed.status == 1)
    }

    @Test func waitRolloutWaitsForTheNewRevision() throws {
        // Right after `kubectl set image` the controller has not seen the change: the previous
        // revision still reads Healthy.
        let states = ["1/1/Healthy/old/old/", "1/1/Healthy/old/old/", "1/1/Progressing/new/old/", "1/1/Paused/new/old/", "1/1/Healthy/new/new/"]
        let promoted = try Self.run("wait_rollout webapp old", kubectlStates: states)
        #expect(promoted.status == 0)
        #expect(promoted.calls == 5, "returned at call \(promoted.calls), before the new revision was Healthy")
        // Without a previous hash (the takeover), the current Healthy status is the answer.
        #expect(try Self.run("wait_rollout webapp", kubectlStates: ["1/1/Healthy/old/old/"]).status == 0)
        let aborted = try Self.run("wait_rollout webapp old", kubectlStates: ["1/1/Progressing/new/old/", "1/1/Degraded/new/old/true"])
        #expect(aborted.status == 1)
        #expect(aborted.errors.contains("aborted"))
    }

    @Test func waitRolloutEndsOnAnIndefinitePause() throws {
        let paused = try Self.run("wait_rollout webapp old", kubectlStates: ["1/1/Paused/new/old/"], environment: "WAIT_ROLLOUT_TIMEOUT=60")
        #expect(paused.status == 1, "ends (timeout(1) would say 124)")
        #expect(paused.errors.contains("wait_rollout: webapp is still Paused after 60s"))
        #expect(paused.errors.contains("kubectl argo rollouts promote webapp"))
    }
}
