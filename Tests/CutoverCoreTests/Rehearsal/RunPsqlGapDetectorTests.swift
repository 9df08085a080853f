import Foundation
import Testing

/// SRE review #4, MUST-FIX 4: a forward or reverse slot dropped and created again at the current
/// position (Patroni on a new primary after a failover, or a DBA by hand) streams from there; the
/// catch-ups see the subscriber caught up, and the transactions in between are lost for every table
/// verify.checksum does not name. Each test runs the generated Jobs (ledger-pg14's golden tree, the
/// replication names renamed; no checksum steps: `notes` stands for a table the checksums do not
/// cover) with templates/run-psql.sh on two PostgreSQL 15 servers with real logical replication.
extension RunPsqlRunnerTests {
    /// Table t and notes on both sides, then the generated replicate Job (the gap log, the
    /// publication, the slot, the subscription, the copy).
    static func replicatedWithGapLog(_ runner: Runner) throws -> (app: String, sub: String) {
        let (app, sub) = try Self.unreplicated(runner)
        for side in ["blue", "green"] {
            _ = try runner.sql("CREATE TABLE notes (id int PRIMARY KEY, body text)", side: side)
        }
        let replicate = try runner.runner(try Self.generatedJob("", "replicate", sub), env: ["WAIT_ATTEMPTS": "150"])
        guard replicate.status == 0 else { throw HarnessError("replicate failed: \(replicate.output)") }
        _ = try runner.sql("INSERT INTO notes VALUES (1, 'on blue, replicated')")
        let synced = try runner.runner(["wait-synced:blue:green:\(sub)"], env: ["WAIT_ATTEMPTS": "100"])
        guard synced.status == 0 else { throw HarnessError("replication did not catch up: \(synced.output)") }
        return (app, sub)
    }

    /// The slot NAME on PUBLISHER dropped while its subscription on the other side is disabled, a write
    /// to notes meanwhile, the slot created again at the current position (Patroni after a failover),
    /// the subscription enabled again, and one more write, which streams.
    static func loseSlot(_ runner: Runner, _ name: String, publisher: String, lost: Int, after: Int) throws {
        let subscriber = publisher == "blue" ? "green" : "blue"
        _ = try runner.sql("ALTER SUBSCRIPTION \(name) DISABLE", side: subscriber)
        var dropped = false
        for _ in 0..<100 where !dropped {
            dropped = (try? runner.sql("SELECT pg_drop_replication_slot('\(name)')", side: publisher)) != nil
            if !dropped { Thread.sleep(forTimeInterval: 0.1) }
        }
        guard dropped else { throw HarnessError("slot \(name) on \(publisher) stayed active") }
        _ = try runner.sql("INSERT INTO notes VALUES (\(lost), 'while the slot was lost')", side: publisher)
        _ = try runner.sql("SELECT pg_create_logical_replication_slot('\(name)', 'pgoutput')", side: publisher)
        _ = try runner.sql("ALTER SUBSCRIPTION \(name) ENABLE", side: subscriber)
        _ = try runner.sql("INSERT INTO notes VALUES (\(after), 'after the slot came back')", side: publisher)
    }

    /// The generated Job's arguments split after its gap check of STAGE "live": the first run ends
    /// there, the second starts with the Job's first step (its guard) and goes on after it.
    static func splitAtLiveGapCheck(_ arguments: [String]) throws -> (before: [String], after: [String]) {
        let index = try #require(arguments.firstIndex { $0.hasPrefix("gap-check:") && $0.hasSuffix(":live") }, "no live gap check in \(arguments)")
        return (Array(arguments[...index]), [arguments[0]] + Array(arguments[(index + 1)...]))
    }

