@testable import CutoverPlan
@testable import CutoverSpec
@testable import CutoverProof
import Testing

/// Enum labels as the schema reader, Validation and the MySQL in-place rule see them.
@Suite struct EnumTypeTests {
    @Test func theReaderKeepsLabelsThroughAddAndRenameValue() {
        let schema = SchemaReader(engine: .postgresql).read("""
            CREATE TYPE public.status AS ENUM ('new', 'it''s done');
            CREATE TYPE sales.kind AS ENUM ('a');
            ALTER TYPE public.status ADD VALUE IF NOT EXISTS 'draft' BEFORE 'new';
            ALTER TYPE status ADD VALUE 'late';
            ALTER TYPE public.status ADD VALUE 'mid' AFTER 'new';
            ALTER TYPE public.status RENAME VALUE 'late' TO 'overdue';
            ALTER TYPE public.status OWNER TO app;
            CREATE TYPE public.pair AS (a int, b int);
            """)
        #expect(schema.enumType("status")?.labels == ["draft", "new", "mid", "it's done", "overdue"])
        #expect(schema.enumType("sales.kind")?.labels == ["a"])
        #expect(schema.enumType("pair") == nil)
        #expect(Set(schema.userTypes) == ["status", "sales.kind", "pair"])
    }

    @Test func mysqlReadsNoNamedEnums() {
        let schema = SchemaReader(engine: .mysql).read("CREATE TABLE t (id int PRIMARY KEY, s ENUM('a','b'));")
        #expect(schema.enumTypes.isEmpty)
    }

    @Test func mysqlInlineLabels() {
        #expect(EnumType.mysqlLabels("ENUM('a', 'it''s', 'b,c')") == ["a", "it's", "b,c"])
        #expect(EnumType.mysqlLabels("enum('x')") == ["x"])
        #expect(EnumType.mysqlLabels("varchar(10)") == nil)
        #expect(EnumType.mysqlLabels("enum('a") == nil)
        #expect(EnumType.mysqlColumnType(["a", "it's"]) == "enum('a','it''s')")
    }

    @Test func onlyAnAppendThatKeepsTheStorageSizeIsInPlace() {
        #expect(EnumType.isMySQLAppend(from: "enum('a','b')", to: "ENUM('a', 'b', 'c')"))
        #expect(!EnumType.isMySQLAppend(from: "enum('a','b')", to: "enum('c','a','b')"))  // not at the end
        #expect(!EnumType.isMySQLAppend(from: "enum('a','b')", to: "enum('a','c')"))      // a label replaced
        #expect(!EnumType.isMySQLAppend(from: "enum('a','b')", to: "enum('a','b')"))      // nothing added
        #expect(!EnumType.isMySQLAppend(from: "enum('a','b')", to: "varchar(8)"))
        let labels = (0..<255).map { "l\($0)" }
        #expect(!EnumType.isMySQLAppend(from: EnumType.mysqlColumnType(labels), to: EnumType.mysqlColumnType(labels + ["x"])))  // 1 byte -> 2 bytes
        #expect(EnumType.isMySQLAppend(from: EnumType.mysqlColumnType(Array(labels.dropLast())), to: EnumType.mysqlColumnType(labels)))
    }

    @Test func theRehearsalReadsAnEnumLineOfTheSnapshot() throws {
        let parsed = try #require(KeptEnumLabels.parse("TYPE public.status AS ENUM ('a', 'it''s') OWNER app"))
        #expect(parsed.type == "status")
        #expect(parsed.labels == ["a", "it's"])
        #expect(parsed.prefix + "'a'" + parsed.suffix == "TYPE public.status AS ENUM ('a') OWNER app")
        #expect(KeptEnumLabels.parse("TABLE public.status") == nil)
    }
}
