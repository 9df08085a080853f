import Yams

/// `batch/v1 Job`: bounded retries and run time, cleaned up a day after it finished.
public struct Job: KubernetesObject, Equatable {
    public var apiVersion: String { "batch/v1" }
    public var kind: String { "Job" }
    public var metadata: ObjectMeta
    public var backoffLimit: Int
    public var activeDeadlineSeconds: Int
    public var ttlSecondsAfterFinished: Int
    /// `Failed`: a retry's pod starts only once the failed one has fully terminated (batch/v1, beta and
    /// on by default from Kubernetes 1.29; older servers drop the field). Nil: Kubernetes' default,
    /// which starts it as soon as the old pod is terminating.
    public var podReplacementPolicy: String?
    /// Which failed pods count against `backoffLimit`, and which fail the Job at once. With a policy,
    /// Kubernetes defaults `podReplacementPolicy` to `Failed` (the only value it then allows).
    public var podFailurePolicy: PodFailurePolicy?
    public var template: PodTemplate

    public init(metadata: ObjectMeta, backoffLimit: Int, activeDeadlineSeconds: Int, ttlSecondsAfterFinished: Int = 86_400,
                podReplacementPolicy: String? = nil, podFailurePolicy: PodFailurePolicy? = nil, template: PodTemplate) {
        self.metadata = metadata
        self.backoffLimit = backoffLimit
        self.activeDeadlineSeconds = activeDeadlineSeconds
        self.ttlSecondsAfterFinished = ttlSecondsAfterFinished
        self.podReplacementPolicy = podReplacementPolicy
        self.podFailurePolicy = podFailurePolicy
        self.template = template
    }

    public func bodyFields() -> [(String, Node?)] {
        [("spec", ManifestYAML.mapping([
            ("backoffLimit", ManifestYAML.int(backoffLimit)),
            ("activeDeadlineSeconds", ManifestYAML.int(activeDeadlineSeconds)),
            ("ttlSecondsAfterFinished", ManifestYAML.int(ttlSecondsAfterFinished)),
            ("podReplacementPolicy", podReplacementPolicy.map(ManifestYAML.string)),
            ("podFailurePolicy", podFailurePolicy?.node()),
            ("template", template.node()),
        ]))]
    }
}
