import CutoverPlan

/// Builds the hardened Job of a `JobUnit`: SQL ConfigMap and credentials mounted read-only, scratch
/// in an emptyDir, Pod Security "restricted", deadline, retries and TTL from `runner`.
public struct JobBuilder: Sendable {
    /// The UID/GID the Jobs run as (>= 10000, so it never maps to a host user).
    public static let runAsID = 10001
    public static let sqlMountPath = "/etc/cutover/sql"
    /// The grace period of a Job that fences a side (blue-green's switchover and switchback): after
    /// a TERM (its deadline, a deleted pod) the runner lets the step it is in end, then its EXIT trap
    /// lifts the fence, retrying for up to 90 s (run-psql.sh's UNFENCE_SECONDS). Kubernetes' 30 s
    /// would KILL it half-way and leave the app's side refusing every write.
    public static let fencingGracePeriodSeconds = 180

    /// Whether the Job's runner fences a side, and so may have to lift the fence after a TERM.
    static func fences(_ unit: JobUnit) -> Bool {
        unit.arguments.contains { $0.hasPrefix("fence:") || $0.hasPrefix("unfence:") }
    }

    public var plan: MigrationPlan
    /// The image strings: literal in manifests, Helm value expressions in the chart.
    public var toolImage: String
    public var clientImage: String

    public init(plan: MigrationPlan, toolImage: String, clientImage: String) {
        self.plan = plan
        self.toolImage = toolImage
        self.clientImage = clientImage
    }

    public func job(_ unit: JobUnit, configMap: String) -> Job {
        job(unit, configMaps: [configMap])
    }

    /// The Job mounting its SQL ConfigMap, or, when its files need several, all of them projected
    /// into the one directory the scripts read.
    public func job(_ unit: JobUnit, configMaps: [String]) -> Job {
        let spec = plan.spec
        let labels = MigrationLabels(spec)
        let topology = DatabaseTopology(spec)
        var mounts = [VolumeMount(name: "sql", mountPath: Self.sqlMountPath, readOnly: true)]
        var volumes = [Volume(name: "sql", source: configMaps.count == 1 ? .configMap(name: configMaps[0]) : .projected(configMaps: configMaps))]
        for side in unit.secretSides {
            let secret: String
            if side == "green", let green = topology.greenCluster {
                secret = topology.greenSecret(cluster: green)
            } else if side == JobCatalog.blueAdmin {
                secret = topology.superuserSecret(cluster: topology.blueCluster)
            } else {
                secret = spec.database.credentialsSecret
            }
            mounts.append(VolumeMount(name: "secret-\(side)", mountPath: "/etc/cutover/\(side)", readOnly: true))
            volumes.append(Volume(name: "secret-\(side)", source: .secret(name: secret, items: topology.secretItems)))
        }
        mounts.append(VolumeMount(name: "tmp", mountPath: "/tmp"))
        volumes.append(Volume(name: "tmp", source: .emptyDir(sizeLimit: "64Mi")))
        let container = Container(
            name: unit.component,
            image: unit.usesClientImage ? clientImage : toolImage,
            command: ["/bin/sh", "\(Self.sqlMountPath)/\(unit.script)"],
            args: unit.arguments,
            env: RunnerProfile(spec).environment(topology: topology),
            resources: ResourceRequirements(spec.runner.resources),
            securityContext: SecurityContext(runAsUser: Self.runAsID, runAsGroup: Self.runAsID),
            volumeMounts: mounts)
        let pod = PodSpec(
            serviceAccountName: KubernetesNames(spec).serviceAccount,
            restartPolicy: "Never",
            terminationGracePeriodSeconds: Self.fences(unit) ? Self.fencingGracePeriodSeconds : nil,
            securityContext: PodSecurityContext(runAsUser: Self.runAsID, runAsGroup: Self.runAsID, fsGroup: Self.runAsID),
            containers: [container],
            volumes: volumes)
        return Job(
            metadata: labels.metadata(name: KubernetesNames(spec).job(unit.suffix), component: unit.component),
            backoffLimit: spec.runner.backoffLimit,
            activeDeadlineSeconds: PhaseCommands.jobDeadlineSeconds(spec),
            // A retry of a fencing Job starts only once the failed pod has fully terminated: its EXIT
            // trap (lifting its fence) ends before the next run looks at the fence.
            podReplacementPolicy: Self.fences(unit) ? "Failed" : nil,
            // A refusal (the runner's exit code 65) fails the Job at once: every retry would be refused
            // the same way. Needs restartPolicy Never (above).
            podFailurePolicy: .runner(container: container.name),
            template: PodTemplate(labels: labels.labels(component: unit.component), spec: pod))
    }
}
