import Foundation
import Testing

/// SRE review #4, SHOULD 1 and 2: what the switch and the switchback check or bring along right before
/// their fence. The generated Jobs (ledger-pg14's golden tree, renamed) with templates/run-psql.sh on
/// two PostgreSQL 15 servers with real logical replication.
extension RunPsqlRunnerTests {
    /// SHOULD 1: a large object created on blue after the preflight (logical replication does not
    /// carry pg_largeobject) fails the switch right before its fence: nothing fenced, not marked.
    /// Before, only the preflight checked: the switch completed and green lacked the object.
    @Test func switchRefusesALargeObjectCreatedAfterThePreflight() throws {
        let runner = try Runner(twoSided: true)
        defer { runner.finish() }
        let (app, sub) = try Self.replicated(runner)
        defer { Self.dropRoles(runner, app) }
        try Self.generatedFiles(runner, sub)
        _ = try runner.sql("SELECT lo_from_bytea(0, 'a file')")
        let switched = try runner.runner(try Self.generatedJob("switchover", "switchover", sub), env: ["WAIT_ATTEMPTS": "100"])
        #expect(switched.status != 0, "switched with a large object green lacks: \(switched.output)")
        #expect(switched.output.contains("1 large object(s) in pg_largeobject_metadata on blue (created after the preflight)"), "\(switched.output)")
        #expect(!switched.output.contains("writes fenced on blue"), "\(switched.output)")
        #expect(try Self.fence(runner, app) == "00")
        #expect(try Self.marker(runner, sub) == "none")
    }

    /// SHOULD 2: blue's materialized views hold the data of the switch; the switchback refreshes those
    /// green has populated on blue (the app's role owns them, as the schema load leaves them), before
    /// its fenced catch-up, as the switch does for green. Before, blue's view still counted 1 row.
    @Test func switchbackRefreshesBluesMaterializedViews() throws {
        let runner = try Runner(twoSided: true)
        defer { runner.finish() }
        let (app, sub) = try Self.replicated(runner)
        defer { Self.dropRoles(runner, app) }
        try Self.generatedFiles(runner, sub)
        _ = try runner.sql("GRANT SELECT ON t TO \(app); CREATE MATERIALIZED VIEW balances AS SELECT count(*) AS n FROM t; ALTER MATERIALIZED VIEW balances OWNER TO \(app)")
        _ = try runner.sql("CREATE MATERIALIZED VIEW balances AS SELECT count(*) AS n FROM t WITH NO DATA", side: "green")
        for (folder, job) in [("switchover", "switchover"), ("switchover", "reverse-replication")] {
            let run = try runner.runner(try Self.generatedJob(folder, job, sub), env: ["WAIT_ATTEMPTS": "100"])
            #expect(run.status == 0, "\(job): \(run.output)")
        }
        _ = try runner.sql("INSERT INTO t VALUES (20, 'on green'), (21, 'on green')", side: "green")
        _ = try runner.sql("REFRESH MATERIALIZED VIEW balances", side: "green")
        let back = try runner.runner(try Self.generatedJob("switchback", "switchback", sub), env: ["WAIT_ATTEMPTS": "100"])
        #expect(back.status == 0, "\(back.output)")
        #expect(try runner.sql("SELECT n FROM balances") == "3", "blue's view still holds the switch's data: \(back.output)")
        let refresh = try #require(back.output.range(of: "materialized view public.balances refreshed on blue"), "\(back.output)")
        let fence = try #require(back.output.range(of: "writes fenced on green"), "\(back.output)")
        #expect(refresh.lowerBound < fence.lowerBound, "refreshed in the write pause: \(back.output)")
    }
}
