import CutoverPlan

/// What cutover knows about the database pods, Services, volumes and Secrets each operator creates.
public struct DatabaseTopology: Sendable {
    public var spec: MigrationSpec

    public init(_ spec: MigrationSpec) {
        self.spec = spec
    }

    public var database: MigrationSpec.Database { spec.database }
    public var blueCluster: String { database.cluster }
    public var greenCluster: String? { spec.strategy == .blueGreen ? spec.target?.cluster : nil }

    /// The clusters the Jobs talk to: the database, or blue and green.
    public var clusters: [(side: DatabaseSide?, cluster: String)] {
        if let green = greenCluster { return [(.blue, blueCluster), (.green, green)] }
        return [(nil, blueCluster)]
    }

    /// The labels of the cluster's database pods, as the operator sets them.
    public func podLabels(cluster: String) -> [KeyValue] {
        switch database.operator {
        case .zalando: return [KeyValue("application", "spilo"), KeyValue("cluster-name", cluster)]
        case .bitpoke: return [KeyValue("app.kubernetes.io/name", "mysql"), KeyValue("mysql.presslabs.org/cluster", cluster)]
        case .none:
            if cluster == blueCluster, let selector = database.podSelector, !selector.isEmpty {
                return selector.map { KeyValue($0.key, $0.value) }
            }
            return [KeyValue("app.kubernetes.io/name", cluster)]
        }
    }

    /// What `kubectl port-forward` reaches the primary through. Zalando's master Service has no
    /// selector (Patroni writes its Endpoints), and kubectl refuses to forward to such a Service: the
    /// master pod, found by the role label Patroni sets, instead.
    public func portForwardTarget(cluster: String) -> String {
        let namespace = spec.metadata.namespace
        switch database.operator {
        case .zalando:
            let labels = (podLabels(cluster: cluster) + [KeyValue("spilo-role", "master")]).map { "\($0.key)=\($0.value)" }.joined(separator: ",")
            return "\"$(kubectl get pods --namespace \(namespace) -l \(labels) -o name)\""
        case .bitpoke, .none:
            return "svc/" + String(primaryHost(cluster: cluster).prefix { $0 != "." })
        }
    }

    /// The read-write endpoint of the cluster.
    public func primaryHost(cluster: String) -> String {
        let namespace = spec.metadata.namespace
        switch database.operator {
        case .bitpoke: return "\(cluster)-mysql-master.\(namespace).svc"
        case .zalando, .none: return "\(cluster).\(namespace).svc"
        }
    }

    /// Ports the cluster's own pods use between themselves (replication, Patroni's REST API).
    public var peerPorts: [Int] {
        switch database.operator {
        case .zalando: return [database.port, 8008]
        // The sidecar clones a new replica from a peer (3307 on current releases, 8080/8088 on older ones).
        case .bitpoke: return [database.port, 3307, 8080, 8088]
        case .none: return [database.port]
        }
    }

    /// The first data volume of the cluster, for the VolumeSnapshot.
    public var snapshotClaim: String {
        if let claim = spec.snapshot?.persistentVolumeClaim { return claim }
        switch database.operator {
        case .zalando: return "pgdata-\(blueCluster)-0"
        case .bitpoke: return "data-\(blueCluster)-mysql-0"
        case .none: return "data-\(blueCluster)-0"
        }
    }

    /// Secret keys → the file names the runner scripts read (`username`, `password`).
    public var secretItems: [KeyValue] {
        switch database.operator {
        case .bitpoke: return [KeyValue("USER", "username"), KeyValue("PASSWORD", "password")]
        case .zalando, .none: return [KeyValue("username", "username"), KeyValue("password", "password")]
        }
    }

    /// The Secret holding green's credentials: Zalando creates one per user (the superuser can
    /// create subscriptions); a Bitpoke cluster is given the same Secret as blue.
    public func greenSecret(cluster: String) -> String {
        switch database.operator {
        case .zalando: return "postgres.\(cluster).credentials.postgresql.acid.zalan.do"
        case .bitpoke, .none: return database.credentialsSecret
        }
    }

    /// The Secret of a cluster's superuser, where the operator makes one (Zalando); otherwise the
    /// application's Secret, whose role must then be allowed to create subscriptions.
    public func superuserSecret(cluster: String) -> String {
        switch database.operator {
        case .zalando: return "postgres.\(cluster).credentials.postgresql.acid.zalan.do"
        case .bitpoke, .none: return database.credentialsSecret
        }
    }

    public var portName: String { database.engine == .postgresql ? "postgresql" : "mysql" }

    /// The Service selector that points the switchover Service at a cluster's primary.
    public func primarySelector(cluster: String) -> [KeyValue] {
        switch database.operator {
        case .zalando: return podLabels(cluster: cluster) + [KeyValue("spilo-role", "master")]
        case .bitpoke: return podLabels(cluster: cluster) + [KeyValue("role", "master")]
        case .none: return podLabels(cluster: cluster)
        }
    }
}
