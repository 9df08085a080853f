extension RuleID {
    public static let strategyFields = RuleID("CUT036")
}

/// CUT036 `strategy-fields`: blue-green fields without blue-green, or blue-green without them.
package enum StrategyFieldsRule: RuleUnit {
    package static let rule = Rule(
        id: .strategyFields, name: "strategy-fields", severity: .error, checkedBy: [.consistency],
        summary: "blue-green fields without blue-green, or blue-green without them",
        rationale: "target, replication and switchover describe the green cluster; they mean nothing to expand-contract, and blue-green cannot run without target and switchover. Blue-green copies the database as it is, so it has no 'changes': run schema changes as their own expand-contract migration.",
        triggering: [RuleExample(Snippets.spec(extra: "  replication: logical\n")).expecting((16, 3))],
        nonTriggering: [RuleExample(Snippets.spec())])
}

extension Message {
    public static func blueGreenOnly(_ field: String) -> String {
        "'\(field)' is only used by strategy 'blue-green'; remove it or set 'strategy: blue-green'"
    }
    public static let blueGreenChanges =
        "strategy 'blue-green' copies the database as it is and ignores 'changes'; run the schema changes as a separate expand-contract migration"
    public static func blueGreenNeeds(_ field: String) -> String {
        "strategy 'blue-green' needs '\(field)'"
    }
}
