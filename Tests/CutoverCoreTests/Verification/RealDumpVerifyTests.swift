@testable import CutoverPlan
@testable import CutoverSpec
@testable import CutoverCore
@testable import CutoverProof
import Foundation
import Testing

/// verify on real dumps (issue #11): the corpus in fixtures/corpus and the dependents fixtures, loaded
/// as pg_dump and mariadb-dump wrote them (empty search_path, \restrict lines, DEFINER clauses,
/// executable comments), pass every pair; an up that changes nothing fails.
@Suite(.serialized) struct RealDumpVerifyTests {
    static func compiled(_ relative: String) throws -> MigrationPlan {
        let compiler = Compiler()
        let result = try compiler.check(fileAt: TestPaths.fixtures.appendingPathComponent(relative).path)
        let validated = try #require(result.validated, "\(result.diagnostics)")
        #expect(!result.hasErrors)
        return compiler.plan(validated)
    }

    static func verify(_ plan: MigrationPlan) throws -> (VerificationReport, [String]) {
        try VerifierTests.run(plan, engine: plan.spec.database.engine)
    }

    @Test(.enabled(if: DatabaseHarness.shouldRun(.postgresql), unavailable(.postgresql)),
          arguments: ["corpus/pagila-loyalty.yaml", "corpus/roundcube-pg-identities.yaml", "corpus/powerdns-pg-records.yaml",
                      "corpus/icinga2-ido-pg-hosts.yaml", "corpus/freeradius-pg-accounting.yaml",
                      "valid/pg-dependents.yaml"])
    func postgresDumpsVerify(_ spec: String) throws {
        let (report, lines) = try Self.verify(try Self.compiled(spec))
        #expect(report.passed, "\(lines.joined(separator: "\n"))")
    }

    @Test(.enabled(if: DatabaseHarness.shouldRun(.mysql), unavailable(.mysql)),
          arguments: ["corpus/sakila-loyalty.yaml", "corpus/roundcube-my-identities.yaml", "corpus/powerdns-my-records.yaml",
                      "corpus/icinga2-ido-my-hosts.yaml", "corpus/freeradius-my-accounting.yaml", "corpus/freeradius-my-nas-rename.yaml",
                      "valid/mysql-dependents.yaml"])
    func mysqlDumpsVerify(_ spec: String) throws {
        let (report, lines) = try Self.verify(try Self.compiled(spec))
        #expect(report.passed, "\(lines.joined(separator: "\n"))")
    }

    @Test(.enabled(if: DatabaseHarness.shouldRun(.postgresql), unavailable(.postgresql)))
    func aDownRestoresTheDefaultExactlyAsTheBaseHadIt() throws {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("specs/pg-default-cast.yaml").path
        let compiler = Compiler()
        let validated = try #require(try compiler.check(fileAt: path).validated)
        let (report, lines) = try Self.verify(compiler.plan(validated))
        #expect(report.passed, "\(lines.joined(separator: "\n"))")
    }

    @Test(.enabled(if: DatabaseHarness.shouldRun(.postgresql), unavailable(.postgresql)))
    func anUpThatChangesNothingFails() throws {
        let plan = try VerifierTests.plan("pg-not-idempotent.yaml", steps: [
            VerifierTests.step(1, .contract, "quarantine_nosuch", up: [
                "DO $$ BEGIN IF EXISTS (SELECT 1 FROM information_schema.columns WHERE table_name = 'accounts' AND column_name = 'nosuch') THEN ALTER TABLE accounts RENAME COLUMN nosuch TO _cutover_nosuch; END IF; END $$;",
            ], down: [
                "DO $$ BEGIN IF EXISTS (SELECT 1 FROM information_schema.columns WHERE table_name = 'accounts' AND column_name = '_cutover_nosuch') THEN ALTER TABLE accounts RENAME COLUMN _cutover_nosuch TO nosuch; END IF; END $$;",
            ]),
        ])
        let (report, lines) = try VerifierTests.run(plan, engine: .postgresql)
        #expect(!report.passed)
        #expect(lines.contains { $0.contains("up changed nothing on the base schema") }, "\(lines)")
    }

