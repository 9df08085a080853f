extension RuleID {
    public static let wrongType = RuleID("CUT011")
}

/// CUT011 `wrong-type`: a value has the wrong type.
package enum WrongTypeRule: RuleUnit {
    package static let rule = Rule(
        id: .wrongType, name: "wrong-type", severity: .error, checkedBy: [.shape],
        summary: "a value has the wrong type",
        rationale: "Numbers, booleans, strings, lists and mappings are checked against the spec language so a typo never turns into a surprising default.",
        triggering: [RuleExample(Snippets.spec(app: Snippets.app + "    replicas: three\n")).expecting((16, 15))],
        nonTriggering: [RuleExample(Snippets.spec(app: Snippets.app + "    replicas: 3\n"))])
}

extension Message {
    public static let dropDefaultHint = ": to drop a column's default, write `dropDefault: true` in alterColumn"
    public static func wrongType(_ field: String, expected: String, found: String) -> String {
        "'\(field)' must be \(expected), found \(found)"
    }
}
