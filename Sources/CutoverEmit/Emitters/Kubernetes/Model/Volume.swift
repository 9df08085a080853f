import Yams

/// A pod volume: the SQL ConfigMap (or several, projected), a credentials Secret (files readable by the pod's group only),
/// or an emptyDir for scratch space under a read-only root filesystem.
public struct Volume: Sendable, Equatable {
    public enum Source: Sendable, Equatable {
        case configMap(name: String)
        /// `items` maps Secret keys to file names, so every runner script reads `username`/`password`.
        /// `optional`: the pod starts without it when the Secret does not exist (yet).
        case secret(name: String, items: [KeyValue], optional: Bool = false)
        case emptyDir(sizeLimit: String)
        /// Several ConfigMaps whose keys appear as files of one directory.
        case projected(configMaps: [String])
        /// What the kubelet mounts for `automountServiceAccountToken`, written out so only the pod that
        /// talks to the API server carries a token: a short-lived token, the cluster CA, the namespace.
        case serviceAccountToken(expirationSeconds: Int)
    }

    /// 0o440 written in decimal: yamllint rejects the implicit octal `0440`.
    public static let secretFileMode = 0o440

    public var name: String
    public var source: Source

    public init(name: String, source: Source) {
        self.name = name
        self.source = source
    }

    public func node() -> Node {
        let source: (String, Node)
        switch self.source {
        case .configMap(let name):
            source = ("configMap", ManifestYAML.mapping([("name", ManifestYAML.string(name))]))
        case .secret(let name, let items, let optional):
            source = ("secret", ManifestYAML.mapping([
                ("secretName", ManifestYAML.string(name)),
                ("items", items.isEmpty ? nil : ManifestYAML.sequence(items.map {
                    ManifestYAML.mapping([("key", ManifestYAML.string($0.key)), ("path", ManifestYAML.string($0.value))])
                })),
                ("defaultMode", ManifestYAML.int(Self.secretFileMode)),
                ("optional", optional ? ManifestYAML.bool(true) : nil),
            ]))
        case .emptyDir(let sizeLimit):
            source = ("emptyDir", ManifestYAML.mapping([("sizeLimit", ManifestYAML.string(sizeLimit))]))
        case .projected(let configMaps):
            source = ("projected", ManifestYAML.mapping([
                ("sources", ManifestYAML.sequence(configMaps.map {
                    ManifestYAML.mapping([("configMap", ManifestYAML.mapping([("name", ManifestYAML.string($0))]))])
                })),
            ]))
        case .serviceAccountToken(let expirationSeconds):
            source = ("projected", ManifestYAML.mapping([
                ("sources", ManifestYAML.sequence([
                    ManifestYAML.mapping([("serviceAccountToken", ManifestYAML.mapping([
                        ("path", ManifestYAML.string("token")), ("expirationSeconds", ManifestYAML.int(expirationSeconds)),
                    ]))]),
                    ManifestYAML.mapping([("configMap", ManifestYAML.mapping([
                        ("name", ManifestYAML.string("kube-root-ca.crt")),
                        ("items", ManifestYAML.sequence([ManifestYAML.mapping([("key", ManifestYAML.string("ca.crt")), ("path", ManifestYAML.string("ca.crt"))])])),
                    ]))]),
                    ManifestYAML.mapping([("downwardAPI", ManifestYAML.mapping([
                        ("items", ManifestYAML.sequence([ManifestYAML.mapping([
                            ("path", ManifestYAML.string("namespace")),
                            ("fieldRef", ManifestYAML.mapping([("apiVersion", ManifestYAML.string("v1")), ("fieldPath", ManifestYAML.string("metadata.namespace"))])),
                        ])])),
                    ]))]),
                ])),
            ]))
        }
        return ManifestYAML.mapping([("name", ManifestYAML.string(name)), source])
    }
}
