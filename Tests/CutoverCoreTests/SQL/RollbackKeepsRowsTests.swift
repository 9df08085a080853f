@testable import CutoverPlan
@testable import CutoverSpec
import Foundation
import Testing

/// A rollback that would bring NOT NULL back onto rows the new version left NULL, with no `down` to
/// refill them, neither fails nor loses a row: it warns with the column and the count, holds new
/// writes to NOT NULL where the engine can (PostgreSQL: CHECK NOT VALID), and finishes on a re-run
/// once the rows are filled.
@Suite(.serialized) struct RollbackKeepsRowsTests {
    static func write(_ sql: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("cutover-kept-\(UUID().uuidString).sql").path
        try (sql + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test(.enabled(if: DatabaseHarness.shouldRun(.postgresql), unavailable(.postgresql)))
    func postgresKeepsNullRowsAndHoldsNewWrites() throws {
        let server = try DatabaseHarness.shared.url(.postgresql)
        try BackfillUnderLoadTests.run(server, ["-c", "DROP DATABASE IF EXISTS rollback_kept", "-c", "CREATE DATABASE rollback_kept"])
        let url = server.replacingOccurrences(of: "/postgres?", with: "/rollback_kept?")
        try BackfillUnderLoadTests.run(url, ["-c", "CREATE TABLE pricing (id bigint PRIMARY KEY, plan_code text)",
                                             "-c", "INSERT INTO pricing VALUES (1, 'a'), (2, NULL), (3, NULL)"])
        let spec = KubernetesFixtures.spec(KubernetesFixtures.expandContractYAML)
        let b = PostgreSQLBuilder(context: LoweringContext(spec: spec, schema: nil))
        let down = PostgreSQLDialect().restoreNotNull("pricing", "plan_code", refill: nil, b).map(\.text).joined(separator: "\n")
        let file = try Self.write(down)
        defer { try? FileManager.default.removeItem(atPath: file) }
        let output = try BackfillUnderLoadTests.run(url, ["-v", "ON_ERROR_STOP=1", "-f", file])
        #expect(RollbackWarning.parse(output) == [RollbackWarning(table: "pricing", column: "plan_code")], "\(output)")
        #expect(output.contains("pricing.plan_code keeps 2 row(s) with NULL"), "\(output)")
        // Every row kept; a new NULL is refused, a value accepted.
        #expect(try BackfillUnderLoadTests.run(url, ["-c", "SELECT count(*) FROM pricing"]) == "3")
        #expect(throws: (any Error).self) { try BackfillUnderLoadTests.run(url, ["-c", "INSERT INTO pricing VALUES (4, NULL)"]) }
        try BackfillUnderLoadTests.run(url, ["-c", "INSERT INTO pricing VALUES (4, 'd')"])
        #expect(try BackfillUnderLoadTests.run(url, ["-c", "SELECT attnotnull FROM pg_attribute WHERE attrelid = 'pricing'::regclass AND attname = 'plan_code'"]) == "f")
        // Filled, the same Job finishes: NOT NULL, no check left.
        try BackfillUnderLoadTests.run(url, ["-c", "UPDATE pricing SET plan_code = 'b' WHERE plan_code IS NULL"])
        let again = try BackfillUnderLoadTests.run(url, ["-v", "ON_ERROR_STOP=1", "-f", file])
        #expect(RollbackWarning.parse(again).isEmpty, "\(again)")
        #expect(try BackfillUnderLoadTests.run(url, ["-c", "SELECT attnotnull FROM pg_attribute WHERE attrelid = 'pricing'::regclass AND attname = 'plan_code'"]) == "t")
        #expect(try BackfillUnderLoadTests.run(url, ["-c", "SELECT count(*) FROM pg_constraint WHERE conrelid = 'pricing'::regclass AND contype = 'c'"]) == "0")
        // The forward relax again drops a check a kept-rows rollback left (none here) and NOT NULL.
        let relax = b.relaxNotNull("pricing", "plan_code", checkName: b.context.derived.notNullCheck(table: "pricing", column: "plan_code"), reason: "", comment: nil)
        let relaxFile = try Self.write(relax.map(\.text).joined(separator: "\n"))
        defer { try? FileManager.default.removeItem(atPath: relaxFile) }
        try BackfillUnderLoadTests.run(url, ["-v", "ON_ERROR_STOP=1", "-f", relaxFile])
        try BackfillUnderLoadTests.run(url, ["-c", "INSERT INTO pricing VALUES (5, NULL)"])
    }

    @Test(.enabled(if: DatabaseHarness.shouldRun(.mysql), unavailable(.mysql)))
    func mysqlKeepsNullRows() throws {
        let url = try DatabaseHarness.shared.url(.mysql)
        let socket = try #require(URLComponents(string: url)?.queryItems?.first { $0.name == "socket" }?.value)
        func sql(_ input: String, database: String? = "rollback_kept") throws -> String {
            let result = try MySQLOrphanCheckTests.client(socket, database: database, input: input)
            if result.status != 0 { throw HarnessError("mariadb failed: \(result.output)") }
            return result.output.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        _ = try sql("""
            DROP DATABASE IF EXISTS rollback_kept; CREATE DATABASE rollback_kept; USE rollback_kept;
            CREATE TABLE pricing (id BIGINT PRIMARY KEY, plan_code VARCHAR(20) NULL);
            INSERT INTO pricing VALUES (1, 'a'), (2, NULL), (3, NULL);
            """, database: nil)
        let spec = KubernetesFixtures.spec(KubernetesFixtures.expandContractYAML, replacing: [
            ("engine: postgresql", "engine: mysql"), ("operator: zalando", "operator: bitpoke"), ("version: \"15\"", "version: \"8.0\""), ("tool: psql", "tool: mysql"),
        ])
        let b = MySQLBuilder(context: LoweringContext(spec: spec, schema: nil))
        let down = b.restoreNotNullKeepingRows("pricing", "plan_code", type: "VARCHAR(20)", defaultValue: nil, keeping: nil).map(\.text).joined(separator: "\n") + "\n"
        let output = try sql(down)
        #expect(RollbackWarning.parse(output) == [RollbackWarning(table: "pricing", column: "plan_code")], "\(output)")
        #expect(output.contains("pricing.plan_code keeps 2 row(s) with NULL"), "\(output)")
        #expect(try sql("SELECT COUNT(*) FROM pricing;").hasSuffix("3"))
        #expect(try sql("SELECT is_nullable FROM information_schema.columns WHERE table_schema = 'rollback_kept' AND table_name = 'pricing' AND column_name = 'plan_code';").hasSuffix("YES"))
        _ = try sql("UPDATE pricing SET plan_code = 'b' WHERE plan_code IS NULL;")
        let again = try sql(down)
        #expect(RollbackWarning.parse(again).isEmpty, "\(again)")
        #expect(try sql("SELECT is_nullable FROM information_schema.columns WHERE table_schema = 'rollback_kept' AND table_name = 'pricing' AND column_name = 'plan_code';").hasSuffix("NO"))
    }
}
