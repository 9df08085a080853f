extension RuleID {
    public static let unpinnedImage = RuleID("CUT051")
}

/// CUT051 `unpinned-image`: an image without a version tag or digest (warning).
enum UnpinnedImageRule: RuleUnit {
    static let rule = Rule(
        id: .unpinnedImage, name: "unpinned-image", severity: .warning, checkedBy: [.consistency],
        summary: "an image without a version tag or digest (warning)",
        rationale: "':latest' or no tag means the code that runs can change under the migration; pin a version tag, or better a digest.",
        triggering: [RuleExample(Snippets.spec().replacingOccurrences(of: "ghcr.io/acme/webapp:v2.3.1", with: "ghcr.io/acme/webapp:latest")).expecting((15, 12))],
        nonTriggering: [RuleExample(Snippets.spec())])
}
