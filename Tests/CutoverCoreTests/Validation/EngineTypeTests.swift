@testable import CutoverPlan
@testable import CutoverSpec
import Testing

/// CUT069: the types one engine lacks are refused, the other engine's synonyms and PostgreSQL's
/// extension types are not.
@Suite struct EngineTypeTests {
    @Test(arguments: ["timestamptz", "TIMESTAMP(6) WITH TIME ZONE", "timetz", "interval", "uuid", "jsonb", "bytea", "bigserial",
                      "money", "inet", "tsvector", "xml", "int4range", "integer[]", "text ARRAY", "varbit(8)", "citext"])
    func postgresTypesAreRefusedOnMySQL(_ type: String) {
        #expect(EngineTypes.foreign(type, engine: .mysql) != nil)
    }

    @Test(arguments: ["double precision", "character varying(40)", "serial", "int8", "float4", "bool", "json", "text",
                      "timestamp(6)", "datetime(6)", "bigint unsigned", "enum('a','b')", "point", "decimal(12,2)"])
    func mysqlSpellingsPassOnMySQL(_ type: String) {
        #expect(EngineTypes.foreign(type, engine: .mysql) == nil)
    }

    @Test(arguments: ["datetime", "tinyint(1)", "MEDIUMINT", "year", "longtext", "blob", "varbinary(16)", "double",
                      "int unsigned", "int(10) zerofill", "enum('a')", "set('a','b')", "int(11)", "BIGINT(20)", "smallint (6)", "nvarchar(10)"])
    func mysqlTypesAreRefusedOnPostgres(_ type: String) {
        #expect(EngineTypes.foreign(type, engine: .postgresql) != nil)
    }

    @Test(arguments: ["double precision", "timestamptz", "geometry(Point, 4326)", "citext", "text[]", "numeric(12,2)",
                      "character varying(20)", "bit varying(8)", "mood", "integer", "bigint", "\"char\"", "int4range"])
    func postgresTypesAndExtensionsPassOnPostgres(_ type: String) {
        #expect(EngineTypes.foreign(type, engine: .postgresql) == nil)
    }

    /// Real dumps' types pass the type syntax check (CUT023): enum labels with any printable character,
    /// quoted type names (PostgreSQL's "char", a domain public."bıgınt").
    @Test(arguments: ["enum('G','PG','PG-13','R','NC-17')", "\"char\"", "public.\"bıgınt\"", "set('a b','c/d')"])
    func dumpTypesPassTheSyntaxCheck(_ type: String) {
        #expect(SQLText.typeProblem(type) == nil)
    }

    @Test(arguments: ["int; DROP TABLE x", "enum('a') -- x", "varchar(5)/*", "text\u{0007}"])
    func hostileTypesStillFail(_ type: String) {
        #expect(SQLText.typeProblem(type) != nil)
    }
}