    /// The forward slot lost and created again while the app writes to notes: before the switch's live
    /// gap check (`live`), or after it, while the Job goes on towards its fence (`fenced`). The switch
    /// fails before its mark, names the table and what to do, blue's fence lifted (never set, when
    /// `live`). Before (the old runner and Jobs), the switch completed and green never got row 2.
    @Test(arguments: ["live", "fenced"])
    func switchFailsWhenTheForwardSlotSkippedTransactions(stage: String) throws {
        let runner = try Runner(twoSided: true)
        defer { runner.finish() }
        let (app, sub) = try Self.replicatedWithGapLog(runner)
        defer { Self.dropRoles(runner, app) }
        let switchover = try Self.generatedJob("switchover", "switchover", sub)
        var switched: (status: Int32, output: String, seconds: Double)
        if stage == "live" {
            try Self.loseSlot(runner, sub, publisher: "blue", lost: 2, after: 3)
            switched = try runner.runner(switchover, env: ["WAIT_ATTEMPTS": "100"])
        } else {
            let (before, after) = try Self.splitAtLiveGapCheck(switchover)
            let first = try runner.runner(before, env: ["WAIT_ATTEMPTS": "100"])
            #expect(first.status == 0, "\(first.output)")
            try Self.loseSlot(runner, sub, publisher: "blue", lost: 2, after: 3)
            switched = try runner.runner(after, env: ["WAIT_ATTEMPTS": "100"])
            #expect(switched.output.contains("writes fenced on blue"), "\(switched.output)")
        }
        #expect(try runner.sql("SELECT string_agg(id::text, ',' ORDER BY id) FROM notes", side: "green") == "1,3", "the scenario: green lacks row 2")
        #expect(switched.status != 0, "switched to a green without row 2: \(switched.output)")
        #expect(switched.output.contains("cutover: gap: public.notes: 1 transaction(s) blue committed"), "\(switched.output)")
        #expect(switched.output.contains("never reached green"), "\(switched.output)")
        #expect(switched.output.contains("Green must be copied again before a switch"), "no way out named: \(switched.output)")
        #expect(!switched.output.contains("switch marked complete"), "\(switched.output)")
        #expect(try Self.marker(runner, sub) == "none", "\(switched.output)")
        #expect(try Self.fence(runner, app) == "00", "blue stayed fenced: \(switched.output)")
    }

    /// The reverse slot on green lost and created again after the switch while the app writes to notes
    /// on green: before the switchback's live gap check, or after it. The switchback fails before its
    /// point of no return, names the table and points at the runbook's state 4; green's fence lifted,
    /// the switch's marker kept, blue still fenced. Before, the switchback completed and blue never got row 11.
    @Test(arguments: ["live", "fenced"])
    func switchbackFailsWhenTheReverseSlotSkippedTransactions(stage: String) throws {
        let runner = try Runner(twoSided: true)
        defer { runner.finish() }
        let (app, sub) = try Self.replicatedWithGapLog(runner)
        defer { Self.dropRoles(runner, app) }
        let switched = try runner.runner(try Self.generatedJob("switchover", "switchover", sub), env: ["WAIT_ATTEMPTS": "100"])
        #expect(switched.status == 0, "\(switched.output)")
        #expect(switched.output.contains("gap log (fenced): green has all"), "\(switched.output)")
        let reverse = try runner.runner(try Self.generatedJob("switchover", "reverse-replication", sub))
        #expect(reverse.status == 0, "\(reverse.output)")
        _ = try runner.sql("INSERT INTO notes VALUES (10, 'on green, reaches blue')", side: "green")
        #expect(try runner.runner(["wait-synced:green:blue:\(sub)_reverse"], env: ["WAIT_ATTEMPTS": "100"]).status == 0)
        let switchback = try Self.generatedJob("switchback", "switchback", sub)
        var back: (status: Int32, output: String, seconds: Double)
        if stage == "live" {
            try Self.loseSlot(runner, "\(sub)_reverse", publisher: "green", lost: 11, after: 12)
            back = try runner.runner(switchback, env: ["WAIT_ATTEMPTS": "100"])
        } else {
            let (before, after) = try Self.splitAtLiveGapCheck(switchback)
            let first = try runner.runner(before, env: ["WAIT_ATTEMPTS": "100"])
            #expect(first.status == 0, "\(first.output)")
            try Self.loseSlot(runner, "\(sub)_reverse", publisher: "green", lost: 11, after: 12)
            back = try runner.runner(after, env: ["WAIT_ATTEMPTS": "100"])
            #expect(back.output.contains("writes fenced on green"), "\(back.output)")
        }
        #expect(try runner.sql("SELECT string_agg(id::text, ',' ORDER BY id) FROM notes") == "1,10,12", "the scenario: blue lacks row 11")
        #expect(back.status != 0, "switched back to a blue without row 11: \(back.output)")
        #expect(back.output.contains("cutover: gap: public.notes: 1 transaction(s) green committed"), "\(back.output)")
        #expect(back.output.contains("the way back lost some of green's writes"), "\(back.output)")
        #expect(back.output.contains("If switching back fails"), "\(back.output)")
        #expect(try Self.marker(runner, sub) == "cutover: switched from blue to green", "\(back.output)")
        #expect(try Self.fence(runner, app, side: "green") == "00", "green stayed fenced: \(back.output)")
        #expect(try Self.fence(runner, app) == "11", "\(back.output)")
    }

