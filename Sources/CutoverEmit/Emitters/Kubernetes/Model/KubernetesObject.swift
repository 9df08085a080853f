import Yams

/// A Kubernetes object (core kind or custom resource) that renders to YAML with the conventional
/// key order: apiVersion, kind, metadata, then the fields of the kind.
public protocol KubernetesObject: Sendable {
    var apiVersion: String { get }
    var kind: String { get }
    var metadata: ObjectMeta { get set }
    /// The fields after metadata, in order; nil values are left out.
    func bodyFields() -> [(String, Node?)]
}

extension KubernetesObject {
    public func node() -> Node {
        ManifestYAML.mapping([
            ("apiVersion", ManifestYAML.string(apiVersion)),
            ("kind", ManifestYAML.string(kind)),
            ("metadata", metadata.node()),
        ] + bodyFields())
    }
}
