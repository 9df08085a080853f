import Foundation
@testable import CutoverPlan
@testable import CutoverSpec
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

    /// Trial 14d: VARCHAR(10) → DATE on MySQL (a hidden copy) wrote the old type's text ('848154'),
    /// which the DATE copy refuses. Now dates, whose text form the old length takes.
    @Test func textToADateWritesDatesWhoseTextFits() {
        #expect(Self.fitted("varchar(10)", "date") == "date")
        #expect(Self.fitted("varchar(9)", "date") == "varchar(9)", "'2000-01-01' takes 10 characters")
        #expect(Self.fitted("varchar(12)", "datetime") == "varchar(12)")
        #expect(Self.fitted("varchar(19)", "datetime") == "datetime")
        #expect(Self.fitted("text", "date", .postgresql) == "date")
    }

    @Test func otherPairsWriteTheOldType() {
        #expect(Self.fitted("int(11)", "varchar(20)") == "int(11)")
        #expect(Self.fitted("datetime", "timestamp") == "datetime")
    }
}

/// Issue #14, user trial (SHOULD-FIX 4): which retyped columns the new version's traffic keeps within
/// both types. Enum label appends were the only in-place change counted; every type change the
/// language allows is now, by how it is lowered (`SharedRetypedColumns.of`).
@Suite struct SharedRetypedColumnKindsTests {
    static func columns(engine: String, change: String, schema: String, views: Bool) throws -> [String: Set<String>] {
        var yaml = RollbackNullTests.yaml(engine: engine, change: change)
        if views { yaml = yaml.replacingOccurrences(of: "\n    versionSchemas: none", with: "") }
        let (plan, folder) = try RollbackNullTests.plan(yaml, schema: schema)
        defer { try? FileManager.default.removeItem(at: folder) }
        return SharedRetypedColumns.of(LoweringContext(spec: plan.spec, schema: plan.schema)).columns
    }

    static let mysqlSchema = "CREATE TABLE items (id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY, note VARCHAR(40) NULL, kind ENUM('a','b') NOT NULL DEFAULT 'a', n INT NULL) ENGINE=InnoDB;"
    static let pgSchema = "CREATE TABLE items (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, note varchar(40), n integer);"

    @Test(arguments: [true, false])
    func mysqlCountsEveryTypeChange(_ views: Bool) throws {
        // In place: a VARCHAR widening within one length byte (160 → 240 bytes in utf8mb4; its rollback
        // narrows with a fit check) and an enum append.
        #expect(try Self.columns(engine: "mysql", change: "{table: items, column: note, type: VARCHAR(60)}", schema: Self.mysqlSchema, views: views) == ["items": ["note"]])
        #expect(try Self.columns(engine: "mysql", change: "{table: items, column: kind, type: \"ENUM('a','b','c')\"}", schema: Self.mysqlSchema, views: views) == ["items": ["kind"]])
        // Through a hidden copy.
        #expect(try Self.columns(engine: "mysql", change: "{table: items, column: n, type: BIGINT}", schema: Self.mysqlSchema, views: views) == ["items": ["n"]])
        // The same type: nothing to keep within.
        #expect(try Self.columns(engine: "mysql", change: "{table: items, column: n, type: INT}", schema: Self.mysqlSchema, views: views).isEmpty)
    }

