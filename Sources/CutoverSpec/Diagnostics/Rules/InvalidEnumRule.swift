extension RuleID {
    public static let invalidEnum = RuleID("CUT013")
}

/// CUT013 `invalid-enum`: a value is not one of the allowed choices.
package enum InvalidEnumRule: RuleUnit {
    package static let rule = Rule(
        id: .invalidEnum, name: "invalid-enum", severity: .error, checkedBy: [.shape],
        summary: "a value is not one of the allowed choices",
        rationale: "Engines, operators, tools, strategies and phases are closed sets; the message lists them and suggests the closest.",
        triggering: [RuleExample(Snippets.spec().replacingOccurrences(of: "engine: postgresql", with: "engine: postgres")).expecting((8, 13))],
        nonTriggering: [RuleExample(Snippets.spec())])
}

extension Message {
    public static func invalidEnum(_ value: String, field: String, allowed: [String], suggestion: String?) -> String {
        let list = allowed.map { "'\($0)'" }.joined(separator: ", ")
        if let suggestion { return "'\(field)' must be one of \(list), found '\(value)' (did you mean '\(suggestion)'?)" }
        return "'\(field)' must be one of \(list), found '\(value)'"
    }
}
