extension RuleID {
    public static let alreadyExists = RuleID("CUT044")
}

/// CUT044 `already-exists`: a change creates something that already exists, or renames to the same name.
enum AlreadyExistsRule: RuleUnit {
    static let rule = Rule(
        id: .alreadyExists, name: "already-exists", severity: .error, checkedBy: [.references],
        summary: "a change creates something that already exists, or renames to the same name",
        rationale: "Tables, columns, indexes and constraints must have new names, including the names PostgreSQL gives implicitly ('<table>_pkey', '<table>_<column>_key'). Renaming something to its own name is a no-op that is almost always a typo.",
        triggering: [RuleExample(Snippets.spec(changes: "    - createIndex:\n        name: pricing_tier_idx\n        table: pricing\n        columns: [tier]\n    - createIndex:\n        name: pricing_tier_idx\n        table: pricing\n        columns: [region]\n")).expecting((22, 15))],
        nonTriggering: [RuleExample(Snippets.spec(changes: "    - createIndex:\n        name: pricing_tier_idx\n        table: pricing\n        columns: [tier]\n    - createIndex:\n        name: pricing_region_idx\n        table: pricing\n        columns: [region]\n"))])
}