    /// With no slot lost, the generated Jobs pass the gap checks both ways (switch, way back,
    /// switchback), and cleanup drops the log and its triggers on both sides.
    @Test func gapLogPassesWithoutALossAndCleanupDropsIt() throws {
        let runner = try Runner(twoSided: true)
        defer { runner.finish() }
        let (app, sub) = try Self.replicatedWithGapLog(runner)
        defer { Self.dropRoles(runner, app) }
        #expect(try runner.sql("SELECT count(*) FROM pg_publication_tables WHERE pubname = '\(sub)' AND schemaname = 'cutover_gap'") == "1")
        #expect(try runner.sql("SELECT count(*) FROM cutover_gap.log WHERE tbl = 'public.notes'", side: "green") == "1", "the apply worker's row, not a trigger's")
        for (folder, job) in [("switchover", "switchover"), ("switchover", "reverse-replication")] {
            let run = try runner.runner(try Self.generatedJob(folder, job, sub), env: ["WAIT_ATTEMPTS": "100"])
            #expect(run.status == 0, "\(job): \(run.output)")
        }
        _ = try runner.sql("INSERT INTO notes VALUES (10, 'on green')", side: "green")
        let back = try runner.runner(try Self.generatedJob("switchback", "switchback", sub), env: ["WAIT_ATTEMPTS": "100"])
        #expect(back.status == 0, "\(back.output)")
        #expect(back.output.contains("gap log (fenced): blue has all"), "\(back.output)")
        #expect(try runner.sql("SELECT count(*) FROM cutover_gap.log") == (try runner.sql("SELECT count(*) FROM cutover_gap.log", side: "green")))
        let cleanup = try runner.runner(try Self.generatedJob("cleanup", "cleanup", sub), env: ["WAIT_ATTEMPTS": "100"])
        #expect(cleanup.status == 0, "\(cleanup.output)")
        for side in ["blue", "green"] {
            #expect(try runner.sql("SELECT count(*) FROM pg_namespace WHERE nspname = 'cutover_gap'", side: side) == "0", "\(side): \(cleanup.output)")
            #expect(try runner.sql("SELECT count(*) FROM pg_trigger WHERE tgname = 'cutover_gap_note'", side: side) == "0", "\(side): \(cleanup.output)")
        }
    }

