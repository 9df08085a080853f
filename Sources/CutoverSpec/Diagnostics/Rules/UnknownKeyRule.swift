extension RuleID {
    public static let unknownKey = RuleID("CUT010")
}

/// CUT010 `unknown-key`: a key the spec language does not define.
package enum UnknownKeyRule: RuleUnit {
    package static let rule = Rule(
        id: .unknownKey, name: "unknown-key", severity: .error, checkedBy: [.shape],
        summary: "a key the spec language does not define",
        rationale: "A misspelt key would otherwise be ignored silently and its default used, e.g. a NOT NULL column created nullable. The message suggests the closest known key.",
        triggering: [RuleExample(Snippets.spec(changes: Snippets.tierChange.replacingOccurrences(of: "type: text", with: "type: text\n          nulable: true"))).expecting((22, 11))],
        nonTriggering: [RuleExample(Snippets.spec(changes: Snippets.tierChange.replacingOccurrences(of: "type: text", with: "type: text\n          nullable: true")))])
}

extension Message {
    public static func unknownKey(_ key: String, in context: String, suggestion: String?) -> String {
        if let suggestion { return "unknown key '\(key)' in \(context) (did you mean '\(suggestion)'?)" }
        return "unknown key '\(key)' in \(context)"
    }
}
