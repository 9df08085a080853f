extension RuleID {
    public static let alreadyExists = RuleID("CUT044")
}

/// CUT044 `already-exists`: a change creates something that already exists, or renames to the same name.
package enum AlreadyExistsRule: RuleUnit {
    package static let rule = Rule(
        id: .alreadyExists, name: "already-exists", severity: .error, checkedBy: [.references],
        summary: "a change creates something that already exists, or renames to the same name",
        rationale: "Tables, columns, indexes and constraints must have new names, including the names PostgreSQL gives implicitly ('<table>_pkey', '<table>_<column>_key'). Renaming something to its own name is a no-op that is almost always a typo.",
        triggering: [RuleExample(Snippets.spec(changes: "    - createIndex:\n        name: pricing_tier_idx\n        table: pricing\n        columns: [tier]\n    - createIndex:\n        name: pricing_tier_idx\n        table: pricing\n        columns: [region]\n")).expecting((22, 15)),
                     // A renamed table's old name stays a view until contract.
                     RuleExample(Snippets.spec(changes: "    - renameTable:\n        from: pricing\n        to: prices\n    - createTable:\n        name: pricing\n        columns:\n          - {name: id, type: bigint, nullable: false}\n        primaryKey: [id]\n")).expecting((21, 15))],
        nonTriggering: [RuleExample(Snippets.spec(changes: "    - createIndex:\n        name: pricing_tier_idx\n        table: pricing\n        columns: [tier]\n    - createIndex:\n        name: pricing_region_idx\n        table: pricing\n        columns: [region]\n"))])
}

extension Message {
    public static func columnExists(_ name: String, table: String) -> String {
        "table '\(table)' already has a column '\(name)'"
    }
    public static func duplicateColumn(_ name: String, table: String) -> String {
        "column '\(name)' is defined twice in table '\(table)'"
    }
    public static func duplicateListed(_ name: String, list: String) -> String {
        "'\(name)' is listed twice in '\(list)'"
    }
    public static func tableExists(_ name: String) -> String { "table '\(name)' already exists" }
    public static func renameToItself(_ what: String, _ name: String) -> String {
        "this renames \(what) '\(name)' to itself; 'to' must be a new name"
    }
    public static func objectExists(_ name: String, existing: String, table: String) -> String {
        "the name '\(name)' is already taken by \(existing.first == "i" ? "an" : "a") \(existing) on table '\(table)'"
    }
    public static func nameTakenByTable(_ name: String) -> String {
        "the name '\(name)' is already taken by a table; on PostgreSQL indexes and tables share one namespace"
    }
    public static func nameTakenByCompatibilityView(_ name: String, table: String, line: Int) -> String {
        "the name '\(name)' is held by the compatibility view of '\(table)' (renamed at line \(line)) until contract: pick another name, or create it in a migration after this one"
    }
    public static func nameTakenByIndex(_ name: String, kind: String, table: String) -> String {
        "the name '\(name)' is already taken by the \(kind) on table '\(table)'; on PostgreSQL indexes and tables share one namespace"
    }
}
