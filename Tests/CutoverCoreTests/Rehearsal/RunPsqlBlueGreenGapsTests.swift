import Foundation
import Testing

/// Issue #10, the SRE review of bgfix5 (M3, M4, S5, S8, S9): each test runs templates/run-psql.sh with
/// the generated Jobs' arguments and SQL files (ledger-pg14's golden tree, the replication names
/// renamed to the test's) on PostgreSQL 15, two servers where replication is involved.
extension RunPsqlRunnerTests {
    /// An app role owning table t on both sides (green's as the schema load leaves it), one row on
    /// blue, nothing replicating yet; the generated SQL files in the runner's folder.
    static func unreplicated(_ runner: Runner) throws -> (app: String, sub: String) {
        let app = "app_\(runner.database)"
        let sub = "\(runner.database)_fwd"
        for side in ["blue", "green"] {
            _ = try runner.sql("CREATE ROLE \(app) LOGIN", database: "postgres", side: side)
            _ = try runner.sql("CREATE TABLE t (id int PRIMARY KEY, note text)", side: side)
        }
        try runner.secret("blue", user: app)
        _ = try runner.sql("INSERT INTO t VALUES (1, 'before replicate')")
        try Self.generatedFiles(runner, sub)
        try runner.sqlFile("fail.sql", "SELECT 1 / 0;")
        return (app, sub)
    }

    /// M4: blue holds a large object; logical replication would leave it behind. Preflight refuses,
    /// saying what, how many and what to do. Before, it passed.
    @Test func preflightRefusesLargeObjects() throws {
        let runner = try Runner()
        defer { runner.finish() }
        _ = try runner.sql("CREATE TABLE t (id int PRIMARY KEY)")
        let clean = try runner.runner(["preflight:blue:\(runner.database)_slot"])
        #expect(clean.status == 0, "\(clean.output)")
        _ = try runner.sql("SELECT lo_from_bytea(0, 'a file'), lo_from_bytea(0, 'another')")
        let refused = try runner.runner(["preflight:blue:\(runner.database)_slot"])
        #expect(refused.status != 0, "\(refused.output)")
        #expect(refused.output.contains("2 large object(s) in pg_largeobject_metadata: logical replication does not copy large objects"), "\(refused.output)")
        #expect(refused.output.contains("bytea"), "no way out named: \(refused.output)")
    }

    /// S8 (preflight): a slot of the same name for another database of the cluster is named before
    /// anything is created (slot names are the cluster's).
    @Test func preflightRefusesASlotNameOfAnotherDatabase() throws {
        let runner = try Runner()
        defer { runner.finish() }
        let other = "\(runner.database)_other", slot = "\(runner.database)_slot"
        _ = try runner.sql("CREATE DATABASE \(other)", database: "postgres")
        defer {
            _ = try? runner.sql("SELECT pg_drop_replication_slot('\(slot)')", database: "postgres")
            _ = try? runner.sql("DROP DATABASE IF EXISTS \(other) WITH (FORCE)", database: "postgres")
        }
        _ = try runner.sql("SELECT pg_create_logical_replication_slot('\(slot)', 'pgoutput')", database: other)
        let refused = try runner.runner(["preflight:blue:\(slot)"])
        #expect(refused.status != 0, "\(refused.output)")
        #expect(refused.output.contains("a replication slot named \(slot) exists on this cluster for database \(other)"), "\(refused.output)")
    }

    /// S5: a table that belongs to an extension (here spatial_ref_sys made a member of plpgsql, as
    /// PostGIS' is of postgis; green has it filled, as CREATE EXTENSION does there) is not published:
    /// the generated replicate Job completes and the switch's table check agrees. Before, it was
    /// published and its initial copy hit duplicate keys on green: replicate failed.
    @Test func extensionTablesAreNotReplicated() throws {
        let runner = try Runner(twoSided: true)
        defer { runner.finish() }
        let (app, sub) = try Self.unreplicated(runner)
        defer { Self.dropRoles(runner, app) }
        for side in ["blue", "green"] {
            _ = try runner.sql("""
                CREATE TABLE spatial_ref_sys (srid int PRIMARY KEY, srtext text);
                INSERT INTO spatial_ref_sys VALUES (4326, 'WGS 84'), (3857, 'Web Mercator');
                ALTER EXTENSION plpgsql ADD TABLE spatial_ref_sys
                """, side: side)
        }
        let preflight = try runner.runner(["preflight:blue:\(sub)"])
        #expect(preflight.status == 0, "\(preflight.output)")
        let replicate = try runner.runner(try Self.generatedJob("", "replicate", sub), env: ["WAIT_ATTEMPTS": "150"])
        #expect(replicate.status == 0, "\(replicate.output)")
        #expect(try runner.sql("SELECT string_agg(tablename, ',' ORDER BY tablename) FROM pg_publication_tables WHERE pubname = '\(sub)'") == "log,t", "t and the gap log (cutover_gap.log)")
        #expect(try Self.rows(runner, side: "green") == "1:before replicate")
        let same = try runner.runner(["same-tables:blue:green:\(sub)"])
        #expect(same.status == 0, "\(same.output)")
    }

