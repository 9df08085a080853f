@testable import CutoverPlan
@testable import CutoverSpec
@testable import CutoverEmit
@testable import CutoverProof
@testable import CutoverCore
import Foundation
import Testing

/// Issue #10, SRE review sre10e (MUST-FIX M1, M2): what a failed switch leaves the app. Each test runs
/// templates/run-psql.sh (the generated Jobs' arguments, ledger-pg14's golden tree, where it runs a
/// Job) on PostgreSQL 15.
extension RunPsqlRunnerTests {
    /// A session of the app's role, as a pool keeps one: connected once, then busy with TEXT (it names
    /// itself by `application_name`). `finish` says how it ended.
    final class AppSession: @unchecked Sendable {
        let process: Process
        let name: String
        let output = Pipe()
        init(_ runner: Runner, role: String, _ text: String, side: String = "blue") throws {
            name = "pool_\(UUID().uuidString.prefix(8).lowercased())"
            process = Process()
            process.executableURL = URL(fileURLWithPath: runner.bin + "/psql")
            process.arguments = ["-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-h", side == "green" ? runner.greenSocket : runner.socket, "-p", "5432",
                                 "-U", role, "-d", runner.database, "-c", text]
            process.environment = ["PATH": "\(runner.bin):/usr/bin:/bin", "LC_ALL": "C", "PGAPPNAME": name]
            process.standardOutput = output
            process.standardError = output
            try process.run()
        }
        /// Waits (at most 10 s) until the session is connected.
        func waitConnected(_ runner: Runner, side: String = "blue") throws {
            for _ in 0..<200 {
                if try runner.sql("SELECT count(*) FROM pg_stat_activity WHERE application_name = '\(name)'", side: side) != "0" { return }
                Thread.sleep(forTimeInterval: 0.05)
            }
            throw HarnessError("the app's session never connected")
        }
        /// Whether it ended within SECONDS (its output then), else nil (still connected; ended here).
        func ended(within seconds: Double, _ runner: Runner, side: String = "blue") -> String? {
            let deadline = Date().addingTimeInterval(seconds)
            while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
            if process.isRunning {
                _ = try? runner.sql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = '\(name)'", side: side)
                process.waitUntilExit()
                return nil
            }
            return String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        }
    }

    /// Waits (at most 15 s) until blue carries the whole fence: the role setting and the triggers.
    static func waitFenced(_ runner: Runner, _ app: String) throws {
        for _ in 0..<300 {
            if try Self.fence(runner, app) == "11", try runner.sql("SELECT count(*) FROM pg_trigger WHERE tgname = 'cutover_fence'") != "0" { return }
            Thread.sleep(forTimeInterval: 0.05)
        }
        throw HarnessError("blue was never fenced")
    }

