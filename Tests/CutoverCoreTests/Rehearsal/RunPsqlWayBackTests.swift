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
            let dropReverse = try runner.runner(try Self.generatedJob("switchback", "drop-reverse", sub))
            #expect(dropReverse.status == 0, "stopped after \(reverse[k - 1]): \(dropReverse.output)")
            #expect(try Self.fence(runner, app) == "00", "stopped after \(reverse[k - 1]), switched back: blue still fenced: \(switchback.output)")
            _ = try runner.sql("INSERT INTO t VALUES (30, 'on blue after switching back')")
            let forward = try runner.runner(["wait-synced:blue:green:\(sub)"], env: ["WAIT_ATTEMPTS": "100"])
            #expect(forward.status == 0, "stopped after \(reverse[k - 1]), switched back: forward replication does not stream: \(forward.output)")
            #expect(try Self.rows(runner, side: "green") == "1:before the switch,30:on blue after switching back", "stopped after \(reverse[k - 1])")
        }
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
}
