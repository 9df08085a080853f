@testable import CutoverPlan
@testable import CutoverSpec
import Foundation
import Testing

/// CUT027 / CUT028 through the front end: `sql` changes located inside the YAML, base schemas located in
/// the schema file, pg_dump's `\restrict` lines accepted, and `verify` stopping before anything runs.
@Suite struct ScriptRulesTests {
    static let mysqlDatabase = """
            engine: mysql
            version: "8.0"
            cluster: shop-db
            name: shop
            credentialsSecret: shop-db-credentials

        """

    static let mysqlSchema = "CREATE TABLE pricing (\n    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,\n    amount INT NOT NULL\n);\n"

    func spec(mysql: Bool = false, schema: Bool = true, changes: String = Snippets.tierChange) -> String {
        let database = (mysql ? Self.mysqlDatabase : Snippets.pgDatabase) + (schema ? "    schema: schema.sql\n" : "")
        return Snippets.spec(database: database, changes: changes)
    }

    func summary(_ diagnostics: [Diagnostic]) -> [String] {
        Diagnostic.sorted(diagnostics.filter { $0.severity == .error }).map {
            "\($0.rule.rawValue) \(($0.file as NSString).lastPathComponent) \($0.location.line):\($0.location.column)"
        }
    }

    @Test func pgDumpRestrictLinesAreAcceptedInABaseSchema() throws {
        let dump = "\\restrict 9fQ2ZkLm0AbCdEf\nSET client_encoding = 'UTF8';\nSET standard_conforming_strings = on;\n"
            + Snippets.pricingSchema + "\\unrestrict 9fQ2ZkLm0AbCdEf\n"
        #expect(summary(try ValidationHarness.check(spec(), files: ["schema.sql": dump])) == [])
        // Anything else with a backslash is refused, in the schema file at its own line.
        let shell = Snippets.pricingSchema + "\\! touch /tmp/cutover-sentinel\n"
        #expect(summary(try ValidationHarness.check(spec(), files: ["schema.sql": shell])) == ["CUT027 schema.sql 5:1"])
        // \restrict is pg_dump's, not the mysql client's.
        let mysqlDump = "\\restrict 9fQ2ZkLm0AbCdEf\n" + Self.mysqlSchema
        #expect(summary(try ValidationHarness.check(spec(mysql: true), files: ["schema.sql": mysqlDump])).contains("CUT027 schema.sql 1:1"))
    }

    @Test func findingsInsideFlowScalarsAreLocated() throws {
        let change = "    - sql:\n        name: x\n        up: \"SELECT 1; \\\\! id\"\n        down: 'SELECT ''a''; \\! id'\n"
        let diagnostics = try ValidationHarness.check(spec(schema: false, changes: change))
        // up: the scalar opens at column 13; `\\` in the YAML is one backslash in the SQL.
        #expect(summary(diagnostics) == ["CUT027 spec.yaml 19:24", "CUT027 spec.yaml 20:30"])
    }

    @Test func findingsInsideFoldedScalarsAreLocated() throws {
        let change = "    - sql:\n        name: x\n        up: >\n          SELECT 1;\n          SELECT 2; \\! id\n        down: SELECT 1;\n"
        #expect(summary(try ValidationHarness.check(spec(schema: false, changes: change))) == ["CUT027 spec.yaml 21:21"])
    }

    @Test func mysqlDelimiterIsAcceptedForTriggers() throws {
        let change = """
                - sql:
                    name: audit
                    up: |
                      DELIMITER //
                      CREATE TRIGGER pricing_bi BEFORE INSERT ON pricing FOR EACH ROW BEGIN SET NEW.amount = NEW.amount; END//
                      DELIMITER ;
                    down: DROP TRIGGER pricing_bi;

            """
        let diagnostics = try ValidationHarness.check(spec(mysql: true, changes: change), files: ["schema.sql": Self.mysqlSchema])
        #expect(summary(diagnostics) == [])
    }

    /// The attack from issue 12: a base schema whose `\!` line ran as root through verify. Validation
    /// refuses it, so verify stops before any server or client starts.
    @Test(arguments: [false, true])
    func verifyRefusesAShellCommandInTheSchemaAndRunsNothing(mysql: Bool) throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cutover-sentinel-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let sentinel = folder.appendingPathComponent("sentinel")
        let schema = (mysql ? Self.mysqlSchema : Snippets.pricingSchema)
            + (mysql ? "/*!50705 \\! touch \(sentinel.path) */;\nsystem touch \(sentinel.path)\n" : "\\! touch \(sentinel.path)\n")
        try Data(schema.utf8).write(to: folder.appendingPathComponent("schema.sql"))
        let specURL = folder.appendingPathComponent("spec.yaml")
        try Data(spec(mysql: mysql).utf8).write(to: specURL)
        let run = try CLIRun.run(["verify", specURL.path])
        #expect(run.status == 1, "\(run.stdout)\(run.stderr)")
        #expect(run.stderr.contains("[CUT027]"), "\(run.stderr)")
        #expect(!FileManager.default.fileExists(atPath: sentinel.path))
    }
}
