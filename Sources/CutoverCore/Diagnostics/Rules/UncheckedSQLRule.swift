extension RuleID {
    public static let uncheckedSQL = RuleID("CUT047")
}

/// CUT047 `unchecked-sql`: a 'sql' change is not checked (warning).
enum UncheckedSQLRule: RuleUnit {
    static let rule = Rule(
        id: .uncheckedSQL, name: "unchecked-sql", severity: .warning, checkedBy: [.references],
        summary: "a 'sql' change is not checked (warning)",
        rationale: "The escape hatch runs as written: cutover cannot make it lock-safe or idempotent, nor check that 'down' undoes 'up', and it checks references after it only as far as it can read the up's DDL (CREATE/ALTER/DROP TABLE, CREATE/DROP INDEX). Prefer a structured operation.",
        triggering: [RuleExample(Snippets.spec(changes: "    - sql:\n        name: add-tier\n        up: ALTER TABLE pricing ADD COLUMN tier text;\n        down: ALTER TABLE pricing DROP COLUMN tier;\n")).expecting((17, 7))],
        nonTriggering: [RuleExample(Snippets.spec())])
}

extension Message {
    public static func uncheckedSQL(_ name: String) -> String {
        "sql change '\(name)' is not checked: cutover cannot verify that it is safe, idempotent or that 'down' undoes 'up'"
    }
}
