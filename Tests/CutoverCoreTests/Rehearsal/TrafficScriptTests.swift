import CutoverProof
import Foundation
import Testing

/// A traffic file is untrusted input: lexed as the client would read it, refused whole when it
/// holds a client command or an unterminated quote, located by line and column.
@Suite struct TrafficScriptTests {
    static func write(_ text: String) throws -> String {
        let folder = TestPaths.temporaryFolder("traffic-script")
        let path = folder.appendingPathComponent("app.sql").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func readsTheStatementsAsTheClientWould() throws {
        let path = try Self.write("-- reads\nSELECT 1;\nSELECT ';' AS x;\n\nUPDATE t SET a = $$x;y$$ WHERE id = 1;\n")
        let script = try TrafficScript.load(path, engine: .postgresql)
        #expect(script.statements.map(\.line) == [2, 3, 5])
        #expect(script.statements[2].text.contains("$$x;y$$"))
    }

    /// Trial 14d SHOULD: the row check after the rollback said "written by old: changed" where a
    /// `--traffic-new` UPDATE had changed the row; the tables a script updates or deletes from are
    /// left out of that verdict.
    @Test func namesTheTablesItUpdatesOrDeletesFrom() throws {
        let path = try Self.write("UPDATE subscriptions SET status = 'X' WHERE id = 3;\nupdate billing.\"Plans\" set n = 1;\nDELETE FROM `payments` WHERE id = 1;\nSELECT * FROM accounts;\nINSERT INTO accounts (id) VALUES (1);\n")
        let written = try TrafficScript.load(path, engine: .postgresql).writtenTables()
        #expect(written.updated == ["subscriptions", "Plans"])
        #expect(written.deleted == ["payments"])
    }

    @Test func refusesClientCommandsOnEitherEngine() throws {
        let pg = try Self.write("SELECT 1;\n\\! rm -rf /\n")
        #expect(throws: TrafficScript.Refusal.self) { try TrafficScript.load(pg, engine: .postgresql) }
        do { _ = try TrafficScript.load(pg, engine: .postgresql) } catch let refusal as TrafficScript.Refusal {
            #expect(refusal.description.contains("app.sql:2:1: error: client command"))
        }
        let my = try Self.write("SELECT 1;\nsystem ls\n")
        #expect(throws: TrafficScript.Refusal.self) { try TrafficScript.load(my, engine: .mysql) }
    }

    @Test func refusesUnterminatedTextEmptyFilesAndFilesThatAreNotFiles() throws {
        let open = try Self.write("SELECT 'abc;\n")
        #expect(throws: TrafficScript.Refusal.self) { try TrafficScript.load(open, engine: .postgresql) }
        let empty = try Self.write("-- nothing\n")
        #expect(throws: TrafficScript.Refusal.self) { try TrafficScript.load(empty, engine: .postgresql) }
        #expect(throws: TrafficScript.Refusal.self) { try TrafficScript.load("/nonexistent/app.sql", engine: .postgresql) }
        #expect(throws: TrafficScript.Refusal.self) { try TrafficScript.load("/dev/zero", engine: .postgresql) }
    }
}
