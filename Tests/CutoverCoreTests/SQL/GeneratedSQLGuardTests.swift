@testable import CutoverPlan
@testable import CutoverSpec
@testable import CutoverEmit
@testable import CutoverCore
import Foundation
import Testing

/// The emission guard: every SQL file of every golden tree reads, for the Jobs' client, as plain SQL
/// (MySQL trigger steps use DELIMITER, which the guard allows), and a file that would carry a client
/// command or an open quote is an internal error.
@Suite struct GeneratedSQLGuardTests {
    static let goldenRoot = TestPaths.packageRoot.appendingPathComponent("Tests/golden")
    static let trees = ((try? FileManager.default.contentsOfDirectory(atPath: goldenRoot.path)) ?? []).sorted()

    @Test func thereAreGoldenTrees() {
        #expect(Self.trees.count >= 10)
    }

    @Test(arguments: trees)
    func everyGoldenSQLFilePassesTheGuard(_ tree: String) throws {
        let root = Self.goldenRoot.appendingPathComponent(tree)
        let plan = try String(contentsOf: root.appendingPathComponent("plan.json"), encoding: .utf8)
        let engine: MigrationSpec.Engine = plan.contains("\"engine\" : \"mysql\"") ? .mysql : .postgresql
        let files = FileManager.default.enumerator(atPath: root.path)?.compactMap { $0 as? String }.filter { $0.hasSuffix(".sql") } ?? []
        #expect(!files.isEmpty)
        var delimiters = 0
        for file in files.sorted() {
            let text = try String(contentsOf: root.appendingPathComponent(file), encoding: .utf8)
            #expect(throws: Never.self, "\(tree)/\(file)") { try GeneratedSQLGuard.check(text, engine: engine, file: file) }
            delimiters += SQLLexer.check(text, engine: engine).commands.filter { $0.kind == .delimiter }.count
            // Every statement the client would send is non-empty SQL.
            #expect(SQLLexer.statements(in: text, engine: engine).allSatisfy { !$0.text.isEmpty })
        }
        if tree == "orders-keys-my" { #expect(delimiters > 0, "the MySQL trigger steps use DELIMITER") }
    }

    @Test func everyValidSpecPlansToGuardedSQL() throws {
        let specs = TestPaths.exampleSpecs + TestPaths.files(in: TestPaths.fixtures.appendingPathComponent("valid"), extension: "yaml")
        for spec in specs {
            let result = try Compiler().check(fileAt: spec.path)
            let validated = try #require(result.validated, "\(spec.lastPathComponent)")
            #expect(throws: Never.self, "\(spec.lastPathComponent)") { try Compiler().checkGeneratedSQL(Compiler().plan(validated)) }
        }
    }

    @Test func aClientCommandInAGeneratedFileIsAnInternalError() {
        #expect(throws: CutoverError.self) {
            try GeneratedSQLGuard.check("SET lock_timeout = '2s';\nSELECT 1;\n\\! id\n", engine: .postgresql, file: "0001_x.up.sql")
        }
        #expect(throws: CutoverError.self) {
            try GeneratedSQLGuard.check("SELECT 5 --1 \\! id\n;\n", engine: .mysql, file: "0001_x.up.sql")
        }
        #expect(throws: CutoverError.self) {
            try GeneratedSQLGuard.check("UPDATE t SET a = 'x;\n", engine: .postgresql, file: "0001_x.up.sql")
        }
        #expect(throws: Never.self) {
            try GeneratedSQLGuard.check("DELIMITER //\nCREATE TRIGGER t BEFORE INSERT ON x FOR EACH ROW BEGIN SET NEW.a = 1; END//\nDELIMITER ;\n",
                                        engine: .mysql, file: "0001_x.up.sql")
        }
    }
}
