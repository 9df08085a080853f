@testable import CutoverPlan
@testable import CutoverSpec
@testable import CutoverProof
import Foundation
import Testing

/// The sessions over libpq and Connector/C: files applied statement by statement as psql and the
/// mariadb client apply them, errors located, psql variables substituted, deadlines kept.
@Suite(.serialized) struct SQLSessionTests {
    static func file(_ text: String, name: String = "step.sql") throws -> (path: String, folder: URL) {
        let folder = TestPaths.temporaryFolder("session")
        let path = folder.appendingPathComponent(name).path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return (path, folder)
    }

    /// A scratch database on the harness server, dropped afterwards.
    static func withDatabase(_ engine: MigrationSpec.Engine, variables: [String: String] = [:], timeout: Double = 120,
                             _ body: (SQLSession) throws -> Void) throws {
        guard case .success(let harness) = DatabaseHarness.shared.server(engine) else {
            throw HarnessError("\(engine) is not available for the real-server tests")
        }
        let name = "session_\(UUID().uuidString.prefix(8).lowercased())"
        let admin = try harness.server.session(database: harness.server.admin.database)
        defer { admin.close() }
        try harness.server.createDatabase(name, using: admin)
        defer { try? harness.server.dropDatabase(name, using: admin) }
        let connection = harness.server.admin.with(database: name)
        let session: SQLSession = engine == .postgresql
            ? try PostgresSession(connection: connection, variables: variables, timeout: timeout)
            : try MariaDBSession(connection: connection, timeout: timeout)
        defer { session.close() }
        try body(session)
    }

    @Test(.enabled(if: DatabaseHarness.shouldRun(.postgresql), unavailable(.postgresql)))
    func postgresFileRunsStatementByStatement() throws {
        let (path, folder) = try Self.file("""
        -- a comment; with a semicolon
        CREATE TABLE t (id int, note text);
        INSERT INTO t VALUES (1, 'a;b'), (2, $q$x;y$q$);
        CREATE INDEX CONCURRENTLY t_id ON t (id);
        CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS $$ BEGIN RETURN 1; END $$;
        CREATE OR REPLACE FUNCTION g() RETURNS int LANGUAGE sql
        BEGIN ATOMIC
          SELECT CASE WHEN true THEN 1 END;
          SELECT 2;
        END;
        CREATE TABLE v AS SELECT :'conninfo' AS c, :"column" AS x FROM (SELECT 1 AS "my col") s;
        SELECT '::not_a_variable'::text, 1::int;

        """)
        defer { try? FileManager.default.removeItem(at: folder) }
        try Self.withDatabase(.postgresql, variables: ["conninfo": "host=/tmp user='it''s'", "column": "my col"]) { (session: SQLSession) throws in
            try session.apply(file: path)
            #expect(try session.query("SELECT count(*) FROM t WHERE note IN ('a;b', 'x;y')") == ["2"])
            #expect(try session.query("SELECT c FROM v") == ["host=/tmp user='it''s'"])
            #expect(try session.query("SELECT g()") == ["2"])
            #expect(try session.query("SELECT indisvalid FROM pg_index WHERE indexrelid = 't_id'::regclass") == ["t"])
        }
    }

    @Test(.enabled(if: DatabaseHarness.shouldRun(.postgresql), unavailable(.postgresql)))
    func postgresErrorIsLocatedAndStops() throws {
        let (path, folder) = try Self.file("CREATE TABLE a (id int);\n\nSELECT 1,\n  nope FROM a;\nCREATE TABLE b (id int);\n", name: "0001_x.up.sql")
        defer { try? FileManager.default.removeItem(at: folder) }
        try Self.withDatabase(.postgresql) { (session: SQLSession) throws in
            do {
                try session.apply(file: path)
                Issue.record("the file applied")
            } catch let failure as SQLFailure {
                #expect(failure.message.hasPrefix("0001_x.up.sql:4: ERROR:  column \"nope\" does not exist (SQLSTATE 42703)"), "\(failure.message)")
            }
            #expect(try session.query("SELECT count(*) FROM pg_class WHERE relname = 'b'") == ["0"])
            // The session is still usable after the error.
            #expect(try session.query("SELECT 2") == ["2"])
        }
    }

    @Test(.enabled(if: DatabaseHarness.shouldRun(.postgresql), unavailable(.postgresql)))
    func postgresStatementPastItsDeadlineIsCancelled() throws {
        let (path, folder) = try Self.file("SELECT pg_sleep(30);\n")
        defer { try? FileManager.default.removeItem(at: folder) }
        try Self.withDatabase(.postgresql, timeout: 2) { (session: SQLSession) throws in
            let start = Date()
            #expect(throws: SQLFailure.self) { try session.apply(file: path) }
            #expect(Date().timeIntervalSince(start) < 10)
            #expect(try session.query("SELECT 3") == ["3"])
        }
    }

