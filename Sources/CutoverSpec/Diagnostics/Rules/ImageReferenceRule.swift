extension RuleID {
    public static let imageReference = RuleID("CUT025")
}

/// CUT025 `image-reference`: a container image reference is malformed.
package enum ImageReferenceRule: RuleUnit {
    package static let rule = Rule(
        id: .imageReference, name: "image-reference", severity: .error, checkedBy: [.shape],
        summary: "a container image reference is malformed",
        rationale: "Images are written into Pod specs; a malformed reference fails only at deploy time.",
        triggering: [RuleExample(Snippets.spec().replacingOccurrences(of: "ghcr.io/acme/webapp:v2.3.1", with: "ghcr.io/acme/WebApp:v2.3.1")).expecting((15, 12))],
        nonTriggering: [RuleExample(Snippets.spec())])
}

extension Message {
    public static func image(_ text: String, problem: String) -> String {
        "'\(text)' is not a valid image reference: \(problem)"
    }
}
