@testable import CutoverPlan
@testable import CutoverSpec
@testable import CutoverEmit
@testable import CutoverProof
@testable import CutoverCore
import Foundation
import Testing

/// Issue #10, the SRE review of bgfix5 (DO NOT APPROVE): M1 (forward Jobs run again after cleanup)
/// and M5 (a switch run again after a run killed behind its fence). Each test runs the generated Jobs
/// themselves (ledger-pg14's golden tree, as RunPsqlWayBackTests does) with templates/run-psql.sh on
/// two PostgreSQL 15 servers with real logical replication between them.
extension RunPsqlRunnerTests {
    /// The switch, the way back and cleanup, as the generated Jobs run them; then the app writes on green.
    static func switchedAndCleanedUp(_ runner: Runner, _ sub: String) throws {
        let switched = try runner.runner(try Self.generatedJob("switchover", "switchover", sub))
        guard switched.status == 0 else { throw HarnessError("the switch failed: \(switched.output)") }
        let reverse = try runner.runner(try Self.generatedJob("switchover", "reverse-replication", sub))
        guard reverse.status == 0 else { throw HarnessError("reverse-replication failed: \(reverse.output)") }
        let cleanup = try runner.runner(try Self.generatedJob("cleanup", "cleanup", sub))
        guard cleanup.status == 0 else { throw HarnessError("cleanup failed: \(cleanup.output)") }
        _ = try runner.sql("INSERT INTO t VALUES (50, 'on green after cleanup')", side: "green")
    }

