extension RuleID {
    public static let emptyChanges = RuleID("CUT016")
}

/// CUT016 `empty-changes`: an expand-contract migration without changes.
package enum EmptyChangesRule: RuleUnit {
    package static let rule = Rule(
        id: .emptyChanges, name: "empty-changes", severity: .error, checkedBy: [.shape, .consistency],
        summary: "an expand-contract migration without changes",
        rationale: "Expand-contract exists to change a schema; without changes there is nothing to expand or contract. Only blue-green (a move or upgrade) may have no changes.",
        triggering: [RuleExample(Snippets.spec(changes: "  changes: []\n", raw: true)).expecting((16, 12))],
        nonTriggering: [RuleExample(Snippets.spec())])
}

extension Message {
    public static let emptyChanges = "an expand-contract migration needs at least one change"
    public static let missingChanges = "an expand-contract migration needs 'changes' with at least one change"
}
