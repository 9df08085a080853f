@testable import CutoverPlan
@testable import CutoverSpec
@testable import CutoverProof
import Foundation
import Testing

/// #14 trial 14d: an alterColumn whose `up`/`down` reads another column of the row. Inside the sync
/// trigger every column the expression names must be the row's (NEW."country"): a bare name left in the
/// down branch failed every insert of the new version on PostgreSQL ("column country does not exist") and
/// every insert of the old version on MySQL (1054), and the backfill with it. On real servers, through
/// both versions' schemas after expand and backfill.
@Suite(.serialized) struct CrossColumnDownTests {
    static let yaml = """
    apiVersion: cutover.dev/v1alpha1
    kind: Migration
    metadata:
      name: xc
      namespace: shop
    spec:
      database:
        engine: postgresql
        version: "15"
        cluster: shop-db
        name: crosscol
        credentialsSecret: shop-db-credentials
        schema: xc.schema.sql
      app:
        name: webapp
        image: ghcr.io/acme/webapp:v2.3.1
      runner:
        tool: psql
      changes:
        - alterColumn:
            table: accounts
            column: seats
            type: integer
            up: "CASE WHEN country = 'ZZ' THEN 0 ELSE seats END"
            down: "CASE WHEN country = 'ZZ' THEN 0 ELSE seats END"
    """

    static func plan(_ yaml: String, schema: String, in folder: URL) throws -> MigrationPlan {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try yaml.write(to: folder.appendingPathComponent("xc.yaml"), atomically: true, encoding: .utf8)
        try schema.write(to: folder.appendingPathComponent("xc.schema.sql"), atomically: true, encoding: .utf8)
        return try SQLGoldenTests.plan(folder.appendingPathComponent("xc.yaml").path)
    }

    @Test(.enabled(if: DatabaseHarness.shouldRun(.postgresql), unavailable(.postgresql)))
    func postgresBothVersionsInsert() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cutover-xc-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let schema = "CREATE TABLE accounts (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, seats smallint NOT NULL, country text NOT NULL);"
        let plan = try Self.plan(Self.yaml, schema: schema, in: folder)
        let server = try DatabaseHarness.shared.url(.postgresql)
        try BackfillUnderLoadTests.run(server, ["-c", "DROP DATABASE IF EXISTS crosscol", "-c", "CREATE DATABASE crosscol"])
        let url = server.replacingOccurrences(of: "/postgres?", with: "/crosscol?")
        try BackfillUnderLoadTests.run(url, ["-c", schema, "-c", "INSERT INTO accounts (seats, country) VALUES (5, 'ZZ'), (6, 'US')"])
        for step in plan.steps where [.preflight, .expand, .backfill].contains(step.phase) {
            let file = folder.appendingPathComponent("\(step.fileStem).up.sql")
            try (step.up.statements.map(\.text).filter { !$0.isEmpty }.joined(separator: "\n") + "\n").write(to: file, atomically: true, encoding: .utf8)
            try BackfillUnderLoadTests.run(url, ["-f", file.path])
        }
        try BackfillUnderLoadTests.run(url, ["-c", "SET search_path = xc_new, public; INSERT INTO accounts (seats, country) VALUES (7, 'ZZ'), (8, 'US')"])
        try BackfillUnderLoadTests.run(url, ["-c", "SET search_path = xc_old, public; INSERT INTO accounts (seats, country) VALUES (9, 'ZZ'), (10, 'US')"])
        let old = try BackfillUnderLoadTests.run(url, ["-c", "SET search_path = xc_old, public; SELECT string_agg(seats::text, ',' ORDER BY id) FROM accounts"])
        let new = try BackfillUnderLoadTests.run(url, ["-c", "SET search_path = xc_new, public; SELECT string_agg(seats::text, ',' ORDER BY id) FROM accounts"])
        #expect(old == "5,6,0,8,9,10", "the old version reads down of the new version's rows: \(old)")
        #expect(new == "0,6,7,8,0,10", "the new version reads up of the old version's rows: \(new)")
    }

    @Test(.enabled(if: DatabaseHarness.shouldRun(.mysql), unavailable(.mysql)))
    func mysqlBothVersionsInsert() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cutover-xc-my-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let schema = "CREATE TABLE accounts (id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY, seats SMALLINT NOT NULL, country VARCHAR(2) NOT NULL) ENGINE=InnoDB;"
        let yaml = Self.yaml.replacingOccurrences(of: "engine: postgresql", with: "engine: mysql").replacingOccurrences(of: "version: \"15\"", with: "version: \"8.0\"")
            .replacingOccurrences(of: "tool: psql", with: "tool: mysql").replacingOccurrences(of: "type: integer", with: "type: INT")
            .replacingOccurrences(of: "\"CASE WHEN country = 'ZZ' THEN 0 ELSE seats END\"", with: "\"IF(country = 'ZZ', 0, seats)\"")
        let plan = try Self.plan(yaml, schema: schema, in: folder)
        let url = try DatabaseHarness.shared.url(.mysql)
        let socket = try #require(URLComponents(string: url)?.queryItems?.first { $0.name == "socket" }?.value)
        func sql(_ input: String, database: String? = "crosscol") throws -> String {
            let result = try MySQLOrphanCheckTests.client(socket, database: database, input: input)
            if result.status != 0 { throw HarnessError("mariadb failed: \(result.output)") }
            return result.output.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        let cleanup = "DROP DATABASE IF EXISTS crosscol; DROP DATABASE IF EXISTS crosscol_xc_old; DROP DATABASE IF EXISTS crosscol_xc_new;"
        _ = try sql(cleanup + " CREATE DATABASE crosscol; USE crosscol; \(schema) INSERT INTO accounts (seats, country) VALUES (5, 'ZZ'), (6, 'US');", database: nil)
        defer { _ = try? sql(cleanup, database: nil) }
        for step in plan.steps where [.preflight, .expand, .backfill].contains(step.phase) {
            _ = try sql(step.up.statements.map(\.text).filter { !$0.isEmpty }.joined(separator: "\n") + "\n")
        }
        let databases = try sql("SELECT GROUP_CONCAT(schema_name ORDER BY schema_name) FROM information_schema.schemata WHERE schema_name LIKE 'crosscol\\_%';")
        #expect(databases == "crosscol_xc_new,crosscol_xc_old", "\(databases)")
        _ = try sql("INSERT INTO accounts (seats, country) VALUES (7, 'ZZ'), (8, 'US');", database: "crosscol_xc_new")
        _ = try sql("INSERT INTO accounts (seats, country) VALUES (9, 'ZZ'), (10, 'US');", database: "crosscol_xc_old")
        let old = try sql("SELECT GROUP_CONCAT(seats ORDER BY id) FROM accounts;", database: "crosscol_xc_old")
        let new = try sql("SELECT GROUP_CONCAT(seats ORDER BY id) FROM accounts;", database: "crosscol_xc_new")
        #expect(old == "5,6,0,8,9,10", "the old version reads down of the new version's rows: \(old)")
        #expect(new == "0,6,7,8,0,10", "the new version reads up of the old version's rows: \(new)")
    }
}
