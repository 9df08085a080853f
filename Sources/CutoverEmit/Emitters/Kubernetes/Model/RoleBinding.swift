import Yams

/// `rbac.authorization.k8s.io/v1 RoleBinding` of one Role to one ServiceAccount of the same namespace.
public struct RoleBinding: KubernetesObject, Equatable {
    public var apiVersion: String { "rbac.authorization.k8s.io/v1" }
    public var kind: String { "RoleBinding" }
    public var metadata: ObjectMeta
    public var role: String
    public var serviceAccount: String

    public init(metadata: ObjectMeta, role: String, serviceAccount: String) {
        self.metadata = metadata
        self.role = role
        self.serviceAccount = serviceAccount
    }

    public func bodyFields() -> [(String, Node?)] {
        [
            ("roleRef", ManifestYAML.mapping([
                ("apiGroup", ManifestYAML.string("rbac.authorization.k8s.io")),
                ("kind", ManifestYAML.string("Role")),
                ("name", ManifestYAML.string(role)),
            ])),
            ("subjects", ManifestYAML.sequence([ManifestYAML.mapping([
                ("kind", ManifestYAML.string("ServiceAccount")),
                ("name", ManifestYAML.string(serviceAccount)),
                ("namespace", ManifestYAML.string(metadata.namespace)),
            ])])),
        ]
    }
}
