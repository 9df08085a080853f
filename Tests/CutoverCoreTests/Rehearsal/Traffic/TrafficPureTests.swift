@testable import CutoverProof
import Testing

/// The parts of the traffic library that need no server: type classification, what checks
/// allow, quoting, ordering, and fingerprint comparison.
struct TrafficPureTests {
    static func table(_ columns: [ColumnShape], checks: [String] = [], foreignKeys: [ForeignKeyShape] = [], name: String = "t") -> TableShape {
        TableShape(name: name, columns: columns, primaryKey: ["id"], uniques: [], foreignKeys: foreignKeys, checks: checks)
    }

    static func column(_ name: String, _ type: String) -> ColumnShape {
        ColumnShape(name: name, dataType: type, nullable: false, hasDefault: false, generated: false)
    }

    @Test func postgresTypes() {
        #expect(ColumnKind.postgres("character varying(40)", labels: []) == .text(maxLength: 40))
        #expect(ColumnKind.postgres("character(3)", labels: []) == .text(maxLength: 3))
        #expect(ColumnKind.postgres("numeric(10,2)", labels: []) == .decimal(precision: 10, scale: 2))
        #expect(ColumnKind.postgres("numeric", labels: []) == .decimal(precision: nil, scale: 0))
        #expect(ColumnKind.postgres("timestamp(3) with time zone", labels: []) == .timestamp(zone: true))
        #expect(ColumnKind.postgres("timestamp without time zone", labels: []) == .timestamp(zone: false))
        #expect(ColumnKind.postgres("time without time zone", labels: []) == .time)
        #expect(ColumnKind.postgres("integer[]", labels: []) == .array(element: .integer(bits: 32, unsigned: false), elementType: "integer"))
        #expect(ColumnKind.postgres("mood", labels: ["a", "b"]) == .enumeration(["a", "b"]))
        #expect(ColumnKind.postgres("point", labels: []) == .other)
    }

    @Test func mariadbTypes() {
        #expect(ColumnKind.mariadb("tinyint(1)", labels: []) == .boolean)
        #expect(ColumnKind.mariadb("tinyint(3) unsigned", labels: []) == .integer(bits: 8, unsigned: true))
        #expect(ColumnKind.mariadb("bigint(20)", labels: []) == .integer(bits: 64, unsigned: false))
        #expect(ColumnKind.mariadb("decimal(12,4)", labels: []) == .decimal(precision: 12, scale: 4))
        #expect(ColumnKind.mariadb("varchar(255)", labels: []) == .text(maxLength: 255))
        #expect(ColumnKind.mariadb("datetime(6)", labels: []) == .timestamp(zone: false))
        #expect(ColumnKind.mariadb("varbinary(16)", labels: []) == .binary(maxLength: 16))
        #expect(CatalogShapeReader.enumLabels("enum('a','it''s','c\\\\d')") == ["a", "it's", "c\\d"])
        #expect(CatalogShapeReader.enumLabels("varchar(3)") == [])
    }

    @Test func checksNarrowTheValues() {
        let pg = Self.table([Self.column("id", "integer"), Self.column("quantity", "integer"), Self.column("status", "text")],
                            checks: ["(((quantity >= 1) AND (quantity <= 50)))",
                                     "((status = ANY (ARRAY['new'::text, 'it''s'::text])))"])
        #expect(ColumnKind.checkedRange("quantity", in: pg) == (1, 50))
        #expect(ColumnKind.of(pg.columns[2], in: pg, engine: .postgresql) == .enumeration(["new", "it's"]))
        let my = Self.table([Self.column("id", "int(11)"), Self.column("price", "decimal(8,2)"), Self.column("status", "varchar(9)")],
                            checks: ["`price` > 0 and `price` < 1000.5", "`status` in ('a','b')", "`id` between 3 and 9"])
        #expect(ColumnKind.checkedRange("price", in: my) == (1, 1000))
        #expect(ColumnKind.checkedRange("id", in: my) == (3, 9))
        #expect(ColumnKind.of(my.columns[2], in: my, engine: .mysql) == .enumeration(["a", "b"]))
        // A check on two columns says nothing about either alone.
        let both = Self.table([Self.column("id", "integer"), Self.column("lo", "integer"), Self.column("hi", "integer")],
                              checks: ["((lo < hi) AND (lo > 5))"])
        #expect(ColumnKind.checkedRange("lo", in: both) == (nil, nil))
        #expect(!ColumnKind.mentions("'lo' = x", "lo"))
        #expect(ColumnKind.mentions("\"lo\" > 1", "lo"))
        #expect(!ColumnKind.mentions("slow > 1", "lo"))
    }

