import CutoverPlan

/// Every object of the chart and of `manifests/`, with its ordering, in one list both emitters
/// read. Order: support objects (-20), snapshot (-15), preflight (-10), expand (-5), regular
/// objects (0), the post-upgrade Jobs, then the opt-in ones.
public struct DeliveryLayout: Sendable {
    public enum Target: Sendable, Hashable { case chart, manifests }

    public var plan: MigrationPlan
    public var target: Target
    /// The plan's Jobs (`JobCatalog(plan).jobs`).
    public let jobs: [JobUnit]
    public let runnerFiles: RunnerFiles
    /// Most bytes of data (keys plus values) in one SQL ConfigMap. The API server refuses a ConfigMap
    /// over 1 MiB; this leaves room for the metadata and the chart's escaping. A Job whose files
    /// exceed it gets several ConfigMaps, projected into one volume.
    public var configMapDataLimit = 900 * 1024

    public init(_ plan: MigrationPlan, for target: Target) {
        self.init(plan, for: target, jobs: JobCatalog(plan).jobs, runnerFiles: RunnerFiles(plan))
    }

    /// With the Jobs and runner files already built (`EmissionContext` shares them between targets).
    public init(_ plan: MigrationPlan, for target: Target, jobs: [JobUnit], runnerFiles: RunnerFiles) {
        self.plan = plan
        self.target = target
        self.jobs = jobs
        self.runnerFiles = runnerFiles
    }

    public static let runnerImageValue = "{{ .Values.runner.image }}"
    public static let clientImageValue = "{{ .Values.runner.clientImage }}"
    public static let appImageValue = "{{ .Values.app.image }}"
    public static let snapshotImageValue = "{{ .Values.snapshot.image }}"
    /// The version whose schema of views the Rollout's own pod template selects (`app.versionSchema`).
    public static let appVersionSchemaValue = "{{ .Values.app.versionSchema }}"
    /// The only strings of the chart that are Helm expressions; every other `{{` is escaped.
    public static let helmExpressions: Set<String> = [runnerImageValue, clientImageValue, appImageValue, snapshotImageValue,
                                                      appVersionSchemaValue + ".PGOPTIONS", appVersionSchemaValue + ".database"]

    var spec: MigrationSpec { plan.spec }

    /// The snapshot Job runs before preflight (-10) and expand (-5), after the support objects (-20).
    public static let snapshotOrdering = HookOrdering(.pre, -15)
    public static let snapshotGuard = ".Values.snapshot.enabled"

    /// The SQL ConfigMaps of one Job: the runner scripts and the files the Job names, in `RunnerFiles`
    /// order, in one ConfigMap `<job>-sql`, or, past `configMapDataLimit`, in `<job>-sql-1`,
    /// `<job>-sql-2`, … (the scripts in the first), which the Job projects into one directory.
    public func sqlConfigMaps(for unit: JobUnit) -> [ConfigMap] {
        var parts: [[KeyValue]] = [[]]
        var size = 0
        for file in runnerFiles.files(for: [unit]) {
            let bytes = file.key.utf8.count + file.value.utf8.count
            if size > 0 && size + bytes > configMapDataLimit {
                parts.append([])
                size = 0
            }
            parts[parts.count - 1].append(file)
            size += bytes
        }
        let support = SupportObjectsBuilder(spec)
        let base = KubernetesNames(spec).jobConfigMap(unit.suffix)
        if parts.count == 1 { return [ConfigMap(metadata: support.sqlConfigMapMetadata(name: base), data: parts[0])] }
        return parts.enumerated().map { index, data in
            ConfigMap(metadata: support.sqlConfigMapMetadata(name: "\(base)-\(index + 1)"), data: data)
        }
    }

