@testable import CutoverEmit
import Foundation
import Testing

/// Issue #10, the SRE reviews' MUST-FIX (b) and (c) and SHOULD-FIX S2: the way back exists before
/// forward replication stops, and blue reaching green is proven before blue is fenced. Each test runs
/// the generated Jobs themselves (ledger-pg14's golden tree: the runner's arguments of each Job and
/// its SQL files, the replication names renamed to the test's) with templates/run-psql.sh on two
/// PostgreSQL 15 servers with real logical replication between them.
extension RunPsqlRunnerTests {
    static let goldenName = "cutover_ledger_pg14"
    static let golden = TestPaths.packageRoot.appendingPathComponent("Tests/golden/ledger-pg14")

    /// The generated SQL files of ledger-pg14 (both sides), in the runner's SQL folder with the
    /// replication names renamed to SUB (the forward subscription, slot and publication) and
    /// SUB_reverse (the way back).
    static func generatedFiles(_ runner: Runner, _ sub: String) throws {
        for side in ["blue", "green"] {
            let folder = golden.appendingPathComponent("sql/\(side)")
            for name in try FileManager.default.contentsOfDirectory(atPath: folder.path) where name.hasSuffix(".sql") {
                let text = try String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8)
                try runner.sqlFile(name, text.replacingOccurrences(of: goldenName, with: sub))
            }
        }
    }

    /// The runner's arguments of a generated Job (`manifests/FOLDER/job-JOB.yaml`), renamed to SUB;
    /// the checksum steps name ledger's tables and are left out.
    static func generatedJob(_ folder: String, _ job: String, _ sub: String) throws -> [String] {
        let text = try String(contentsOf: golden.appendingPathComponent("manifests/\(folder)/job-\(job).yaml"), encoding: .utf8)
        var arguments: [String] = [], inside = false
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed == "args:" { inside = true; continue }
            guard inside else { continue }
            guard trimmed.hasPrefix("- ") else { break }
            arguments.append(String(trimmed.dropFirst(2)).replacingOccurrences(of: goldenName, with: sub))
        }
        return arguments.filter { !$0.hasPrefix("checksum") }
    }

    /// Rows of `t` on SIDE, in key order, as "id:note" lines.
    static func rows(_ runner: Runner, side: String) throws -> String {
        try runner.sql("SELECT string_agg(id || ':' || note, ',' ORDER BY id) FROM t", side: side)
    }

    /// MUST-FIX (b): reverse-replication stopped after each of its steps (k of them ran, then a
    /// failure), then (again) run again, or (back) the switchback and drop-reverse: each converges to
    /// a safe state. Run again, the switch completes: the way back streams (a write on green reaches
    /// blue) and blue stays fenced. Switched back, blue takes writes, they reach green, and no row is
    /// lost. Before, a reverse-replication stopped after disabling forward replication and before
    /// blue's reverse subscription existed left a state the switchback refused ("no subscription ...
    /// on blue"): blue fenced, the app on it.
    @Test(arguments: 1...6, ["again", "back"])
    func everyStopOfReverseReplicationConverges(k: Int, recovery: String) throws {
        let runner = try Runner(twoSided: true)
        defer { runner.finish() }
        let (app, sub) = try Self.replicated(runner)
        defer { Self.dropRoles(runner, app) }
        try Self.generatedFiles(runner, sub)
        let reverse = try Self.generatedJob("switchover", "reverse-replication", sub)
        guard k < reverse.count else { return }
        let switched = try runner.runner(try Self.generatedJob("switchover", "switchover", sub))
        #expect(switched.status == 0, "\(switched.output)")
        let killed = try runner.runner(Array(reverse.prefix(k)) + ["green:fail.sql"])
        #expect(killed.status != 0, "\(killed.output)")
        if recovery == "again" {
            let again = try runner.runner(reverse)
            #expect(again.status == 0, "stopped after \(reverse[k - 1]), run again: \(again.output)")
            _ = try runner.sql("INSERT INTO t VALUES (20, 'on green after the switch')", side: "green")
            let back = try runner.runner(["wait-synced:green:blue:\(sub)_reverse"], env: ["WAIT_ATTEMPTS": "100"])
            #expect(back.status == 0, "stopped after \(reverse[k - 1]), run again: the way back does not stream: \(back.output)")
            #expect(try Self.rows(runner, side: "blue") == "1:before the switch,20:on green after the switch", "stopped after \(reverse[k - 1])")
            #expect(try Self.fence(runner, app) == "11", "stopped after \(reverse[k - 1]): blue takes writes with the app on green")
        } else {
            let switchback = try runner.runner(try Self.generatedJob("switchback", "switchback", sub), env: ["WAIT_ATTEMPTS": "100"])
            #expect(switchback.status == 0, "stopped after \(reverse[k - 1]), switched back: \(switchback.output)")
            // The switch's marker goes (on green, not on the side the lift last connected to): drop-reverse
            // and a later switch read it.
            #expect(try Self.marker(runner, sub) == "none", "stopped after \(reverse[k - 1]), switched back: \(switchback.output)")
            let dropReverse = try runner.runner(try Self.generatedJob("switchback", "drop-reverse", sub))
            #expect(dropReverse.status == 0, "stopped after \(reverse[k - 1]): \(dropReverse.output) SWITCHBACK: \(switchback.output)")
            #expect(try Self.fence(runner, app) == "00", "stopped after \(reverse[k - 1]), switched back: blue still fenced: \(switchback.output)")
            _ = try runner.sql("INSERT INTO t VALUES (30, 'on blue after switching back')")
            let forward = try runner.runner(["wait-synced:blue:green:\(sub)"], env: ["WAIT_ATTEMPTS": "100"])
            #expect(forward.status == 0, "stopped after \(reverse[k - 1]), switched back: forward replication does not stream: \(forward.output)")
            #expect(try Self.rows(runner, side: "green") == "1:before the switch,30:on blue after switching back", "stopped after \(reverse[k - 1])")
        }
    }

    /// Issue #10 review (SHOULD): the generated drop-reverse Job run while switched (plain manifests
    /// applied out of order, a sync) refuses and keeps green's way back (its slot and publication); once
    /// the switchback completed it drops them. Before, it had no marker guard and dropped the way back
    /// with the app on green.
    @Test func dropReverseRefusesWhileSwitched() throws {
        let runner = try Runner(twoSided: true)
        defer { runner.finish() }
        let (app, sub) = try Self.replicated(runner)
        defer { Self.dropRoles(runner, app) }
        try Self.generatedFiles(runner, sub)
        let switched = try runner.runner(try Self.generatedJob("switchover", "switchover", sub))
        #expect(switched.status == 0, "\(switched.output)")
        let reverse = try runner.runner(try Self.generatedJob("switchover", "reverse-replication", sub))
        #expect(reverse.status == 0, "\(reverse.output)")
        let wayBack = "SELECT (SELECT count(*) FROM pg_replication_slots WHERE slot_name = '\(sub)_reverse') || ':' || (SELECT count(*) FROM pg_publication WHERE pubname = '\(sub)_reverse')"
        // Blue's reverse subscription not streaming for a moment (blue restarting, the network): the slot is idle.
        _ = try runner.sql("ALTER SUBSCRIPTION \(sub)_reverse DISABLE")
        _ = try runner.sql("DO $$ BEGIN FOR i IN 1..100 LOOP EXIT WHEN NOT EXISTS (SELECT 1 FROM pg_replication_slots WHERE slot_name = '\(sub)_reverse' AND active); PERFORM pg_sleep(0.1); END LOOP; END $$", side: "green")
        let early = try runner.runner(try Self.generatedJob("switchback", "drop-reverse", sub))
        #expect(early.status != 0, "drop-reverse ran while switched: \(early.output)")
        #expect(try runner.sql(wayBack, side: "green") == "1:1", "the way back was dropped with the app on green: \(early.output)")
        #expect(try Self.marker(runner, sub) == "cutover: switched from blue to green")
        _ = try runner.sql("ALTER SUBSCRIPTION \(sub)_reverse ENABLE")
        let switchback = try runner.runner(try Self.generatedJob("switchback", "switchback", sub), env: ["WAIT_ATTEMPTS": "100"])
        #expect(switchback.status == 0, "\(switchback.output)")
        let dropped = try runner.runner(try Self.generatedJob("switchback", "drop-reverse", sub))
        #expect(dropped.status == 0, "\(dropped.output)")
        #expect(try runner.sql(wayBack, side: "green") == "0:0", "\(dropped.output)")
    }

    /// MUST-FIX (c): blue cannot reach green (here a wrong port in the conninfo blue's reverse
    /// subscription connects with): the switch fails before its fence, and blue never refused a write.
    /// Before, blue first connected to green in reverse-replication, after the fence: the switch
    /// completed, and blue stayed fenced until someone fixed the network.
    @Test func switchFailsBeforeTheFenceWhenBlueCannotReachGreen() throws {
        let runner = try Runner(twoSided: true)
        defer { runner.finish() }
        let (app, sub) = try Self.replicated(runner)
        defer { Self.dropRoles(runner, app) }
        try Self.generatedFiles(runner, sub)
        let folder = runner.root.appendingPathComponent("etc/cutover/sql")
        for name in try FileManager.default.contentsOfDirectory(atPath: folder.path) where name.contains("reverse_subscription.up") {
            let text = try String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8)
            try runner.sqlFile(name, text.replacingOccurrences(of: "current_setting('cutover.green_conninfo')", with: "current_setting('cutover.green_conninfo') || ' port=1'"))
        }
        let switched = try runner.runner(try Self.generatedJob("switchover", "switchover", sub))
        #expect(switched.status != 0, "the switch went on without proof that blue reaches green: \(switched.output)")
        #expect(switched.output.contains("could not connect to the publisher"), "\(switched.output)")
        #expect(!switched.output.contains("writes fenced on blue"), "blue was fenced: \(switched.output)")
        #expect(try Self.fence(runner, app) == "00")
        #expect(try runner.sql("SELECT count(*) FROM pg_namespace WHERE nspname = 'cutover_fence'") == "0", "blue was fenced")
        #expect(try Self.marker(runner, sub) == "none")
        _ = try runner.sql("INSERT INTO t VALUES (2, 'blue still takes writes')")
    }

    /// SHOULD-FIX S2: green's reverse slot left by an earlier attempt (here created before blue's row 2
    /// reached green through forward replication, so the slot holds that row) is dropped and created
    /// again by the switch: the way back streams green's writes only. Before, reverse-replication
    /// reused it: row 2 came back to blue, a duplicate key its apply worker retried forever.
    @Test func switchRenewsAStaleReverseSlot() throws {
        let runner = try Runner(twoSided: true)
        defer { runner.finish() }
        let (app, sub) = try Self.replicated(runner)
        defer { Self.dropRoles(runner, app) }
        try Self.generatedFiles(runner, sub)
        _ = try runner.sql("SELECT pg_create_logical_replication_slot('\(sub)_reverse', 'pgoutput')", side: "green")
        _ = try runner.sql("INSERT INTO t VALUES (2, 'on blue, after the stale slot')")
        #expect(try runner.runner(["wait-synced:blue:green:\(sub)"]).status == 0)
        let switched = try runner.runner(try Self.generatedJob("switchover", "switchover", sub))
        #expect(switched.status == 0, "\(switched.output)")
        let reverse = try runner.runner(try Self.generatedJob("switchover", "reverse-replication", sub))
        #expect(reverse.status == 0, "\(reverse.output)")
        _ = try runner.sql("INSERT INTO t VALUES (3, 'on green after the switch')", side: "green")
        let back = try runner.runner(["wait-synced:green:blue:\(sub)_reverse"], env: ["WAIT_ATTEMPTS": "100"])
        #expect(back.status == 0, "the way back replays what blue has: \(back.output)")
        #expect(try Self.rows(runner, side: "blue") == "1:before the switch,2:on blue, after the stale slot,3:on green after the switch")
    }

    /// SHOULD-FIX S3: the catch-up with blue fenced has a budget of its own (the generated switchover
    /// Job's fenced `wait-synced` names it). Green's apply is held here (a transaction on green holds
    /// the table a write of blue's needs), so green cannot catch up: the wait fails after its budget,
    /// and the EXIT trap lifts blue's fence. Before, the wait went on for WAIT_ATTEMPTS polls (25 min of
    /// write outage by default).
    @Test func fencedCatchUpHasABudget() throws {
        let runner = try Runner(twoSided: true)
        defer { runner.finish() }
        let (app, sub) = try Self.replicated(runner)
        defer { Self.dropRoles(runner, app) }
        let fenced = try Self.generatedJob("switchover", "switchover", sub).drop { $0 != "fence:blue:\(JobCatalog.fenceLockSeconds)" }.dropFirst().first ?? ""
        #expect(fenced == "wait-synced:blue:green:\(sub):\(JobCatalog.fencedWaitSeconds)", "the fenced catch-up has no budget: \(fenced)")
        try runner.sqlFile("hold.sql", "BEGIN; LOCK TABLE t IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(40); COMMIT;")
        let held = try runner.start(["green:hold.sql"])
        Thread.sleep(forTimeInterval: 1)
        _ = try runner.sql("INSERT INTO t VALUES (2, 'held on its way to green')")
        let run = try runner.runner(["fence:blue", "wait-synced:blue:green:\(sub):3"])
        #expect(run.status != 0, "\(run.output)")
        #expect(run.seconds < 20, "the fenced wait took \(run.seconds) s")
        #expect(run.output.contains("the budget of the catch-up with the fence on"), "\(run.output)")
        #expect(try Self.fence(runner, app) == "00", "the fence stayed after the budget: \(run.output)")
        _ = try runner.sql("SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE query LIKE '%pg_sleep(40)%' AND pid <> pg_backend_pid()", database: "postgres", side: "green")
        _ = held.finish()
    }

    /// SHOULD-FIX S6: the runbook's reverse replication by hand (phase 8's lines, run as pasted, with
    /// the URLs they name, in the generated tree's folders) refuses before the switch completed: with
    /// blue taking writes, disabling forward replication would cut them off from green. After the
    /// switchover Job it runs every file in order and enables the way back (a write on green reaches
    /// blue). Before, the lines ran whatever the state: forward replication disabled with the app on
    /// blue, and the way back's subscription (now created disabled) never enabled.
    @Test func runbookReverseReplicationRefusesBeforeTheSwitch() throws {
        let runner = try Runner(twoSided: true)
        defer { runner.finish() }
        let (app, sub) = try Self.replicated(runner)
        defer { Self.dropRoles(runner, app) }
        try Self.generatedFiles(runner, sub)
        for side in ["blue", "green"] {
            let folder = Self.golden.appendingPathComponent("sql/\(side)"), into = runner.root.appendingPathComponent("tree/sql/\(side)")
            try FileManager.default.createDirectory(at: into, withIntermediateDirectories: true)
            for name in try FileManager.default.contentsOfDirectory(atPath: folder.path) where name.hasSuffix(".sql") {
                try String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8).replacingOccurrences(of: Self.goldenName, with: sub)
                    .write(to: into.appendingPathComponent(name), atomically: true, encoding: .utf8)
            }
        }
        let readme = try PlanReadmeTests.readme("ledger-pg14.yaml").replacingOccurrences(of: Self.goldenName, with: sub)
        let section = try #require(readme.components(separatedBy: "### 8. ").dropFirst().first)
        let lines = section.split(separator: "\n").map(String.init)
        let first = try #require(lines.firstIndex { $0.hasPrefix("# only after the switchover Job completed") })
        let last = try #require(lines.firstIndex { $0.hasPrefix("else echo \"refused") })
        let block = lines[first...last].joined(separator: "\n")
        func url(_ socket: String) -> String {
            "postgresql://postgres@/\(runner.database)?host=\(socket.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? socket)&port=5432"
        }
        func paste() throws -> String {
            try runner.run("/bin/sh", ["-c", "cd '\(runner.root.appendingPathComponent("tree").path)' && " + block],
                           env: ["GREEN_URL": url(runner.greenSocket), "BLUE_ADMIN_URL": url(runner.socket), "APP_ROLE": app,
                                 "GREEN_CONNINFO": url(runner.greenSocket), "BLUE_CONNINFO": url(runner.socket)]).output
        }
        let early = try paste()
        #expect(early.contains("refused: not switched"), "\(early)")
        #expect(try runner.sql("SELECT subenabled FROM pg_subscription WHERE subname = '\(sub)'", side: "green") == "t", "forward replication stopped with the app on blue: \(early)")
        #expect(try runner.sql("SELECT count(*) FROM pg_replication_slots WHERE slot_name = '\(sub)_reverse'", side: "green") == "0", "\(early)")
        let switched = try runner.runner(try Self.generatedJob("switchover", "switchover", sub))
        #expect(switched.status == 0, "\(switched.output)")
        let pasted = try paste()
        #expect(!pasted.contains("refused"), "\(pasted)")
        #expect(try runner.sql("SELECT subenabled FROM pg_subscription WHERE subname = '\(sub)'", side: "green") == "f", "\(pasted)")
        _ = try runner.sql("INSERT INTO t VALUES (40, 'on green after the switch by hand')", side: "green")
        let back = try runner.runner(["wait-synced:green:blue:\(sub)_reverse"], env: ["WAIT_ATTEMPTS": "100"])
        #expect(back.status == 0, "the way back set up by hand does not stream: \(back.output)")
    }

    /// SHOULD-FIX S1: the runbook's unfence by hand (the switchover section's lines, as pasted) takes
    /// the runner's owner lock: while a run holds it (here a session holding the advisory lock for 3 s,
    /// as a fence, a takeover or a lift does for its transaction) the lift waits for it. Before, it
    /// went ahead at once.
    @Test func runbookUnfenceTakesTheRunnersLock() throws {
        let runner = try Runner(twoSided: true)
        defer { runner.finish() }
        let (app, sub) = try Self.replicated(runner)
        defer { Self.dropRoles(runner, app) }
        let readme = try PlanReadmeTests.readme("ledger-pg14.yaml").replacingOccurrences(of: Self.goldenName, with: sub)
        let lines = readme.split(separator: "\n").map(String.init)
        let marker = try #require(lines.first { $0.hasPrefix("marker=\"$(psql \"${GREEN_URL:?") })
        let unfence = try #require(lines.first { $0.hasPrefix("[ \"$marker\" = none ] && psql \"${BLUE_ADMIN_URL:?") })
        func url(_ socket: String) -> String {
            "postgresql://postgres@/\(runner.database)?host=\(socket.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? socket)&port=5432"
        }
        #expect(try runner.runner(["fence:blue"]).status == 0)
        try runner.sqlFile("hold-owner-lock.sql", "BEGIN; SELECT pg_advisory_xact_lock(hashtext('cutover_fence')); SELECT pg_sleep(3); COMMIT;")
        let held = try runner.start(["blueadmin:hold-owner-lock.sql"])
        Thread.sleep(forTimeInterval: 1)
        let started = Date()
        let pasted = try runner.run("/bin/sh", ["-c", marker + "\n" + unfence + "\ntrue"],
                                    env: ["GREEN_URL": url(runner.greenSocket), "BLUE_ADMIN_URL": url(runner.socket), "APP_ROLE": app]).output
        let waited = Date().timeIntervalSince(started)
        _ = held.finish()
        #expect(pasted.contains("marker: none"), "\(pasted)")
        #expect(waited >= 1.5, "the unfence by hand did not wait for the runner's owner lock (\(waited) s): \(pasted)")
        #expect(try Self.fence(runner, app) == "00", "\(pasted)")
    }

    /// Issue #10 review S1a: the switchover Job alone leaves everything the way back needs before the app
    /// writes on green (green's reverse slot, forward replication disabled): the Service moves right after
    /// it, and the reverse-replication Job is a post-upgrade hook that runs once the app is on green. A
    /// write on green before that Job ran still reaches blue. Before, the slot was the pre-upgrade
    /// reverse-replication Job's: its pod's start (scheduling, image pull) was inside the write pause,
    /// and the switchover Job alone left no slot on green.
    @Test func switchJobAloneBuildsTheWayBackBeforeTheMove() throws {
        let runner = try Runner(twoSided: true)
        defer { runner.finish() }
        let (app, sub) = try Self.replicated(runner)
        defer { Self.dropRoles(runner, app) }
        try Self.generatedFiles(runner, sub)
        let switched = try runner.runner(try Self.generatedJob("switchover", "switchover", sub))
        #expect(switched.status == 0, "\(switched.output)")
        #expect(try runner.sql("SELECT count(*) FROM pg_replication_slots WHERE slot_name = '\(sub)_reverse'", side: "green") == "1",
                "no reverse slot on green once the switchover Job ended: \(switched.output)")
        #expect(try runner.sql("SELECT subenabled FROM pg_subscription WHERE subname = '\(sub)'", side: "green") == "f", "\(switched.output)")
        #expect(try Self.fence(runner, app) == "11")
        // The Service moves: the app writes on green before the reverse-replication Job runs.
        _ = try runner.sql("INSERT INTO t VALUES (50, 'on green before reverse-replication')", side: "green")
        let reverse = try runner.runner(try Self.generatedJob("switchover", "reverse-replication", sub))
        #expect(reverse.status == 0, "\(reverse.output)")
        let back = try runner.runner(["wait-synced:green:blue:\(sub)_reverse"], env: ["WAIT_ATTEMPTS": "100"])
        #expect(back.status == 0, "the way back does not stream: \(back.output)")
        #expect(try Self.rows(runner, side: "blue") == "1:before the switch,50:on green before reverse-replication")
        #expect(try runner.sql("SELECT count(*) FROM pg_replication_slots WHERE slot_name = '\(sub)'") == "0", "the idle forward slot stayed on blue")
        let catalog = JobCatalog(try BlueGreenRehearsalTests.plan("ledger-pg14.yaml")).jobs
        let job = try #require(catalog.first { $0.suffix == "reverse-replication" })
        #expect(job.ordering.stage == .post, "reverse-replication runs before the Service moves: \(job.ordering)")
    }

    /// S1a: the switchover Job stopped after its mark and each step after it (k of them ran, then a
    /// failure), then run again (it completes the way back: the Service moves only once it succeeded)
    /// followed by reverse-replication, or switched back. Run again, a write on green after the move
    /// reaches blue and blue stays fenced; switched back, blue takes writes and they reach green. Before,
    /// a re-run under the marker ended at once ("nothing to do"), and the Service moved with no slot on
    /// green and forward replication still on.
    @Test(arguments: 0...3, ["again", "back"])
    func everyStopAfterTheSwitchsMarkConverges(k: Int, recovery: String) throws {
        let runner = try Runner(twoSided: true)
        defer { runner.finish() }
        let (app, sub) = try Self.replicated(runner)
        defer { Self.dropRoles(runner, app) }
        try Self.generatedFiles(runner, sub)
        let switchover = try Self.generatedJob("switchover", "switchover", sub)
        let mark = try #require(switchover.firstIndex(of: "mark-switched:green:\(sub)"))
        guard mark + 1 + k < switchover.count else { return }
        let killed = try runner.runner(Array(switchover.prefix(mark + 1 + k)) + ["green:fail.sql"])
        #expect(killed.status != 0, "\(killed.output)")
        #expect(try Self.fence(runner, app) == "11", "the fence was lifted past the mark: \(killed.output)")
        let step = switchover[mark + k]
        if recovery == "again" {
            let again = try runner.runner(switchover)
            #expect(again.status == 0, "stopped after \(step), run again: \(again.output)")
            #expect(try runner.sql("SELECT subenabled FROM pg_subscription WHERE subname = '\(sub)'", side: "green") == "f",
                    "stopped after \(step): the switch ended with forward replication on: \(again.output)")
            _ = try runner.sql("INSERT INTO t VALUES (20, 'on green after the switch')", side: "green")
            let reverse = try runner.runner(try Self.generatedJob("switchover", "reverse-replication", sub))
            #expect(reverse.status == 0, "stopped after \(step): \(reverse.output)")
            let back = try runner.runner(["wait-synced:green:blue:\(sub)_reverse"], env: ["WAIT_ATTEMPTS": "100"])
            #expect(back.status == 0, "stopped after \(step), run again: the way back does not stream: \(back.output)")
            #expect(try Self.rows(runner, side: "blue") == "1:before the switch,20:on green after the switch", "stopped after \(step)")
            #expect(try Self.fence(runner, app) == "11", "stopped after \(step): blue takes writes with the app on green")
        } else {
            let switchback = try runner.runner(try Self.generatedJob("switchback", "switchback", sub), env: ["WAIT_ATTEMPTS": "100"])
            #expect(switchback.status == 0, "stopped after \(step), switched back: \(switchback.output)")
            let dropReverse = try runner.runner(try Self.generatedJob("switchback", "drop-reverse", sub))
            #expect(dropReverse.status == 0, "stopped after \(step): \(dropReverse.output)")
            #expect(try Self.fence(runner, app) == "00", "stopped after \(step), switched back: blue still fenced: \(switchback.output)")
            _ = try runner.sql("INSERT INTO t VALUES (30, 'on blue after switching back')")
            let forward = try runner.runner(["wait-synced:blue:green:\(sub)"], env: ["WAIT_ATTEMPTS": "100"])
            #expect(forward.status == 0, "stopped after \(step), switched back: forward replication does not stream: \(forward.output)")
            #expect(try Self.rows(runner, side: "green") == "1:before the switch,30:on blue after switching back", "stopped after \(step)")
        }
    }

    /// Issue #10 review S1b: a session of the app's role opened on blue after the fence ended the
    /// others (a pool reconnects to blue until the Service moves) is ended by the reverse-replication
    /// Job, which runs once the Service points at green: no pod keeps reading blue's stale rows.
    /// Before, nothing ended it after the fence.
    @Test func reverseReplicationEndsTheAppsSessionsOnBlue() throws {
        let runner = try Runner(twoSided: true)
        defer { runner.finish() }
        let (app, sub) = try Self.replicated(runner)
        defer { Self.dropRoles(runner, app) }
        try Self.generatedFiles(runner, sub)
        let switched = try runner.runner(try Self.generatedJob("switchover", "switchover", sub))
        #expect(switched.status == 0, "\(switched.output)")
        // A pooled connection that reconnected to blue after the fence: reads keep working there.
        _ = try runner.sql("GRANT SELECT ON t TO \(app)")
        try runner.sqlFile("stale-read.sql", "SELECT count(*) FROM t; SELECT pg_sleep(60);")
        let pooled = try runner.start(["blue:stale-read.sql"])
        defer { _ = try? runner.sql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = '\(app)'") }
        var open = "0"
        for _ in 0..<50 where open == "0" {
            Thread.sleep(forTimeInterval: 0.1)
            open = try runner.sql("SELECT count(*) FROM pg_stat_activity WHERE usename = '\(app)' AND backend_type = 'client backend'")
        }
        #expect(open == "1", "the app's session on blue did not start")
        let started = Date()
        let reverse = try runner.runner(try Self.generatedJob("switchover", "reverse-replication", sub))
        #expect(reverse.status == 0, "\(reverse.output)")
        #expect(try runner.sql("SELECT count(*) FROM pg_stat_activity WHERE usename = '\(app)' AND backend_type = 'client backend'") == "0",
                "the app's session on blue outlived the switch: \(reverse.output)")
        let ended = pooled.finish()
        #expect(ended.status != 0 && Date().timeIntervalSince(started) < 30, "\(ended.output)")
        #expect(reverse.output.contains("1 session(s) of \(app) on blue ended"), "\(reverse.output)")
    }

    /// Issue #10 review M2b: a reverse slot lost on green and created again at the current position
    /// (Patroni after a failover) skips green's writes in between; the way back reports blue caught up,
    /// and only the switchback's comparison finds the row missing on blue. The switchback then fails
    /// before its point of no return (the app stays on green, green's fence lifted) and its log points
    /// at the runbook's steps for that case (stay on green, or copy blue again from green).
    @Test func switchbackWithALostReverseSlotPointsAtTheRunbook() throws {
        let runner = try Runner(twoSided: true)
        defer { runner.finish() }
        let (app, sub) = try Self.replicated(runner)
        defer { Self.dropRoles(runner, app) }
        try Self.generatedFiles(runner, sub)
        _ = try runner.sql("GRANT SELECT ON t TO \(app)")
        let checksum = try String(contentsOf: TestPaths.packageRoot.appendingPathComponent("templates/checksum-psql.sh"), encoding: .utf8)
        try runner.sqlFile("checksum-psql.sh", checksum.replacingOccurrences(of: "/tmp/", with: runner.root.path + "/tmp/")
            .replacingOccurrences(of: "/etc/cutover", with: runner.root.path + "/etc/cutover"))
        #expect(try runner.runner(try Self.generatedJob("switchover", "switchover", sub)).status == 0)
        #expect(try runner.runner(try Self.generatedJob("switchover", "reverse-replication", sub)).status == 0)
        _ = try runner.sql("INSERT INTO t VALUES (20, 'on green, reaches blue')", side: "green")
        #expect(try runner.runner(["wait-synced:green:blue:\(sub)_reverse"], env: ["WAIT_ATTEMPTS": "100"]).status == 0)
        // Green fails over: its slot is gone, the row written meanwhile never reaches blue, and the slot
        // is created again at green's current position.
        _ = try runner.sql("ALTER SUBSCRIPTION \(sub)_reverse DISABLE")
        var dropped = false
        for _ in 0..<100 where !dropped {
            dropped = (try? runner.sql("SELECT pg_drop_replication_slot('\(sub)_reverse')", side: "green")) != nil
            if !dropped { Thread.sleep(forTimeInterval: 0.1) }
        }
        #expect(dropped)
        _ = try runner.sql("INSERT INTO t VALUES (21, 'on green while its slot was lost')", side: "green")
        _ = try runner.sql("SELECT pg_create_logical_replication_slot('\(sub)_reverse', 'pgoutput')", side: "green")
        _ = try runner.sql("ALTER SUBSCRIPTION \(sub)_reverse ENABLE")
        _ = try runner.sql("INSERT INTO t VALUES (22, 'on green after the failover')", side: "green")
        let switchback = try runner.runner(try Self.generatedJobWithChecksums("switchback", "switchback", sub),
                                           env: ["WAIT_ATTEMPTS": "100", "CHECKSUM_ATTEMPTS": "2", "DB_HOST": runner.socket])
        #expect(switchback.status != 0, "switched back to a blue without row 21: \(switchback.output)")
        #expect(switchback.output.contains("ranges differ"), "\(switchback.output)")
        #expect(switchback.output.contains("the way back lost some of green's writes"), "\(switchback.output)")
        #expect(switchback.output.contains("If switching back fails"), "no pointer to the runbook: \(switchback.output)")
        #expect(try Self.marker(runner, sub) == "cutover: switched from blue to green", "\(switchback.output)")
        #expect(try Self.fence(runner, app, side: "green") == "00", "green stayed fenced: \(switchback.output)")
        #expect(try Self.fence(runner, app) == "11")
        // The runbook's state 4, as pasted: blue copied again from green, then the switchback passes.
        let readme = try PlanReadmeTests.readme("ledger-pg14.yaml").replacingOccurrences(of: Self.goldenName, with: sub)
        let state = try #require(readme.components(separatedBy: "4. **The switchback's comparison failed.**").dropFirst().first)
        let block = try #require(state.components(separatedBy: "```sh\n").dropFirst().first?.components(separatedBy: "\n```").first)
        func url(_ socket: String) -> String {
            "postgresql://postgres@/\(runner.database)?host=\(socket.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? socket)&port=5432"
        }
        let pasted = try runner.run("/bin/sh", ["-ec", block], env: ["GREEN_URL": url(runner.greenSocket), "BLUE_ADMIN_URL": url(runner.socket),
                                                                     "GREEN_CONNINFO": "host=\(runner.greenSocket) port=5432 dbname=\(runner.database) user=postgres"])
        #expect(pasted.status == 0, "\(pasted.output)")
        var copied = false
        for _ in 0..<200 where !copied {
            copied = try runner.sql("SELECT count(*) FILTER (WHERE srsubstate <> 'r') = 0 AND count(*) > 0 FROM pg_subscription_rel r JOIN pg_subscription s ON s.oid = r.srsubid WHERE s.subname = '\(sub)_reverse'") == "t"
            if !copied { Thread.sleep(forTimeInterval: 0.1) }
        }
        #expect(copied, "blue's copy from green did not complete: \(pasted.output)")
        #expect(try Self.rows(runner, side: "blue").contains("21:on green while its slot was lost"), "\(pasted.output)")
        let again = try runner.runner(try Self.generatedJobWithChecksums("switchback", "switchback", sub),
                                      env: ["WAIT_ATTEMPTS": "100", "CHECKSUM_ATTEMPTS": "2", "DB_HOST": runner.socket])
        #expect(again.status == 0, "the switchback after copying blue again: \(again.output)")
        #expect(try Self.fence(runner, app) == "00", "\(again.output)")
    }
}
