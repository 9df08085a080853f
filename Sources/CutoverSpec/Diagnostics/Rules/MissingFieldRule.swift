extension RuleID {
    public static let missingField = RuleID("CUT012")
}

/// CUT012 `missing-field`: a required field is missing.
package enum MissingFieldRule: RuleUnit {
    package static let rule = Rule(
        id: .missingField, name: "missing-field", severity: .error, checkedBy: [.shape],
        summary: "a required field is missing",
        rationale: "Fields without a sensible default (the table to change, the Secret with the credentials) must be stated.",
        triggering: [RuleExample(Snippets.spec().replacingOccurrences(of: "    credentialsSecret: billing-db-credentials\n", with: "")).expecting((8, 5))],
        nonTriggering: [RuleExample(Snippets.spec())])
}

extension Message {
    public static func missingField(_ field: String, in context: String) -> String {
        "missing required field '\(field)' in \(context)"
    }
}
