extension RuleID {
    public static let duration = RuleID("CUT030")
}

/// CUT030 `duration`: a duration is not a positive number with a unit.
package enum DurationRule: RuleUnit {
    package static let rule = Rule(
        id: .duration, name: "duration", severity: .error, checkedBy: [.shape],
        summary: "a duration is not a positive number with a unit",
        rationale: "Timeouts and pauses become lock_timeout, statement_timeout, activeDeadlineSeconds and canary pauses; '500ms', '2s', '5m' and '1h' are the accepted forms.",
        triggering: [RuleExample(Snippets.spec(extra: "  runner:\n    lockTimeout: 5 minutes\n")).expecting((17, 18))],
        nonTriggering: [RuleExample(Snippets.spec(extra: "  runner:\n    lockTimeout: 5m\n"))])
}

extension Message {
    public static func duration(_ text: String, field: String) -> String {
        "'\(text)' is not a valid duration for '\(field)'; write a positive number and a unit: 500ms, 2s, 5m, 1h"
    }
}
