extension RuleID {
    public static let identityDropIds = RuleID("CUT115")
}

/// CUT115 `identity-drop-ids` (issue #13 audit, g-pg-identity-none): `setIdentity identity: none` drops
/// an identity in contract, so until then the old version still leaves the column out and takes ids
/// from the identity's sequence, while the new version (whose schema has no identity and no default)
/// must send them. An id the sequence has not handed out yet is one it will hand the old version later:
/// duplicate key (23505). No lowering can keep two numberings apart when one of them is the app's own,
/// so the warning says what the new version must do, and rehearse's derived traffic does it.
enum IdentityDropIdsRule: RuleUnit {
    static let rule = Rule(
        id: .identityDropIds, name: "identity-drop-ids", severity: .warning, checkedBy: [.references],
        summary: "setIdentity identity: none: until contract the new version must take the ids it sends from the identity's sequence (warning)",
        rationale: "PostgreSQL's identity numbers a row only when the insert leaves the column out, and an explicit value does not move its sequence. `setIdentity identity: none` drops the identity (and its sequence) in contract, when the old version, which leaves the column out, is gone; an ALWAYS identity first becomes BY DEFAULT in expand, so that the new version may send ids. Until contract both versions insert: the old one through the sequence, the new one with ids of its own, since its schema has no identity and no default. An id the sequence has not reached yet is one it hands the old version later, which then fails with a duplicate key (23505), and after a rollback the old version meets the ids the new one wrote. So until contract the new version must take the ids it sends from the identity's sequence, `nextval(pg_get_serial_sequence('<schema>.<table>', '<column>'))` (the base table, schema-qualified: through its schema of views the name is a view's), and after contract, when that returns NULL, number its rows past the largest id the table holds (or from a sequence of its own that starts there). The plan README says so, and rehearse's derived traffic does it (`COALESCE(nextval(…), max + 1)`). Each rollback moves the restored identity's sequence past the column's largest value, under the lock its ALTER takes.",
        triggering: [RuleExample(Snippets.spec(database: Snippets.pgDatabase + "    schema: schema.sql\n", changes: drop("pricing")),
                                 files: ["schema.sql": Snippets.pricingSchema]).expecting((21, 19))],
        nonTriggering: [RuleExample(Snippets.spec(database: Snippets.pgDatabase + "    schema: schema.sql\n",
                                                  changes: "    - setIdentity:\n        table: pricing\n        column: id\n        identity: byDefault\n"),
                                    files: ["schema.sql": Snippets.pricingSchema])])

    private static func drop(_ table: String) -> String { "    - setIdentity:\n        table: \(table)\n        column: id\n        identity: none\n" }
}

extension Message {
    /// `schema`: the spec's (`database.schemaName`): through the new version's schema of views a bare name is a view's, which has no sequence.
    public static func identityDropIds(_ column: String, table: String, schema: String) -> String {
        let relation = SQLNames(engine: .postgresql).relationText(schema: schema, table: table).doublingScalars("'")
        return "the identity of '\(table).\(column)' is dropped in contract: until then the old version takes ids from its sequence, so the new version must send ids it takes from that sequence too (nextval(pg_get_serial_sequence('\(relation)', '\(column)')), the base table, schema-qualified), and after contract, when that is NULL, ids past the largest the table holds; any other id may be one the sequence hands the old version later (duplicate key)"
    }
}
