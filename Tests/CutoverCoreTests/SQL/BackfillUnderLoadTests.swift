@testable import CutoverPlan
@testable import CutoverSpec
@testable import CutoverProof
import Foundation
import Testing

/// Issue 14 item 2 on a real server: a backfill over 100,000 rows ends while another session keeps
/// inserting, because the loop stops at the last key present when it started; the rows inserted
/// meanwhile are the fill trigger's, so every row ends up filled.
@Suite(.serialized) struct BackfillUnderLoadTests {
    static func psql(_ url: String, _ arguments: [String]) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try LocalPostgresServer.Tools.locate().psql)
        process.arguments = [url, "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1"] + arguments
        return process
    }

    @discardableResult
    static func run(_ url: String, _ arguments: [String]) throws -> String {
        let process = try psql(url, arguments)
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        if process.terminationStatus != 0 { throw HarnessError("psql \(arguments) failed: \(text)") }
        return text
    }

    @Test(.enabled(if: DatabaseHarness.shouldRun(.postgresql), unavailable(.postgresql)), .timeLimit(.minutes(3)))
    func postgresBackfillEndsUnderContinuousInserts() throws {
        let server = try DatabaseHarness.shared.url(.postgresql)
        try Self.run(server, ["-c", "DROP DATABASE IF EXISTS backfill_load", "-c", "CREATE DATABASE backfill_load"])
        let url = server.replacingOccurrences(of: "/postgres?", with: "/backfill_load?")
        try Self.run(url, ["-c", "CREATE TABLE t (id bigserial PRIMARY KEY, v int NOT NULL, w int)",
                           "-c", "INSERT INTO t (v) SELECT g FROM generate_series(1, 100000) g"])

        var spec = KubernetesFixtures.spec(KubernetesFixtures.expandContractYAML)
        spec.backfill.pause = Duration(milliseconds: 0)
        let context = LoweringContext(spec: spec, schema: nil)
        let b = PostgreSQLBuilder(context: context)
        // The expand step's trigger, then the backfill step, as the planner writes them.
        let trigger = b.syncTrigger(table: "t", name: "t_w_sync", body: "  IF NEW.\"w\" IS NULL THEN\n    NEW.\"w\" := NEW.\"v\" * 2;\n  END IF;",
                                    comment: "fill")
        let backfill = b.backfill(table: "t", assignments: "\"w\" = (v * 2)", pending: "\"w\" IS NULL", comment: "fill existing rows")
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cutover-backfill-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        func write(_ name: String, _ statements: [SQLStatement]) throws -> String {
            let path = folder.appendingPathComponent(name).path
            try statements.map(\.text).joined(separator: "\n").appending("\n").write(toFile: path, atomically: true, encoding: .utf8)
            return path
        }
        try Self.run(url, ["-f", try write("trigger.sql", trigger)])

        // Another session inserts without pause, one row per transaction, for up to 150 s.
        let inserter = try Self.psql(url, ["-c", """
            DO $load$ BEGIN
              WHILE clock_timestamp() < now() + interval '150 seconds' LOOP
                INSERT INTO t (v) VALUES (7); COMMIT;
              END LOOP;
            END $load$ /* cutover-inserter */
            """])
        inserter.standardError = FileHandle.nullDevice
        try inserter.run()
        defer {
            _ = try? Self.run(url, ["-c", "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE '%cutover-inserter%' AND pid <> pg_backend_pid()"])
            inserter.waitUntilExit()
        }
        // Let the inserts get going before the backfill starts.
        var before = 100_000
        for _ in 0..<100 where before == 100_000 {
            usleep(50_000)
            before = Int(try Self.run(url, ["-c", "SELECT count(*) FROM t"])) ?? 0
        }
        #expect(before > 100_000, "the inserter is running")

        let started = Date()
        try Self.run(url, ["-f", try write("backfill.sql", backfill)])
        let seconds = Date().timeIntervalSince(started)
        let running = try Self.run(url, ["-c", "SELECT count(*) FROM pg_stat_activity WHERE query LIKE '%cutover-inserter%' AND pid <> pg_backend_pid()"])
        #expect(running == "1", "the backfill ended while the inserts went on (after \(seconds)s)")
        let after = Int(try Self.run(url, ["-c", "SELECT count(*) FROM t"])) ?? 0
        #expect(after > before, "rows were inserted during the backfill")
        #expect(try Self.run(url, ["-c", "SELECT count(*) FROM t WHERE w IS NULL OR w <> v * 2"]) == "0", "every row is filled")
    }
}