    @Test func mysqlKeysCompareAsASet() {
        let before = """
            CREATE TABLE `t` (
              `id` int NOT NULL,
              `a` int DEFAULT NULL,
              PRIMARY KEY (`id`),
              KEY `t_a` (`a`),
              KEY `t_b` (`a`,`id`)
            ) ENGINE=InnoDB
            """
        let after = """
            CREATE TABLE `t` (
              `id` int NOT NULL,
              `a` int DEFAULT NULL,
              PRIMARY KEY (`id`),
              KEY `t_b` (`a`,`id`),
              KEY `t_a` (`a`)
            ) ENGINE=InnoDB
            """
        #expect(SchemaSnapshot.mysqlKeysAsSet(before) == SchemaSnapshot.mysqlKeysAsSet(after))
        #expect(SchemaSnapshot.mysqlKeysAsSet(before) != SchemaSnapshot.mysqlKeysAsSet(after.replacingOccurrences(of: "`t_a` (`a`)", with: "`t_a` (`id`)")))
    }

    @Test func definersAndOwnersAreBlankedKeepingLines() {
        let mysql = "/*!50003 CREATE*/ /*!50017 DEFINER=`root`@`localhost`*/ /*!50003 TRIGGER x */;;\nCREATE DEFINER=CURRENT_USER() VIEW v AS SELECT 1;\n"
        let (strippedMySQL, count) = BaseSchemaFile.strip(mysql, engine: .mysql)
        #expect(count == 2)
        #expect(!strippedMySQL.contains("DEFINER"))
        #expect(strippedMySQL.split(separator: "\n").count == 2)
        let pg = "CREATE TABLE t (id int);\nALTER TABLE public.t OWNER TO app;\nGRANT SELECT ON TABLE public.t TO reporting;\n"
        let (strippedPG, pgCount) = BaseSchemaFile.strip(pg, engine: .postgresql)
        #expect(pgCount == 2)
        #expect(strippedPG.split(separator: "\n").count == 3)
        #expect(strippedPG.hasPrefix("CREATE TABLE t (id int);\n-- (not loaded by verify)"))
    }

    /// MySQL 8's default collation is unknown to the MariaDB 10.11 standing in for it (ERROR 1273), so a
    /// real MySQL 8 dump could not be loaded by verify or rehearse at all.
    @Test(.enabled(if: DatabaseHarness.shouldRun(.mysql), unavailable(.mysql)))
    func mysql8CollationsLoadOnTheMariaDBStandIn() throws {
        let dump = "CREATE TABLE `u` (\n  `e` varchar(9) COLLATE utf8mb4_0900_as_cs NOT NULL\n) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_0900_ai_ci;\n"
            + "CREATE TABLE `v` (`b` varchar(9)) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_0900_bin;\n"
            + "CREATE TABLE `w` (`b` varchar(9)) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_de_pb_0900_ai_ci;\n"
        let (mapped, count) = BaseSchemaFile.mapCollations(dump)
        #expect(count == 4)
        #expect(!mapped.contains("0900"))
        #expect(mapped.contains("COLLATE utf8mb4_uca1400_nopad_as_cs NOT NULL") && mapped.contains("COLLATE=utf8mb4_uca1400_nopad_ai_ci;"))
        #expect(mapped.contains("COLLATE=utf8mb4_nopad_bin;"))
        try SQLSessionTests.withDatabase(.mysql) { session in
            let (path, folder) = try SQLSessionTests.file(mapped)
            defer { try? FileManager.default.removeItem(at: folder) }
            try session.apply(file: path)
            #expect(try StandInServer.isMariaDB(session))
            #expect(try session.query("SELECT table_collation FROM information_schema.tables WHERE table_schema = DATABASE() ORDER BY table_name")
                    == ["utf8mb4_uca1400_nopad_ai_ci", "utf8mb4_nopad_bin", "utf8mb4_uca1400_nopad_ai_ci"])
        }
    }
}
