import Yams

/// `metadata`: name, namespace, labels, annotations, in that order. Labels and annotations keep
/// the order they were added in (the builders add them in a fixed order, spec labels sorted).
public struct ObjectMeta: Sendable, Equatable {
    public var name: String
    public var namespace: String
    public var labels: [KeyValue]
    public var annotations: [KeyValue]

    public init(name: String, namespace: String, labels: [KeyValue] = [], annotations: [KeyValue] = []) {
        self.name = name
        self.namespace = namespace
        self.labels = labels
        self.annotations = annotations
    }

    public func node() -> Node {
        ManifestYAML.mapping([
            ("name", ManifestYAML.string(name)),
            ("namespace", ManifestYAML.string(namespace)),
            ("labels", labels.isEmpty ? nil : KeyValue.node(labels)),
            ("annotations", annotations.isEmpty ? nil : KeyValue.node(annotations)),
        ])
    }
}
