@testable import CutoverPlan
@testable import CutoverSpec
import Foundation
import Testing

/// Columns named like a table clause's first word (#14 trial 14d: `period text` vanished from the model,
/// so the version views left it out and renaming it was refused with "no column").
@Suite struct SchemaReaderKeywordColumnTests {
    func read(_ text: String, _ engine: MigrationSpec.Engine) -> DatabaseSchema {
        var bag = DiagnosticBag(file: "t.yaml")
        return SchemaReader(engine: engine).read(text, reportingAt: SourceLocation(line: 1, column: 1), diagnostics: &bag)
    }

    @Test func postgresKeywordColumnsAreColumns() throws {
        let schema = read("""
            CREATE TABLE t (
                id bigint PRIMARY KEY,
                period text NOT NULL DEFAULT 'monthly',
                key text,
                index text,
                exclude text,
                "check" text,
                "unique" integer,
                "like" text NOT NULL,
                "primary" boolean,
                "foreign" text,
                "constraint" text,
                CONSTRAINT t_period_ck CHECK (period <> ''),
                UNIQUE (key),
                EXCLUDE USING gist (id WITH =)
            );
            ALTER TABLE ONLY t ADD exclude2 text;
            """, .postgresql)
        let table = try #require(schema.table("t"))
        #expect(table.columns.map(\.name) == ["id", "period", "key", "index", "exclude", "check", "unique", "like",
                                              "primary", "foreign", "constraint", "exclude2"])
        #expect(table.column("period")?.defaultValue == "'monthly'")
        #expect(table.column("like")?.nullable == false)
        #expect(Set(schema.constraints.map(\.name)) == ["t_pkey", "t_period_ck", "t_key_key"])
    }

    @Test func mysqlKeywordColumnsAreColumns() throws {
        let schema = read("""
            CREATE TABLE `t` (
              `id` bigint NOT NULL,
              period varchar(10) NOT NULL DEFAULT 'monthly',
              exclude text,
              `key` varchar(10),
              `index` int,
              `unique` varchar(12),
              `fulltext` text,
              `check` text,
              PRIMARY KEY (`id`),
              KEY `t_key` (`key`),
              UNIQUE KEY `t_unique` (`unique`),
              CONSTRAINT `t_period_ck` CHECK (period <> '')
            );
            """, .mysql)
        let table = try #require(schema.table("t"))
        #expect(table.columns.map(\.name) == ["id", "period", "exclude", "key", "index", "unique", "fulltext", "check"])
        #expect(table.column("period")?.type.lowercased() == "varchar(10)")
        #expect(schema.indexes.map(\.name) == ["t_key"])
        #expect(Set(schema.constraints.map(\.name)).isSuperset(of: ["t_unique", "t_period_ck"]))
    }
}
