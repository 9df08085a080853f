@testable import CutoverPlan
@testable import CutoverSpec
@testable import CutoverCore
import Testing

/// CUT114 (trial 14j MUST-FIX 2): what a rebuild on a copy column cannot carry is refused at the
/// alterColumn's type; what it carries is not reported.
@Suite struct RetypedIndexOptionsRuleTests {
    static func spec(_ engine: String, column: String, type: String) -> String {
        Snippets.spec(database: (engine == "mysql" ? Snippets.mysqlDatabase : Snippets.pgDatabase) + "    schema: schema.sql\n",
                      changes: "    - alterColumn:\n        table: notes\n        column: \(column)\n        type: \"\(type)\"\n        up: \"1\"\n")
    }

    static let pg = "CREATE TABLE notes (\n    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,\n    code text NOT NULL,\n    ref text NOT NULL,\n    tag text NOT NULL,\n"
        + "    CONSTRAINT notes_code_key UNIQUE NULLS NOT DISTINCT (code),\n    CONSTRAINT notes_ref_key UNIQUE (ref) INCLUDE (id),\n    CONSTRAINT notes_tag_key UNIQUE (tag)\n);\n"
        + "CREATE INDEX notes_tag_pattern ON notes (tag COLLATE \"C\" text_pattern_ops DESC);\n"

    static let cases: [(engine: String, schema: String, column: String, type: String, reported: Int)] = [
        ("postgresql", pg, "code", "varchar(40)", 1),  // NULLS NOT DISTINCT
        ("postgresql", pg, "ref", "varchar(40)", 1),   // INCLUDE
        ("postgresql", pg, "tag", "varchar(40)", 0),   // a plain unique key; COLLATE and a text operator class into text
        ("postgresql", pg, "tag", "integer", 1),       // COLLATE and text_pattern_ops cannot hold for integer (one report per index)
        ("mysql", "CREATE TABLE notes (\n    id bigint NOT NULL AUTO_INCREMENT PRIMARY KEY,\n    subject varchar(150) NOT NULL,\n    UNIQUE KEY notes_subject (subject(60) DESC)\n) ENGINE=InnoDB;\n",
         "subject", "TEXT", 0),
        ("mysql", "CREATE TABLE notes (\n    id bigint NOT NULL AUTO_INCREMENT PRIMARY KEY,\n    subject varchar(150) NOT NULL,\n    UNIQUE KEY notes_subject (subject(60) DESC)\n) ENGINE=InnoDB;\n",
         "subject", "VARCHAR(50)", 1),
    ]

    @Test(arguments: cases.indices)
    func reportsWhatCannotBeCarried(_ index: Int) throws {
        let c = Self.cases[index]
        let diagnostics = try ValidationHarness.check(Self.spec(c.engine, column: c.column, type: c.type), files: ["schema.sql": c.schema])
        let reported = diagnostics.filter { $0.rule == .retypedIndexOptions }
        #expect(reported.count == c.reported, "\(c.engine) \(c.column) → \(c.type): \(diagnostics.map(\.message))")
        #expect(reported.allSatisfy { $0.location.line == 21 && $0.location.column == 15 }, "at the type")
    }
}
