import Yams

/// Argo Rollouts `argoproj.io/v1alpha1 Rollout` with a canary strategy gated by an AnalysisTemplate.
public struct Rollout: KubernetesObject, Equatable {
    public enum Step: Sendable, Equatable {
        case setWeight(Int)
        /// A pause of this many seconds; written as a duration string ("2m").
        case pause(String)
    }

    public var apiVersion: String { "argoproj.io/v1alpha1" }
    public var kind: String { "Rollout" }
    public var metadata: ObjectMeta
    public var replicas: Int
    public var selector: [KeyValue]
    public var analysisTemplate: String?
    /// Analysis args filled from the Rollout's ReplicaSets: arg name → `Latest` (the canary) or `Stable`.
    public var podTemplateHashArgs: [KeyValue] = []
    public var steps: [Step]
    /// The pod template, when the Rollout carries its own; nil with `workloadRef`.
    public var template: PodTemplate?
    /// The Deployment whose pod template the Rollout uses (`workloadRef`, `scaleDown: progressively`).
    public var workloadRef: String?

    public init(metadata: ObjectMeta, replicas: Int, selector: [KeyValue], analysisTemplate: String?, steps: [Step],
                template: PodTemplate?, workloadRef: String? = nil) {
        self.metadata = metadata
        self.replicas = replicas
        self.selector = selector
        self.analysisTemplate = analysisTemplate
        self.steps = steps
        self.template = template
        self.workloadRef = workloadRef
    }

    public func bodyFields() -> [(String, Node?)] {
        let steps = self.steps.map { step -> Node in
            switch step {
            case .setWeight(let weight): return ManifestYAML.mapping([("setWeight", ManifestYAML.int(weight))])
            case .pause(let duration):
                return ManifestYAML.mapping([("pause", ManifestYAML.mapping([("duration", ManifestYAML.string(duration))]))])
            }
        }
        let canary = ManifestYAML.mapping([
            ("analysis", analysisTemplate.map {
                ManifestYAML.mapping([
                    ("templates", ManifestYAML.sequence([ManifestYAML.mapping([("templateName", ManifestYAML.string($0))])])),
                    ("args", podTemplateHashArgs.isEmpty ? nil : ManifestYAML.sequence(podTemplateHashArgs.map {
                        ManifestYAML.mapping([
                            ("name", ManifestYAML.string($0.key)),
                            ("valueFrom", ManifestYAML.mapping([("podTemplateHashValue", ManifestYAML.string($0.value))])),
                        ])
                    })),
                ])
            }),
            ("steps", steps.isEmpty ? nil : ManifestYAML.sequence(steps)),
        ])
        return [("spec", ManifestYAML.mapping([
            ("replicas", ManifestYAML.int(replicas)),
            ("revisionHistoryLimit", ManifestYAML.int(3)),
            ("selector", ManifestYAML.mapping([("matchLabels", KeyValue.node(selector))])),
            ("workloadRef", workloadRef.map {
                ManifestYAML.mapping([("apiVersion", ManifestYAML.string("apps/v1")), ("kind", ManifestYAML.string("Deployment")),
                                      ("name", ManifestYAML.string($0)), ("scaleDown", ManifestYAML.string("progressively"))])
            }),
            ("strategy", ManifestYAML.mapping([("canary", canary)])),
            ("template", template?.node()),
        ]))]
    }
}
