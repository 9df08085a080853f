import CutoverPlan
import CutoverTemplates

/// The VolumeSnapshot of expand-contract, taken once per migration by a Job of its own before any DDL.
///
/// A snapshot that is a Helm hook or an Argo CD hook is deleted and taken again on every upgrade or
/// sync (`before-hook-creation`, `BeforeHookCreation`), so a later upgrade, a rollback or a re-sync
/// would replace the pre-migration backup with one of a half-migrated database; as a regular
/// resource it would be applied after the PreSync/pre-upgrade DDL. So the Job creates it: it runs
/// first (weight -15) on every run, takes the snapshot only when none of this migration's name exists,
/// and always waits until it is `readyToUse` (failing on its `status.error` or after the deadline).
/// No tool owns the object, so no hook policy, uninstall or prune deletes it.
///
/// The volume is the primary's: the operator's primary Service points at the primary pod, and the
/// StatefulSet names its claim `<template>-<pod>` (Zalando `pgdata-`, Bitpoke `data-`), read when the
/// Job runs because a failover moves the primary off pod 0. `snapshot.persistentVolumeClaim` names
/// the claim instead (and is the only way with `operator: none`).
///
/// Least privilege: its own ServiceAccount and Role (get this snapshot by name, create snapshots (a
/// create cannot be limited by name), get the primary Service's Endpoints by name), a projected token
/// in this pod only, and an egress policy to the API server and DNS.
public struct SnapshotBuilder: Sendable {
    public var spec: MigrationSpec
    /// The kubectl image (a shell and kubectl): the chart's value expression, or the literal image.
    public var image: String

    /// Pinned like the runner images; it needs `/bin/sh` and `kubectl`.
    public static let defaultImage = "docker.io/alpine/k8s:1.30.14"
    public static let mountPath = "/etc/cutover/snapshot"
    public static let component = "snapshot"
    /// The pods' `app.kubernetes.io/name`: not the runner's, so the runner policies neither limit nor admit them.
    public static let podName = "cutover-snapshot"

    public init(_ spec: MigrationSpec, image: String = SnapshotBuilder.defaultImage) {
        self.spec = spec
        self.image = image
    }

    var names: KubernetesNames { KubernetesNames(spec) }
    var labels: MigrationLabels { MigrationLabels(spec) }
    func metadata(_ name: String) -> ObjectMeta { labels.metadata(name: name, component: Self.component) }

    /// The operator's primary Service and the prefix of its pods' data claims; nil when the claim is
    /// given or there is no operator.
    public var primary: (service: String, claimPrefix: String)? {
        guard spec.snapshot?.persistentVolumeClaim == nil else { return nil }
        let cluster = spec.database.cluster
        switch spec.database.operator {
        case .zalando: return ("\(cluster)", "pgdata-")
        case .bitpoke: return ("\(cluster)-mysql-master", "data-")
        case .none: return nil
        }
    }

    public var volumeSnapshot: VolumeSnapshot? {
        guard let snapshot = spec.snapshot else { return nil }
        return VolumeSnapshot(metadata: metadata(names.snapshot), volumeSnapshotClassName: snapshot.volumeSnapshotClass,
                              persistentVolumeClaimName: DatabaseTopology(spec).snapshotClaim)
    }

    public var serviceAccount: ServiceAccount { ServiceAccount(metadata: metadata(names.snapshotJob)) }

    public var role: Role {
        var rules = [
            Role.Rule(apiGroup: "snapshot.storage.k8s.io", resource: "volumesnapshots", verbs: ["get"], resourceNames: [names.snapshot]),
            Role.Rule(apiGroup: "snapshot.storage.k8s.io", resource: "volumesnapshots", verbs: ["create"]),
        ]
        if let primary { rules.append(Role.Rule(apiGroup: "", resource: "endpoints", verbs: ["get"], resourceNames: [primary.service])) }
        return Role(metadata: metadata(names.snapshotJob), rules: rules)
    }

    public var roleBinding: RoleBinding {
        RoleBinding(metadata: metadata(names.snapshotJob), role: names.snapshotJob, serviceAccount: names.snapshotJob)
    }

    public var configMap: ConfigMap? {
        guard let snapshot = volumeSnapshot else { return nil }
        return ConfigMap(metadata: metadata(names.snapshotJob), data: [
            KeyValue("take-snapshot.sh", Templates.text(.takeSnapshot)),
            KeyValue("volumesnapshot.yaml", ManifestYAML.document(snapshot.node(), header: "")),
        ])
    }

    /// Egress to the API server (443 or 6443, wherever it is) and DNS; nothing reaches the pod.
    public var networkPolicy: NetworkPolicy {
        NetworkPolicy(metadata: metadata(names.snapshotEgressPolicy), podSelector: podSelector, ingress: [], egress: [
            NetworkPolicy.Rule(peers: [], ports: [NetworkPolicy.Port(443), NetworkPolicy.Port(6443)]),
            NetworkPolicy.Rule(peers: [NetworkPolicyBuilder.dnsPeer], ports: [NetworkPolicy.Port(53, proto: "UDP"), NetworkPolicy.Port(53, proto: "TCP")]),
        ])
    }

    public var podSelector: [KeyValue] {
        [KeyValue("app.kubernetes.io/name", Self.podName), KeyValue("app.kubernetes.io/instance", spec.name)]
    }

    public var readyTimeoutSeconds: Int { max(60, PhaseCommands.jobDeadlineSeconds(spec) - 60) }

    public var job: Job {
        let id = JobBuilder.runAsID
        var env = [
            EnvVar("SNAPSHOT_NAME", names.snapshot),
            EnvVar("SNAPSHOT_CLAIM", DatabaseTopology(spec).snapshotClaim),
        ]
        if let primary { env += [EnvVar("PRIMARY_ENDPOINTS", primary.service), EnvVar("CLAIM_PREFIX", primary.claimPrefix)] }
        env += [EnvVar("READY_TIMEOUT", String(readyTimeoutSeconds)), EnvVar("HOME", "/tmp")]
        let container = Container(
            name: Self.component,
            image: image,
            command: ["/bin/sh", "\(Self.mountPath)/take-snapshot.sh"],
            env: env,
            resources: ResourceRequirements(spec.runner.resources),
            securityContext: SecurityContext(runAsUser: id, runAsGroup: id),
            volumeMounts: [
                VolumeMount(name: "snapshot", mountPath: Self.mountPath, readOnly: true),
                VolumeMount(name: "api-token", mountPath: "/var/run/secrets/kubernetes.io/serviceaccount", readOnly: true),
                VolumeMount(name: "tmp", mountPath: "/tmp"),
            ])
        let pod = PodSpec(
            serviceAccountName: names.snapshotJob,
            restartPolicy: "Never",
            securityContext: PodSecurityContext(runAsUser: id, runAsGroup: id, fsGroup: id),
            containers: [container],
            volumes: [
                Volume(name: "snapshot", source: .configMap(name: names.snapshotJob)),
                Volume(name: "api-token", source: .serviceAccountToken(expirationSeconds: 3600)),
                Volume(name: "tmp", source: .emptyDir(sizeLimit: "64Mi")),
            ])
        return Job(
            metadata: metadata(names.snapshotJob),
            backoffLimit: spec.runner.backoffLimit,
            activeDeadlineSeconds: PhaseCommands.jobDeadlineSeconds(spec),
            template: PodTemplate(labels: labels.labels(component: Self.component, name: Self.podName), spec: pod))
    }
}
