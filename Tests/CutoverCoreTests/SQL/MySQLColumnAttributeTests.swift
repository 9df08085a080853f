@testable import CutoverPlan
@testable import CutoverSpec
import Foundation
import Testing

/// On a real server: MODIFY COLUMN repeats the whole column definition, and MySQL resets whatever it
/// leaves out. The in-place VARCHAR widening and the nullability steps (up and down) keep the column's
/// own CHARACTER SET, COLLATE and COMMENT: a `utf8mb4_bin` column stays case-sensitive, a utf8mb3
/// column of a latin1 table is neither converted nor refused (ERROR 1846), and the down restores the
/// base schema exactly.
@Suite(.serialized) struct MySQLColumnAttributeTests {
    static let yaml = """
    apiVersion: cutover.dev/v1alpha1
    kind: Migration
    metadata:
      name: widen-attributes
      namespace: shop
    spec:
      database:
        engine: mysql
        version: "8.0"
        cluster: shop-db
        name: shop
        credentialsSecret: shop-db-credentials
        schema: attributes.schema.sql
      app:
        name: webapp
        image: ghcr.io/acme/webapp:v2.3.1
      runner:
        tool: mysql
      changes:
        - alterColumn: {table: people, column: code, type: varchar(40), nullable: true}
        - alterColumn: {table: legacy, column: name, type: varchar(60)}
    """
    // As mysqldump / mariadb-dump write them: COLLATE alone when the charset is the table's, both when not.
    static let schema = """
    CREATE TABLE `people` (
      `id` bigint(20) NOT NULL AUTO_INCREMENT,
      `code` varchar(20) COLLATE utf8mb4_bin NOT NULL COMMENT 'shown in the UI, it''s case-sensitive',
      PRIMARY KEY (`id`)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
    CREATE TABLE `legacy` (
      `id` bigint(20) NOT NULL AUTO_INCREMENT,
      `name` varchar(20) CHARACTER SET utf8mb3 COLLATE utf8mb3_general_ci DEFAULT NULL COMMENT 'imported',
      PRIMARY KEY (`id`)
    ) ENGINE=InnoDB DEFAULT CHARSET=latin1;
    """

