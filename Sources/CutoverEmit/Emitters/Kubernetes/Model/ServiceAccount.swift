import Yams

/// `v1 ServiceAccount` for the migration Jobs; no token is mounted anywhere.
public struct ServiceAccount: KubernetesObject, Equatable {
    public var apiVersion: String { "v1" }
    public var kind: String { "ServiceAccount" }
    public var metadata: ObjectMeta

    public init(metadata: ObjectMeta) {
        self.metadata = metadata
    }

    public func bodyFields() -> [(String, Node?)] {
        [("automountServiceAccountToken", ManifestYAML.bool(false))]
    }
}
