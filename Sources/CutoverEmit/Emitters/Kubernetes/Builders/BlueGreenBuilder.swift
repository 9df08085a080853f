import CutoverPlan

/// Blue-green objects: the operator's resource for the green cluster, and the switchover Service
/// pointed at green (the switch) or at blue (the way back), the same Service name in both files.
public struct BlueGreenBuilder: Sendable {
    public var spec: MigrationSpec

    public init(_ spec: MigrationSpec) {
        self.spec = spec
    }

    /// Zalando `postgresql` or Bitpoke `MysqlCluster` for `target`; nil for operator none (the
    /// user provisions green) or outside blue-green.
    public var greenCluster: (any KubernetesObject)? {
        guard spec.strategy == .blueGreen, let target = spec.target else { return nil }
        let metadata = MigrationLabels(spec).metadata(name: target.cluster, component: "database")
        let resources = target.resources.map(ResourceRequirements.init)
        switch spec.database.operator {
        case .zalando:
            return ZalandoPostgresql(
                metadata: metadata, teamId: target.teamId, numberOfInstances: target.instances, version: target.version,
                // logical replication needs wal_level=logical on both sides (green replicates back to blue).
                parameters: [KeyValue("wal_level", "logical")],
                volumeSize: target.volumeSize, storageClass: target.storageClass, resources: resources,
                // The database's owner is a role of the operator's own: the app's role is created by the
                // schema-load Job with blue's password, and a role the operator manages would have its
                // password reset to the operator's on the next sync.
                databases: [KeyValue(spec.database.name, Self.greenOwner(spec.database.name))])
        case .bitpoke:
            return MysqlCluster(
                metadata: metadata, replicas: target.instances, secretName: spec.database.credentialsSecret,
                mysqlVersion: target.version, volumeSize: target.volumeSize, storageClass: target.storageClass, resources: resources)
        case .none:
            return nil
        }
    }

    /// Zalando: green's resource declaring the way back's slot to Patroni, so a failover of green keeps
    /// it. The chart renders it instead of `greenCluster` only while switched and not cleaning up
    /// (`switchedGuard`): declared earlier, Patroni would create the slot at provisioning, and the
    /// reverse subscription would send blue everything green replayed since; declared while cleanup
    /// drops it, Patroni would create it again. Regular objects are applied after the pre-upgrade
    /// hooks, so the switchover Job has created the slot when Patroni learns of it, and
    /// before the post hooks (drop-reverse, cleanup) drop it, the release that no longer declares it.
    public var greenClusterDeclaringReverseSlot: (any KubernetesObject)? {
        guard spec.database.operator == .zalando, var cluster = greenCluster as? ZalandoPostgresql else { return nil }
        let names = DerivedNames(names: SQLNames(engine: spec.database.engine), migrationName: spec.name)
        cluster.logicalSlots = [KeyValue(names.reverseReplication, spec.database.name)]
        return cluster
    }

    /// When the chart renders `greenClusterDeclaringReverseSlot` (else `greenCluster`).
    public static let switchedGuard = "and (eq .Values.switchover.to \"green\") (not .Values.phases.cleanup.enabled)"

    /// The owner role of green's database (Zalando role names: lowercase, digits, `-` and `_`).
    public static func greenOwner(_ database: String) -> String {
        let name = String(database.lowercased().map { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" ? $0 : "_" })
        return String((name + "_owner").prefix(63))
    }

    /// The Service's component label, apart from the Jobs': with plain kubectl the switch folder is
    /// applied without it first, so the Service moves only once the fenced switch succeeded.
    public static let serviceComponent = "database-service"

    /// The values switch that lets the chart manage the switchover Service (true by default); off,
    /// the runbook moves the user's own Service with `kubectl patch` instead.
    public static let manageServiceValue = ".Values.switchover.manageService"

    /// The app's path to its database, and green's cluster resource (production once switched; the
    /// operator deletes the cluster, and by default its volumes and Secrets, with it): never deleted by
    /// the tool that applied it (Helm on uninstall or when a run renders none; Argo CD on prune or when
    /// the Application is deleted). Argo CD 2.8+ honours Helm's annotation too; the chart's green
    /// carries both, for an Application that renders the chart.
    public static let keepHelm = [KeyValue("helm.sh/resource-policy", "keep")]
    public static let keepArgo = [KeyValue("argocd.argoproj.io/sync-options", "Prune=false,Delete=false")]

    /// The Service named `switchover.service`, selecting the primary of `side`.
    public func switchService(to side: DatabaseSide) -> Service? {
        guard spec.strategy == .blueGreen, let switchover = spec.switchover else { return nil }
        let topology = DatabaseTopology(spec)
        let cluster = side == .green ? (topology.greenCluster ?? topology.blueCluster) : topology.blueCluster
        return Service(
            metadata: MigrationLabels(spec).metadata(name: switchover.service, component: Self.serviceComponent),
            selector: topology.primarySelector(cluster: cluster), portName: topology.portName, port: spec.database.port)
    }
}
