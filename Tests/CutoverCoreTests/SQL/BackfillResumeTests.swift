@testable import CutoverPlan
@testable import CutoverSpec
import Foundation
import Testing

/// Issue 9 (SRE review, S1) on real servers: a backfill Job retried after a failure must not sleep
/// through the batches that are already done, or it dies at its deadline again. Each table holds 600
/// rows in batches of 10 with a 1 s pause; 58 of the 60 batches are done before the run. The old
/// loop paused after every batch (at least 60 s); the fixed one starts at the first pending key and
/// pauses only after a batch that updated rows, so it must end in well under 20 s with every row filled.
/// Two shapes: a single-column key whose done rows sit between two pending ends (the walk passes done
/// batches without pausing), and a two-column key whose done rows are a prefix (the re-run starts
/// at the first pending key).
enum BackfillResume {
    static let rows = 600
    static let limit: TimeInterval = 20

    /// The tables as the base schema declares them, so the loop walks their real keys.
    static func schema(_ engine: MigrationSpec.Engine) -> DatabaseSchema {
        SchemaReader(engine: engine).read("""
            CREATE TABLE t (id bigint PRIMARY KEY, v int NOT NULL, w int);
            CREATE TABLE c (a int, b int, v int NOT NULL, w int, PRIMARY KEY (a, b));
            """)
    }

    static func context(_ spec: MigrationSpec) -> LoweringContext {
        var spec = spec
        spec.backfill.pause = Duration(milliseconds: 1000)
        spec.backfill.batchSize = 10
        return LoweringContext(spec: spec, schema: schema(spec.database.engine))
    }

    static var mysqlSpec: MigrationSpec {
        KubernetesFixtures.spec(KubernetesFixtures.expandContractYAML, replacing: [
            ("engine: postgresql", "engine: mysql"), ("operator: zalando", "operator: bitpoke"), ("version: \"15\"", "version: \"8.0\""), ("tool: psql", "tool: mysql"),
        ])
    }
}

@Suite(.serialized) struct PostgresBackfillResumeTests {
    @Test(.enabled(if: DatabaseHarness.shouldRun(.postgresql), unavailable(.postgresql)), .timeLimit(.minutes(3)))
    func retriedBackfillSkipsDoneBatchesWithoutPausing() throws {
        let server = try DatabaseHarness.shared.url(.postgresql)
        try BackfillUnderLoadTests.run(server, ["-c", "DROP DATABASE IF EXISTS backfill_resume", "-c", "CREATE DATABASE backfill_resume"])
        let url = server.replacingOccurrences(of: "/postgres?", with: "/backfill_resume?")
        let n = BackfillResume.rows
        try BackfillUnderLoadTests.run(url, [
            "-c", "CREATE TABLE t (id bigint PRIMARY KEY, v int NOT NULL, w int)",
            "-c", "INSERT INTO t (id, v) SELECT g, g FROM generate_series(1, \(n)) g",
            "-c", "UPDATE t SET w = v * 2 WHERE id BETWEEN 11 AND \(n - 10)",
            "-c", "CREATE TABLE c (a int, b int, v int NOT NULL, w int, PRIMARY KEY (a, b))",
            "-c", "INSERT INTO c (a, b, v) SELECT g / 100, g % 100, g FROM generate_series(1, \(n)) g",
            "-c", "UPDATE c SET w = v * 2 WHERE v <= \(n - 20)",
        ])
        let b = PostgreSQLBuilder(context: BackfillResume.context(KubernetesFixtures.spec(KubernetesFixtures.expandContractYAML)))
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cutover-resume-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        for table in ["t", "c"] {
            let path = folder.appendingPathComponent("\(table).sql").path
            try b.backfill(table: table, assignments: "\"w\" = (v * 2)", pending: "\"w\" IS NULL", comment: "fill")
                .map(\.text).joined(separator: "\n").appending("\n").write(toFile: path, atomically: true, encoding: .utf8)
            let started = Date()
            try BackfillUnderLoadTests.run(url, ["-f", path])
            let seconds = Date().timeIntervalSince(started)
            #expect(seconds < BackfillResume.limit, "table \(table): the re-run took \(seconds) s; 58 of its 60 batches were done and need no pause")
            #expect(try BackfillUnderLoadTests.run(url, ["-c", "SELECT count(*) FROM \(table) WHERE w IS NULL OR w <> v * 2"]) == "0",
                    "table \(table): every row is filled")
            // A run with nothing left ends at once.
            let again = Date()
            try BackfillUnderLoadTests.run(url, ["-f", path])
            #expect(Date().timeIntervalSince(again) < 5, "table \(table): a run with nothing pending does not pause")
        }
    }
}

@Suite(.serialized) struct MySQLBackfillResumeTests {
    @Test(.enabled(if: DatabaseHarness.shouldRun(.mysql), unavailable(.mysql)), .timeLimit(.minutes(3)))
    func retriedBackfillSkipsDoneBatchesWithoutPausing() throws {
        let url = try DatabaseHarness.shared.url(.mysql)
        let socket = try #require(URLComponents(string: url)?.queryItems?.first { $0.name == "socket" }?.value)
        func sql(_ input: String, database: String? = "backfill_resume") throws -> String {
            let result = try MySQLOrphanCheckTests.client(socket, database: database, input: input)
            if result.status != 0 { throw HarnessError("mariadb failed: \(result.output)") }
            return result.output.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        let n = BackfillResume.rows
        _ = try sql("""
            DROP DATABASE IF EXISTS backfill_resume; CREATE DATABASE backfill_resume; USE backfill_resume;
            CREATE TABLE t (id BIGINT PRIMARY KEY, v INT NOT NULL, w INT NULL);
            INSERT INTO t (id, v) SELECT seq, seq FROM seq_1_to_\(n);
            UPDATE t SET w = v * 2 WHERE id BETWEEN 11 AND \(n - 10);
            CREATE TABLE c (a INT, b INT, v INT NOT NULL, w INT NULL, PRIMARY KEY (a, b));
            INSERT INTO c (a, b, v) SELECT seq DIV 100, seq MOD 100, seq FROM seq_1_to_\(n);
            UPDATE c SET w = v * 2 WHERE v <= \(n - 20);
            """, database: nil)
        let b = MySQLBuilder(context: BackfillResume.context(BackfillResume.mysqlSpec))
        for table in ["t", "c"] {
            let backfill = b.backfill(table: table, column: "w", assignments: "`w` = (v * 2)", pending: "`w` IS NULL", comment: "")
                .map(\.text).joined(separator: "\n") + "\n"
            let started = Date()
            _ = try sql(backfill)
            let seconds = Date().timeIntervalSince(started)
            #expect(seconds < BackfillResume.limit, "table \(table): the re-run took \(seconds) s; 58 of its 60 batches were done and need no pause")
            #expect(try sql("SELECT count(*) FROM \(table) WHERE w IS NULL OR w <> v * 2") == "0", "table \(table): every row is filled")
            let again = Date()
            _ = try sql(backfill)
            #expect(Date().timeIntervalSince(again) < 5, "table \(table): a run with nothing pending does not pause")
        }
    }
}
