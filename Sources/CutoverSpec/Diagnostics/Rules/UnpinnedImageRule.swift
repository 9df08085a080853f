extension RuleID {
    public static let unpinnedImage = RuleID("CUT051")
}

/// CUT051 `unpinned-image`: an image without a version tag or digest (warning).
package enum UnpinnedImageRule: RuleUnit {
    package static let rule = Rule(
        id: .unpinnedImage, name: "unpinned-image", severity: .warning, checkedBy: [.consistency],
        summary: "an image without a version tag or digest (warning)",
        rationale: "':latest' or no tag means the code that runs can change under the migration; pin a version tag, or better a digest.",
        triggering: [RuleExample(Snippets.spec().replacingOccurrences(of: "ghcr.io/acme/webapp:v2.3.1", with: "ghcr.io/acme/webapp:latest")).expecting((15, 12))],
        nonTriggering: [RuleExample(Snippets.spec())])

    /// The app's and the runner's image, when well-formed; run by `ConsistencyRules`.
    static func check(_ spec: SyntaxNode, diagnostics: inout DiagnosticBag) {
        for (field, node) in [("app.image", spec["app"]?["image"]), ("runner.image", spec["runner"]?["image"])] {
            guard let node, let text = node.scalarValue, KubernetesText.imageProblem(text) == nil else { continue }
            if let problem = pinningProblem(text) {
                diagnostics.report(.unpinnedImage, Message.unpinnedImage(text, field: field, problem: problem), at: node.location)
            }
        }
    }

    /// Nil for `repo@sha256:…` or `repo:tag` with a tag other than `latest`.
    static func pinningProblem(_ image: String) -> String? {
        if image.contains("@") { return nil }
        let lastSlash = image.lastIndex(of: "/")
        guard let colon = image.lastIndex(of: ":"), lastSlash.map({ colon > $0 }) ?? true else { return "it has no tag" }
        return image[image.index(after: colon)...] == "latest" ? "its tag is 'latest'" : nil
    }
}

extension Message {
    public static func unpinnedImage(_ image: String, field: String, problem: String) -> String {
        "'\(field)' '\(image)' is not pinned: \(problem); use a version tag or a digest (image@sha256:…)"
    }
}
