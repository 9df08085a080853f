import CutoverPlan
@testable import CutoverProof
import Testing

/// The new version as rehearse plays it keeps rows valid under base constraints still in place until
/// contract (a dropped foreign key, a unique key): also on a table or column the spec renames, whose
/// constraints the base shape has under the old names.
@Suite struct KeptConstraintsTests {
    static func column(_ name: String) -> ColumnShape {
        ColumnShape(name: name, dataType: "integer", nullable: false, hasDefault: false, generated: false)
    }

    @Test func renamedTablesAndColumnsKeepTheirBaseConstraints() {
        let base = AppShape(tables: [
            TableShape(name: "domains", columns: [Self.column("id"), Self.column("code")], primaryKey: ["id"], uniques: [["code"]], foreignKeys: [], checks: []),
            TableShape(name: "records", columns: [Self.column("id"), Self.column("domain_id")], primaryKey: ["id"], uniques: [],
                       foreignKeys: [ForeignKeyShape(columns: ["domain_id"], referencedTable: "domains", referencedColumns: ["id"])], checks: []),
        ])
        // After the forward Jobs: domains renamed to zones (its code to zone_code), the foreign key dropped.
        let after = AppShape(tables: [
            TableShape(name: "zones", columns: [Self.column("id"), Self.column("zone_code")], primaryKey: ["id"], uniques: [], foreignKeys: [], checks: []),
            TableShape(name: "entries", columns: [Self.column("id"), Self.column("zone_id")], primaryKey: ["id"], uniques: [], foreignKeys: [], checks: []),
        ])
        let kept = after.keepingConstraints(of: base, tableRenames: ["zones": "domains", "entries": "records"],
                                            columnRenames: ["domains": ["zone_code": "code"], "entries": ["zone_id": "domain_id"]])
        #expect(kept.table("zones")?.uniques == [["zone_code"]])
        #expect(kept.table("entries")?.foreignKeys == [ForeignKeyShape(columns: ["zone_id"], referencedTable: "zones", referencedColumns: ["id"])])
        // Without the renames nothing is found, as before the fix.
        #expect(after.keepingConstraints(of: base).table("entries")?.foreignKeys == [])
    }
}

/// A column the base schema makes the app fill and the migration lets the server fill (setIdentity adds
/// the identity in contract): the new version as rehearse plays it keeps filling it, as the old one does.
@Suite struct KeptServerFillTests {
    @Test func theNewVersionFillsAColumnWhoseIdentityComesInContract() {
        let plain = ColumnShape(name: "id", dataType: "bigint", nullable: false, hasDefault: false, generated: false)
        var identity = plain
        identity.generated = true
        let base = AppShape(tables: [TableShape(name: "tickets", columns: [plain], primaryKey: ["id"], uniques: [], foreignKeys: [], checks: [])])
        let after = AppShape(tables: [TableShape(name: "tickets", columns: [identity], primaryKey: ["id"], uniques: [], foreignKeys: [], checks: [])])
        #expect(after.keepingConstraints(of: base).table("tickets")?.column("id")?.generated == false)
        // A column the base already has the server fill stays so.
        #expect(after.keepingConstraints(of: after).table("tickets")?.column("id")?.generated == true)
    }
}

/// Trial 14d: a base check on a text column the migration retypes to date (`starts_on ~ '^20…'`) was
/// kept on the new version's shape as it was, so its guarded inserts read `date ~ text`. The sync
/// writes the value's text form into the old column, so the check applies to that form.
@Suite struct KeptChecksOnRetypedColumnsTests {
    static func shape(_ type: String, checks: [String]) -> AppShape {
        AppShape(tables: [TableShape(name: "subs", columns: [ColumnShape(name: "starts_on", dataType: type, nullable: true, hasDefault: false, generated: false)],
                                     primaryKey: [], uniques: [], foreignKeys: [], checks: checks)])
    }

    @Test func aCheckOnARetypedTextColumnAppliesToTheTextForm() {
        let check = "(starts_on ~ '^20[0-9]{2}-0[1-9]-1[0-9]$'::text)"
        let kept = Self.shape("date", checks: []).keepingConstraints(of: Self.shape("text", checks: [check]))
        #expect(kept.table("subs")?.checks == ["(CAST(starts_on AS text) ~ '^20[0-9]{2}-0[1-9]-1[0-9]$'::text)"])
        let mysql = Self.shape("date", checks: []).keepingConstraints(of: Self.shape("varchar(10)", checks: ["`starts_on` regexp '^20'"]), engine: .mysql)
        #expect(mysql.table("subs")?.checks == ["CAST(`starts_on` AS CHAR) regexp '^20'"])
        // Not retyped: kept as it is.
        #expect(Self.shape("text", checks: []).keepingConstraints(of: Self.shape("text", checks: [check])).table("subs")?.checks == [check])
        // From a type whose check cannot be carried over: left out.
        #expect(Self.shape("bigint", checks: []).keepingConstraints(of: Self.shape("integer", checks: ["(starts_on > 0)"])).table("subs")?.checks == [])
    }
}