    public var items: [DeliveryItem] {
        let spec = self.spec
        let profile = RunnerProfile(spec)
        let support = SupportObjectsBuilder(spec)
        let blueGreen = spec.strategy == .blueGreen
        let builder = JobBuilder(
            plan: plan,
            toolImage: target == .chart ? Self.runnerImageValue : profile.toolImage,
            clientImage: target == .chart ? (profile.needsSeparateClient ? Self.clientImageValue : Self.runnerImageValue) : profile.clientImage)
        let jobs = self.jobs
        var items: [DeliveryItem] = []

        // Expand-contract: the objects every Job needs sit in the first forward folder, applied first;
        // the app's objects in `app/`. Blue-green keeps them in `manifests/` itself.
        let firstFolder = blueGreen ? nil : (jobs.compactMap(\.folder).first { $0.inDefaultSync } ?? .app)
        let appFolder: DeliveryFolder? = blueGreen ? nil : .app
        items.append(DeliveryItem(fileName: "serviceaccount.yaml", object: support.serviceAccount, ordering: .supportObjects, folder: firstFolder))
        let policies = NetworkPolicyBuilder(spec)
        items.append(DeliveryItem(fileName: "networkpolicy-runner-egress.yaml", object: policies.runnerEgress, ordering: .supportObjects,
                                  folder: firstFolder))
        for policy in policies.databaseIngress {
            let file = "networkpolicy-\(policy.metadata.name.dropFirst(spec.name.count + 1)).yaml"
            items.append(DeliveryItem(fileName: file, object: policy, ordering: .regular, folder: firstFolder))
        }

        if blueGreen, let snapshot = support.snapshot {
            items.append(DeliveryItem(fileName: "volumesnapshot.yaml", object: snapshot, ordering: HookOrdering(.pre, -15, keepAfterSuccess: true),
                                      chartGuard: ".Values.snapshot.enabled"))
        }
        if !blueGreen && spec.snapshot != nil {
            // Taken once per migration by a Job of its own, before preflight (see SnapshotBuilder).
            let snapshot = SnapshotBuilder(spec, image: target == .chart ? Self.snapshotImageValue : SnapshotBuilder.defaultImage)
            let guardValue = Self.snapshotGuard
            items.append(DeliveryItem(fileName: "serviceaccount-snapshot.yaml", object: snapshot.serviceAccount, ordering: .supportObjects,
                                      chartGuard: guardValue, folder: firstFolder))
            items.append(DeliveryItem(fileName: "role-snapshot.yaml", object: snapshot.role, ordering: .supportObjects,
                                      chartGuard: guardValue, folder: firstFolder))
            items.append(DeliveryItem(fileName: "rolebinding-snapshot.yaml", object: snapshot.roleBinding, ordering: .supportObjects,
                                      chartGuard: guardValue, folder: firstFolder))
            items.append(DeliveryItem(fileName: "networkpolicy-snapshot-egress.yaml", object: snapshot.networkPolicy, ordering: .supportObjects,
                                      chartGuard: guardValue, folder: firstFolder))
            if let configMap = snapshot.configMap {
                items.append(DeliveryItem(fileName: "configmap-snapshot.yaml", object: configMap, ordering: .supportObjects,
                                          chartGuard: guardValue, folder: firstFolder))
            }
            items.append(DeliveryItem(fileName: "job-snapshot.yaml", object: snapshot.job, ordering: Self.snapshotOrdering,
                                      chartGuard: guardValue, folder: firstFolder))
        }

        // Each Job follows its SQL ConfigMaps, which share its switch and folder.
        func jobItems(_ unit: JobUnit) -> [DeliveryItem] {
            let configMaps = sqlConfigMaps(for: unit)
            var out = configMaps.enumerated().map { index, configMap in
                DeliveryItem(fileName: configMaps.count == 1 ? "configmap-sql-\(unit.suffix).yaml" : "configmap-sql-\(unit.suffix)-\(index + 1).yaml",
                             object: configMap, ordering: .supportObjects, chartGuard: unit.chartGuard, folder: unit.folder,
                             isSQLConfigMap: true, mountingJob: unit)
            }
            out.append(DeliveryItem(fileName: unit.fileName, object: builder.job(unit, configMaps: configMaps.map(\.metadata.name)),
                                    ordering: unit.ordering, chartGuard: unit.chartGuard, folder: unit.folder, job: unit))
            return out
        }
        func isEarly(_ unit: JobUnit) -> Bool { unit.ordering.weight < 0 && (unit.folder == nil || unit.folder?.inDefaultSync == true) }
        let (early, late) = (jobs.filter(isEarly), jobs.filter { !isEarly($0) })
        items += early.flatMap(jobItems)

        let blueGreenBuilder = BlueGreenBuilder(spec)
        if let green = blueGreenBuilder.greenCluster {
            let file = green.kind == "postgresql" ? "postgresql-green.yaml" : "mysqlcluster-green.yaml"
            // Green becomes production: neither Helm (uninstall) nor Argo CD (prune, Application deletion)
            // may delete it; the chart carries Argo CD's annotation too, for an Application of the chart.
            func kept(_ item: DeliveryItem) -> DeliveryItem {
                var item = item
                item.helmAnnotations = BlueGreenBuilder.keepHelm + BlueGreenBuilder.keepArgo
                item.argoAnnotations = BlueGreenBuilder.keepArgo
                return item
            }
            if let switched = blueGreenBuilder.greenClusterDeclaringReverseSlot {
                // The same object, with the way back's slot declared to Patroni while switched (the chart only;
                // `manifests/` users patch it, as the runbook says).
                items.append(kept(DeliveryItem(fileName: file, object: green, ordering: .regular, chartGuard: target == .chart ? "not (\(BlueGreenBuilder.switchedGuard))" : nil)))
                items.append(kept(DeliveryItem(fileName: "postgresql-green-switched.yaml", object: switched, ordering: .regular,
                                               chartGuard: BlueGreenBuilder.switchedGuard, inManifests: false)))
            } else {
                items.append(kept(DeliveryItem(fileName: file, object: green, ordering: .regular)))
            }
        }
        items.append(DeliveryItem(fileName: "rollout.yaml",
                                  object: RolloutBuilder(spec, image: target == .chart ? Self.appImageValue : spec.app.image.value,
                                                         versionSchema: VersionSchemaSelection.schemas(plan) == nil ? nil
                                                            : (target == .chart ? Self.appVersionSchemaValue : "new")).rollout,
                                  ordering: .regular, folder: appFolder))
        var monitoring = MonitoringBuilder(spec)
        if let unit = monitoring.logicalLagUnit {
            // The analysis' Job metric runs the runner from a ConfigMap of its own, next to the template.
            let configMaps = sqlConfigMaps(for: unit)
            for configMap in configMaps {
                items.append(DeliveryItem(fileName: configMaps.count == 1 ? "configmap-sql-\(unit.suffix).yaml" : "configmap-sql-\(configMap.metadata.name).yaml",
                                          object: configMap, ordering: .regular, folder: appFolder))
            }
            var job = builder.job(unit, configMaps: configMaps.map(\.metadata.name))
            // One measurement: no retry, a short deadline; green's Secret may not exist yet (the pod
            // starts without it, and the runner measures blue only).
            job.backoffLimit = 0
            job.activeDeadlineSeconds = 120
            job.ttlSecondsAfterFinished = 600
            job.template.spec.volumes = job.template.spec.volumes.map { volume in
                guard volume.name == "secret-green", case .secret(let name, let items, _) = volume.source else { return volume }
                return Volume(name: volume.name, source: .secret(name: name, items: items, optional: true))
            }
            monitoring.logicalLagJob = job
        }
        if let template = monitoring.analysisTemplate {
            items.append(DeliveryItem(fileName: "analysistemplate.yaml", object: template, ordering: .regular, folder: appFolder))
        }
        if let rule = monitoring.prometheusRule {
            items.append(DeliveryItem(fileName: "prometheusrule.yaml", object: rule, ordering: .regular, folder: appFolder))
        }
        if let schemas = VersionSchemaSelection.schemas(plan) {
            // What the app's pods reference to select their version's schema of views (the runbook's patch).
            var data: [KeyValue] = []
            if spec.database.engine == .mysql {
                // MySQL: the database each version connects to; `base` is where the runbook's revert and
                // the step after contract point the app (the version databases go away after them).
                data = [KeyValue("base.database", spec.database.name), KeyValue("new.database", schemas.new), KeyValue("old.database", schemas.old)]
            } else {
                for (version, schema) in [("new", schemas.new), ("old", schemas.old)] {
                    data.append(KeyValue("\(version).PGOPTIONS", VersionSchemaSelection.pgOptions(schema, base: spec.database.schemaName)))
                    data.append(KeyValue("\(version).search_path", VersionSchemaSelection.searchPath(schema, base: spec.database.schemaName)))
                }
            }
            let configMap = ConfigMap(metadata: MigrationLabels(spec).metadata(name: VersionSchemaSelection.configMapName(spec), component: "version-schemas"),
                                      data: data)
            items.append(DeliveryItem(fileName: "configmap-version-schemas.yaml", object: configMap, ordering: .regular, folder: appFolder))
        }
        if let flags = support.flags(phases: plan.phases.map(\.phase)) {
            // The chart renders the live file from `featureFlag.enabled`, which the runbook's upgrades after
            // verify set (an upgrade would otherwise put the kubectl-flipped file back to off).
            items.append(DeliveryItem(fileName: "configmap-flags.yaml", object: flags, ordering: .regular,
                                      chartGuard: target == .chart ? "not .Values.featureFlag.enabled" : nil, folder: appFolder))
            if target == .chart, let on = support.flags(phases: plan.phases.map(\.phase), liveOn: true) {
                items.append(DeliveryItem(fileName: "configmap-flags-on.yaml", object: on, ordering: .regular,
                                          chartGuard: ".Values.featureFlag.enabled", folder: appFolder, inManifests: false))
            }
        }

        for unit in late {
            items += jobItems(unit)
            // The Service the switch moves, unless `switchover.manageService` is off (the runbook patches the user's own).
            func serviceItem(_ file: String, _ service: Service, _ folder: DeliveryFolder) -> DeliveryItem {
                var item = DeliveryItem(fileName: file, object: service, ordering: .regular,
                                        chartGuard: unit.chartGuard.map { "and (\($0)) \(BlueGreenBuilder.manageServiceValue)" }, folder: folder)
                item.helmAnnotations = BlueGreenBuilder.keepHelm
                item.argoAnnotations = BlueGreenBuilder.keepArgo
                return item
            }
            if unit.suffix == "switchover", let service = blueGreenBuilder.switchService(to: .green) {
                items.append(serviceItem("service-switchover-green.yaml", service, .switchover))
            }
            if unit.suffix == "switchback", let service = blueGreenBuilder.switchService(to: .blue) {
                items.append(serviceItem("service-switchback-blue.yaml", service, .switchback))
            }
        }
        return items.filter { target == .chart ? $0.inChart : $0.inManifests }
    }
}