    @Test(.enabled(if: DatabaseHarness.shouldRun(.mysql), unavailable(.mysql)))
    func mariadbFileWithDelimiterAndExecutableComments() throws {
        let (path, folder) = try Self.file("""
        # a comment; with a semicolon
        CREATE TABLE t (id INT PRIMARY KEY, note VARCHAR(20));
        INSERT INTO t VALUES (1, 'a;b'), (2, "c\\";d");
        /*!40101 CREATE TABLE u (id INT) */;
        DELIMITER //
        CREATE PROCEDURE p() BEGIN SELECT 1; SELECT 2; END//
        DELIMITER ;
        CALL p();
        --a line the mariadb client skips whole; not sent
        SELECT 3 - -1, nope FROM t;

        """)
        defer { try? FileManager.default.removeItem(at: folder) }
        try Self.withDatabase(.mysql) { (session: SQLSession) throws in
            do {
                try session.apply(file: path)
                Issue.record("the unknown column must fail the file")
            } catch let failure as SQLFailure {
                #expect(failure.message.hasPrefix("ERROR 1054 (42S22) at line 10 of step.sql: Unknown column 'nope'"), "\(failure.message)")
            }
            #expect(try session.query("SELECT COUNT(*) FROM t") == ["2"])
            #expect(try session.query("SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'u'") == ["1"])
            #expect(try session.query("SELECT note FROM t WHERE id = 2") == ["c\";d"])
        }
    }

    @Test func scriptIsReadAsTheClientsReadIt() throws {
        let pg = try ClientScript.statements(in: "SELECT 1;\n/* a; /* nested; */ */ SELECT E'\\';' ;\nCREATE RULE r AS ON INSERT TO t DO (SELECT 1; SELECT 2);\n",
                                             engine: .postgresql)
        #expect(pg.map(\.line) == [1, 2, 3])
        let atomic = try ClientScript.statements(in: "CREATE PROCEDURE p() BEGIN ATOMIC INSERT INTO t VALUES (1); END;\nBEGIN;\nSELECT 1;\nEND;", engine: .postgresql)
        #expect(atomic.map(\.line) == [1, 2, 3, 4])
        let my = try ClientScript.statements(in: "SELECT 'a\\';b';\n-- c;\n#d;\nDELIMITER $$\nSELECT 1$$\ndelimiter ;\nSELECT 2;", engine: .mysql)
        #expect(my.map(\.text) == ["SELECT 'a\\';b'", "SELECT 1", "SELECT 2"])
        #expect(my.map(\.line) == [1, 5, 7])
    }

    @Test func clientCommandsAndUnterminatedTextAreRefused() {
        #expect(throws: ClientScript.Refusal.self) { try ClientScript.statements(in: "SELECT 1;\n\\! touch x\n", engine: .postgresql) }
        #expect(throws: ClientScript.Refusal.self) { try ClientScript.statements(in: "SELECT 1;\n\\connect other\n", engine: .postgresql) }
        #expect(throws: ClientScript.Refusal.self) { try ClientScript.statements(in: "SELECT 1;\nsystem touch x\n", engine: .mysql) }
        #expect(throws: ClientScript.Refusal.self) { try ClientScript.statements(in: "SELECT /*! \\! touch x */ 1;\n", engine: .mysql) }
        #expect(throws: ClientScript.Refusal.self) { try ClientScript.statements(in: "INSERT INTO t VALUES ('abc);\n", engine: .mysql) }
        #expect(throws: ClientScript.Refusal.self) { try ClientScript.statements(in: "SELECT $$abc;\n", engine: .postgresql) }
        do {
            _ = try ClientScript.statements(in: "SELECT 1;\n\n\\! touch x\n", engine: .postgresql)
        } catch let refusal as ClientScript.Refusal {
            #expect(refusal.line == 3)
        } catch {
            Issue.record("\(error)")
        }
    }

    @Test func psqlVariablesAreSubstitutedOutsideQuotes() {
        let text = ClientScript.substitute("SELECT :'v', :\"v\", :v, ':v', \":v\", :undefined, a::text, $q$:v$q$, E'\\':v' -- :v\n;",
                                           ["v": "x'y"])
        #expect(text == "SELECT 'x''y', \"x'y\", x'y, ':v', \":v\", :undefined, a::text, $q$:v$q$, E'\\':v' -- :v\n;")
        #expect(ClientScript.substitute("SELECT :'v'", ["v": "a\\b"]) == "SELECT  E'a\\\\b'")
    }
}
