@testable import CutoverPlan
@testable import CutoverSpec
@testable import CutoverProof
import Foundation
import Testing

/// Trial 14j MUST-FIX 2 on real servers: a type change through a copy column rebuilds the indexes over
/// the column on the copy, and after contract each is the same index as before with only the column's
/// type changed: DESC, NULLS, operator classes, COLLATE, INCLUDE, WITH, the method and WHERE on
/// PostgreSQL; DESC and prefix lengths on MySQL (where a dropped prefix over TEXT failed the backfill Job
/// with error 1071). Base-schema indexes and createIndex ones alike.
@Suite(.serialized) struct RetypedIndexOptionsTests {
    static func yaml(_ engine: String, _ changes: String) -> String {
        """
        apiVersion: cutover.dev/v1alpha1
        kind: Migration
        metadata:
          name: rio
          namespace: saas
        spec:
          database:
            engine: \(engine)
            version: "\(engine == "mysql" ? "8.0" : "15")"
            cluster: saas-db
            name: rio
            credentialsSecret: saas-db-credentials
            schema: rio.schema.sql
          app:
            name: saas-api
            image: ghcr.io/acme/saas-api:v7.0.0
          changes:
        \(changes)
        """
    }

    static let pgSchema = """
    CREATE TABLE tasks (
        tenant_id bigint NOT NULL,
        id        bigint GENERATED ALWAYS AS IDENTITY,
        title     varchar(120) NOT NULL,
        priority  integer NOT NULL DEFAULT 0,
        code      text,
        PRIMARY KEY (tenant_id, id)
    );
    CREATE INDEX tasks_prio_base ON tasks (tenant_id, priority DESC NULLS LAST, title text_pattern_ops);
    CREATE INDEX tasks_inc ON tasks (tenant_id, priority) INCLUDE (title) WITH (fillfactor = 70);
    CREATE INDEX tasks_hash ON tasks USING hash (priority);
    CREATE INDEX tasks_coll ON tasks (title COLLATE "C", priority);
    CREATE INDEX tasks_cover ON tasks (tenant_id) INCLUDE (priority);
    CREATE INDEX tasks_live ON tasks (priority DESC) WHERE tenant_id > 0;
    CREATE INDEX tasks_code ON tasks (code COLLATE "C" text_pattern_ops DESC NULLS LAST);
    """
    static let pgChanges = """
        - createIndex:
            name: tasks_prio_new
            table: tasks
            columns: [{column: priority, order: desc, nulls: first}, {column: title, opclass: text_pattern_ops}]
            include: [title]
            with: {fillfactor: 80}
        - alterColumn: {table: tasks, column: priority, type: bigint}
        - alterColumn: {table: tasks, column: code, type: varchar(40)}
    """
    static let pgIndexes = ["tasks_prio_base", "tasks_inc", "tasks_hash", "tasks_coll", "tasks_cover", "tasks_live", "tasks_code", "tasks_prio_new"]

