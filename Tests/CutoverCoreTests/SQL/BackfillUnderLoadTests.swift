import Foundation
import Testing
@testable import CutoverCore

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

        let spec = KubernetesFixtures.spec(KubernetesFixtures.expandContractYAML)
        var context = LoweringContext(spec: spec, schema: nil)
        context.spec.backfill.pause = Duration(milliseconds: 0)
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