    /// SRE review sre10f, MUST-FIX 1: a statement that changed no row (an expiry sweep that found
    /// nothing) stays read-only: no gap-log row and no xid, so no commit fsync and nothing replicated.
    /// A real write in the same kind of transaction still logs. Before, the trigger called
    /// txid_current() for the zero-row DELETE: the transaction got an xid and blue's log a row.
    @Test func zeroRowStatementLogsNothingAndAssignsNoXid() throws {
        let runner = try Runner(twoSided: true)
        defer { runner.finish() }
        let (app, _) = try Self.replicatedWithGapLog(runner)
        defer { Self.dropRoles(runner, app) }
        let before = try runner.sql("SELECT count(*) FROM cutover_gap.log WHERE side = 'blue'")
        let xid = try runner.sql("BEGIN; DELETE FROM notes WHERE id < 0; UPDATE notes SET body = 'x' WHERE id < 0; SELECT coalesce(txid_current_if_assigned()::text, 'none'); COMMIT")
        #expect(xid.split(separator: "\n").contains("none"), "the zero-row statements assigned an xid: \(xid)")
        #expect(try runner.sql("SELECT count(*) FROM cutover_gap.log WHERE side = 'blue'") == before, "a zero-row statement logged")
        let written = try #require(try runner.sql("BEGIN; DELETE FROM notes WHERE id = 1; SELECT txid_current_if_assigned(); COMMIT")
            .split(separator: "\n").first { Int($0) != nil }, "the real write got no xid")
        #expect(try runner.sql("SELECT count(*) FROM cutover_gap.log WHERE side = 'blue' AND xid = \(written) AND tbl = 'public.notes'") == "1", "the real write was not logged")
    }

    /// SRE review sre10f, MUST-FIX 2: the way out the gap detector names can be followed with the
    /// generated Jobs. A gap found, the switch refused; rollback-replicate drops forward replication
    /// and empties green (its tables stay); replicate (stage 1) copies anew; the switch completes with
    /// every row on green. Before, rollback-replicate left green's rows and replicate refused "green
    /// already holds data", so the switch could never run.
    @Test func afterAGapRollbackEmptiesGreenAndStageOneRunsAgain() throws {
        let runner = try Runner(twoSided: true)
        defer { runner.finish() }
        let (app, sub) = try Self.replicatedWithGapLog(runner)
        defer { Self.dropRoles(runner, app) }
        try Self.loseSlot(runner, sub, publisher: "blue", lost: 2, after: 3)
        let switchover = try Self.generatedJob("switchover", "switchover", sub)
        let refused = try runner.runner(switchover, env: ["WAIT_ATTEMPTS": "100"])
        #expect(refused.status != 0 && refused.output.contains("cutover: gap: public.notes"), "\(refused.output)")
        #expect(refused.output.contains("rollback-replicate"), "no Job named: \(refused.output)")
        let rollback = try runner.runner(try Self.generatedJob("rollback-replicate", "rollback-replicate", sub), env: ["WAIT_ATTEMPTS": "100"])
        #expect(rollback.status == 0, "\(rollback.output)")
        #expect(rollback.output.contains("cutover: green emptied"), "\(rollback.output)")
        #expect(try runner.sql("SELECT count(*) FROM notes", side: "green") == "0", "\(rollback.output)")
        #expect(try runner.sql("SELECT string_agg(id::text, ',' ORDER BY id) FROM notes") == "1,2,3", "blue keeps its rows")
        let again = try runner.runner(try Self.generatedJob("", "replicate", sub), env: ["WAIT_ATTEMPTS": "150"])
        #expect(again.status == 0, "replicate after the rollback: \(again.output)")
        _ = try runner.sql("INSERT INTO notes VALUES (4, 'after the new copy')")
        #expect(try runner.runner(["wait-synced:blue:green:\(sub)"], env: ["WAIT_ATTEMPTS": "100"]).status == 0)
        let switched = try runner.runner(switchover, env: ["WAIT_ATTEMPTS": "100"])
        #expect(switched.status == 0, "\(switched.output)")
        #expect(try runner.sql("SELECT string_agg(id::text, ',' ORDER BY id) FROM notes", side: "green") == "1,2,3,4", "\(switched.output)")
        #expect(try Self.marker(runner, sub) == "cutover: switched from blue to green", "\(switched.output)")
    }

    /// empty-green's own guards: with blue fenced (a switch stopped after its fence) or with green's
    /// subscription still there, green keeps every row and the step fails, naming why.
    @Test func emptyGreenRefusesWhileBlueIsFencedOrGreenStillSubscribes() throws {
        let runner = try Runner(twoSided: true)
        defer { runner.finish() }
        let (app, sub) = try Self.replicatedWithGapLog(runner)
        defer { Self.dropRoles(runner, app) }
        let subscribed = try runner.runner(["empty-green:\(sub)"])
        #expect(subscribed.status != 0 && subscribed.output.contains("still exists on green"), "\(subscribed.output)")
        _ = try runner.sql("ALTER SUBSCRIPTION \(sub) DISABLE", side: "green")
        _ = try runner.sql("ALTER SUBSCRIPTION \(sub) SET (slot_name = NONE)", side: "green")
        _ = try runner.sql("DROP SUBSCRIPTION \(sub)", side: "green")
        let fence = try runner.runner(["fence:blue"])
        #expect(fence.status == 0, "\(fence.output)")
        let fenced = try runner.runner(["empty-green:\(sub)"])
        #expect(fenced.status != 0 && fenced.output.contains("blue is fenced"), "\(fenced.output)")
        #expect(try runner.sql("SELECT count(*) FROM notes", side: "green") == "1")
        _ = try runner.runner(["unfence:blue"])
    }
}
