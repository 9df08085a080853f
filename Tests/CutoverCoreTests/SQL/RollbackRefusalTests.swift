import Foundation
import Testing
@testable import CutoverCore

/// A rollback that would bring NOT NULL back onto rows the new version left NULL is refused before it
/// changes anything, with a message that names the column.
@Suite struct RollbackRefusalTests {
    /// psql -c runs several statements as one transaction; the files run statement by statement (-f).
    static func write(_ sql: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("cutover-refusal-\(UUID().uuidString).sql").path
        try (sql + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test(.enabled(if: DatabaseHarness.shouldRun(.postgresql), unavailable(.postgresql)))
    func postgresRefusesNotNullOverNulls() throws {
        let server = try DatabaseHarness.shared.url(.postgresql)
        try BackfillUnderLoadTests.run(server, ["-c", "DROP DATABASE IF EXISTS rollback_refusal", "-c", "CREATE DATABASE rollback_refusal"])
        let url = server.replacingOccurrences(of: "/postgres?", with: "/rollback_refusal?")
        try BackfillUnderLoadTests.run(url, ["-c", "CREATE TABLE pricing (id bigint PRIMARY KEY, plan_code text)",
                                             "-c", "INSERT INTO pricing VALUES (1, 'a'), (2, NULL)"])
        let spec = KubernetesFixtures.spec(KubernetesFixtures.expandContractYAML)
        let b = PostgreSQLBuilder(context: LoweringContext(spec: spec, schema: nil))
        let down = PostgreSQLDialect().restoreNotNull("pricing", "plan_code", refill: nil, b).map(\.text).joined(separator: "\n")
        let file = try Self.write(down)
        defer { try? FileManager.default.removeItem(atPath: file) }
        do {
            try BackfillUnderLoadTests.run(url, ["-f", file])
            Issue.record("the rollback ran over a NULL")
        } catch {
            #expect("\(error)".contains("cutover rollback refused: pricing.plan_code has rows with NULL"), "\(error)")
        }
        // Nothing changed: no temporary check was left behind.
        #expect(try BackfillUnderLoadTests.run(url, ["-c", "SELECT count(*) FROM pg_constraint WHERE conrelid = 'pricing'::regclass AND contype = 'c'"]) == "0")
        try BackfillUnderLoadTests.run(url, ["-c", "UPDATE pricing SET plan_code = 'b' WHERE plan_code IS NULL"])
        try BackfillUnderLoadTests.run(url, ["-f", file])
        #expect(try BackfillUnderLoadTests.run(url, ["-c", "SELECT attnotnull FROM pg_attribute WHERE attrelid = 'pricing'::regclass AND attname = 'plan_code'"]) == "t")
    }
}
