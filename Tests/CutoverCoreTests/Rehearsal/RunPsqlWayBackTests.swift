@testable import CutoverCore
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
        let fenced = try Self.generatedJob("switchover", "switchover", sub).drop { $0 != "fence:blue" }.dropFirst().first ?? ""
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
}
