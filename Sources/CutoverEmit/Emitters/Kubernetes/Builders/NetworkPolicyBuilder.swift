import CutoverPlan

/// The database and Job NetworkPolicies. Kubernetes policies are additive: the first policy that
/// selects a pod denies every ingress to it that no policy lists. cutover cannot know every client of
/// the database (other Deployments, CronJobs, other namespaces, backup Jobs), so by default
/// (`networkPolicy.database: open`) it emits no policy selecting the database pods: a first apply
/// never cuts anyone off. Only with `restrict` (the user said so) does it emit one per database
/// cluster, admitting the clients it knows of and the user's `networkPolicy.clients`, each on the
/// ports it needs (`admitted` lists them with the reason, for the plan README):
/// - the app (its existing pods by `app.podSelector`, and the Rollout's) and the migration Jobs, on
///   the database port;
/// - the cluster's own pods on their peer ports (replication; Patroni's REST API 8008 on Zalando;
///   on Bitpoke MySQL 3306, the sidecar's clone/backup ports 3307, 8080 and 8088);
/// - the operator, from any namespace (Zalando `postgres-operator`: 5432 and 8008; Bitpoke
///   `mysql-operator` with its orchestrator: 3306 and the sidecar ports);
/// - Zalando's connection poolers (`application: db-connection-pooler`), its logical backup
///   CronJob's pods (`application: spilo-logical-backup`, `cluster-name`), and Spilo pods of other
///   clusters (clones and standbys of this one), on 5432;
/// - the metrics scraper (Prometheus pods, any namespace) on the exporter ports (Zalando: Patroni
///   8008 and postgres_exporter 9187; Bitpoke: 9125), so the analysis has data;
/// - in blue-green, the other cluster on the database port;
/// - `networkPolicy.clients`, on the database port.
/// The runner policy lets the Jobs reach only the database pods and the cluster DNS, and nothing
/// reach them.
public struct NetworkPolicyBuilder: Sendable {
    public var spec: MigrationSpec

    public init(_ spec: MigrationSpec) {
        self.spec = spec
    }

    public static let dnsPeer = NetworkPolicy.Peer(
        namespaceLabels: [KeyValue("kubernetes.io/metadata.name", "kube-system")],
        podLabels: [KeyValue("k8s-app", "kube-dns")])

    /// Any namespace: `namespaceSelector: {matchLabels: {}}`.
    static func anywhere(_ labels: [KeyValue]) -> NetworkPolicy.Peer { NetworkPolicy.Peer(namespaceLabels: [], podLabels: labels) }

    /// One admitted group of clients: who, on which ports, and why (the README's table).
    public struct Admission: Sendable {
        public var who: String
        public var peers: [NetworkPolicy.Peer]
        public var ports: [Int]
        public var why: String
    }

    /// The app's pods: the user's (`app.podSelector`) and the Rollout's, when they differ.
    var appPeers: [NetworkPolicy.Peer] {
        let labels = MigrationLabels(spec)
        var peers = [NetworkPolicy.Peer(podLabels: labels.appSelector)]
        if let selector = spec.app.podSelector, !selector.isEmpty {
            let own = selector.map { KeyValue($0.key, $0.value) }
            if own != labels.appSelector { peers.append(NetworkPolicy.Peer(podLabels: own)) }
        }
        return peers
    }