    @Test(.enabled(if: DatabaseHarness.shouldRun(.postgresql), unavailable(.postgresql)))
    func postgresRebuildsTheSameIndexes() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cutover-rio-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try Self.yaml("postgresql", Self.pgChanges).write(to: folder.appendingPathComponent("rio.yaml"), atomically: true, encoding: .utf8)
        try Self.pgSchema.write(to: folder.appendingPathComponent("rio.schema.sql"), atomically: true, encoding: .utf8)
        let plan = try SQLGoldenTests.plan(folder.appendingPathComponent("rio.yaml").path)
        let server = try DatabaseHarness.shared.url(.postgresql)
        try BackfillUnderLoadTests.run(server, ["-c", "DROP DATABASE IF EXISTS retyped_index_options", "-c", "CREATE DATABASE retyped_index_options"])
        let url = server.replacingOccurrences(of: "/postgres?", with: "/retyped_index_options?")
        try BackfillUnderLoadTests.run(url, ["-c", Self.pgSchema, "-c", "INSERT INTO tasks (tenant_id, title, priority, code) VALUES (1, 'a', 3, 'x'), (2, 'b', 1, NULL)"])
        let list = Self.pgIndexes.map { "'\($0)'" }.joined(separator: ", ")
        let definitions = "SELECT string_agg(indexrelid::regclass::text || ': ' || pg_get_indexdef(indexrelid), E'\\n' ORDER BY indexrelid::regclass::text) "
            + "FROM pg_index WHERE indexrelid::regclass::text IN (\(list))"
        func apply(_ steps: [PlanStep]) throws {
            for step in steps {
                let sql = step.up.statements.map(\.text).filter { !$0.isEmpty }.joined(separator: "\n")
                let file = folder.appendingPathComponent("\(step.fileStem).up.sql")
                try (sql + "\n").write(to: file, atomically: true, encoding: .utf8)
                try BackfillUnderLoadTests.run(url, ["-f", file.path])
            }
        }
        try apply(plan.steps.filter { $0.phase == .expand })
        let before = try BackfillUnderLoadTests.run(url, ["-At", "-c", definitions])
        #expect(before.split(separator: "\n").count == Self.pgIndexes.count, "\(before)")
        try apply(plan.steps.filter { $0.phase != .expand && $0.phase != .purge })
        let after = try BackfillUnderLoadTests.run(url, ["-At", "-c", definitions])
        #expect(after == before, "each index after contract is the one before it, on the retyped column")
        let types = try BackfillUnderLoadTests.run(url, ["-At", "-c", "SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = 'tasks'::regclass AND attname IN ('priority', 'code') ORDER BY attname"])
        #expect(types == "character varying(40)\nbigint")
    }

    static let mySchema = """
    CREATE TABLE tickets (
        tenant_id   INT NOT NULL,
        id          BIGINT NOT NULL AUTO_INCREMENT,
        subject     VARCHAR(150) NOT NULL,
        sla_minutes SMALLINT NOT NULL DEFAULT 240,
        PRIMARY KEY (tenant_id, id),
        KEY tickets_id (id),
        KEY tickets_sla_base (tenant_id, sla_minutes DESC),
        KEY tickets_subject_prefix (tenant_id, subject(40)),
        UNIQUE KEY tickets_subject_uq (subject(60) DESC, tenant_id)
    ) ENGINE=InnoDB;
    """
    static let myChanges = """
        - createIndex: {name: tickets_sla_new, table: tickets, columns: [tenant_id, {column: sla_minutes, order: desc}]}
        - alterColumn: {table: tickets, column: sla_minutes, type: INT}
        - alterColumn: {table: tickets, column: subject, type: TEXT}
    """

    @Test(.enabled(if: DatabaseHarness.shouldRun(.mysql), unavailable(.mysql)))
    func mysqlRebuildsTheSameIndexes() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cutover-rio-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try Self.yaml("mysql", Self.myChanges).write(to: folder.appendingPathComponent("rio.yaml"), atomically: true, encoding: .utf8)
        try Self.mySchema.write(to: folder.appendingPathComponent("rio.schema.sql"), atomically: true, encoding: .utf8)
        let plan = try SQLGoldenTests.plan(folder.appendingPathComponent("rio.yaml").path)
        let url = try DatabaseHarness.shared.url(.mysql)
        let socket = try #require(URLComponents(string: url)?.queryItems?.first { $0.name == "socket" }?.value)
        func sql(_ input: String, database: String? = "rio") throws -> String {
            let result = try MySQLOrphanCheckTests.client(socket, database: database, input: input)
            if result.status != 0 { throw HarnessError("mariadb failed: \(result.output)") }
            return result.output.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        let cleanup = "DROP DATABASE IF EXISTS rio; DROP DATABASE IF EXISTS rio_rio_old; DROP DATABASE IF EXISTS rio_rio_new;"
        _ = try sql(cleanup + " CREATE DATABASE rio; USE rio; \(Self.mySchema) "
                    + "INSERT INTO tickets (tenant_id, subject, sla_minutes) VALUES (1, REPEAT('s', 150), 30), (2, 'b', 60);", database: nil)
        defer { _ = try? sql(cleanup, database: nil) }
        let statistics = "SELECT index_name, non_unique, seq_in_index, column_name, IFNULL(sub_part, '-'), collation FROM information_schema.statistics "
            + "WHERE table_schema = 'rio' AND table_name = 'tickets' AND index_name IN "
            + "('tickets_sla_base', 'tickets_subject_prefix', 'tickets_subject_uq', 'tickets_sla_new') ORDER BY index_name, seq_in_index;"
        func apply(_ steps: [PlanStep]) throws {
            for step in steps {
                do { _ = try sql(step.up.statements.map(\.text).filter { !$0.isEmpty }.joined(separator: "\n") + "\n") }
                catch { throw HarnessError("\(step.fileStem) up: \(error)") }
            }
        }
        try apply(plan.steps.filter { $0.phase == .expand })
        let before = try sql(statistics)
        #expect(before.split(separator: "\n").count == 8, "\(before)")
        try apply(plan.steps.filter { $0.phase != .expand && $0.phase != .purge })
        #expect(try sql(statistics) == before, "each index after contract is the one before it, on the retyped column")
        #expect(try sql("SELECT GROUP_CONCAT(column_type ORDER BY column_name) FROM information_schema.columns WHERE table_schema = 'rio' AND table_name = 'tickets' AND column_name IN ('sla_minutes', 'subject');")
                == "int(11),text")
    }
}