/// The same on MariaDB (standing in for MySQL 8): the procedure-based backfill stops at the last key
/// present when it started.
@Suite(.serialized) struct MySQLBackfillUnderLoadTests {
    @Test(.enabled(if: DatabaseHarness.shouldRun(.mysql), unavailable(.mysql)), .timeLimit(.minutes(3)))
    func mysqlBackfillEndsUnderContinuousInserts() throws {
        let url = try DatabaseHarness.shared.url(.mysql)
        let socket = try #require(URLComponents(string: url)?.queryItems?.first { $0.name == "socket" }?.value)
        func sql(_ input: String, database: String? = "backfill_load") throws -> String {
            let result = try MySQLOrphanCheckTests.client(socket, database: database, input: input)
            if result.status != 0 { throw HarnessError("mariadb failed: \(result.output)") }
            return result.output.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        _ = try sql("""
            DROP DATABASE IF EXISTS backfill_load; CREATE DATABASE backfill_load; USE backfill_load;
            CREATE TABLE t (id BIGINT AUTO_INCREMENT PRIMARY KEY, v INT NOT NULL, w INT NULL);
            INSERT INTO t (v) SELECT seq FROM seq_1_to_100000;
            CREATE TRIGGER t_w_ins BEFORE INSERT ON t FOR EACH ROW SET NEW.w = COALESCE(NEW.w, NEW.v * 2);
            """, database: nil)
        var spec = KubernetesFixtures.spec(KubernetesFixtures.expandContractYAML, replacing: [
            ("engine: postgresql", "engine: mysql"), ("operator: zalando", "operator: bitpoke"), ("version: \"15\"", "version: \"8.0\""), ("tool: psql", "tool: mysql"),
        ])
        spec.backfill.pause = Duration(milliseconds: 0)
        let context = LoweringContext(spec: spec, schema: nil)
        let backfill = MySQLBuilder(context: context).backfill(table: "t", column: "w", assignments: "`w` = (v * 2)", pending: "`w` IS NULL", comment: "")
            .map(\.text).joined(separator: "\n") + "\n"

        // Another session inserts one row per statement (autocommit) for up to 150 s.
        let inserter = Process()
        inserter.executableURL = URL(fileURLWithPath: try LocalMariaDBServer.Tools.locate().client)
        inserter.arguments = ["--no-defaults", "--user=root", "--socket=\(socket)", "--database=backfill_load"]
        let stdin = Pipe()
        inserter.standardInput = stdin
        inserter.standardOutput = FileHandle.nullDevice
        inserter.standardError = FileHandle.nullDevice
        try inserter.run()
        stdin.fileHandleForWriting.write(Data("""
            DELIMITER ;;
            CREATE PROCEDURE cutover_inserter() BEGIN
              DECLARE stop DATETIME DEFAULT NOW() + INTERVAL 150 SECOND;
              WHILE NOW() < stop DO INSERT INTO t (v) VALUES (7); END WHILE;
            END;;
            DELIMITER ;
            CALL cutover_inserter();

            """.utf8))
        try stdin.fileHandleForWriting.close()
        defer {
            // Inside a procedure the process list shows the current statement, not the CALL: find the
            // inserter by its database.
            let ids = (try? sql("SELECT id FROM information_schema.processlist WHERE db = 'backfill_load' AND id <> CONNECTION_ID()", database: nil)) ?? ""
            for id in ids.split(separator: "\n") { _ = try? sql("KILL \(id)", database: nil) }
            inserter.waitUntilExit()
        }
        var before = 100_000
        for _ in 0..<100 where before == 100_000 {
            usleep(50_000)
            before = Int(try sql("SELECT count(*) FROM t")) ?? 0
        }
        #expect(before > 100_000, "the inserter is running")
        let started = Date()
        _ = try sql(backfill)
        let seconds = Date().timeIntervalSince(started)
        // The inserts still go on after the backfill ended (the inserter runs for 150 s).
        let ended = Int(try sql("SELECT count(*) FROM t")) ?? 0
        usleep(500_000)
        #expect(Int(try sql("SELECT count(*) FROM t")) ?? 0 > ended, "the backfill ended while the inserts went on (after \(seconds)s)")
        #expect(seconds < 120)
        let after = Int(try sql("SELECT count(*) FROM t")) ?? 0
        #expect(after > before, "rows were inserted during the backfill")
        #expect(try sql("SELECT count(*) FROM t WHERE w IS NULL OR w <> v * 2") == "0", "every row is filled")
    }
}
