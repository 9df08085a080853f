@testable import CutoverCore
import Foundation
import Testing

/// Issue #10, SRE review #4 (MUST-FIX 3): the fence's own write pause is bounded. Each test runs
/// templates/run-psql.sh with the generated Jobs' arguments (ledger-pg14's golden tree, the
/// replication names renamed to the test's) on two PostgreSQL 15 servers with real logical
/// replication, while another role's transaction holds a row lock on a table.
extension RunPsqlRunnerTests {
    /// A psql session of its own as postgres (another role than the app's), running TEXT in the
    /// background; `application_name` names it so the test can end it.
    final class Blocker: @unchecked Sendable {
        let process: Process
        let name: String
        init(_ runner: Runner, _ text: String, side: String = "blue") throws {
            name = "blocker_\(UUID().uuidString.prefix(8).lowercased())"
            process = Process()
            process.executableURL = URL(fileURLWithPath: runner.bin + "/psql")
            process.arguments = ["-X", "-q", "-At", "-h", side == "green" ? runner.greenSocket : runner.socket, "-p", "5432", "-U", "postgres",
                                 "-d", runner.database, "-c", text]
            process.environment = ["PATH": "\(runner.bin):/usr/bin:/bin", "LC_ALL": "C", "PGAPPNAME": name]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
        }
        /// Waits (at most 10 s) until the blocker holds a lock in MODE on table t.
        func waitForLock(_ runner: Runner, side: String = "blue", mode: String = "RowExclusiveLock") throws {
            for _ in 0..<200 {
                if try runner.sql("SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid WHERE a.application_name = '\(name)' AND l.relation = 't'::regclass AND l.mode = '\(mode)' AND l.granted", side: side) != "0" { return }
                Thread.sleep(forTimeInterval: 0.05)
            }
            throw HarnessError("the blocker took no \(mode) on t")
        }
        func end(_ runner: Runner) {
            for side in runner.twoSided ? ["blue", "green"] : ["blue"] {
                _ = try? runner.sql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = '\(name)'", database: "postgres", side: side)
            }
            process.waitUntilExit()
        }
    }

    /// MUST-FIX 3, before the fence: another role holds a row lock on t (an open UPDATE) for longer
    /// than the fence's bound. The generated switchover Job fails before anything is fenced (the app's
    /// role never set read-only, no fence schema), within the bound plus its work before the fence,
    /// naming the blocking pid, its query and the lock. Before, the role was set read-only and the
    /// app's sessions ended first, then LOCK TABLE was tried 30 times with a 2 s timeout: a ~70 s write
    /// outage, then the Job failed.
    @Test func fenceRefusesBeforeFencingWhenAnotherRoleHoldsALock() throws {
        let runner = try Runner(twoSided: true)
        defer { runner.finish() }
        let (app, sub) = try Self.replicated(runner)
        defer { Self.dropRoles(runner, app) }
        try Self.generatedFiles(runner, sub)
        #expect(try Self.generatedJob("switchover", "switchover", sub).contains("fence:blue:\(JobCatalog.fenceLockSeconds)"))
        #expect(try Self.generatedJob("switchback", "switchback", sub).contains("fence:green:\(JobCatalog.fenceLockSeconds)"))
        let blocker = try Blocker(runner, "BEGIN; UPDATE t SET note = note WHERE id = 1; SELECT pg_sleep(120); COMMIT")
        defer { blocker.end(runner) }
        try blocker.waitForLock(runner)
        let pid = try runner.sql("SELECT pid FROM pg_stat_activity WHERE application_name = '\(blocker.name)'")
        let switched = try runner.runner(try Self.generatedJob("switchover", "switchover", sub), env: ["WAIT_ATTEMPTS": "100"])
        #expect(switched.status != 0, "\(switched.output)")
        #expect(switched.output.contains("pid \(pid) (role postgres"), "the blocker not named: \(switched.output)")
        #expect(switched.output.contains("UPDATE t SET note = note WHERE id = 1"), "its query not named: \(switched.output)")
        #expect(switched.output.contains("holds RowExclusiveLock on t"), "\(switched.output)")
        #expect(switched.output.contains("nothing was fenced"), "\(switched.output)")
        #expect(!switched.output.contains("writes fenced on blue") && !switched.output.contains("failed after fencing"), "blue was fenced: \(switched.output)")
        #expect(try Self.fence(runner, app) == "00", "\(switched.output)")
        #expect(switched.seconds < Double(JobCatalog.fenceLockSeconds) + 20, "took \(switched.seconds) s: \(switched.output)")
        // The app never stopped writing: its role is not read-only and t has no fence trigger.
        #expect(try runner.sql("SELECT count(*) FROM pg_trigger WHERE tgname = 'cutover_fence'") == "0")
    }

    /// MUST-FIX 3, after the check: the lock is taken by another role only once the fence set the app's
    /// role read-only (the blocker waits for that, then updates t and sleeps). The fence gives up within
    /// its bound, lifts itself (the app's role reset, no trigger refusing writes) and names the blocker;
    /// the pause from the role setting to the lift is measured on blue's role setting. Before, the Job
    /// tried LOCK TABLE 30 times x 2 s with blue fenced: about 70 s of refused writes.
    @Test func fenceGivesUpWithinItsBoundAndLiftsItself() throws {
        let runner = try Runner(twoSided: true)
        defer { runner.finish() }
        let (app, sub) = try Self.replicated(runner)
        defer { Self.dropRoles(runner, app) }
        let blocker = try Blocker(runner, """
            DO $$ BEGIN
              WHILE NOT EXISTS (SELECT 1 FROM pg_db_role_setting s JOIN pg_roles r ON r.oid = s.setrole
                                 WHERE r.rolname = '\(app)' AND 'default_transaction_read_only=on' = ANY (s.setconfig)) LOOP
                PERFORM pg_sleep(0.001);
              END LOOP;
              UPDATE t SET note = note WHERE id = 1;
              PERFORM pg_sleep(120);
            END $$
            """)
        defer { blocker.end(runner) }
        Thread.sleep(forTimeInterval: 0.3)
        // The bound from the environment here (the Jobs pass it as fence:SIDE:SECONDS).
        let run = try runner.runner(["fence:blue"], env: ["FENCE_LOCK_SECONDS": "2"])
        #expect(run.status != 0, "\(run.output)")
        #expect(run.output.contains("could not lock its tables within 2 s"), "\(run.output)")
        #expect(run.output.contains("holds RowExclusiveLock on t"), "the blocker not named: \(run.output)")
        #expect(run.output.contains("lifted the fence there"), "\(run.output)")
        #expect(try Self.fence(runner, app) == "00", "blue still fenced: \(run.output)")
        #expect(run.seconds < 8, "the fence held blue for \(run.seconds) s: \(run.output)")
        // Once the blocker ends, the same step fences blue (nothing left over in the way).
        blocker.end(runner)
        let again = try runner.runner(["fence:blue:2", "unfence:blue"])
        #expect(again.status == 0, "\(again.output)")
    }
}