    /// M1: after cleanup, `helm upgrade --reuse-values` (or an Argo CD sync: PostSync hooks run on
    /// every sync) runs the replicate Job again. It changes nothing: no publication, slot or
    /// subscription comes back, green (production now) keeps its rows and gets none of blue's stale
    /// ones, also with blue's fence lifted by hand (blue retired); the switchback refuses (no way back)
    /// and rollback-replicate refuses, the switch and reverse-replication change nothing. Before, the
    /// replicate Job read "subscription gone" as "not started yet": a new slot on blue and a copy_data
    /// subscription on green, looping on duplicate keys; and the switchback, with blue unfenced, read
    /// "the app never left blue" and let the Service move back to a stale blue.
    @Test func forwardJobsChangeNothingAfterCleanup() throws {
        let runner = try Runner(twoSided: true)
        defer { runner.finish() }
        let (app, sub) = try Self.replicated(runner)
        defer { Self.dropRoles(runner, app) }
        try Self.generatedFiles(runner, sub)
        try Self.switchedAndCleanedUp(runner, sub)
        let replicate = try Self.generatedJob("", "replicate", sub)
        #expect(replicate.first == "while-forward:green:\(sub)", "\(replicate)")
        for handLifted in [false, true] {
            if handLifted {
                // Blue retired by hand: its fence lifted (the runbook's unfence), nothing else.
                _ = try runner.sql("DROP SCHEMA cutover_fence CASCADE; ALTER ROLE \(app) RESET default_transaction_read_only")
            }
            let again = try runner.runner(replicate, env: ["WAIT_ATTEMPTS": "50"])
            #expect(again.status == 0, "hand-lifted \(handLifted): \(again.output)")
            #expect(again.output.contains("cleanup's marker"), "hand-lifted \(handLifted): \(again.output)")
            #expect(try runner.sql("SELECT count(*) FROM pg_subscription WHERE subname = '\(sub)'", side: "green") == "0",
                    "hand-lifted \(handLifted): forward replication started again after cleanup: \(again.output)")
            #expect(try runner.sql("SELECT count(*) FROM pg_replication_slots WHERE slot_name = '\(sub)'") == "0", "hand-lifted \(handLifted): \(again.output)")
            #expect(try runner.sql("SELECT count(*) FROM pg_publication WHERE pubname = '\(sub)'") == "0", "hand-lifted \(handLifted): \(again.output)")
            #expect(try Self.rows(runner, side: "green") == "1:before the switch,50:on green after cleanup", "hand-lifted \(handLifted)")
            let switchback = try runner.runner(try Self.generatedJob("switchback", "switchback", sub), env: ["WAIT_ATTEMPTS": "50"])
            #expect(switchback.status != 0, "hand-lifted \(handLifted): the switchback would move the app back to a stale blue: \(switchback.output)")
            #expect(switchback.output.contains("no way back"), "hand-lifted \(handLifted): \(switchback.output)")
            let rollback = try runner.runner(try Self.generatedJob("rollback-replicate", "rollback-replicate", sub))
            #expect(rollback.status != 0, "hand-lifted \(handLifted): \(rollback.output)")
            for (folder, job) in [("switchover", "switchover"), ("switchover", "reverse-replication"), ("cleanup", "cleanup")] {
                let rerun = try runner.runner(try Self.generatedJob(folder, job, sub), env: ["WAIT_ATTEMPTS": "50"])
                #expect(rerun.status == 0, "hand-lifted \(handLifted), \(job) again: \(rerun.output)")
                #expect(rerun.output.contains("nothing to do") || job == "cleanup", "hand-lifted \(handLifted), \(job) again: \(rerun.output)")
            }
            #expect(try runner.sql("SELECT count(*) FROM pg_subscription WHERE subname = '\(sub)'", side: "green") == "0", "hand-lifted \(handLifted)")
            #expect(try Self.rows(runner, side: "green") == "1:before the switch,50:on green after cleanup", "hand-lifted \(handLifted)")
        }
    }

    /// SRE check sre10g (MUST-FIX): rollback-replicate's `empty-green` read every guard on blue or
    /// from the forward subscription, which cleanup drops. Blue restored from its pre-migration
    /// snapshot (no cleanup marker, no fence) let it TRUNCATE production green. Green now keeps its
    /// own record of the switch (schema cutover_served, from the mark; cleanup keeps it): the Job
    /// refuses and green keeps every row. Before, it exited 0 with "green emptied".
    @Test func rollbackNeverEmptiesAGreenTheAppWasMovedTo() throws {
        let runner = try Runner(twoSided: true)
        defer { runner.finish() }
        let (app, sub) = try Self.replicated(runner)
        defer { Self.dropRoles(runner, app) }
        try Self.generatedFiles(runner, sub)
        try Self.switchedAndCleanedUp(runner, sub)
        // Blue as its snapshot from before the migration would be: none of cutover's markers or fences.
        _ = try runner.sql("DROP SCHEMA cutover_fence CASCADE; DROP SCHEMA cutover_moved; ALTER ROLE \(app) RESET default_transaction_read_only")
        let rollback = try runner.runner(try Self.generatedJob("rollback-replicate", "rollback-replicate", sub))
        #expect(rollback.status != 0, "\(rollback.output)")
        #expect(rollback.output.contains("carries the switch's record"), "\(rollback.output)")
        #expect(try Self.rows(runner, side: "green") == "1:before the switch,50:on green after cleanup", "\(rollback.output)")
    }

    /// M1: the replicate Job refuses to start forward replication into a green that already holds data
    /// without a subscription of its own (production after a switch whose markers are gone, or an
    /// earlier copy), and with blue fenced. Before, it created a copy_data subscription on green.
    @Test func replicateRefusesAGreenWithDataOrAFencedBlue() throws {
        let runner = try Runner(twoSided: true)
        defer { runner.finish() }
        let app = "app_\(runner.database)", sub = "\(runner.database)_fwd"
        for side in ["blue", "green"] {
            _ = try runner.sql("CREATE ROLE \(app) LOGIN", database: "postgres", side: side)
            _ = try runner.sql("CREATE TABLE t (id int PRIMARY KEY, note text)", side: side)
        }
        defer { Self.dropRoles(runner, app) }
        try runner.secret("blue", user: app)
        try Self.generatedFiles(runner, sub)
        _ = try runner.sql("INSERT INTO t VALUES (1, 'on blue')")
        _ = try runner.sql("INSERT INTO t VALUES (1, 'green production')", side: "green")
        let replicate = try Self.generatedJob("", "replicate", sub)
        let refused = try runner.runner(replicate, env: ["WAIT_ATTEMPTS": "50"])
        #expect(refused.status != 0, "\(refused.output)")
        #expect(refused.output.contains("already holds data"), "\(refused.output)")
        #expect(try runner.sql("SELECT count(*) FROM pg_subscription WHERE subname = '\(sub)'", side: "green") == "0", "\(refused.output)")
        #expect(try runner.sql("SELECT count(*) FROM pg_replication_slots WHERE slot_name = '\(sub)'") == "0", "\(refused.output)")
        _ = try runner.sql("DELETE FROM t", side: "green")
        #expect(try runner.runner(["fence:blue"]).status == 0)
        let fenced = try runner.runner(replicate, env: ["WAIT_ATTEMPTS": "50"])
        #expect(fenced.status != 0, "\(fenced.output)")
        #expect(fenced.output.contains("blue is fenced"), "\(fenced.output)")
        #expect(try runner.sql("SELECT count(*) FROM pg_subscription WHERE subname = '\(sub)'", side: "green") == "0", "\(fenced.output)")
        #expect(try runner.runner(["unfence:blue"]).status == 0)
        let started = try runner.runner(replicate, env: ["WAIT_ATTEMPTS": "200"])
        #expect(started.status == 0, "\(started.output)")
        #expect(try Self.rows(runner, side: "green") == "1:on blue")
        // Its own copy in progress (the subscription exists): run again, it goes on.
        let again = try runner.runner(replicate, env: ["WAIT_ATTEMPTS": "200"])
        #expect(again.status == 0, "\(again.output)")
    }

    /// M5: a switch killed outright right after "writes fenced on blue" (its EXIT trap never ran; a
    /// Job's retry after a node loss does the same): the next run takes the fence over and lifts it at
    /// once (no marker: the app never left blue), does the work before the fence with blue taking
    /// writes (a step right before fence:blue checks), then fences blue again and completes. Before,
    /// the takeover kept blue fenced through the live checksums and the unbounded catch-up.
    @Test func switchAfterAKilledRunDoesItsWorkUnfenced() throws {
        let runner = try Runner(twoSided: true)
        defer { runner.finish() }
        let (app, sub) = try Self.replicated(runner)
        defer { Self.dropRoles(runner, app) }
        try Self.generatedFiles(runner, sub)
        let killed = try runner.runner(["unless-switched:green:\(sub)", "fence:blue"])
        #expect(killed.status == 0, "\(killed.output)")
        #expect(try Self.fence(runner, app) == "11")
        try runner.sqlFile("unfenced.sql", """
            DO $$ BEGIN
              IF EXISTS (SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = 'cutover_fence'
                          AND coalesce(pg_catalog.obj_description(oid, 'pg_namespace'), '') <> 'cutover fence, lifted')
                 OR EXISTS (SELECT 1 FROM pg_catalog.pg_db_role_setting s JOIN pg_catalog.pg_roles r ON r.oid = s.setrole
                             WHERE 'default_transaction_read_only=on' = ANY (s.setconfig)) THEN
                RAISE EXCEPTION 'blue is fenced during the work before the fence';
              END IF;
            END $$;
            """)
        var job = try Self.generatedJob("switchover", "switchover", sub)
        let fenceAt = try #require(job.firstIndex(of: "fence:blue:\(JobCatalog.fenceLockSeconds)"))
        job.insert("blueadmin:unfenced.sql", at: fenceAt)
        let again = try runner.runner(job)
        #expect(again.status == 0, "blue stayed fenced through the work before the fence: \(again.output)")
        #expect(again.output.contains("taken over and lifted"), "\(again.output)")
        #expect(try Self.fence(runner, app) == "11", "\(again.output)")
        #expect(try Self.marker(runner, sub) == "cutover: switched from blue to green")
    }

    /// M2a: the forward slot lost on blue (a failover; Patroni drops a slot it was not told of) while
    /// green's subscription had copied its tables, a row written on blue meanwhile, then the replicate
    /// Job run again (its slot step creates a missing slot at blue's current position): it refuses
    /// before anything changes and says how to copy again. Before, it created the slot, the
    /// subscription streamed from there, and replicate reported success with row 2 missing on green.
    @Test func replicateRefusesToRecreateALostForwardSlot() throws {
        let runner = try Runner(twoSided: true)
        defer { runner.finish() }
        let (app, sub) = try Self.replicated(runner)
        defer { Self.dropRoles(runner, app) }
        try Self.generatedFiles(runner, sub)
        _ = try runner.sql("ALTER SUBSCRIPTION \(sub) DISABLE", side: "green")
        for _ in 0..<100 where try runner.sql("SELECT count(*) FROM pg_replication_slots WHERE slot_name = '\(sub)' AND active") != "0" {
            Thread.sleep(forTimeInterval: 0.1)
        }
        _ = try runner.sql("SELECT pg_drop_replication_slot('\(sub)')")
        // The publication as the generated file makes it (a table list, not FOR ALL TABLES).
        _ = try runner.sql("DROP PUBLICATION \(sub); CREATE PUBLICATION \(sub) FOR TABLE t")
        _ = try runner.sql("INSERT INTO t VALUES (2, 'while the slot was gone')")
        _ = try runner.sql("ALTER SUBSCRIPTION \(sub) ENABLE", side: "green")
        let again = try runner.runner(try Self.generatedJob("", "replicate", sub), env: ["WAIT_ATTEMPTS": "100"])
        #expect(again.status != 0, "replicate created the lost slot again and skipped row 2 (green: \((try? Self.rows(runner, side: "green")) ?? "?")): \(again.output)")
        #expect(again.output.contains("is gone from blue") && again.output.contains("Copy again"), "\(again.output)")
        #expect(try runner.sql("SELECT count(*) FROM pg_replication_slots WHERE slot_name = '\(sub)'") == "0", "\(again.output)")
    }

    /// A generated Job's arguments with its checksum steps kept, pointed at the test's table `t`
    /// (ledger's `accounts`; its other tables' checksums left out).
    static func generatedJobWithChecksums(_ folder: String, _ job: String, _ sub: String) throws -> [String] {
        let text = try String(contentsOf: golden.appendingPathComponent("manifests/\(folder)/job-\(job).yaml"), encoding: .utf8)
        var arguments: [String] = [], inside = false
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed == "args:" { inside = true; continue }
            guard inside else { continue }
            guard trimmed.hasPrefix("- ") else { break }
            arguments.append(String(trimmed.dropFirst(2)).replacingOccurrences(of: goldenName, with: sub))
        }
        return arguments.compactMap { argument in
            guard argument.hasPrefix("checksum") else { return argument }
            return argument.contains(":accounts:") ? argument.replacingOccurrences(of: ":accounts:", with: ":t:") : nil
        }
    }

    /// M2b: the reverse slot on green lost and created again at green's current position (Patroni
    /// re-creates a permanent slot so after a failover), a row written on green in between: the way
    /// back streams again from there, its catch-up reports blue caught up, and only a comparison finds
    /// the row missing on blue. The generated switchback compares both sides (checksum-live, then
    /// checksum-fenced with green fenced) before its point of no return: it fails, green's fence is
    /// lifted (the app stays on green), blue stays fenced and the switch's marker stays. Before, the
    /// switchback completed and the Service moved back to a blue without that row.
    @Test func switchbackComparesBothSidesBeforeItCommits() throws {
        let runner = try Runner(twoSided: true)
        defer { runner.finish() }
        let (app, sub) = try Self.replicated(runner)
        defer { Self.dropRoles(runner, app) }
        try Self.generatedFiles(runner, sub)
        _ = try runner.sql("GRANT SELECT ON t TO \(app)")
        // The checksum script of the Jobs' ConfigMap, with the Job's paths remapped as the runner's.
        let checksum = try String(contentsOf: TestPaths.packageRoot.appendingPathComponent("templates/checksum-psql.sh"), encoding: .utf8)
        try runner.sqlFile("checksum-psql.sh", checksum.replacingOccurrences(of: "/tmp/", with: runner.root.path + "/tmp/")
            .replacingOccurrences(of: "/etc/cutover", with: runner.root.path + "/etc/cutover"))
        let switched = try runner.runner(try Self.generatedJobWithChecksums("switchover", "switchover", sub), env: ["DB_HOST": runner.socket])
        #expect(switched.status == 0, "\(switched.output)")
        let reverse = try runner.runner(try Self.generatedJob("switchover", "reverse-replication", sub))
        #expect(reverse.status == 0, "\(reverse.output)")
        let back = "\(sub)_reverse"
        _ = try runner.sql("ALTER SUBSCRIPTION \(back) DISABLE")
        for _ in 0..<100 where try runner.sql("SELECT count(*) FROM pg_replication_slots WHERE slot_name = '\(back)' AND active", side: "green") != "0" {
            Thread.sleep(forTimeInterval: 0.1)
        }
        _ = try runner.sql("SELECT pg_drop_replication_slot('\(back)')", side: "green")
        _ = try runner.sql("INSERT INTO t VALUES (60, 'on green while the reverse slot was gone')", side: "green")
        _ = try runner.sql("SELECT pg_create_logical_replication_slot('\(back)', 'pgoutput')", side: "green")
        _ = try runner.sql("ALTER SUBSCRIPTION \(back) ENABLE")
        let job = try Self.generatedJobWithChecksums("switchback", "switchback", sub)
        #expect(job.contains("checksum-fenced:t:id:int"), "the switchback compares nothing: \(job)")
        let switchback = try runner.runner(job, env: ["WAIT_ATTEMPTS": "100", "CHECKSUM_ATTEMPTS": "2", "DB_HOST": runner.socket])
        #expect(switchback.status != 0, "the switchback moved the app back to a blue without row 60: \(switchback.output)")
        #expect(try Self.fence(runner, app) == "11", "\(switchback.output)")
        #expect(try Self.fence(runner, app, side: "green") == "00", "green stays fenced: \(switchback.output)")
        #expect(try Self.marker(runner, sub) == "cutover: switched from blue to green", "\(switchback.output)")
    }

    /// S2: Zalando makes green's database owner (`<db>_owner`, green's manifest) a role it manages and
    /// resets its password to its own Secret's: an app whose blue Secret logs in as that role could not
    /// log in to green after the switch. The generated schema-load Job refuses before it loads anything;
    /// another login role passes. Before, nothing looked.
    @Test func schemaLoadRefusesTheOperatorsOwnerRoleAsTheAppsLogin() throws {
        let runner = try Runner()
        defer { runner.finish() }
        let job = try Self.generatedJob("", "schema-load", "unused")
        let step = try #require(job.first { $0.hasPrefix("not-operator-role:") }, "the schema load does not check the app's role: \(job)")
        #expect(step == "not-operator-role:ledger_owner")
        #expect(job.firstIndex(of: step) ?? 99 < job.firstIndex { $0.hasPrefix("copy-schema") } ?? 0, "\(job)")
        try runner.secret("blue", user: "ledger_owner")
        let refused = try runner.runner([step])
        #expect(refused.status != 0, "\(refused.output)")
        #expect(refused.output.contains("the role green's operator manages"), "\(refused.output)")
        try runner.secret("blue", user: "ledger_app")
        let passed = try runner.runner([step])
        #expect(passed.status == 0, "\(passed.output)")
    }
}