    public func admitted(cluster: String) -> [Admission] {
        let topology = DatabaseTopology(spec)
        let labels = MigrationLabels(spec)
        let port = spec.database.port
        var out = [
            Admission(who: "the app and the migration Jobs", peers: appPeers + [NetworkPolicy.Peer(podLabels: labels.jobSelector)],
                      ports: [port], why: "the clients this migration serves and runs"),
            Admission(who: "the cluster's own pods", peers: [NetworkPolicy.Peer(podLabels: topology.podLabels(cluster: cluster))],
                      ports: topology.peerPorts, why: "replication and the operator's agents between database pods"),
        ]
        switch spec.database.operator {
        case .zalando:
            out.append(Admission(who: "the Zalando postgres-operator (any namespace)",
                                 peers: [Self.anywhere([KeyValue("name", "postgres-operator")]),
                                         Self.anywhere([KeyValue("app.kubernetes.io/name", "postgres-operator")])],
                                 ports: [port, 8008], why: "it manages roles and databases over SQL and the cluster through Patroni's REST API"))
            out.append(Admission(who: "Zalando connection poolers", peers: [NetworkPolicy.Peer(podLabels: [KeyValue("application", "db-connection-pooler")])],
                                 ports: [port], why: "apps that connect through the pooler reach the database through it"))
            // The operator's logical backup CronJob labels its pods with the cluster name label merged
            // with `application: spilo-logical-backup` (pkg/cluster/k8sres.go, generateLogicalBackupJob).
            out.append(Admission(who: "Zalando logical backups (the operator's CronJob)",
                                 peers: [NetworkPolicy.Peer(podLabels: [KeyValue("application", "spilo-logical-backup"), KeyValue("cluster-name", cluster)])],
                                 ports: [port], why: "pg_dumpall of this cluster on the backup schedule (`enableLogicalBackup`)"))
            // A clone (`clone.cluster`) or standby of this cluster in the namespace streams its base
            // backup and WAL from these pods: Spilo pods of any cluster.
            out.append(Admission(who: "Spilo pods of other clusters (clones, standbys)",
                                 peers: [NetworkPolicy.Peer(podLabels: [KeyValue("application", "spilo")])],
                                 ports: [port], why: "a clone or standby cluster takes its base backup and WAL from this one over replication"))
            out.append(Admission(who: "Prometheus (any namespace)", peers: [Self.anywhere([KeyValue("app.kubernetes.io/name", "prometheus")])],
                                 ports: [8008, 9187], why: "Patroni's and postgres_exporter's metrics, which the analysis and alerts read"))
        case .bitpoke:
            out.append(Admission(who: "the Bitpoke mysql-operator and its orchestrator (any namespace)",
                                 peers: [Self.anywhere([KeyValue("app.kubernetes.io/name", "mysql-operator")])],
                                 ports: [port, 3307, 8080, 8088], why: "it manages users, replication and failover over SQL and the sidecar"))
            out.append(Admission(who: "Prometheus (any namespace)", peers: [Self.anywhere([KeyValue("app.kubernetes.io/name", "prometheus")])],
                                 ports: [9125], why: "the MySQL exporter's metrics, which the analysis and alerts read"))
        case .none:
            break
        }
        for other in topology.clusters where other.cluster != cluster {
            out.append(Admission(who: "the other cluster (\(other.cluster))", peers: [NetworkPolicy.Peer(podLabels: topology.podLabels(cluster: other.cluster))],
                                 ports: [port], why: "logical replication between blue and green, both ways"))
        }
        if !clientPeers.isEmpty {
            out.append(Admission(who: "the clients listed in `networkPolicy.clients`", peers: clientPeers, ports: [port],
                                 why: "other clients of the database the user named"))
        }
        return out
    }

    /// `networkPolicy.clients` as peers. A namespace selector alone admits all pods of those namespaces
    /// (`podSelector: {}` beside it); a pod selector alone admits those pods of this namespace.
    var clientPeers: [NetworkPolicy.Peer] {
        spec.networkPolicy.clients.compactMap { client in
            guard client.podLabels != nil || client.namespaceLabels != nil else { return nil }  // refused by CUT072
            return NetworkPolicy.Peer(namespaceLabels: client.namespaceLabels.map { $0.map { KeyValue($0.key, $0.value) } },
                                      podLabels: (client.podLabels ?? []).map { KeyValue($0.key, $0.value) })
        }
    }

    /// One policy per database cluster with `networkPolicy.database: restrict`; none with `open`.
    public var databaseIngress: [NetworkPolicy] {
        guard spec.networkPolicy.database == .restrict else { return [] }
        let topology = DatabaseTopology(spec)
        let labels = MigrationLabels(spec)
        return topology.clusters.map { side, cluster in
            NetworkPolicy(
                metadata: labels.metadata(name: KubernetesNames(spec).databaseIngressPolicy(side: side), component: "network-policy"),
                podSelector: topology.podLabels(cluster: cluster),
                ingress: admitted(cluster: cluster).map { NetworkPolicy.Rule(peers: $0.peers, ports: $0.ports.map { NetworkPolicy.Port($0) }) },
                egress: nil)
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
