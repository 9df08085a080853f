import CutoverPlan

/// The Argo Rollout of `app`: canary steps from `rollout.steps`, gated by the AnalysisTemplate. By
/// default it takes over the user's Deployment (`workloadRef`, `scaleDown: progressively`): the app
/// keeps its env, Secrets, config and security context, and each later change of the Deployment's pod
/// template is a canary. With `app.podTemplate: true` it carries its own pod template instead,
/// hardened like the Jobs (security context overridable from `app`), probes on the app port.
public struct RolloutBuilder: Sendable {
    public var spec: MigrationSpec
    public var image: String
    /// The version whose schema of views the pod template selects (`new`, or the chart's
    /// `app.versionSchema` expression), when the plan has version schemas: the env var of
    /// `VersionSchemaSelection.envVar`. Only the own pod template carries it; with workloadRef the
    /// runbook patches the user's Deployment.
    public var versionSchema: String?

    public init(_ spec: MigrationSpec, image: String, versionSchema: String? = nil) {
        self.spec = spec
        self.image = image
        self.versionSchema = versionSchema
    }

    public var rollout: Rollout {
        let app = spec.app
        let labels = MigrationLabels(spec)
        let monitoring = MonitoringBuilder(spec)
        let hashArgs = monitoring.analysisTemplate?.requiredArgs.contains(MonitoringBuilder.canaryHashArg) == true
            ? [KeyValue(MonitoringBuilder.canaryHashArg, "Latest")] : []
        let steps: [Rollout.Step] = (spec.rollout?.steps ?? []).map {
            switch $0.value {
            case .setWeight(let weight): return .setWeight(weight)
            case .pause(let duration): return .pause(duration.text)
            }
        }
        if !app.podTemplate {
            // Selects the Deployment's pods: the labels the user gives, else the app name label.
            let selector = app.podSelector.map { $0.map { KeyValue($0.key, $0.value) } } ?? labels.appSelector
            var rollout = Rollout(
                metadata: labels.metadata(name: app.name, component: "app", labelName: app.name),
                replicas: app.replicas,
                selector: selector,
                analysisTemplate: monitoring.analysisTemplate == nil ? nil : KubernetesNames(spec).analysisTemplate,
                steps: steps,
                template: nil,
                workloadRef: app.deployment.isEmpty ? app.name : app.deployment)
            rollout.podTemplateHashArgs = hashArgs
            return rollout
        }
        let container = Container(
            name: app.name,
            image: image,
            env: versionSchema.map { [VersionSchemaSelection.envVar(spec, version: $0)] } ?? [],
            ports: [ContainerPort(name: "http", containerPort: app.port)],
            readinessProbe: Probe(port: "http", httpPath: app.healthPath, initialDelaySeconds: 5, periodSeconds: 10),
            livenessProbe: Probe(port: "http", httpPath: app.healthPath, initialDelaySeconds: 15, periodSeconds: 20),
            resources: ResourceRequirements(app.resources),
            securityContext: SecurityContext(readOnlyRootFilesystem: app.readOnlyRootFilesystem, runAsUser: app.runAsUser, runAsGroup: app.runAsGroup),
            volumeMounts: [VolumeMount(name: "tmp", mountPath: "/tmp")])
        let pod = PodSpec(
            securityContext: PodSecurityContext(runAsUser: app.runAsUser, runAsGroup: app.runAsGroup, fsGroup: app.runAsGroup),
            containers: [container],
            volumes: [Volume(name: "tmp", source: .emptyDir(sizeLimit: "64Mi"))])
        var rollout = Rollout(
            metadata: labels.metadata(name: app.name, component: "app", labelName: app.name),
            replicas: app.replicas,
            selector: labels.appSelector,
            analysisTemplate: monitoring.analysisTemplate == nil ? nil : KubernetesNames(spec).analysisTemplate,
            steps: steps,
            template: PodTemplate(labels: labels.labels(component: "app", name: app.name), spec: pod))
        rollout.podTemplateHashArgs = hashArgs
        return rollout
    }
}