    /// M1: a Job fails after its fence, and the app's pool had reconnected to blue meanwhile (the
    /// Service has not moved): that session read the role's `default_transaction_read_only = on` at
    /// its start and keeps it. The trap's lift ends it (the pool reconnects read-write) and the log says
    /// to restart the app's pods. A session opened after the lift writes. Before, the lift reset the
    /// role and ended nothing: the pooled session refused every write for its whole life.
    @Test func failedSwitchEndsTheSessionsThatConnectedWhileFenced() throws {
        let runner = try Runner()
        defer { runner.finish() }
        let (app, _) = try Self.switchState(runner)
        _ = try runner.sql("GRANT INSERT, SELECT ON t TO \(app)")
        try runner.sqlFile("pause.sql", "SELECT pg_sleep(3);")
        let job = try runner.start(["fence:blue", "green:pause.sql", "green:fail.sql"])
        try Self.waitFenced(runner, app)
        let pooled = try AppSession(runner, role: app, "SELECT pg_sleep(60)")
        try pooled.waitConnected(runner)
        let run = job.finish()
        #expect(run.status != 0, "\(run.output)")
        #expect(run.output.contains("lifted the fence there"), "\(run.output)")
        #expect(run.output.contains("1 session(s) of \(app) on blue that connected while it was fenced"), "\(run.output)")
        #expect(run.output.contains("restart the app's pods"), "\(run.output)")
        #expect(try Self.fence(runner, app) == "00", "\(run.output)")
        let ended = pooled.ended(within: 5, runner)
        #expect(ended?.contains("terminating connection due to administrator command") == true,
                "the session that connected while blue was fenced is still there (read-only for its whole life): \(ended ?? "running")")
        let after = try AppSession(runner, role: app, "INSERT INTO t VALUES (7)")
        #expect(after.ended(within: 10, runner) == "", "a session opened after the lift cannot write")
    }

    /// M1, the runbook's unfence by hand (the switchover section's line, as pasted): the app's session
    /// that connected while blue was fenced is ended, and the next one writes. Before, it stayed
    /// read-only.
    @Test func runbookUnfenceEndsTheSessionsThatConnectedWhileFenced() throws {
        let runner = try Runner()
        defer { runner.finish() }
        let (app, _) = try Self.switchState(runner)
        _ = try runner.sql("GRANT INSERT, SELECT ON t TO \(app)")
        let lines = try PlanReadmeTests.readme("ledger-pg14.yaml").split(separator: "\n").map(String.init)
        let unfence = try #require(lines.first { $0.hasPrefix("[ \"$marker\" = none ] && psql \"${BLUE_ADMIN_URL:?") })
        #expect(try runner.runner(["fence:blue"]).status == 0)
        let pooled = try AppSession(runner, role: app, "SELECT pg_sleep(60)")
        try pooled.waitConnected(runner)
        let url = "postgresql://postgres@/\(runner.database)?host=\(runner.socket.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? runner.socket)&port=5432"
        let pasted = try runner.run("/bin/sh", ["-c", "marker=none\n" + unfence], env: ["BLUE_ADMIN_URL": url, "APP_ROLE": app])
        #expect(pasted.status == 0, "\(pasted.output)")
        #expect(try Self.fence(runner, app) == "00", "\(pasted.output)")
        let ended = pooled.ended(within: 5, runner)
        #expect(ended?.contains("terminating connection due to administrator command") == true, "still connected after the unfence by hand: \(ended ?? "running")")
        let after = try AppSession(runner, role: app, "INSERT INTO t VALUES (8)")
        #expect(after.ended(within: 10, runner) == "", "a session opened after the unfence cannot write")
    }

    /// M2: a transaction holding an xid on green (a DBA's session) when the switch runs. Creating
    /// green's reverse slot waits for it; that now happens before blue's fence, and the switch fails
    /// naming the transaction with nothing fenced or marked (the app keeps writing on blue). Before,
    /// the slot was created after the mark: blue stayed fenced, the marker said switched and the
    /// Service never moved, no blocker named. Once it ended, the switch completes; a write made on
    /// blue after the slot exists (it reaches green through forward replication, and so green's slot)
    /// is skipped by the advance in the pause: the way back, enabled, sends green's own writes to
    /// blue and never that row again (a duplicate key its apply worker would retry forever).
    @Test func switchCreatesGreensReverseSlotBeforeTheFence() throws {
        let runner = try Runner(twoSided: true)
        defer { runner.finish() }
        let (app, sub) = try Self.replicated(runner)
        defer { Self.dropRoles(runner, app) }
        try Self.generatedFiles(runner, sub)
        let rev = "\(sub)_reverse"
        let switchover = try Self.generatedJob("switchover", "switchover", sub)
        let slot = try #require(switchover.firstIndex { $0.hasPrefix("green:") && $0.contains("reverse_slot") })
        let fence = try #require(switchover.firstIndex { $0.hasPrefix("fence:blue") })
        let skip = try #require(switchover.lastIndex(of: "skip-slot:green:\(rev)"))
        #expect(slot < fence && fence < skip && skip < switchover.firstIndex { $0.hasPrefix("mark-switched") }!, "\(switchover)")
        let blocker = try Blocker(runner, "BEGIN; SELECT txid_current(); SELECT pg_sleep(120); COMMIT", side: "green")
        defer { blocker.end(runner) }
        var pid = ""
        for _ in 0..<200 where pid.isEmpty {
            pid = try runner.sql("SELECT coalesce(string_agg(pid::text, ','), '') FROM pg_stat_activity WHERE application_name = '\(blocker.name)' AND backend_xid IS NOT NULL", side: "green")
            Thread.sleep(forTimeInterval: 0.05)
        }
        Thread.sleep(forTimeInterval: 1.2)
        let refused = try runner.runner(switchover, env: ["WAIT_ATTEMPTS": "100"])
        #expect(refused.status != 0, "\(refused.output)")
        #expect(refused.output.contains("pid \(pid) (role postgres"), "the blocker not named: \(refused.output)")
        #expect(refused.output.contains("nothing was fenced"), "\(refused.output)")
        #expect(!refused.output.contains("writes fenced on blue"), "blue was fenced: \(refused.output)")
        #expect(try Self.fence(runner, app) == "00", "\(refused.output)")
        #expect(try Self.marker(runner, sub) == "none", "\(refused.output)")
        #expect(refused.seconds < Double(JobCatalog.fenceLockSeconds) + 20, "took \(refused.seconds) s: \(refused.output)")
        _ = try runner.sql("INSERT INTO t VALUES (2, 'on blue after the refused switch')")
        blocker.end(runner)
        // Green's slot exists here, skipped once before the fence: a row written on blue now reaches it
        // too, and only the skip in the pause keeps it from coming back.
        try runner.sqlFile("between.sql", "INSERT INTO t VALUES (3, 'on blue between the slot and the fence');")
        #expect(switchover[slot + 1] == "skip-slot:green:\(rev)", "\(switchover)")
        var arguments = switchover
        arguments.insert("blueadmin:between.sql", at: slot + 2)
        let switched = try runner.runner(arguments, env: ["WAIT_ATTEMPTS": "100"])
        #expect(switched.status == 0, "\(switched.output)")
        #expect(switched.output.contains("slot \(rev) on green moved to green's current position"), "\(switched.output)")
        let reverse = try runner.runner(try Self.generatedJob("switchover", "reverse-replication", sub))
        #expect(reverse.status == 0, "\(reverse.output)")
        _ = try runner.sql("INSERT INTO t VALUES (20, 'on green after the switch')", side: "green")
        let back = try runner.runner(["wait-synced:green:blue:\(rev)"], env: ["WAIT_ATTEMPTS": "50"])
        #expect(back.status == 0, "the way back does not stream: \(back.output)")
        #expect(try Self.rows(runner, side: "blue") == "1:before the switch,2:on blue after the refused switch,3:on blue between the slot and the fence,20:on green after the switch")
        #expect(try runner.sql("SELECT coalesce(sum(apply_error_count), 0) FROM pg_stat_subscription_stats WHERE subname = '\(rev)'") == "0",
                "blue's reverse apply worker failed (a row sent back)")
    }
}