    /// With version schemas a rewritten column of numbers or text counts too (trial 14c): the view shows
    /// the copy in the new type, but the two-way sync trigger casts each value of the new version into
    /// the old column while the old version serves ('legacy_ref-…' into integer failed). Other pairs
    /// (date → timestamptz) are left to the new type, whose values the old one takes.
    @Test func postgresqlCountsInPlaceChangesAndNumberOrTextRewritesWithViewsAndEveryChangeWithout() throws {
        let widen = "{table: items, column: note, type: varchar(80)}", retype = "{table: items, column: n, type: bigint}"
        let toText = "{table: items, column: n, type: varchar(20)}", stamp = "{table: items, column: d, type: timestamp with time zone}"
        let schema = "CREATE TABLE items (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, note varchar(40), n integer, d date);"
        #expect(try Self.columns(engine: "postgresql", change: widen, schema: schema, views: true) == ["items": ["note"]], "the same column for both versions; its rollback narrows")
        #expect(try Self.columns(engine: "postgresql", change: widen, schema: schema, views: false) == ["items": ["note"]])
        #expect(try Self.columns(engine: "postgresql", change: retype, schema: schema, views: true) == ["items": ["n"]], "the sync casts the copy's values into integer")
        #expect(try Self.columns(engine: "postgresql", change: toText, schema: schema, views: true) == ["items": ["n"]])
        #expect(try Self.columns(engine: "postgresql", change: stamp, schema: schema, views: true).isEmpty, "a time stamp converts into a date")
        #expect(try Self.columns(engine: "postgresql", change: retype, schema: schema, views: false) == ["items": ["n"]])
        #expect(try Self.columns(engine: "postgresql", change: stamp, schema: schema, views: false) == ["items": ["d"]])
    }

    /// Trial 14d: an enum retyped to text with version schemas wrote 'plan-…', which the sync
    /// trigger's `down` cannot cast back into the enum. It counts now, so the new version writes
    /// the enum's labels (`fitting` keeps the old type for that pair).
    @Test func postgresqlCountsAnEnumRetypedToText() throws {
        let schema = "CREATE TYPE kind AS ENUM ('a', 'b');\nCREATE TABLE items (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, k kind NOT NULL DEFAULT 'a');"
        #expect(try Self.columns(engine: "postgresql", change: "{table: items, column: k, type: text, down: \"CAST(k AS kind)\"}", schema: schema, views: true) == ["items": ["k"]])
        let before = ColumnShape(name: "k", dataType: "kind", nullable: false, hasDefault: true, generated: false, enumLabels: ["a", "b"])
        let after = ColumnShape(name: "k", dataType: "text", nullable: false, hasDefault: true, generated: false)
        let table = { (column: ColumnShape) in TableShape(name: "items", columns: [column], primaryKey: [], uniques: [], foreignKeys: [], checks: []) }
        let fitted = SharedRetypedColumns.fitting(old: before, oldTable: table(before), new: after, newTable: table(after), engine: .postgresql)
        #expect(fitted.enumLabels == ["a", "b"])
        #expect(ColumnKind.of(fitted, in: table(fitted), engine: .postgresql) == .enumeration(["a", "b"]))
    }

    /// An integer retyped to text: numbers the old integer holds and the new length takes.
    @Test func anIntegerRetypedToTextWritesNumbersThatFitBoth() {
        #expect(SharedRetypedColumnsTests.fitted("integer", "character varying(20)", .postgresql) == "integer")
        #expect(SharedRetypedColumnsTests.fitted("integer", "character varying(6)", .postgresql) == "smallint")
        #expect(SharedRetypedColumnsTests.fitted("int(11)", "varchar(5)") == "tinyint")
    }

    /// What the narrowed new version then writes into the widened VARCHAR: the old length.
    @Test func aWidenedVarcharIsWrittenWithinTheOldLength() {
        #expect(SharedRetypedColumnsTests.fitted("varchar(40)", "varchar(80)") == "varchar(40)")
        #expect(SharedRetypedColumnsTests.fitted("character varying(40)", "character varying(80)", .postgresql) == "character varying(40)")
        #expect(SharedRetypedColumnsTests.fitted("enum('a','b')", "enum('a','b','c')") == "enum('a','b')")
    }
}

extension SharedRetypedColumnKindsTests {
    /// VARCHAR(40) → VARCHAR(80) in utf8mb4 crosses 255 bytes (a second length byte): a hidden copy, counted before too.
    @Test func mysqlWideningPastOneLengthByteGoesThroughACopy() throws {
        #expect(try Self.columns(engine: "mysql", change: "{table: items, column: note, type: VARCHAR(80)}", schema: Self.mysqlSchema, views: true) == ["items": ["note"]])
    }
}
