/// What each rule is for, shown by `cutover explain` and in SARIF. Placeholder until the rule texts land.
public enum RuleDocumentation {
    public static func summary(_ rule: RuleID) -> String { rule.name.replacingOccurrences(of: "-", with: " ") }
}

extension RuleDocumentation {
    public static func explain(_ rule: RuleID) -> String {
        "\(rule.rawValue) \(rule.name) (\(rule.defaultSeverity.rawValue))\n\n\(summary(rule))\n"
    }
}