extension RunPsqlRunnerTests {
    /// S3: after a switchback, drop-reverse ends the app's sessions on green (fenced there, a pooled
    /// session opened before the Service moved back keeps the role's read-only setting, and reads
    /// green's rows), as reverse-replication does on blue. Before, it left them connected.
    @Test func dropReverseEndsTheAppsSessionsOnGreen() throws {
        let runner = try Runner(twoSided: true)
        defer { runner.finish() }
        let (app, sub) = try Self.replicated(runner)
        defer { Self.dropRoles(runner, app) }
        try Self.generatedFiles(runner, sub)
        #expect(try runner.runner(try Self.generatedJob("switchover", "switchover", sub)).status == 0)
        #expect(try runner.runner(try Self.generatedJob("switchover", "reverse-replication", sub)).status == 0)
        let back = try runner.runner(try Self.generatedJob("switchback", "switchback", sub), env: ["WAIT_ATTEMPTS": "100"])
        #expect(back.status == 0, "\(back.output)")
        let pooled = try AppSession(runner, role: app, "SELECT pg_sleep(60)", side: "green")
        try pooled.waitConnected(runner, side: "green")
        let dropped = try runner.runner(try Self.generatedJob("switchback", "drop-reverse", sub), env: ["END_SESSIONS_SECONDS": "1"])
        #expect(dropped.status == 0, "\(dropped.output)")
        #expect(dropped.output.contains("1 session(s) of \(app) on green ended"), "\(dropped.output)")
        let ended = pooled.ended(within: 5, runner, side: "green")
        #expect(ended?.contains("terminating connection due to administrator command") == true, "still connected to green: \(ended ?? "running")")
    }
}

extension RunPsqlRunnerTests {
    /// S5: the runbook's "Sync sequences" workstation block runs the runner's half too (each of green's
    /// sequences at least at blue's value, never lower), before the step file. Run as pasted on two
    /// servers: green's sequence behind blue's moves up to it, one ahead stays. Before, the block ran
    /// only the file (the columns' maximum), and a hand switch skipped blue's values.
    @Test func runbookSequenceSyncTakesBluesValues() throws {
        let runner = try Runner(twoSided: true)
        defer { runner.finish() }
        let readme = try PlanReadmeTests.readme("ledger-pg14.yaml")
        let block = try #require(PlanReadmeTests.blocks(readme, after: "From a workstation:").first { $0.contains { $0.contains("0004_sequence_sync_sequences.up.sql") } })
        let file = try #require(block.firstIndex { $0.contains("0004_sequence_sync_sequences.up.sql") })
        #expect(file == 2 && block[0].contains("pg_catalog.setval") && block[1].contains("-f cutover-sequences.sql"), "\(block)")
        _ = try runner.sql("CREATE SEQUENCE behind; SELECT setval('behind', 100); CREATE SEQUENCE ahead; SELECT setval('ahead', 5)")
        _ = try runner.sql("CREATE SEQUENCE behind; SELECT setval('behind', 7); CREATE SEQUENCE ahead; SELECT setval('ahead', 50)", side: "green")
        func url(_ socket: String) -> String {
            "postgresql://postgres@/\(runner.database)?host=\(socket.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? socket)&port=5432"
        }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cutover-seq-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let pasted = try runner.run("/bin/sh", ["-c", "cd '\(folder.path)' && " + block[0] + "\n" + block[1].replacingOccurrences(of: " &&", with: "")],
                                    env: ["BLUE_ADMIN_URL": url(runner.socket), "GREEN_URL": url(runner.greenSocket)])
        #expect(pasted.status == 0, "\(pasted.output)")
        #expect(try runner.sql("SELECT last_value FROM behind", side: "green") == "100")
        #expect(try runner.sql("SELECT last_value FROM ahead", side: "green") == "50")
    }
}
