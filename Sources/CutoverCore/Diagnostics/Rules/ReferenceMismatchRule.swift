extension RuleID {
    public static let referenceMismatch = RuleID("CUT049")
}

/// CUT049 `reference-mismatch`: a foreign key, checksum, backfill or column replacement does not fit the table's keys.
enum ReferenceMismatchRule: RuleUnit {
    static let rule = Rule(
        id: .referenceMismatch, name: "reference-mismatch", severity: .error, checkedBy: [.references],
        summary: "a foreign key, checksum, backfill or column replacement does not fit the table's keys",
        rationale: "A foreign key needs as many columns as it references, and must reference a primary or unique key; 'set null' needs nullable columns. Checksums compare primary-key ranges and batched backfills walk the primary key, so checksummed tables and tables a change backfills (a NOT NULL column filled by 'up', a rename, a type change that rewrites) need a primary key. A rename or rewriting type change moves the data to a new column and retires the old one, so it cannot apply to a primary-key column or a column that foreign keys reference.",
        triggering: [RuleExample(Snippets.spec(changes: Snippets.fkChange.replacingOccurrences(of: "columns: [id]", with: "columns: [id, region]"))).expecting((23, 21))],
        nonTriggering: [RuleExample(Snippets.spec(changes: Snippets.fkChange))])
}
