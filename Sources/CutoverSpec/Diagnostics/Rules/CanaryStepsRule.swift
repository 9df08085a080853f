extension RuleID {
    public static let canarySteps = RuleID("CUT034")
}

/// CUT034 `canary-steps`: canary weights are outside 1..100 or decrease.
package enum CanaryStepsRule: RuleUnit {
    package static let rule = Rule(
        id: .canarySteps, name: "canary-steps", severity: .error, checkedBy: [.shape, .consistency],
        summary: "canary weights are outside 1..100 or decrease",
        rationale: "A canary moves traffic forward; a weight that goes down (or 0) would shift users back and forth between versions while the schema is half migrated.",
        triggering: [RuleExample(Snippets.spec(extra: "  rollout:\n    steps:\n      - setWeight: 50\n      - pause: 5m\n      - setWeight: 20\n")).expecting((20, 20))],
        nonTriggering: [RuleExample(Snippets.spec(extra: "  rollout:\n    steps:\n      - setWeight: 20\n      - pause: 5m\n      - setWeight: 50\n"))])

    /// Weights of 1..100 (others are the shape checker's) must not go down; run by `ConsistencyRules`.
    static func check(_ spec: SyntaxNode, diagnostics: inout DiagnosticBag) {
        var highest: Int?
        for step in spec["rollout"]?["steps"]?.items ?? [] {
            guard let node = step["setWeight"], let text = node.scalarValue, let weight = ScalarResolution.integer(text),
                  (1...100).contains(weight) else { continue }
            if let previous = highest, weight < previous {
                diagnostics.report(.canarySteps, Message.decreasingWeight(weight, after: previous), at: node.location)
            }
            highest = max(highest ?? weight, weight)
        }
    }
}

extension Message {
    public static func decreasingWeight(_ weight: Int, after previous: Int) -> String {
        "canary weight \(weight) is lower than the earlier weight \(previous); weights must not decrease"
    }
}
