@testable import CutoverPlan
@testable import CutoverSpec
@testable import CutoverEmit
@testable import CutoverCore
import Testing

@Suite struct DeliveryLayoutTests {
    let expandContract = KubernetesFixtures.spec(KubernetesFixtures.expandContractYAML)
    let blueGreen = KubernetesFixtures.spec(KubernetesFixtures.blueGreenYAML)

    @Test func aPhaseWithoutStepsGetsNoJob() {
        let jobs = JobCatalog(KubernetesFixtures.emptyPlan(expandContract)).jobs
        // Only the checksum runs without steps.
        #expect(jobs.map(\.suffix) == ["verify"])
        #expect(jobs[0].arguments == ["checksum:pricing:id:int"])
        let bg = JobCatalog(KubernetesFixtures.emptyPlan(blueGreen)).jobs.map(\.suffix)
        // PostgreSQL blue-green always has the runner's preflight, before anything changes.
        #expect(bg == ["preflight", "schema-load", "verify", "switchover", "switchback"])
    }

    @Test func everyPhaseWithStepsGetsItsJobsInOrder() {
        let plan = KubernetesFixtures.fullPlan(expandContract)
        let jobs = JobCatalog(plan).jobs
        #expect(jobs.map(\.suffix) == ["preflight", "expand", "backfill", "complete", "verify", "contract", "purge",
                                       "rollback-contract", "rollback-complete", "rollback-backfill", "rollback-expand"])
        let expand = jobs.first { $0.suffix == "expand" }!
        #expect(expand.arguments == plan.steps(in: .expand).map { "\($0.fileStem).up.sql" })
        let rollback = jobs.first { $0.suffix == "rollback-expand" }!
        #expect(rollback.arguments == plan.steps(in: .expand).reversed().map { "\($0.fileStem).down.sql" })
        #expect(jobs.first { $0.suffix == "verify" }!.arguments.last == "checksum:pricing:id:int")
        let weights = jobs.filter { $0.chartGuard?.hasPrefix("and .Values.phases") == true }.map(\.ordering.weight)
        #expect(weights == weights.sorted())
    }

    @Test func blueGreenJobsRunOnTheirSides() throws {
        let plan = KubernetesFixtures.fullPlan(blueGreen)
        let jobs = JobCatalog(plan).jobs
        #expect(jobs.map(\.suffix) == ["preflight", "schema-load", "replicate", "verify", "switchover", "reverse-replication",
                                       "switchback", "drop-reverse", "cleanup", "rollback-replicate", "rollback-schema-load"])
        let switchover = jobs.first { $0.suffix == "switchover" }!
        // The fenced switch: nothing when already switched, green complete, the full checksums (blue
        // live), blue fenced, green caught up, then the fenced checksums (counts, highest keys, the ranges
        // still changing before), sequences (GREATEST) and the step files.
        let names = DerivedNames(names: SQLNames(engine: .postgresql), migrationName: plan.spec.name)
        let synced = "wait-synced:blue:green:\(names.replication)"
        let same = "same-tables:blue:green:\(names.replication)"
        let live = switchover.arguments.filter { $0.hasPrefix("checksum-live:") }
        let fenced = switchover.arguments.filter { $0.hasPrefix("checksum-fenced:") }
        #expect(!live.isEmpty && live.map { $0.dropFirst("checksum-live:".count) } == fenced.map { $0.dropFirst("checksum-fenced:".count) })
        #expect(!switchover.arguments.contains { $0.hasPrefix("checksum:") }, "no full checksum in the write pause")
        // The way back's first half before the fence (issue #10 (c): its CREATE SUBSCRIPTION proves blue
        // reaches green while blue takes writes), a catch-up right before the fence, and the fenced one
        // with its own budget (S3).
        let renew = "renew-way-back:green:\(names.replication):\(names.reverseReplication)"
        // (This plan's steps are placeholders: the real plan's files are checked in reverseSubscriptionUsesBluesSuperuser.)
        let prepared = switchover.arguments.filter { $0.contains("_reverse_replicate_reverse_publication.up") || $0.contains("_reverse_replicate_reverse_subscription.up") }
        // Materialized views refreshed on green once the copy is complete, before the fence (M3); large
        // objects checked again right before it (SHOULD 1); the gap log compared after each checksum pass (MUST-FIX 4).
        let gap = "gap-check:blue:green:\(names.replication)"
        #expect(Array(switchover.arguments.prefix(13 + prepared.count + 2 * live.count))
                == ["unless-switched:green:\(names.replication)", synced, same] + live + ["\(gap):live", renew] + prepared
                    + ["refresh-matviews:blue:green", synced, "no-large-objects:blue", "unfence:green", "fence:blue:\(JobCatalog.fenceLockSeconds)",
                       "\(synced):\(JobCatalog.fencedWaitSeconds)", same] + fenced + ["\(gap):fenced"])
        // Marked switched after the step files; then, still before the Service moves, the way back's
        // part the app's first write on green needs (S1a: every reverse-replicate step but the forward
        // slot's drop); the way back refuses to start before that mark.
        let mark = try #require(switchover.arguments.firstIndex(of: "mark-switched:green:\(names.replication)"))
        let beforeMove = plan.steps(in: .reverseReplicate).filter { $0.slug != "drop_forward_slot" }
        #expect(switchover.arguments.count == mark + 1 + beforeMove.count, "\(switchover.arguments)")
        let fence = switchover.arguments.firstIndex(of: "fence:blue:\(JobCatalog.fenceLockSeconds)")!
        let sequences = switchover.arguments.firstIndex(of: "sync-sequences:blue:green")!
        #expect(fence < sequences)
        #expect(switchover.arguments[(sequences + 1)..<mark].allSatisfy { $0.hasPrefix("blue:") || $0.hasPrefix("green:") })
        // Blue's preflight mounts no green Secret (the first install's hooks run before green exists);
        // the schema load checks green first, once reachable.
        let preflight = jobs.first { $0.suffix == "preflight" }!
        #expect(preflight.secretSides == ["blue", JobCatalog.blueAdmin])
        #expect(preflight.arguments.last == "preflight:blue:\(names.replication)")
        #expect(preflight.ordering == HookOrdering(.pre, -10))
        #expect(jobs.first { $0.suffix == "schema-load" }!.arguments.first == "preflight:green:\(names.reverseReplication)")
                        // The fence is blue's superuser's (its trigger function is no role of the app's).
        #expect(switchover.secretSides == ["blue", "green", JobCatalog.blueAdmin])
        // Replication on blue uses blue's superuser, and so does green's subscription (its conninfo):
        // the app's role needs no REPLICATION.
        let replicate = jobs.first { $0.suffix == "replicate" }!
        #expect(replicate.secretSides == ["blue", "green", JobCatalog.blueAdmin])
        #expect(!replicate.arguments.contains { $0.hasPrefix("blue:") }, "\(replicate.arguments)")
        // The way back's part before the Service moves runs in the switchover Job's own pod (no pod start in
        // the write pause, S1a); the rest is a post-upgrade hook, once the app is on green.
        let reverse = jobs.first { $0.suffix == "reverse-replication" }!
        #expect(reverse.ordering.stage == .post && switchover.ordering.stage == .pre, "\(reverse.ordering)")
        #expect(reverse.arguments.first == "if-switched:green:\(names.replication)")
        #expect(reverse.arguments.dropFirst().first == "end-sessions:blue", "\(reverse.arguments)")
        #expect(reverse.arguments.last == "enable-subscription:blue:\(names.reverseReplication)", "\(reverse.arguments)")

        // Switching back: the forward slot skips what green sent back, with both sides fenced, before
        // the switchback's point of no return; and once before green's fence (S3: the long advance over
        // the whole green period's WAL stays out of the write pause).
        let switchback = jobs.first { $0.suffix == "switchback" }!
        let args = switchback.arguments
        let skips = args.indices.filter { args[$0] == "skip-slot:blue:\(names.replication)" }
        let fenceGreen = try #require(args.firstIndex(of: "fence:green:\(JobCatalog.fenceLockSeconds)"))
        let commit = try #require(args.firstIndex(of: "mark-switching-back:green:\(names.replication)"))
        #expect(skips.count == 2, "\(args)")
        #expect(skips.first.map { $0 < fenceGreen } == true, "\(args)")
        #expect(skips.last.map { $0 > fenceGreen && $0 < commit } == true, "\(args)")
        #expect(commit < args.firstIndex(of: "unfence:blue")!)
        // The marker goes last: a failure before it leaves the switchback's marker, and a re-run completes it.
        #expect(args.last == "unmark-switched:green:\(names.replication)", "\(args)")
        // M2: a retry's pod starts only once the failed one has fully terminated (its EXIT trap done).
        let builder = JobBuilder(plan: plan, toolImage: "x", clientImage: "y")
        for unit in [switchover, switchback] {
            #expect(builder.job(unit, configMap: "c").podReplacementPolicy == "Failed", "\(unit.suffix)")
        }
        #expect(builder.job(replicate, configMap: "c").podReplacementPolicy == nil)
    }

    /// The real plan's subscription on blue (the way back) is created with blue's superuser Secret.
    @Test func reverseSubscriptionUsesBluesSuperuser() throws {
        let path = TestPaths.examples.appendingPathComponent("ledger-pg14.yaml").path
        let result = try Compiler().check(fileAt: path)
        let plan = Compiler().plan(try #require(result.validated))
        let reverse = try #require(JobCatalog(plan).jobs.first { $0.suffix == "reverse-replication" })
        #expect(reverse.secretSides == ["blue", "green", JobCatalog.blueAdmin])
        // Its subscription is created (disabled) by the switchover Job before blue's fence: CREATE
        // SUBSCRIPTION connects to green, so blue reaching green is proven while blue takes writes (issue #10 (c)).
        let switchover = try #require(JobCatalog(plan).jobs.first { $0.suffix == "switchover" })
        let created = try #require(switchover.arguments.firstIndex { $0.contains("reverse_replicate_reverse_subscription.up") })
        #expect(switchover.arguments[created].hasPrefix("\(JobCatalog.blueAdmin):"), "\(switchover.arguments)")
        #expect(created < switchover.arguments.firstIndex(of: "fence:blue:\(JobCatalog.fenceLockSeconds)")!, "\(switchover.arguments)")
        // The way back complete before forward replication stops (in the switchover Job, after its mark:
        // S1a), and enabled last, by reverse-replication after the Service moved (issue #10 (b)).
        let stop = try #require(switchover.arguments.firstIndex { $0.contains("stop_forward_subscription.up") })
        let subscription = try #require(switchover.arguments.lastIndex { $0.contains("reverse_replicate_reverse_subscription.up") })
        let slot = try #require(switchover.arguments.lastIndex { $0.contains("reverse_replicate_reverse_slot.up") })
        #expect(switchover.arguments[subscription].hasPrefix("\(JobCatalog.blueAdmin):"), "\(switchover.arguments)")
        let marked = try #require(switchover.arguments.firstIndex { $0.hasPrefix("mark-switched:") })
        #expect(marked < slot && slot < stop && subscription < stop && stop == switchover.arguments.count - 1, "\(switchover.arguments)")
        // Green's reverse slot is created before the fence (after the check for transactions its creation
        // waits for) and moved in the pause, before the mark (sre10e M2); after the mark only where missing.
        let early = try #require(switchover.arguments.firstIndex { $0.contains("reverse_replicate_reverse_slot.up") })
        let fence = try #require(switchover.arguments.firstIndex(of: "fence:blue:\(JobCatalog.fenceLockSeconds)"))
        let skip = try #require(switchover.arguments.lastIndex { $0.hasPrefix("skip-slot:green:") })
        #expect(switchover.arguments[early - 1] == "xid-holders:green:\(JobCatalog.fenceLockSeconds)" && early < fence && fence < skip && skip == marked - 1
                && switchover.arguments[early + 1].hasPrefix("skip-slot:green:"),
                "\(switchover.arguments)")
        #expect(!reverse.arguments.contains { $0.contains("reverse_slot.up") || $0.contains("stop_forward_subscription.up") }, "\(reverse.arguments)")
        #expect(reverse.arguments.last == "enable-subscription:blue:\(DerivedNames(names: SQLNames(engine: .postgresql), migrationName: plan.spec.name).reverseReplication)", "\(reverse.arguments)")
        let job = JobBuilder(plan: plan, toolImage: "x", clientImage: "y").job(reverse, configMap: "c")
        #expect(String(describing: job).contains("postgres.ledger-db.credentials.postgresql.acid.zalan.do"))
    }

    @Test func destructiveStepsStayOutOfTheDefaultKustomization() {
        let files = KubernetesFixtures.files(KubernetesFixtures.fullPlan(expandContract))
        let root = files.first { $0.path == "manifests/kustomization.yaml" }!.contents
        for folder in ["contract", "purge", "rollback-contract", "rollback-complete", "rollback-backfill", "rollback-expand"] {
            #expect(!root.contains(folder), "\(folder)")
            #expect(files.contains { $0.path == "manifests/\(folder)/kustomization.yaml" })
            // kubectl ignores sync waves: a rollback folder holds exactly one Job.
            if folder.hasPrefix("rollback") {
                #expect(files.filter { $0.path.hasPrefix("manifests/\(folder)/job-") }.count == 1, "\(folder)")
            }
        }
        #expect(!files.contains { $0.path.hasPrefix("manifests/rollback/") })
        let contract = files.first { $0.path == "manifests/contract/job-contract.yaml" }!.contents
        #expect(contract.contains("argocd.argoproj.io/hook: Sync"))
        #expect(contract.contains("name: pricing-tiers-contract-sql"))
        // The snapshot is taken once, by the Job in the first forward folder (SnapshotJobTests), never re-applied per folder.
        #expect(!files.contains { $0.path.hasSuffix("/volumesnapshot.yaml") })
        #expect(files.contains { $0.path == "manifests/preflight/job-snapshot.yaml" || $0.path == "manifests/expand/job-snapshot.yaml" })
        let chartContract = files.first { $0.path == "chart/templates/job-contract.yaml" }!.contents
        #expect(chartContract.hasPrefix("{{- if and .Values.phases.contract.enabled (not .Values.rollback.enabled) }}\n"))
        let backfill = files.first { $0.path == "chart/templates/job-backfill.yaml" }!.contents
        #expect(backfill.contains("helm.sh/hook: pre-install,pre-upgrade"), "backfill runs before the new version's pods")
        let complete = files.first { $0.path == "chart/templates/job-complete.yaml" }!.contents
        #expect(complete.hasPrefix("{{- if and .Values.phases.complete.enabled (not .Values.rollback.enabled) }}\n"))
        #expect(complete.contains("helm.sh/hook: post-install,post-upgrade"))
        #expect(files.first { $0.path == "manifests/complete/job-complete.yaml" }!.contents.contains("argocd.argoproj.io/hook: PostSync"))
        let rollbackExpand = files.first { $0.path == "chart/templates/job-rollback-expand.yaml" }!.contents
        #expect(rollbackExpand.hasPrefix("{{- if and .Values.rollback.enabled .Values.rollback.expand }}\n"))
        #expect(chartContract.contains("helm.sh/hook: post-install,post-upgrade"))
        #expect(chartContract.contains("helm.sh/hook-delete-policy: before-hook-creation,hook-succeeded"))
        let expand = files.first { $0.path == "chart/templates/job-expand.yaml" }!.contents
        #expect(expand.contains("helm.sh/hook: pre-install,pre-upgrade"))
        #expect(expand.contains("helm.sh/hook-weight: '-5'"))
        #expect(root.hasSuffix("- expand/\n- backfill/\n- app/\n"), "forward folders in run order, up to the app")
        // The first sync takes the Deployment over at the old image: complete (SET NOT NULL, FK
        // validation) and verify must not be PostSync hooks of it, but later explicit syncs.
        for folder in ["complete", "verify"] {
            #expect(!root.contains("\(folder)/"), "\(folder) is not in the default sync")
            #expect(files.contains { $0.path == "manifests/\(folder)/kustomization.yaml" })
        }
        let argoExpand = files.first { $0.path == "manifests/expand/job-expand.yaml" }!.contents
        #expect(argoExpand.contains("argocd.argoproj.io/sync-wave: '-5'"))
        #expect(argoExpand.contains("argocd.argoproj.io/hook: PreSync"))
    }

    @Test func everyYAMLFileHasTheHeaderAndLFEndings() {
        for plan in [KubernetesFixtures.fullPlan(expandContract), KubernetesFixtures.fullPlan(blueGreen), KubernetesFixtures.emptyPlan(blueGreen)] {
            let files = KubernetesFixtures.files(plan)
            for file in files {
                #expect(!file.contents.contains("\r"))
                #expect(file.contents.hasSuffix("\n"))
                guard file.path.hasSuffix(".yaml") else { continue }
                let lines = file.contents.split(separator: "\n")
                let header = GeneratedHeader.yaml(plan.spec).dropLast()
                #expect(lines.prefix(2).contains { $0 == header }, "\(file.path)")
            }
            #expect(files == KubernetesFixtures.files(plan), "output is deterministic")
        }
    }

    @Test func everyObjectIsNamespacedAndLabelled() {
        let keys = ["app.kubernetes.io/name", "app.kubernetes.io/instance", "app.kubernetes.io/component",
                    "app.kubernetes.io/part-of", "app.kubernetes.io/managed-by"]
        for spec in [expandContract, blueGreen] {
            for target in [DeliveryLayout.Target.chart, .manifests] {
                for item in DeliveryLayout(KubernetesFixtures.fullPlan(spec), for: target).items {
                    #expect(item.object.metadata.namespace == spec.metadata.namespace)
                    #expect(Array(item.object.metadata.labels.map(\.key).prefix(5)) == keys)
                }
            }
        }
    }

    @Test func jobsAreHardenedAndReadCredentialsFromFiles() {
        let items = DeliveryLayout(KubernetesFixtures.fullPlan(blueGreen), for: .manifests).items
        let jobs = items.compactMap { $0.object as? Job }
        #expect(!jobs.isEmpty)
        for job in jobs {
            let pod = job.template.spec
            #expect(pod.securityContext.runAsUser >= 10000 && pod.securityContext.fsGroup >= 10000)
            let container = pod.containers[0]
            #expect(container.securityContext.readOnlyRootFilesystem)
            #expect(container.env.allSatisfy { !$0.name.lowercased().contains("password") && !$0.name.lowercased().contains("user") })
            #expect(container.volumeMounts.filter { $0.name.hasPrefix("secret-") }.allSatisfy { $0.readOnly })
            #expect(container.volumeMounts.contains { $0.mountPath == "/tmp" })
            #expect(!container.resources.requests.isEmpty && !container.resources.limits.isEmpty)
            // The fixture's deadline and statement timeout are both 30m: a statement and its lock wait fit, with a minute to spare.
            #expect(job.activeDeadlineSeconds == blueGreen.runner.statementTimeout.seconds + blueGreen.runner.lockTimeout.seconds + 60)
        }
        let green = items.compactMap { $0.object as? ZalandoPostgresql }.first!
        #expect(green.metadata.name.hasPrefix(green.teamId + "-"))
        #expect(green.version == "14")
    }

    @Test func featureFlagFilesHoldTheStateOfEachPhase() throws {
        let flags = try #require(SupportObjectsBuilder(expandContract).flags(phases: PhaseCatalog.phases(for: expandContract).map(\.phase)))
        let data = Dictionary(uniqueKeysWithValues: flags.data.map { ($0.key, $0.value) })
        #expect(data["flags.goff.yaml"]?.contains("variation: disabled") == true)
        #expect(data["flags.expand.goff.yaml"]?.contains("variation: disabled") == true)
        #expect(data["flags.verify.goff.yaml"]?.contains("variation: enabled") == true)
        #expect(data["flags.contract.goff.yaml"]?.contains("variation: enabled") == true)
        #expect(data["flags.rollback.goff.yaml"]?.contains("variation: disabled") == true)
    }

    @Test func eachJobMountsItsOwnSQLConfigMapInChartAndManifests() {
        for spec in [expandContract, blueGreen] {
            let plan = KubernetesFixtures.fullPlan(spec)
            let chart = DeliveryLayout(plan, for: .chart).items, manifests = DeliveryLayout(plan, for: .manifests).items
            let layout = DeliveryLayout(plan, for: .chart)
            for job in layout.jobs {
                let name = KubernetesNames(spec).jobConfigMap(job.suffix)
                for items in [chart, manifests] {
                    let maps = items.filter { $0.mountingJob?.suffix == job.suffix }
                    #expect(maps.map(\.object.metadata.name) == [name])
                    #expect(maps.allSatisfy { $0.folder == job.folder && $0.chartGuard == job.chartGuard && $0.ordering == .supportObjects })
                    let data = (maps[0].object as! ConfigMap).data
                    #expect(data.map(\.key) == layout.runnerFiles.names(for: [job]))
                    let jobObject = items.first { $0.job?.suffix == job.suffix }!.object as! Job
                    #expect(jobObject.template.spec.volumes.first { $0.name == "sql" }?.source == .configMap(name: name))
                }
                // The chart and manifests/ carry the same SQL.
                let chartData = chart.first { $0.mountingJob?.suffix == job.suffix }!.object as! ConfigMap
                let manifestData = manifests.first { $0.mountingJob?.suffix == job.suffix }!.object as! ConfigMap
                #expect(chartData == manifestData)
            }
            // No SQL file is left behind in manifests/: every ConfigMap is an object, not a generator.
            let files = KubernetesFixtures.files(plan)
            #expect(!files.contains { $0.path.hasPrefix("manifests/") && $0.path.hasSuffix(".sql") })
            #expect(!files.contains { $0.contents.contains("configMapGenerator") })
        }
    }

    @Test func largeJobsSplitTheirSQLIntoProjectedConfigMaps() {
        let plan = KubernetesFixtures.fullPlan(expandContract)
        for target in [DeliveryLayout.Target.chart, .manifests] {
            var layout = DeliveryLayout(plan, for: target)
            layout.configMapDataLimit = 600
            let items = layout.items
            var split = 0
            for job in layout.jobs {
                let maps = items.filter { $0.mountingJob?.suffix == job.suffix }.map { $0.object as! ConfigMap }
                let wanted = layout.runnerFiles.names(for: [job])
                #expect(maps.flatMap { $0.data.map(\.key) } == wanted, "every file exactly once, in order")
                for map in maps where map.data.count > 1 {
                    #expect(map.data.reduce(0) { $0 + $1.key.utf8.count + $1.value.utf8.count } <= 600)
                }
                let volume = (items.first { $0.job?.suffix == job.suffix }!.object as! Job).template.spec.volumes.first { $0.name == "sql" }!
                let base = KubernetesNames(plan.spec).jobConfigMap(job.suffix)
                if maps.count == 1 {
                    #expect(volume.source == .configMap(name: base))
                } else {
                    split += 1
                    #expect(maps.map(\.metadata.name) == (1...maps.count).map { "\(base)-\($0)" })
                    #expect(volume.source == .projected(configMaps: maps.map(\.metadata.name)))
                    #expect(items.filter { $0.mountingJob?.suffix == job.suffix }.map(\.fileName)
                            == (1...maps.count).map { "configmap-sql-\(job.suffix)-\($0).yaml" })
                }
            }
            #expect(split > 0)
        }
        // The projected volume as YAML.
        let volume = Volume(name: "sql", source: .projected(configMaps: ["a-sql-1", "a-sql-2"]))
        #expect(ManifestYAML.document(volume.node(), header: "") == """
            name: sql
            projected:
              sources:
              - configMap:
                  name: a-sql-1
              - configMap:
                  name: a-sql-2

            """)
    }

    /// Green becomes production: `helm uninstall` of this release, a Helm run that no longer renders it,
    /// and an Argo CD prune or Application deletion must all leave green's cluster resource (the
    /// operator would delete the cluster, its volumes and Secrets). The chart carries both tools'
    /// annotations (Argo CD may render the chart), `manifests/` Argo CD's; every green file of both.
    @Test func greenClusterSurvivesUninstallPruneAndApplicationDeletion() {
        let plan = KubernetesFixtures.fullPlan(blueGreen)
        let keepHelm = KeyValue("helm.sh/resource-policy", "keep")
        let keepArgo = KeyValue("argocd.argoproj.io/sync-options", "Prune=false,Delete=false")
        for target in [DeliveryLayout.Target.chart, .manifests] {
            let green = DeliveryLayout(plan, for: target).items.filter { $0.object.kind == "postgresql" }
            #expect(green.count == (target == .chart ? 2 : 1), "\(target)")
            for item in green {
                #expect(item.argoAnnotations.contains(keepArgo), "\(target) \(item.fileName)")
                if target == .chart { #expect(item.helmAnnotations.contains(keepHelm) && item.helmAnnotations.contains(keepArgo), "\(item.fileName)") }
            }
        }
        let chart = HelmChartEmitter().emit(plan).filter { $0.path.hasPrefix("chart/templates/postgresql-green") }
        #expect(chart.count == 2)
        for file in chart {
            #expect(file.contents.contains("  annotations:\n    helm.sh/resource-policy: keep\n    argocd.argoproj.io/sync-options: Prune=false,Delete=false\n"), "\(file.path)")
        }
        let manifests = ManifestsEmitter().emit(plan).filter { $0.path.hasSuffix("postgresql-green.yaml") }
        #expect(manifests.count == 1)
        #expect(manifests.allSatisfy { $0.contents.contains("argocd.argoproj.io/sync-options: Prune=false,Delete=false") })
        // Operator none: the user provisions green, nothing of it is rendered.
        let none = KubernetesFixtures.spec(KubernetesFixtures.blueGreenYAML, replacing: [("operator: zalando", "operator: none")])
        #expect(DeliveryLayout(KubernetesFixtures.fullPlan(none), for: .chart).items.allSatisfy { $0.object.kind != "postgresql" })
    }
}