    /// A check listing numbers (`legacy_flag IN (0, 1)`) narrows a number column to them: the app
    /// never updates a row to a value its own schema refuses.
    @Test func checkedNumberListsNarrowTheValues() {
        let my = Self.table([Self.column("id", "int(11)"), Self.column("legacy_flag", "tinyint(4)")],
                            checks: ["`legacy_flag` in (0,1)"])
        #expect(ColumnKind.checkedNumbers("legacy_flag", in: my) == ["0", "1"])
        let pg = Self.table([Self.column("id", "integer"), Self.column("flag", "smallint")],
                            checks: ["((flag = ANY (ARRAY[0, 1])))"])
        #expect(ColumnKind.checkedNumbers("flag", in: pg) == ["0", "1"])
        // Strings, or a check on two columns, are no number list.
        let other = Self.table([Self.column("id", "integer"), Self.column("lo", "integer"), Self.column("s", "text")],
                               checks: ["((lo IN (1, 2)) OR (id > lo))", "s in ('a','b')"])
        #expect(ColumnKind.checkedNumbers("lo", in: other) == nil)
        #expect(ColumnKind.checkedNumbers("s", in: other) == nil)
        let expression = SeedExpression(dialect: TrafficSQL(.mysql))
        let column = my.columns[1]
        let kind = ColumnKind.of(column, in: my, engine: .mysql)
        let sql = expression.value(column, kind: kind, table: "customers", g: "765940", unique: false, base: 0,
                                   range: ColumnKind.checkedRange("legacy_flag", in: my),
                                   allowed: ColumnKind.checkedNumbers("legacy_flag", in: my))
        #expect(sql?.hasPrefix("CASE ") == true)
        #expect(sql?.contains("WHEN 0 THEN 0 WHEN 1 THEN 1 END") == true)
        #expect(sql?.contains("% 120") == false)
    }

    @Test func quoting() throws {
        let my = TrafficSQL(.mysql)
        #expect(my.literal("a'b\\c") == "'a''b\\\\c'")
        #expect(my.identifier("we`ird") == "`we``ird`")
        let pg = TrafficSQL(.postgresql)
        #expect(pg.literal("a'b\\c") == "'a''b\\c'")
        #expect(pg.identifier("we\"ird") == "\"we\"\"ird\"")
        #expect(pg.keyCondition(["a", "b"], ["1", nil]) == "\"a\" = '1' AND \"b\" IS NULL")
        #expect(throws: SQLFailure.self) { try TrafficSQL.rows(["not json"]) }
        #expect(try TrafficSQL.rows(["[\"a\", null, \"line\\nbreak\"]"]) == [["a", nil, "line\nbreak"]])
    }

