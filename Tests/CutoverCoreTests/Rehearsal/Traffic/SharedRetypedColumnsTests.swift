@testable import CutoverPlan
@testable import CutoverProof
import Testing

/// The type the new version's traffic writes a retyped column with while both versions use the
/// tables: one whose values the old and the new type both hold.
@Suite struct SharedRetypedColumnsTests {
    static func fitted(_ old: String, _ new: String, _ engine: MigrationSpec.Engine = .mysql) -> String {
        let before = ColumnShape(name: "c", dataType: old, nullable: false, hasDefault: false, generated: false)
        let after = ColumnShape(name: "c", dataType: new, nullable: false, hasDefault: false, generated: false)
        let table = { (column: ColumnShape) in TableShape(name: "t", columns: [column], primaryKey: [], uniques: [], foreignKeys: [], checks: []) }
        return SharedRetypedColumns.fitting(old: before, oldTable: table(before), new: after, newTable: table(after), engine: engine).dataType
    }

    @Test func wideningsKeepTheOldType() {
        #expect(Self.fitted("smallint(6)", "int(11)") == "smallint(6)")
        #expect(Self.fitted("int(11)", "bigint(20)") == "int(11)")
        #expect(Self.fitted("decimal(5,2)", "decimal(9,2)") == "decimal(5,2)")
        #expect(Self.fitted("varchar(16)", "varchar(64)") == "varchar(16)")
        #expect(Self.fitted("smallint", "integer", .postgresql) == "smallint")
    }

    @Test func narrowingsTakeTheNewType() {
        #expect(Self.fitted("bigint(20)", "int(11)") == "int(11)")
        #expect(Self.fitted("varchar(64)", "varchar(16)") == "varchar(16)")
    }

    @Test func mixedLimitsTakeTheSmallerOfEach() {
        // 6 integer digits and 4 decimals, then 10 and 2: values up to 999999.99.
        #expect(Self.fitted("decimal(10,4)", "decimal(12,2)") == "decimal(8,2)")
        #expect(Self.fitted("numeric(10,4)", "numeric(12,2)", .postgresql) == "numeric(8,2)")
        #expect(Self.fitted("numeric", "numeric(12,2)", .postgresql) == "numeric(12,2)")
        #expect(Self.fitted("int(11)", "decimal(5,2)") == "decimal(3,0)")
        #expect(Self.fitted("tinyint(4)", "decimal(9,2)") == "tinyint(4)")
    }

    /// Issue #14 trial: VARCHAR → TINYINT wrote the old type's text (out of range for the new type).
    /// Now numbers the new type holds whose text (sign included) fits the old length.
    @Test func textToIntegerWritesNumbersBothHold() {
        #expect(Self.fitted("varchar(10)", "tinyint(4)") == "tinyint(4)")
        #expect(Self.fitted("varchar(5)", "int(11)") == "tinyint")
        #expect(Self.fitted("varchar(6)", "int(11)") == "smallint")
        #expect(Self.fitted("varchar(3)", "tinyint(3) unsigned") == "tinyint(3) unsigned")
        #expect(Self.fitted("varchar(3)", "tinyint(4)") == "varchar(3)", "no integer type's values fit 3 characters with a sign")
        #expect(Self.fitted("text", "bigint(20)") == "bigint(20)")
        #expect(Self.fitted("character varying(8)", "integer", .postgresql) == "smallint")
    }

    @Test func otherPairsWriteTheOldType() {
        #expect(Self.fitted("int(11)", "varchar(20)") == "int(11)")
        #expect(Self.fitted("datetime", "timestamp") == "datetime")
    }
}
