import CutoverPlan
import Yams

/// Container `resources`: requests then limits, each sorted by resource name.
public struct ResourceRequirements: Sendable, Equatable {
    public var requests: [KeyValue]
    public var limits: [KeyValue]

    public init(requests: [KeyValue], limits: [KeyValue]) {
        self.requests = requests
        self.limits = limits
    }

    public init(_ resources: MigrationSpec.Resources) {
        self.init(requests: KeyValue.sorted(resources.requests), limits: KeyValue.sorted(resources.limits))
    }

    public func node() -> Node {
        ManifestYAML.mapping([
            ("requests", requests.isEmpty ? nil : KeyValue.node(requests)),
            ("limits", limits.isEmpty ? nil : KeyValue.node(limits)),
        ])
    }
}
