import CutoverPlan
import Yams

/// The small objects around the Jobs: the runner ServiceAccount, the SQL ConfigMap's metadata, the
/// VolumeSnapshot, and the go-feature-flag flag files.
public struct SupportObjectsBuilder: Sendable {
    public var spec: MigrationSpec

    public init(_ spec: MigrationSpec) {
        self.spec = spec
    }

    public var serviceAccount: ServiceAccount {
        ServiceAccount(metadata: MigrationLabels(spec).metadata(name: KubernetesNames(spec).serviceAccount, component: "runner"))
    }

    public func sqlConfigMapMetadata(name: String) -> ObjectMeta {
        MigrationLabels(spec).metadata(name: name, component: "sql")
    }

    public var snapshot: VolumeSnapshot? {
        guard let snapshot = spec.snapshot else { return nil }
        return VolumeSnapshot(
            metadata: MigrationLabels(spec).metadata(name: KubernetesNames(spec).snapshot, component: "snapshot"),
            volumeSnapshotClassName: snapshot.volumeSnapshotClass,
            persistentVolumeClaimName: DatabaseTopology(spec).snapshotClaim)
    }

    /// The phase from which the flag is on: after verify passed (expand-contract), after the switch (blue-green).
    var flagOnFrom: Phase { spec.strategy == .blueGreen ? .switchover : .verify }

    /// A ConfigMap of go-feature-flag files for `featureFlag.key`: `flags.goff.yaml` is the live file
    /// (the flag off until verify passed), `flags.<phase>.goff.yaml` the state after each phase, and
    /// `flags.rollback.goff.yaml` the state for the way back. Copy one over the live file to change it.
    public func flags(phases: [Phase], liveOn: Bool = false) -> ConfigMap? {
        guard let key = spec.featureFlagKey else { return nil }
        func file(_ on: Bool, _ note: String) -> String {
            let node = ManifestYAML.mapping([(key, ManifestYAML.mapping([
                ("variations", ManifestYAML.mapping([("enabled", ManifestYAML.bool(true)), ("disabled", ManifestYAML.bool(false))])),
                ("defaultRule", ManifestYAML.mapping([("variation", ManifestYAML.string(on ? "enabled" : "disabled"))])),
                ("metadata", ManifestYAML.mapping([("description", ManifestYAML.string("cutover migration \(spec.name): \(note)"))])),
            ]))])
            return ManifestYAML.document(node, header: "")
        }
        var data = [KeyValue("flags.goff.yaml", liveOn
            ? file(true, "live state; the new code paths on (\(flagOnFrom.rawValue) passed)")
            : file(false, "live state; the new code paths stay off until \(flagOnFrom.rawValue) passed"))]
        for phase in phases {
            let on = phase >= flagOnFrom
            data.append(KeyValue("flags.\(phase.rawValue).goff.yaml", file(on, "state after phase \(phase.rawValue)")))
        }
        data.append(KeyValue("flags.rollback.goff.yaml", file(false, "rollback (old code paths)")))
        return ConfigMap(metadata: MigrationLabels(spec).metadata(name: KubernetesNames(spec).flagsConfigMap, component: "feature-flag"),
                         data: data)
    }
}