    @Test func parentsBeforeChildren() {
        let shape = AppShape(tables: [
            Self.table([Self.column("id", "integer")], foreignKeys: [ForeignKeyShape(columns: ["o"], referencedTable: "orders", referencedColumns: ["id"])], name: "lines"),
            Self.table([Self.column("id", "integer")], foreignKeys: [ForeignKeyShape(columns: ["c"], referencedTable: "customers", referencedColumns: ["id"])], name: "orders"),
            Self.table([Self.column("id", "integer")], foreignKeys: [ForeignKeyShape(columns: ["p"], referencedTable: "customers", referencedColumns: ["id"])], name: "customers"),
        ])
        #expect(DataSeeder.dependencyOrder(shape: shape, tables: ["lines", "orders", "customers", "lines"]) == ["customers", "orders", "lines"])
        // Parents outside the list do not hold a table back.
        #expect(DataSeeder.dependencyOrder(shape: shape, tables: ["lines"]) == ["lines"])
    }

    @Test func internalNamesAreNoVersionsShape() {
        let shape = AppShape(tables: [
            TableShape(name: "t", columns: [Self.column("id", "integer"), Self.column("_cutover_old", "text")], primaryKey: ["id"],
                       uniques: [["_cutover_old"]], foreignKeys: [], checks: ["(_cutover_old <> '')"]),
            TableShape(name: "_cutover_state", columns: [Self.column("id", "integer")], primaryKey: ["id"], uniques: [], foreignKeys: [], checks: []),
        ])
        let visible = shape.excludingInternal()
        #expect(visible.tables.map(\.name) == ["t"])
        #expect(visible.tables[0].columns.map(\.name) == ["id"])
        #expect(visible.tables[0].uniques.isEmpty && visible.tables[0].checks.isEmpty)
    }

    @Test func fingerprintComparison() {
        func range(_ bucket: Int64, _ count: Int, _ hash: String) -> TableFingerprint.Range {
            .init(bucket: bucket, label: "id \(bucket * 1000)…\(bucket * 1000 + 999)", count: count, hash: hash)
        }
        let before = TableFingerprint(tables: ["t": [range(0, 999, "a"), range(1, 1000, "b"), range(2, 5, "c")], "u": [range(0, 1, "x")]],
                                      keyColumns: ["t": ["id"], "u": ["id"]])
        let after = TableFingerprint(tables: ["t": [range(0, 999, "a"), range(1, 1000, "B"), range(3, 7, "new")]], keyColumns: ["t": ["id"]])
        #expect(before.lost(comparedTo: after) == [
            "t id 1000…1999: 1000 rows before, 1000 after, contents differ",
            "t id 2000…2999: 5 rows before, none after",
            "u: not in the later fingerprint (1 rows before)",
        ])
        #expect(before.lost(comparedTo: before) == [])
    }

    /// Trial 14c: "contents differ" alone did not say which column changed (it took a manual server
    /// start to find customers.tier); the per-column hashes name it where the rows are the same.
    @Test func fingerprintNamesChangedColumns() {
        func range(_ bucket: Int64, _ count: Int, _ hash: String, _ columns: [String]) -> TableFingerprint.Range {
            .init(bucket: bucket, label: "id \(bucket * 1000)…\(bucket * 1000 + 999)", count: count, hash: hash, columnHashes: columns)
        }
        var before = TableFingerprint(tables: ["c": [range(0, 999, "a", ["i", "t1", "e"]), range(1, 1000, "b", ["j", "t2", "f"])]], keyColumns: ["c": ["id"]])
        before.columns = ["c": ["id", "tier", "email"]]
        var after = TableFingerprint(tables: ["c": [range(0, 999, "A", ["i", "T1", "e"]), range(1, 1001, "B", ["j", "T2", "F"])]], keyColumns: ["c": ["id"]])
        after.columns = ["c": ["id", "tier", "email"]]
        #expect(before.lost(comparedTo: after) == [
            "c id 0…999: 999 rows before, 999 after, contents differ in column tier",
            "c id 1000…1999: 1000 rows before, 1001 after, contents differ",
        ])
        after.tables["c"]![0].columnHashes = ["i", "T1", "E"]
        #expect(before.lost(comparedTo: after).first == "c id 0…999: 999 rows before, 999 after, contents differ in columns tier, email")
    }
}
