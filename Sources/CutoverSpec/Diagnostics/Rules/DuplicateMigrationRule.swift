extension RuleID {
    public static let duplicateMigration = RuleID("CUT026")
}

/// CUT026 `duplicate-migration`: two specs given together use the same metadata.name.
package enum DuplicateMigrationRule: RuleUnit {
    package static let rule = Rule(
        id: .duplicateMigration, name: "duplicate-migration", severity: .error, checkedBy: [.generate],
        summary: "two specs given together use the same metadata.name",
        rationale: "Each migration writes to DIR/<metadata.name>/; two specs with one name would overwrite each other's output. Reported by 'generate' when it is given several specs.",
        triggering: [RuleExample(Snippets.spec(), files: ["other.yaml": Snippets.spec(changes: Snippets.tierChange.replacingOccurrences(of: "name: tier", with: "name: region"))]).expecting(4, 9, in: "other.yaml")],
        nonTriggering: [RuleExample(Snippets.spec(), files: ["other.yaml": Snippets.spec(changes: Snippets.tierChange.replacingOccurrences(of: "name: tier", with: "name: region"))
                    .replacingOccurrences(of: "name: pricing-tiers", with: "name: pricing-regions")])])
}

extension Message {
    public static func duplicateMigration(_ name: String, first: String) -> String {
        "migration name '\(name)' is also used by '\(first)'; each spec writes to its own folder"
    }
}
