/// The database and Job NetworkPolicies. The database policy selects the database pods and admits
/// the app and the migration Jobs on the database port, the cluster's own pods on their peer ports
/// (replication, Patroni), and in blue-green the other cluster on the database port. The runner
/// policy lets the Jobs reach only the database pods and the cluster DNS, and nothing reach them.
public struct NetworkPolicyBuilder: Sendable {
    public var spec: MigrationSpec

    public init(_ spec: MigrationSpec) {
        self.spec = spec
    }

    public static let dnsPeer = NetworkPolicy.Peer(
        namespaceLabels: [KeyValue("kubernetes.io/metadata.name", "kube-system")],
        podLabels: [KeyValue("k8s-app", "kube-dns")])

    public var databaseIngress: [NetworkPolicy] {
        let topology = DatabaseTopology(spec)
        let labels = MigrationLabels(spec)
        let port = spec.database.port
        return topology.clusters.map { side, cluster in
            var rules = [
                NetworkPolicy.Rule(peers: [NetworkPolicy.Peer(podLabels: labels.appSelector), NetworkPolicy.Peer(podLabels: labels.jobSelector)],
                                   ports: [NetworkPolicy.Port(port)]),
                NetworkPolicy.Rule(peers: [NetworkPolicy.Peer(podLabels: topology.podLabels(cluster: cluster))],
                                   ports: topology.peerPorts.map { NetworkPolicy.Port($0) }),
            ]
            for other in topology.clusters where other.cluster != cluster {
                rules.append(NetworkPolicy.Rule(peers: [NetworkPolicy.Peer(podLabels: topology.podLabels(cluster: other.cluster))],
                                                ports: [NetworkPolicy.Port(port)]))
            }
            return NetworkPolicy(
                metadata: labels.metadata(name: KubernetesNames(spec).databaseIngressPolicy(side: side), component: "network-policy"),
                podSelector: topology.podLabels(cluster: cluster), ingress: rules, egress: nil)
        }
    }

    public var runnerEgress: NetworkPolicy {
        let topology = DatabaseTopology(spec)
        let labels = MigrationLabels(spec)
        var egress = topology.clusters.map { _, cluster in
            NetworkPolicy.Rule(peers: [NetworkPolicy.Peer(podLabels: topology.podLabels(cluster: cluster))],
                               ports: [NetworkPolicy.Port(spec.database.port)])
        }
        egress.append(NetworkPolicy.Rule(peers: [Self.dnsPeer], ports: [NetworkPolicy.Port(53, proto: "UDP"), NetworkPolicy.Port(53, proto: "TCP")]))
        return NetworkPolicy(
            metadata: labels.metadata(name: KubernetesNames(spec).runnerEgressPolicy, component: "network-policy"),
            podSelector: labels.jobSelector, ingress: [], egress: egress)
    }
}