    /// S8: another database on green's cluster has a subscription of the same name (subscriptions
    /// are per database). The generated replicate Job creates this database's own and copies blue's
    /// rows. Before, its guard found the other database's, skipped the CREATE, and wait-synced passed
    /// with "no subscription ... nothing to wait for": green stayed empty.
    @Test func replicateIgnoresAnotherDatabasesSubscription() throws {
        let runner = try Runner(twoSided: true)
        defer { runner.finish() }
        let (app, sub) = try Self.unreplicated(runner)
        defer { Self.dropRoles(runner, app) }
        let other = "\(runner.database)_other"
        _ = try runner.sql("CREATE DATABASE \(other)", database: "postgres", side: "green")
        defer {
            _ = try? runner.sql("ALTER SUBSCRIPTION \(sub) SET (slot_name = NONE)", database: other, side: "green")
            _ = try? runner.sql("DROP SUBSCRIPTION IF EXISTS \(sub)", database: other, side: "green")
            _ = try? runner.sql("DROP DATABASE IF EXISTS \(other) WITH (FORCE)", database: "postgres", side: "green")
        }
        _ = try runner.sql("CREATE SUBSCRIPTION \(sub) CONNECTION 'host=\(runner.socket) port=5432 dbname=\(runner.database) user=postgres' PUBLICATION \(sub) WITH (connect = false)",
                           database: other, side: "green")
        let replicate = try runner.runner(try Self.generatedJob("", "replicate", sub), env: ["WAIT_ATTEMPTS": "150"])
        #expect(replicate.status == 0, "\(replicate.output)")
        #expect(!replicate.output.contains("nothing to wait for"), "\(replicate.output)")
        #expect(try Self.rows(runner, side: "green") == "1:before replicate", "\(replicate.output)")
        let verify = try runner.runner(try Self.generatedJob("", "verify", sub), env: ["WAIT_ATTEMPTS": "150"])
        #expect(verify.status == 0 && !verify.output.contains("nothing to wait for"), "\(verify.output)")
    }

    /// M3: green's materialized views, unpopulated as the schema load's pg_dump --schema-only leaves
    /// them (WITH NO DATA), one reading another, are refreshed by the generated switchover Job (before
    /// its fence), the one read first; a view blue has unpopulated stays so. Before, after the switch
    /// the app got `materialized view "balances" has not been populated`.
    @Test func switchoverRefreshesMaterializedViews() throws {
        let runner = try Runner(twoSided: true)
        defer { runner.finish() }
        let (app, sub) = try Self.replicated(runner)
        defer { Self.dropRoles(runner, app) }
        try Self.generatedFiles(runner, sub)
        _ = try runner.sql("""
            CREATE MATERIALIZED VIEW balances AS SELECT count(*) AS n FROM t;
            CREATE VIEW balance_view AS SELECT n FROM balances;
            CREATE MATERIALIZED VIEW a_report AS SELECT n * 10 AS n FROM balance_view;
            CREATE MATERIALIZED VIEW unused AS SELECT 1 AS n WITH NO DATA
            """)
        _ = try runner.sql("""
            CREATE MATERIALIZED VIEW balances AS SELECT count(*) AS n FROM t WITH NO DATA;
            CREATE VIEW balance_view AS SELECT n FROM balances;
            CREATE MATERIALIZED VIEW a_report AS SELECT n * 10 AS n FROM balance_view WITH NO DATA;
            CREATE MATERIALIZED VIEW unused AS SELECT 1 AS n WITH NO DATA
            """, side: "green")
        _ = try runner.sql("INSERT INTO t VALUES (2, 'before the switch, after the views')")
        let switched = try runner.runner(try Self.generatedJob("switchover", "switchover", sub))
        #expect(switched.status == 0, "\(switched.output)")
        #expect((try? runner.sql("SELECT n FROM balances", side: "green")) == "2", "\(switched.output)")
        #expect((try? runner.sql("SELECT n FROM a_report", side: "green")) == "20", "refreshed before what it reads: \(switched.output)")
        #expect(try runner.sql("SELECT ispopulated FROM pg_matviews WHERE matviewname = 'unused'", side: "green") == "f")
        let order = switched.output.split(separator: "\n").filter { $0.contains("materialized view") && $0.contains("refreshed on green (") }
        #expect(order.count == 2 && order[0].contains("public.balances") && order[1].contains("public.a_report"), "\(switched.output)")
        let refresh = try #require(switched.output.range(of: "materialized view public.balances refreshed"))
        let fence = try #require(switched.output.range(of: "writes fenced on blue"))
        #expect(refresh.lowerBound < fence.lowerBound, "refreshed in the write pause: \(switched.output)")
    }

