import Yams

/// An environment variable: a literal value, or a key of a ConfigMap (`valueFrom.configMapKeyRef`).
/// Only non-secret settings use these: credentials are always read from the mounted Secret files.
public struct EnvVar: Sendable, Equatable {
    /// `valueFrom.configMapKeyRef`: the ConfigMap, its key, and whether the pod starts without them.
    public struct ConfigMapKey: Sendable, Equatable {
        public var name: String
        public var key: String
        public var optional: Bool

        public init(name: String, key: String, optional: Bool) {
            self.name = name
            self.key = key
            self.optional = optional
        }
    }

    public var name: String
    public var value: String
    public var configMapKey: ConfigMapKey?

    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
        self.configMapKey = nil
    }

    public init(_ name: String, from configMapKey: ConfigMapKey) {
        self.name = name
        self.value = ""
        self.configMapKey = configMapKey
    }

    public func node() -> Node {
        guard let ref = configMapKey else {
            return ManifestYAML.mapping([("name", ManifestYAML.string(name)), ("value", ManifestYAML.string(value))])
        }
        let selector = ManifestYAML.mapping([("name", ManifestYAML.string(ref.name)), ("key", ManifestYAML.string(ref.key)),
                                             ("optional", ManifestYAML.bool(ref.optional))])
        return ManifestYAML.mapping([("name", ManifestYAML.string(name)),
                                     ("valueFrom", ManifestYAML.mapping([("configMapKeyRef", selector)]))])
    }
}
