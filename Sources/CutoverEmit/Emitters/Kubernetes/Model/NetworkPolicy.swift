import CutoverPlan
import Yams

/// `networking.k8s.io/v1 NetworkPolicy`. Peers select pods by labels, optionally in another
/// namespace (by its `kubernetes.io/metadata.name` label).
public struct NetworkPolicy: KubernetesObject, Equatable {
    public struct Peer: Sendable, Equatable {
        public var namespaceLabels: [KeyValue]?
        public var podLabels: [KeyValue]

        public init(namespaceLabels: [KeyValue]? = nil, podLabels: [KeyValue]) {
            self.namespaceLabels = namespaceLabels
            self.podLabels = podLabels
        }

        func node() -> Node {
            ManifestYAML.mapping([
                ("namespaceSelector", namespaceLabels.map { ManifestYAML.mapping([("matchLabels", KeyValue.node($0))]) }),
                ("podSelector", ManifestYAML.mapping([("matchLabels", KeyValue.node(podLabels))])),
            ])
        }
    }

    public struct Port: Sendable, Equatable {
        public var proto: String
        public var port: Int

        public init(_ port: Int, proto: String = "TCP") {
            self.proto = proto
            self.port = port
        }

        func node() -> Node {
            ManifestYAML.mapping([("protocol", ManifestYAML.string(proto)), ("port", ManifestYAML.int(port))])
        }
    }

    public struct Rule: Sendable, Equatable {
        public var peers: [Peer]
        public var ports: [Port]

        public init(peers: [Peer], ports: [Port]) {
            self.peers = peers
            self.ports = ports
        }

        func node(peerKey: String) -> Node {
            ManifestYAML.mapping([
                // No peers: every destination (or source) on these ports.
                (peerKey, peers.isEmpty ? nil : ManifestYAML.sequence(peers.map { $0.node() })),
                ("ports", ManifestYAML.sequence(ports.map { $0.node() })),
            ])
        }
    }

    public var apiVersion: String { "networking.k8s.io/v1" }
    public var kind: String { "NetworkPolicy" }
    public var metadata: ObjectMeta
    public var podSelector: [KeyValue]
    /// nil: the policy does not restrict ingress; empty: no ingress at all.
    public var ingress: [Rule]?
    /// nil: the policy does not restrict egress.
    public var egress: [Rule]?

    public init(metadata: ObjectMeta, podSelector: [KeyValue], ingress: [Rule]?, egress: [Rule]?) {
        self.metadata = metadata
        self.podSelector = podSelector
        self.ingress = ingress
        self.egress = egress
    }

    public var policyTypes: [String] { (ingress == nil ? [] : ["Ingress"]) + (egress == nil ? [] : ["Egress"]) }

    public func bodyFields() -> [(String, Node?)] {
        [("spec", ManifestYAML.mapping([
            ("podSelector", ManifestYAML.mapping([("matchLabels", KeyValue.node(podSelector))])),
            ("policyTypes", ManifestYAML.strings(policyTypes)),
            ("ingress", ingress.map { ManifestYAML.sequence($0.map { $0.node(peerKey: "from") }) }),
            ("egress", egress.map { ManifestYAML.sequence($0.map { $0.node(peerKey: "to") }) }),
        ]))]
    }
}
