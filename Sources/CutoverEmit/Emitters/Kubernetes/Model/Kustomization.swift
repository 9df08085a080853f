import Yams

/// `kustomization.yaml`: resources plus one ConfigMap generator for the SQL folder. Only current
/// fields (no commonLabels, bases, patchesStrategicMerge or vars).
public struct Kustomization: Sendable, Equatable {
    public struct ConfigMapGenerator: Sendable, Equatable {
        public var name: String
        public var namespace: String
        public var files: [String]
        public var labels: [KeyValue]
        public var annotations: [KeyValue]

        public init(name: String, namespace: String, files: [String], labels: [KeyValue], annotations: [KeyValue]) {
            self.name = name
            self.namespace = namespace
            self.files = files
            self.labels = labels
            self.annotations = annotations
        }

        func node() -> Node {
            ManifestYAML.mapping([
                ("name", ManifestYAML.string(name)),
                ("namespace", ManifestYAML.string(namespace)),
                ("files", ManifestYAML.strings(files)),
                ("options", ManifestYAML.mapping([
                    ("labels", labels.isEmpty ? nil : KeyValue.node(labels)),
                    ("annotations", annotations.isEmpty ? nil : KeyValue.node(annotations)),
                ])),
            ])
        }
    }

    public var resources: [String]
    public var configMapGenerators: [ConfigMapGenerator]

    public init(resources: [String], configMapGenerators: [ConfigMapGenerator]) {
        self.resources = resources
        self.configMapGenerators = configMapGenerators
    }

    public func node() -> Node {
        ManifestYAML.mapping([
            ("apiVersion", ManifestYAML.string("kustomize.config.k8s.io/v1beta1")),
            ("kind", ManifestYAML.string("Kustomization")),
            ("resources", ManifestYAML.strings(resources)),
            ("configMapGenerator", configMapGenerators.isEmpty ? nil : ManifestYAML.sequence(configMapGenerators.map { $0.node() })),
        ])
    }
}
