extension RuleID {
    public static let inputLimit = RuleID("CUT002")
}

/// CUT002 `input-limit`: the file exceeds a size, depth, node or change-count limit.
package enum InputLimitRule: RuleUnit {
    package static let rule = Rule(
        id: .inputLimit, name: "input-limit", severity: .error, checkedBy: [.input, .syntax, .shape],
        summary: "the file exceeds a size, depth, node or change-count limit",
        rationale: "Specs are small. Limits on bytes, nesting depth, nodes and changes keep validation fast and bounded on hostile input (pre-commit hooks and CI run it on every push). Raise the byte limit with --max-bytes if a real spec needs it.",
        triggering: [RuleExample(Snippets.spec(extra: "  featureFlag: " + String(repeating: "[", count: 40) + String(repeating: "]", count: 40) + "\n")).expecting((16, 46))],
        nonTriggering: [RuleExample(Snippets.spec(extra: "  featureFlag:\n    key: new_pricing\n"))])
}

extension Message {
    public static func fileTooLarge(_ size: Int, limit: Int) -> String {
        "file is \(size) bytes, over the limit of \(limit) bytes (raise it with --max-bytes)"
    }
    public static func scalarTooLong(_ length: Int, limit: Int) -> String {
        "value is \(length) bytes, over the limit of \(limit) bytes"
    }
    public static func tooDeep(limit: Int) -> String { "nesting is deeper than the limit of \(limit) levels" }
    public static func collectionTooLarge(limit: Int) -> String { "a mapping or list here has more than \(limit) entries" }
    public static func tooManyNodes(limit: Int) -> String { "file has more than \(limit) YAML nodes" }
    public static func tooManyChanges(_ count: Int, limit: Int) -> String {
        "spec has \(count) changes, over the limit of \(limit)"
    }
}
