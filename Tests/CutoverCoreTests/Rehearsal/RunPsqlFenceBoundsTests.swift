@testable import CutoverPlan
@testable import CutoverSpec
@testable import CutoverEmit
@testable import CutoverProof
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
        // The check before the fence leaves out transactions younger than a second (a short one ends
        // within the fence's bound): this one is older by then, however fast the work before the fence.
        Thread.sleep(forTimeInterval: 1.5)
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

    /// MUST-FIX 2: after the switch the app creates a table with an identity column and a sequence of
    /// its own on green, and writes there. The generated switchback Job fails before anything is fenced
    /// or marked (green takes writes, the marker is the switch's), naming both and what to do. Done as
    /// it says (table and sequence created on blue, the table added to green's reverse publication,
    /// blue's subscription refreshed with copy_data), the switchback completes and blue has every row
    /// and sequence value. Before, it passed mark-switching-back and failed at sync-sequences
    /// (`relation "public.notes_id_seq" does not exist`) with both sides fenced, every re-run the same.
    @Test func switchbackChecksTablesAndSequencesBeforeItsFence() throws {
        let runner = try Runner(twoSided: true)
        defer { runner.finish() }
        let (app, sub) = try Self.replicated(runner)
        defer { Self.dropRoles(runner, app) }
        try Self.generatedFiles(runner, sub)
        let rev = "\(sub)_reverse"
        let switchback = try Self.generatedJob("switchback", "switchback", sub)
        let check = switchback.firstIndex(of: "same-tables:green:blue:\(rev)") ?? switchback.count
        #expect(check < switchback.firstIndex { $0.hasPrefix("fence:green") }!, "\(switchback)")
        let switched = try runner.runner(try Self.generatedJob("switchover", "switchover", sub))
        #expect(switched.status == 0, "\(switched.output)")
        let reverse = try runner.runner(try Self.generatedJob("switchover", "reverse-replication", sub))
        #expect(reverse.status == 0, "\(reverse.output)")
        _ = try runner.sql("""
            CREATE TABLE notes (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, body text);
            INSERT INTO notes (body) SELECT 'note ' || g FROM generate_series(1, 5) g;
            CREATE SEQUENCE invoice_no; SELECT nextval('invoice_no'); SELECT nextval('invoice_no')
            """, side: "green")
        let refused = try runner.runner(switchback, env: ["WAIT_ATTEMPTS": "100"])
        #expect(refused.status != 0, "\(refused.output)")
        #expect(refused.output.contains("tables of green not in its publication \(rev): public.notes"), "\(refused.output)")
        #expect(refused.output.contains("public.invoice_no") && refused.output.contains("public.notes_id_seq"), "\(refused.output)")
        #expect(refused.output.contains("ALTER PUBLICATION \(rev) ADD TABLE") && refused.output.contains("REFRESH PUBLICATION WITH (copy_data = true)"), "\(refused.output)")
        #expect(!refused.output.contains("writes fenced on green") && !refused.output.contains("switchback committed"), "fenced or committed: \(refused.output)")
        #expect(try Self.marker(runner, sub) == "cutover: switched from blue to green", "\(refused.output)")
        #expect(try Self.fence(runner, app, side: "green") == "00", "green refuses writes: \(refused.output)")
        _ = try runner.sql("INSERT INTO notes (body) VALUES ('on green after the refused switchback')", side: "green")
        // As the message says.
        _ = try runner.sql("CREATE TABLE notes (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, body text); CREATE SEQUENCE invoice_no")
        _ = try runner.sql("ALTER PUBLICATION \(rev) ADD TABLE notes", side: "green")
        _ = try runner.sql("ALTER SUBSCRIPTION \(rev) REFRESH PUBLICATION WITH (copy_data = true)")
        let switchedBack = try runner.runner(switchback, env: ["WAIT_ATTEMPTS": "150"])
        #expect(switchedBack.status == 0, "\(switchedBack.output)")
        #expect(try runner.sql("SELECT count(*) FROM notes") == "6", "\(switchedBack.output)")
        #expect(try Self.fence(runner, app) == "00", "\(switchedBack.output)")
        #expect(try runner.sql("INSERT INTO notes (body) VALUES ('on blue') RETURNING id") == "7")
        #expect(try runner.sql("SELECT nextval('invoice_no')") == "3")
    }

    /// MUST-FIX 2, the way out: the generated switchback stopped by a failure right after each of its
    /// steps from its fence on (green fenced, then past its point of no return). Each stop leaves
    /// a side that takes the app's writes (green, its fence lifted by the EXIT trap), or, past the
    /// point of no return with both fenced, the runbook's way out (run the switchback again) completes
    /// it: blue takes writes, green has blue's next write, no row of green's is missing on blue.
    @Test(arguments: 0...9)
    func everyStopOfTheSwitchbackLeavesAWayOut(k: Int) throws {
        let runner = try Runner(twoSided: true)
        defer { runner.finish() }
        let (app, sub) = try Self.replicated(runner)
        defer { Self.dropRoles(runner, app) }
        try Self.generatedFiles(runner, sub)
        let switchback = try Self.generatedJob("switchback", "switchback", sub)
        let fence = try #require(switchback.firstIndex { $0.hasPrefix("fence:green") })
        guard fence + k < switchback.count - 1 else { return }
        #expect(try runner.runner(try Self.generatedJob("switchover", "switchover", sub)).status == 0)
        #expect(try runner.runner(try Self.generatedJob("switchover", "reverse-replication", sub)).status == 0)
        _ = try runner.sql("INSERT INTO t VALUES (20, 'on green after the switch')", side: "green")
        let stopped = try runner.runner(Array(switchback.prefix(fence + 1 + k)) + ["green:fail.sql"], env: ["WAIT_ATTEMPTS": "100"])
        let step = switchback[fence + k]
        #expect(stopped.status != 0, "stopped after \(step): \(stopped.output)")
        let green = try Self.fence(runner, app, side: "green"), blue = try Self.fence(runner, app)
        if green != "00" && blue != "00" {
            // Both fenced: only past the point of no return, and the switchback run again completes it.
            #expect(stopped.output.contains("switchback committed"), "stopped after \(step): both sides fenced before the point of no return: \(stopped.output)")
            let again = try runner.runner(switchback, env: ["WAIT_ATTEMPTS": "100"])
            #expect(again.status == 0, "stopped after \(step), run again: \(again.output)")
            #expect(try Self.fence(runner, app) == "00", "stopped after \(step), run again: blue still fenced")
        }
        if try Self.fence(runner, app) == "00" {
            #expect(try Self.rows(runner, side: "blue") == "1:before the switch,20:on green after the switch", "stopped after \(step)")
            _ = try runner.sql("INSERT INTO t VALUES (30, 'on blue after switching back')")
            let forward = try runner.runner(["wait-synced:blue:green:\(sub)"], env: ["WAIT_ATTEMPTS": "100"])
            #expect(forward.status == 0, "stopped after \(step): \(forward.output)")
            #expect(try Self.rows(runner, side: "green") == "1:before the switch,20:on green after the switch,30:on blue after switching back", "stopped after \(step)")
        } else {
            #expect(try Self.fence(runner, app, side: "green") == "00", "stopped after \(step): neither side takes writes")
            _ = try runner.sql("INSERT INTO t VALUES (40, 'on green after the stopped switchback')", side: "green")
        }
    }
}