    /// S9: the generated sequence sync (it runs with blue fenced) takes no full scan of a table whose
    /// sequence-owned column has no index (bigserial `n` here): counted in pg_stat_user_tables. Before,
    /// it ran max(n), a sequential scan of the whole table in the write pause.
    @Test func sequenceSyncScansNoTable() throws {
        let runner = try Runner()
        defer { runner.finish() }
        try Self.generatedFiles(runner, "\(runner.database)_fwd")
        _ = try runner.sql("CREATE TABLE big (id int PRIMARY KEY, n bigserial); INSERT INTO big (id) SELECT generate_series(1, 20000)")
        _ = try runner.sql("CREATE TABLE keyed (id bigserial PRIMARY KEY); INSERT INTO keyed (id) SELECT generate_series(1, 50)")
        let before = try runner.sql("SELECT seq_scan FROM pg_stat_user_tables WHERE relname = 'big'")
        let run = try runner.runner(["blue:0004_sequence_sync_sequences.up.sql"])
        #expect(run.status == 0, "\(run.output)")
        Thread.sleep(forTimeInterval: 0.5)
        #expect(try runner.sql("SELECT seq_scan FROM pg_stat_user_tables WHERE relname = 'big'") == before, "a full scan in the write pause: \(run.output)")
        // A keyed column behind its sequence (rows inserted with their own keys) is still moved up.
        #expect(try runner.sql("SELECT last_value FROM keyed_id_seq") == "50")
    }
}

/// The runbook of a blue-green plan (ledger-pg14's README) says what the SRE review of bgfix5 found
/// missing: never `helm rollback`, how to start over after rollback-replicate, replicate's deadline
/// (its value) against a large initial copy, and what happens to materialized views and large objects.
@Suite struct BlueGreenRunbookGapsTests {
    @Test func runbookNamesTheGaps() throws {
        let readme = try PlanReadmeTests.readme("ledger-pg14.yaml")
        #expect(readme.contains("Never use `helm rollback` on this release"))
        #expect(readme.contains("runs none of the Jobs (hooks run on install and upgrade only)"))
        #expect(readme.contains("To start over after rolling back replicate: the rollback-replicate Job empties green's application tables"))
        let deadline = try #require(try Tests.goldenDeadline())
        #expect(readme.contains("its deadline is \(deadline) s (`activeDeadlineSeconds`, from `runner.deadline`)"), "deadline \(deadline)")
        #expect(readme.contains("refresh-matviews"))
        #expect(readme.contains("pg_largeobject_metadata"))
    }

    enum Tests {
        /// The replicate Job's activeDeadlineSeconds in ledger-pg14's golden tree.
        static func goldenDeadline() throws -> Int? {
            let text = try String(contentsOf: TestPaths.packageRoot.appendingPathComponent("Tests/golden/ledger-pg14/manifests/job-replicate.yaml"), encoding: .utf8)
            return text.split(separator: "\n").first { $0.contains("activeDeadlineSeconds:") }
                .flatMap { Int($0.split(separator: ":").last!.trimmingCharacters(in: .whitespaces)) }
        }
    }
}
