import Yams

/// `batch/v1 Job`: bounded retries and run time, cleaned up a day after it finished.
public struct Job: KubernetesObject, Equatable {
    public var apiVersion: String { "batch/v1" }
    public var kind: String { "Job" }
    public var metadata: ObjectMeta
    public var backoffLimit: Int
    public var activeDeadlineSeconds: Int
    public var ttlSecondsAfterFinished: Int
    public var template: PodTemplate

    public init(metadata: ObjectMeta, backoffLimit: Int, activeDeadlineSeconds: Int, ttlSecondsAfterFinished: Int = 86_400,
                template: PodTemplate) {
        self.metadata = metadata
        self.backoffLimit = backoffLimit
        self.activeDeadlineSeconds = activeDeadlineSeconds
        self.ttlSecondsAfterFinished = ttlSecondsAfterFinished
        self.template = template
    }

    public func bodyFields() -> [(String, Node?)] {
        [("spec", ManifestYAML.mapping([
            ("backoffLimit", ManifestYAML.int(backoffLimit)),
            ("activeDeadlineSeconds", ManifestYAML.int(activeDeadlineSeconds)),
            ("ttlSecondsAfterFinished", ManifestYAML.int(ttlSecondsAfterFinished)),
            ("template", template.node()),
        ]))]
    }
}
