import Yams

/// A pod template: labels only in its metadata, then the pod spec.
public struct PodTemplate: Sendable, Equatable {
    public var labels: [KeyValue]
    public var spec: PodSpec

    public init(labels: [KeyValue], spec: PodSpec) {
        self.labels = labels
        self.spec = spec
    }

    public func node() -> Node {
        ManifestYAML.mapping([
            ("metadata", ManifestYAML.mapping([("labels", KeyValue.node(labels))])),
            ("spec", spec.node()),
        ])
    }
}
