/// Every object of the chart and of `manifests/`, with its ordering, in one list both emitters
/// read. Order: support objects (-20), snapshot (-15), preflight (-10), expand (-5), regular
/// objects (0), the post-upgrade Jobs, then the opt-in ones.
public struct DeliveryLayout: Sendable {
    public enum Target: Sendable { case chart, manifests }

    public var plan: MigrationPlan
    public var target: Target

    public init(_ plan: MigrationPlan, for target: Target) {
        self.plan = plan
        self.target = target
    }

    public static let runnerImageValue = "{{ .Values.runner.image }}"
    public static let clientImageValue = "{{ .Values.runner.clientImage }}"
    public static let appImageValue = "{{ .Values.app.image }}"
    /// The only strings of the chart that are Helm expressions; every other `{{` is escaped.
    public static let helmExpressions: Set<String> = [runnerImageValue, clientImageValue, appImageValue]

    var spec: MigrationSpec { plan.spec }

    public var jobs: [JobUnit] { JobCatalog(plan).jobs }

    public func configMapName(for folder: DeliveryFolder?) -> String {
        let names = KubernetesNames(spec)
        guard target == .manifests, let folder else { return names.sqlConfigMap }
        return names.folderConfigMap(folder.rawValue)
    }

    public var items: [DeliveryItem] {
        let spec = self.spec
        let names = KubernetesNames(spec)
        let profile = RunnerProfile(spec)
        let support = SupportObjectsBuilder(spec)
        let blueGreen = spec.strategy == .blueGreen
        let builder = JobBuilder(
            plan: plan,
            toolImage: target == .chart ? Self.runnerImageValue : profile.toolImage,
            clientImage: target == .chart ? (profile.needsSeparateClient ? Self.clientImageValue : Self.runnerImageValue) : profile.clientImage)
        let jobs = self.jobs
        var items: [DeliveryItem] = []

        items.append(DeliveryItem(fileName: "serviceaccount.yaml", object: support.serviceAccount, ordering: .supportObjects))
        items.append(DeliveryItem(fileName: "configmap-sql.yaml",
                                  object: ConfigMap(metadata: support.sqlConfigMapMetadata(name: names.sqlConfigMap), data: []),
                                  ordering: .supportObjects, inManifests: false, isSQLConfigMap: true))
        let policies = NetworkPolicyBuilder(spec)
        items.append(DeliveryItem(fileName: "networkpolicy-runner-egress.yaml", object: policies.runnerEgress, ordering: .supportObjects))
        for policy in policies.databaseIngress {
            let file = "networkpolicy-\(policy.metadata.name.dropFirst(spec.name.count + 1)).yaml"
            items.append(DeliveryItem(fileName: file, object: policy, ordering: .regular))
        }

        if let snapshot = support.snapshot {
            let ordering = HookOrdering(.pre, -15, keepAfterSuccess: true)
            items.append(DeliveryItem(fileName: "volumesnapshot.yaml", object: snapshot, ordering: ordering,
                                      chartGuard: ".Values.snapshot.enabled", inManifests: blueGreen))
            if !blueGreen {
                // Plain manifests: taken before each destructive folder is applied.
                for folder in [DeliveryFolder.contract, .purge] where jobs.contains(where: { $0.folder == folder }) {
                    items.append(DeliveryItem(fileName: "volumesnapshot.yaml", object: snapshot, ordering: ordering, folder: folder, inChart: false))
                }
            }
        }

        func jobItem(_ unit: JobUnit) -> DeliveryItem {
            DeliveryItem(fileName: unit.fileName, object: builder.job(unit, configMap: configMapName(for: unit.folder)),
                         ordering: unit.ordering, chartGuard: unit.chartGuard, folder: unit.folder, job: unit)
        }
        let (early, late) = (jobs.filter { $0.ordering.weight < 0 && $0.folder == nil }, jobs.filter { !($0.ordering.weight < 0 && $0.folder == nil) })
        items += early.map(jobItem)

        let blueGreenBuilder = BlueGreenBuilder(spec)
        if let green = blueGreenBuilder.greenCluster {
            let file = green.kind == "postgresql" ? "postgresql-green.yaml" : "mysqlcluster-green.yaml"
            items.append(DeliveryItem(fileName: file, object: green, ordering: .regular))
        }
        items.append(DeliveryItem(fileName: "rollout.yaml",
                                  object: RolloutBuilder(spec, image: target == .chart ? Self.appImageValue : spec.app.image.value).rollout,
                                  ordering: .regular))
        let monitoring = MonitoringBuilder(spec)
        if let template = monitoring.analysisTemplate {
            items.append(DeliveryItem(fileName: "analysistemplate.yaml", object: template, ordering: .regular))
        }
        if let rule = monitoring.prometheusRule {
            items.append(DeliveryItem(fileName: "prometheusrule.yaml", object: rule, ordering: .regular))
        }
        if let flags = support.flags(phases: plan.phases.map(\.phase)) {
            items.append(DeliveryItem(fileName: "configmap-flags.yaml", object: flags, ordering: .regular))
        }

        for unit in late {
            items.append(jobItem(unit))
            if unit.suffix == "switchover", let service = blueGreenBuilder.switchService(to: .green) {
                items.append(DeliveryItem(fileName: "service-switchover-green.yaml", object: service, ordering: .regular,
                                          chartGuard: unit.chartGuard, folder: .switchover))
            }
            if unit.suffix == "switchback", let service = blueGreenBuilder.switchService(to: .blue) {
                items.append(DeliveryItem(fileName: "service-switchback-blue.yaml", object: service, ordering: .regular,
                                          chartGuard: unit.chartGuard, folder: .switchback))
            }
        }
        return items.filter { target == .chart ? $0.inChart : $0.inManifests }
    }
}
