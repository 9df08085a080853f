import Yams

/// prometheus-operator `monitoring.coreos.com/v1 PrometheusRule`: one group of alerts.
public struct PrometheusRule: KubernetesObject, Equatable {
    public struct Alert: Sendable, Equatable {
        public var name: String
        public var expr: String
        public var forDuration: String
        public var severity: String
        public var summary: String

        public init(name: String, expr: String, forDuration: String, severity: String, summary: String) {
            self.name = name
            self.expr = expr
            self.forDuration = forDuration
            self.severity = severity
            self.summary = summary
        }

        func node() -> Node {
            ManifestYAML.mapping([
                ("alert", ManifestYAML.string(name)),
                ("expr", ManifestYAML.string(expr)),
                ("for", ManifestYAML.string(forDuration)),
                ("labels", ManifestYAML.mapping([("severity", ManifestYAML.string(severity))])),
                ("annotations", ManifestYAML.mapping([("summary", ManifestYAML.string(summary))])),
            ])
        }
    }

    public var apiVersion: String { "monitoring.coreos.com/v1" }
    public var kind: String { "PrometheusRule" }
    public var metadata: ObjectMeta
    public var groupName: String
    public var alerts: [Alert]

    public init(metadata: ObjectMeta, groupName: String, alerts: [Alert]) {
        self.metadata = metadata
        self.groupName = groupName
        self.alerts = alerts
    }

    public func bodyFields() -> [(String, Node?)] {
        [("spec", ManifestYAML.mapping([("groups", ManifestYAML.sequence([ManifestYAML.mapping([
            ("name", ManifestYAML.string(groupName)),
            ("rules", ManifestYAML.sequence(alerts.map { $0.node() })),
        ])]))]))]
    }
}