    @Test(.enabled(if: DatabaseHarness.shouldRun(.mysql), unavailable(.mysql)))
    func widenAndNullabilityKeepCharsetCollationAndComment() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cutover-attr-my-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try Self.yaml.write(to: folder.appendingPathComponent("attributes.yaml"), atomically: true, encoding: .utf8)
        try Self.schema.write(to: folder.appendingPathComponent("attributes.schema.sql"), atomically: true, encoding: .utf8)
        let plan = try SQLGoldenTests.plan(folder.appendingPathComponent("attributes.yaml").path)
        #expect(plan.steps.filter { $0.title.contains("in place") }.count == 2, "both changes are in-place widenings")
        #expect(plan.steps.contains { $0.title.contains("accept NULL") }, "the relax step runs too")
        let url = try DatabaseHarness.shared.url(.mysql)
        let socket = try #require(URLComponents(string: url)?.queryItems?.first { $0.name == "socket" }?.value)
        func sql(_ input: String, database: String? = "column_attributes") throws -> String {
            let result = try MySQLOrphanCheckTests.client(socket, database: database, input: input)
            if result.status != 0 { throw HarnessError("mariadb failed: \(result.output)") }
            return result.output.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        _ = try sql("DROP DATABASE IF EXISTS column_attributes; CREATE DATABASE column_attributes; USE column_attributes;\n\(Self.schema)\n"
                    + "INSERT INTO people (code) VALUES ('Abc'); INSERT INTO legacy (name) VALUES (CONVERT(X'636166C3A9' USING utf8mb4));", database: nil)
        func apply(_ steps: [PlanStep], down: Bool) throws {
            for step in down ? steps.reversed() : steps {
                _ = try sql((down ? step.down : step.up).statements.map(\.text).filter { !$0.isEmpty }.joined(separator: "\n") + "\n")
            }
        }
        let columns = """
            SELECT GROUP_CONCAT(table_name, '.', column_name, ':', column_type, ':', character_set_name, ':', collation_name, ':', is_nullable, ':', column_comment
                                ORDER BY table_name SEPARATOR ' | ')
              FROM information_schema.columns WHERE table_schema = 'column_attributes' AND column_name IN ('code', 'name');
            """
        let base = "legacy.name:varchar(20):utf8mb3:utf8mb3_general_ci:YES:imported | "
            + "people.code:varchar(20):utf8mb4:utf8mb4_bin:NO:shown in the UI, it's case-sensitive"
        #expect(try sql(columns) == base)
        try apply(plan.steps, down: false)
        #expect(try sql(columns) == "legacy.name:varchar(60):utf8mb3:utf8mb3_general_ci:YES:imported | "
                + "people.code:varchar(40):utf8mb4:utf8mb4_bin:YES:shown in the UI, it's case-sensitive")
        #expect(try sql("SELECT COUNT(*) FROM people WHERE code = 'abc';") == "0", "utf8mb4_bin still compares case-sensitively")
        try apply(plan.steps, down: true)
        #expect(try sql(columns) == base, "the down restores the base schema")
        #expect(try sql("SELECT CONCAT(HEX(name), ',', (SELECT code FROM people)) FROM legacy;") == "636166C3A9,Abc", "values kept")
    }

    /// MySQL 8's in-place rule counts the length prefix in bytes of the column's character set (its own, its
    /// collation's, else the table's default), not always utf8mb4's 4: latin1 VARCHAR(100) -> VARCHAR(300)
    /// crosses 255 bytes (a copy), utf8mb4 counted would call it in place and the ALTER would fail (ERROR 1846);
    /// a latin1 column of a utf8mb4 table widens from 50 to 200 characters in place.
    @Test func inPlaceRuleCountsTheColumnsCharacterSet() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cutover-attr-rule-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let yaml = Self.yaml.replacingOccurrences(of: """
                - alterColumn: {table: people, column: code, type: varchar(40), nullable: true}
                - alterColumn: {table: legacy, column: name, type: varchar(60)}
            """, with: """
                - alterColumn: {table: narrow, column: a, type: varchar(300)}
                - alterColumn: {table: people, column: b, type: varchar(200)}
                - renameColumn: {table: people, from: code, to: ref}
            """)
        let schema = """
            CREATE TABLE narrow (id int NOT NULL, a varchar(100) DEFAULT NULL, PRIMARY KEY (id)) ENGINE=InnoDB DEFAULT CHARSET=latin1;
            CREATE TABLE people (id int NOT NULL, b varchar(50) CHARACTER SET latin1 COLLATE latin1_bin NOT NULL,
              code varchar(20) COLLATE utf8mb4_bin NOT NULL COMMENT 'shown', PRIMARY KEY (id)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
            """
        try yaml.write(to: folder.appendingPathComponent("attributes.yaml"), atomically: true, encoding: .utf8)
        try schema.write(to: folder.appendingPathComponent("attributes.schema.sql"), atomically: true, encoding: .utf8)
        let plan = try SQLGoldenTests.plan(folder.appendingPathComponent("attributes.yaml").path)
        let titles = plan.steps.map(\.title)
        #expect(!titles.contains { $0.contains("widen narrow.a") }, "latin1 100 -> 300 crosses 255 bytes: a copy column, \(titles)")
        #expect(titles.contains { $0.contains("narrow.a") }, "\(titles)")
        let widen = try #require(plan.steps.first { $0.title.contains("widen people.b to varchar(200) in place") }, "\(titles)")
        #expect(widen.up.statements.map(\.text).joined().contains("MODIFY COLUMN `b` varchar(200) CHARACTER SET latin1 COLLATE latin1_bin NOT NULL, ALGORITHM=INPLACE"))
        let add = try #require(plan.steps.first { $0.title.contains("add column people.ref") }, "\(titles)")
        #expect(add.up.statements.map(\.text).joined().contains("ADD COLUMN `ref` varchar(20) COLLATE utf8mb4_bin NULL COMMENT ''shown''"),
                "the new name keeps the collation and comment")
    }
}
