extension RuleID {
    public static let inlineSecret = RuleID("CUT050")
}

/// CUT050 `inline-secret`: a credential written into the spec.
package enum InlineSecretRule: RuleUnit {
    package static let rule = Rule(
        id: .inlineSecret, name: "inline-secret", severity: .error, checkedBy: [.shape, .consistency],
        summary: "a credential written into the spec",
        rationale: "Specs live in Git. Passwords, tokens and connection strings with credentials belong in a Secret that the spec names with database.credentialsSecret.",
        triggering: [RuleExample(Snippets.spec(database: Snippets.pgDatabase + "    password: hunter2\n")).expecting((13, 5))],
        nonTriggering: [RuleExample(Snippets.spec())])
}

extension Message {
    public static func inlineSecret(_ key: String) -> String {
        "'\(key)' looks like a credential; never put secrets in a spec, reference a Secret with 'database.credentialsSecret'"
    }
    public static func credentialsInURL(_ field: String) -> String {
        "'\(field)' carries credentials in a URL; reference a Secret with 'database.credentialsSecret'"
    }
    public static func passwordInSQL(_ what: String, field: String) -> String {
        "'\(field)' writes a password into SQL ('\(what)'); never put secrets in a spec, reference a Secret with 'database.credentialsSecret'"
    }
}
