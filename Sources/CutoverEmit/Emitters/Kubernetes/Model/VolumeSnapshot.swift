import Yams

/// `snapshot.storage.k8s.io/v1 VolumeSnapshot` of one PVC.
public struct VolumeSnapshot: KubernetesObject, Equatable {
    public var apiVersion: String { "snapshot.storage.k8s.io/v1" }
    public var kind: String { "VolumeSnapshot" }
    public var metadata: ObjectMeta
    public var volumeSnapshotClassName: String
    public var persistentVolumeClaimName: String

    public init(metadata: ObjectMeta, volumeSnapshotClassName: String, persistentVolumeClaimName: String) {
        self.metadata = metadata
        self.volumeSnapshotClassName = volumeSnapshotClassName
        self.persistentVolumeClaimName = persistentVolumeClaimName
    }

    public func bodyFields() -> [(String, Node?)] {
        [("spec", ManifestYAML.mapping([
            ("volumeSnapshotClassName", ManifestYAML.string(volumeSnapshotClassName)),
            ("source", ManifestYAML.mapping([("persistentVolumeClaimName", ManifestYAML.string(persistentVolumeClaimName))])),
        ]))]
    }
}
