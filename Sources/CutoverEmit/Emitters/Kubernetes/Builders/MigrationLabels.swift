import CutoverPlan

/// The labels every object carries: app.kubernetes.io/name, instance, component, part-of,
/// managed-by (in that order), then the spec's own `metadata.labels`, sorted.
public struct MigrationLabels: Sendable {
    public static let managedBy = "cutover"
    public var spec: MigrationSpec

    public init(_ spec: MigrationSpec) {
        self.spec = spec
    }

    public func labels(component: String, name: String = MigrationLabels.managedBy) -> [KeyValue] {
        var out = [
            KeyValue("app.kubernetes.io/name", name),
            KeyValue("app.kubernetes.io/instance", spec.name),
            KeyValue("app.kubernetes.io/component", component),
            KeyValue("app.kubernetes.io/part-of", spec.app.name.isEmpty ? spec.name : spec.app.name),
            KeyValue("app.kubernetes.io/managed-by", Self.managedBy),
        ]
        let reserved = Set(out.map(\.key))
        out += spec.metadata.labels.filter { !reserved.contains($0.key) }.map { KeyValue($0.key, $0.value) }
        return out
    }

    /// What the NetworkPolicies select the migration Jobs' pods by.
    public var jobSelector: [KeyValue] {
        [KeyValue("app.kubernetes.io/name", Self.managedBy), KeyValue("app.kubernetes.io/instance", spec.name)]
    }

    /// What the Rollout and the database NetworkPolicies select the app's pods by.
    public var appSelector: [KeyValue] { [KeyValue("app.kubernetes.io/name", spec.app.name)] }

    public func metadata(name: String, component: String, labelName: String = MigrationLabels.managedBy) -> ObjectMeta {
        ObjectMeta(name: name, namespace: spec.metadata.namespace, labels: labels(component: component, name: labelName))
    }
}
