import CutoverPlan

/// The exact commands the plan README prints to run a phase and to roll it back, per delivery method.
/// Owned by the Kubernetes emitters, whose object names, values switches and `manifests/` folders
/// these commands name (see `JobCatalog`, `ChartValues` and `DeliveryFolder`).
///
/// Expand-contract, in the order of `docs/spec-language.md` (Phases): one Helm upgrade runs
/// preflight, expand and backfill as pre-install/pre-upgrade hooks and then starts the Rollout; the
/// runbook waits until the Rollout is fully promoted or has failed; a later upgrade runs complete and
/// verify; contract and purge are later upgrades again. Each later upgrade turns the earlier phases
/// off, so their hooks do not run again (a re-run of expand after contract would bring back what
/// contract retired). Rolling back: one upgrade undoes contract, complete and backfill before the
/// previous app version's pods come back, and reverts the app; once it fully serves again, a last
/// upgrade undoes expand. Plain kubectl applies one folder per phase and waits for its Jobs.
public enum PhaseCommands {
    /// One phase's commands for both deliveries.
    public struct Both: Sendable {
        public var helm: Commands
        public var kubectl: Commands
    }

    public struct Commands: Sendable {
        public var run: [String]
        public var rollback: [String]
    }

    /// The Jobs' `activeDeadlineSeconds` (`LoweringContext.jobDeadlineSeconds`): the runner's deadline,
    /// and never shorter than a statement's timeout plus a lock wait and a margin, so the server ends a
    /// long statement before Kubernetes kills the pod.
    public static func jobDeadlineSeconds(_ spec: MigrationSpec) -> Int {
        LoweringContext.jobDeadlineSeconds(spec)
    }

    /// Helm's `--timeout` for an invocation whose hooks run `jobs` Jobs one after another: each may
    /// take its whole deadline, plus a margin for scheduling and image pulls. Helm's default (5m)
    /// would mark the release failed while a Job still runs.
    static func helmTimeout(_ spec: MigrationSpec, jobs: Int) -> String {
        "--timeout \(max(1, jobs) * jobDeadlineSeconds(spec) + 300)s"
    }

    /// The wait that ends when the Rollout is fully promoted (exit 0) or degraded/aborted (non-zero).
    /// `after`: a shell value holding the pod hash from before a new image was set, so the wait is
    /// for that new revision and not the previous Healthy status.
    static func promotionWaits(_ spec: MigrationSpec, after oldHash: String? = nil) -> [String] {
        ["kubectl argo rollouts status \(spec.app.name) --namespace \(spec.metadata.namespace) --timeout 3600s",
         "# or without the Argo Rollouts plugin (see \"Before you start\"):",
         "wait_rollout \(spec.app.name)" + (oldHash.map { " \($0)" } ?? "")]
    }

    /// With `workloadRef` the Rollout first takes over the Deployment at the image it runs (no new
    /// version yet); once that is Healthy, a new image in the Deployment's pod template starts the canary.
    static func startNewVersion(_ spec: MigrationSpec, versionSchemas: Bool = false) -> [String] {
        guard !spec.app.podTemplate else { return promotionWaits(spec) }
        let deployment = spec.app.deployment.isEmpty ? spec.app.name : spec.app.deployment
        let change = versionSchemas
            ? [spec.database.engine == .mysql
                ? "# the new image and its database of views (\(VersionSchemaSelection.mysqlDatabaseEnv) from the version-schemas ConfigMap) in one change:"
                : "# the new image and its schema of views (PGOPTIONS from the version-schemas ConfigMap) in one change:",
               recordPodHash(spec),
               VersionSchemaSelection.patch(spec, deployment: deployment, image: spec.app.image.value, version: "new"),
               "# (the container named like the app; with GitOps, change the image and add the env in the Deployment's manifest instead)"]
            : [recordPodHash(spec),
               "kubectl set image deployment/\(deployment) --namespace \(spec.metadata.namespace) \(spec.app.name)=\(spec.app.image.value)",
               "# (the container named like the app; with GitOps, change the image in the Deployment's manifest instead)"]
        return ["# the Rollout has taken over Deployment \(deployment) at the image it runs; wait for that, then start the new version:"]
            + promotionWaits(spec) + change
            + promotionWaits(spec, after: "\"$OLD_POD_HASH\"")
    }

    /// Keeps the Rollout's pod hash before an image change, so the wait after it is for the new
    /// revision (`wait_rollout NAME "$OLD_POD_HASH"`), not the status of the one before.
    static func recordPodHash(_ spec: MigrationSpec) -> String {
        "OLD_POD_HASH=$(kubectl get rollouts.argoproj.io \(spec.app.name) --namespace \(spec.metadata.namespace) -o jsonpath='{.status.currentPodHash}')"
    }

    /// Puts the previous image back where the Rollout reads its pod template from.
    static func revertImage(_ spec: MigrationSpec, versionSchemas: Bool = false) -> [String] {
        let app = spec.app.name, namespace = spec.metadata.namespace
        if !spec.app.podTemplate {
            let deployment = spec.app.deployment.isEmpty ? app : spec.app.deployment
            if versionSchemas && spec.database.engine == .mysql {
                // Not the old version's database of views: the rollback of expand drops it, and a
                // connection does not fall through; the base tables have the old shape until contract.
                return ["# revert the app to its previous image (recorded before you started) and the base database \(spec.database.name):",
                        recordPodHash(spec),
                        VersionSchemaSelection.patch(spec, deployment: deployment, image: "\"$PREVIOUS_IMAGE\"", version: "base")]
            }
            if versionSchemas {
                return ["# revert the app to its previous image (recorded before you started) and the old version's schema of views:",
                        recordPodHash(spec),
                        VersionSchemaSelection.patch(spec, deployment: deployment, image: "\"$PREVIOUS_IMAGE\"", version: "old")]
            }
            return ["# revert the app to its previous image (recorded before you started):",
                    recordPodHash(spec),
                    "kubectl set image deployment/\(deployment) --namespace \(namespace) \(app)=\"$PREVIOUS_IMAGE\""]
        }
        // The Rollout's own pod template: the image, and (version schemas) the ConfigMap key its env reads,
        // in one patch (one revision).
        let image = "{\"op\":\"replace\",\"path\":\"/spec/template/spec/containers/0/image\",\"value\":\"'\"$PREVIOUS_IMAGE\"'\"}"
        guard versionSchemas else {
            return ["# revert the app to its previous image (recorded before you started):",
                    recordPodHash(spec),
                    "kubectl patch rollouts.argoproj.io \(app) --namespace \(namespace) --type json -p '[\(image)]'"]
        }
        let version = VersionSchemaSelection.revertVersion(spec)
        return ["# revert the app to its previous image (recorded before you started) and " + (spec.database.engine == .mysql
                    ? "the base database \(spec.database.name) (\(VersionSchemaSelection.envName(spec)) from the version-schemas ConfigMap's \(VersionSchemaSelection.configMapKey(spec, version: version))):"
                    : "the old version's schema of views (PGOPTIONS from the version-schemas ConfigMap's \(VersionSchemaSelection.configMapKey(spec, version: version))):"),
                recordPodHash(spec),
                "kubectl patch rollouts.argoproj.io \(app) --namespace \(namespace) --type json -p '[\(image),\(versionSchemaOp(spec, version: version))]'"]
    }

    /// The JSON patch op that points the Rollout's own pod template at `version`'s ConfigMap key (its
    /// container has that env var only: `RolloutBuilder`).
    static func versionSchemaOp(_ spec: MigrationSpec, version: String) -> String {
        "{\"op\":\"replace\",\"path\":\"/spec/template/spec/containers/0/env/0/valueFrom/configMapKeyRef/key\",\"value\":\"\(VersionSchemaSelection.configMapKey(spec, version: version))\"}"
    }

    /// MySQL version databases after contract: the new version still connects to its database of
    /// views; the tables now have its shape, so it moves to the base database (same image, one more
    /// canary), and only then can the version databases go (the plan README gives the statements).
    /// `helmUpgrade`: the chart's upgrade that sets `app.versionSchema=base` (the Rollout's own pod
    /// template), else the kubectl patch of the Rollout.
    static func leaveVersionDatabases(_ plan: MigrationPlan, helmUpgrade: String? = nil) -> [String] {
        let spec = plan.spec
        guard spec.database.engine == .mysql, let databases = VersionSchemaSelection.schemas(plan) else { return [] }
        if spec.app.podTemplate {
            // The Rollout's own pod template reads MYSQL_DATABASE from the ConfigMap: its `base` key.
            let change = helmUpgrade
                ?? "kubectl patch rollouts.argoproj.io \(spec.app.name) --namespace \(spec.metadata.namespace) --type json -p '[\(versionSchemaOp(spec, version: "base"))]'"
            return ["# the tables have the new version's shape: point the app at the base database \(spec.database.name) (same image), wait for it,",
                    recordPodHash(spec), change]
                + promotionWaits(spec, after: "\"$OLD_POD_HASH\"")
                + ["# then run purge (below): it drops \(databases.old) and \(databases.new), and refuses while a session still uses them"]
        }
        let deployment = spec.app.deployment.isEmpty ? spec.app.name : spec.app.deployment
        return ["# the tables have the new version's shape: point the app at the base database \(spec.database.name) (same image), wait for it,",
                recordPodHash(spec),
                VersionSchemaSelection.patch(spec, deployment: deployment, image: spec.app.image.value, version: "base")]
            + promotionWaits(spec, after: "\"$OLD_POD_HASH\"")
            + ["# then run purge (below): it drops \(databases.old) and \(databases.new), and refuses while a session still uses them"]
    }

    /// Stops the canary: the stable (previous) ReplicaSet takes all traffic again.
    static func abort(_ spec: MigrationSpec) -> [String] {
        let app = spec.app.name, namespace = spec.metadata.namespace
        return ["kubectl argo rollouts abort \(app) --namespace \(namespace)",
                "# or without the plugin:",
                "kubectl patch rollouts.argoproj.io \(app) --namespace \(namespace) --subresource status --type merge -p '{\"status\":{\"abort\":true}}'"]
    }

    public static func helm(_ phase: Phase, plan: MigrationPlan) -> Commands {
        helm(phase, plan: plan, jobs: JobCatalog(plan).jobs)
    }

    public static func helm(_ phase: Phase, plan: MigrationPlan, jobs: [JobUnit]) -> Commands {
        let spec = plan.spec
        let namespace = spec.metadata.namespace
        if spec.strategy == .blueGreen { return blueGreenHelm(phase, plan: plan) }
        func count(_ phases: Set<Phase>, rollback: Bool = false) -> Int {
            jobs.filter { phases.contains($0.phase) && ($0.component == "rollback") == rollback }.count
        }
        let switches = JobCatalog.switchablePhases(of: plan).map(\.phase)
        // The snapshot Job runs first on every upgrade (after the first it only checks the snapshot).
        let snapshotJobs = spec.snapshot == nil ? 0 : 1
        // A later upgrade turns exactly `on` on and every other phase off, and rollback off: with
        // `--reuse-values` after a rollback upgrade, the rollback hooks would run again.
        // The feature flag's live file: on from contract (verify passed; the runbook flipped it with
        // kubectl), off for complete and verify and for every rollback upgrade.
        func flag(_ on: Bool) -> [String] { spec.featureFlagKey == nil ? [] : ["--set featureFlag.enabled=\(on)"] }
        func stage(_ on: Set<Phase>, flagOn: Bool? = nil, extra: [String] = []) -> String {
            let sets = switches.map { "--set phases.\(JobCatalog.valuesKey($0)).enabled=\(on.contains($0))" } + [resetRollback(spec)]
                + flag(flagOn ?? (on.contains(.contract) || on.contains(.purge))) + extra
            return (["helm upgrade \(spec.name) ./chart --namespace \(namespace) --reuse-values"] + sets
                + [helmTimeout(spec, jobs: count(on) + snapshotJobs)]).joined(separator: " ")
        }
        let install = "helm upgrade --install \(spec.name) ./chart --namespace \(namespace) "
            + helmTimeout(spec, jobs: count([.preflight, .expand, .backfill]) + snapshotJobs)
        let upgrade = "helm upgrade \(spec.name) ./chart --namespace \(namespace) --reuse-values"
        // With its own pod template the chart reverts the image in the same upgrade; with workloadRef
        // the image lives in the user's Deployment, reverted right after the rollback hooks ran.
        let rollbackLater = "\(upgrade) --set rollback.enabled=true " + flag(false).map { $0 + " " }.joined() + (spec.app.podTemplate ? "--set app.image=\"$PREVIOUS_IMAGE\" " : "")
            + (spec.app.podTemplate && VersionSchemaSelection.schemas(plan) != nil ? "--set app.versionSchema=\(VersionSchemaSelection.revertVersion(spec)) " : "")
            + helmTimeout(spec, jobs: count([.contract, .complete, .backfill], rollback: true) + snapshotJobs)
        let laterBack = spec.app.podTemplate ? [recordPodHash(spec), rollbackLater] : [rollbackLater] + revertImage(spec, versionSchemas: VersionSchemaSelection.schemas(plan) != nil)
        let rollbackExpand = "\(upgrade) --set rollback.enabled=true --set rollback.expand=true " + flag(false).map { $0 + " " }.joined()
            + helmTimeout(spec, jobs: count([.expand], rollback: true) + snapshotJobs)
        let app = spec.app.name
        let expandBack = ["# once the later phases are rolled back and the previous app version fully serves again:"]
            + promotionWaits(spec, after: "\"$OLD_POD_HASH\"") + [rollbackExpand]
        switch phase {
        case .preflight:
            return Commands(run: [install], rollback: [])
        case .expand:
            return Commands(run: [install], rollback: expandBack)
        case .backfill:
            return Commands(run: [install], rollback: laterBack)
        case .rollout:
            return Commands(run: [install] + startNewVersion(spec, versionSchemas: VersionSchemaSelection.schemas(plan) != nil), rollback: abort(spec) + laterBack)
        case .complete:
            return Commands(run: [stage([.complete, .verify])], rollback: laterBack)
        case .verify:
            return Commands(run: [stage([.complete, .verify])], rollback: [])
        case .contract:
            // Leaving the version databases runs no Job (every phase off) and keeps the flag on.
            return Commands(run: [stage([.contract])] + leaveVersionDatabases(plan, helmUpgrade: stage([], flagOn: true, extra: ["--set app.versionSchema=base"])), rollback: laterBack)
        case .purge:
            return Commands(run: [stage([.purge])],
                            rollback: spec.snapshot == nil ? [] : ["# irreversible: restore the VolumeSnapshot \(KubernetesNames(spec).snapshot)"])
        case .provision, .schemaLoad, .replicate, .sequenceSync, .switchover, .reverseReplicate, .cleanup:
            return blueGreenHelm(phase, plan: plan)
        }
    }

    /// The switches every forward `--reuse-values` upgrade sets, so one after a rollback upgrade
    /// does not run the rollback hooks again (`rollback.expand` exists for expand-contract only).
    static func resetRollback(_ spec: MigrationSpec) -> String {
        spec.strategy == .blueGreen ? "--set rollback.enabled=false" : "--set rollback.enabled=false --set rollback.expand=false"
    }

    static func blueGreenHelm(_ phase: Phase, plan: MigrationPlan) -> Commands {
        let spec = plan.spec
        let namespace = spec.metadata.namespace
        // Every blue-green Job may run in one invocation (the first stage's hooks run again on the later
        // `--reuse-values` upgrades): an upper bound, since Helm stops at the first failed hook anyway.
        let all = JobCatalog(plan).jobs.count
        // --reuse-values on the install too: run again after the switch, it must keep switchover.to
        // (without it Helm would reset the switch and delete the switchover Service).
        let install = "helm upgrade --install \(spec.name) ./chart --namespace \(namespace) --reuse-values \(resetRollback(spec)) \(helmTimeout(spec, jobs: all))"
        let upgrade = "helm upgrade \(spec.name) ./chart --namespace \(namespace) --reuse-values"
        let timeout = helmTimeout(spec, jobs: all)
        switch phase {
        case .preflight, .verify:
            return Commands(run: [install], rollback: [])
        case .provision, .schemaLoad, .replicate:
            return Commands(run: [install], rollback: ["\(upgrade) --set rollback.enabled=true \(timeout)"])
        case .sequenceSync, .switchover, .reverseReplicate:
            // The restart only once Helm succeeded (its hooks, then the Service).
            return Commands(run: chained(["\(upgrade) --set switchover.to=green \(resetRollback(spec)) \(timeout)"] + restartApp(spec)),
                            rollback: chained(["\(upgrade) --set switchover.to=blue --set rollback.enabled=false \(timeout)"] + restartApp(spec)))
        case .cleanup:
            // Patroni must no longer declare the slots cleanup drops: undeclared first, a step of its own.
            let patroni = BlueGreenRunbook.patroniCleanup(spec)
            return Commands(run: chained(patroni.before + ["\(upgrade) --set phases.cleanup.enabled=true \(resetRollback(spec)) \(timeout)"] + patroni.after),
                            rollback: [])
        default:
            return Commands(run: [], rollback: [])
        }
    }

    /// After the Service moved: the app's pods restart, so no pooled connection stays on the side
    /// the app left (the fence refuses its writes there meanwhile). One command, the patch
    /// `kubectl argo rollouts restart` makes, so that it chains (no plugin alternative to choose).
    static func restartApp(_ spec: MigrationSpec) -> [String] {
        let app = spec.app.name, namespace = spec.metadata.namespace
        return ["# restart the app's pods so their pooled connections follow the Service (what `kubectl argo rollouts restart \(app)` does):",
                "kubectl patch rollouts.argoproj.io \(app) --namespace \(namespace) --type merge -p \"{\\\"spec\\\":{\\\"restartAt\\\":\\\"$(date -u +%Y-%m-%dT%H:%M:%SZ)\\\"}}\""]
    }

    /// Blue-green: each command of a block runs only once the one before succeeded (`&&` at the end of
    /// every command but the last; comment lines in between are allowed in a POSIX `&&` list). A
    /// failed Job (`wait_job` returns 1) or Helm run stops the block: the Service never moves after a
    /// failed switch, and the app's pods do not restart. Pasted line by line into an interactive shell
    /// the chain is still one list: the shell reads on until its last line.
    static func chained(_ lines: [String]) -> [String] {
        let commands = lines.indices.filter { !lines[$0].hasPrefix("#") }
        guard let last = commands.last else { return lines }
        var out = lines
        for index in commands where index != last { out[index] += " &&" }
        return out
    }

    /// Plain manifests: Argo CD syncs `manifests/` (PreSync, Sync, PostSync). With kubectl alone,
    /// apply one folder at a time and wait for its Jobs (`wait_job`, which ends on success or failure)
    /// before the next.
    public static func kubectl(_ phase: Phase, plan: MigrationPlan) -> Commands {
        kubectl(phase, plan: plan, jobs: JobCatalog(plan).jobs)
    }

    /// The runbook's line, before contract's apply, for Argo CD users (kubectl users apply nothing
    /// more): the Application must stop syncing `manifests/`, whose PreSync hooks run preflight, expand
    /// and backfill on every sync; `manifests/after-contract/` holds the app's objects only.
    public static let afterContractNote = "# Argo CD: first point the Application at \(DeliveryFolder.afterContract.path) (commit that) and sync it: "
        + "it holds the app's objects without the PreSync hooks, so no later sync runs preflight, expand and backfill again "
        + "(expand would create again what contract removes; the preflight refuses it). kubectl: nothing to do."

    /// `kubectl` with the plan's Jobs already built (the README asks for every phase).
    public static func kubectl(_ phase: Phase, plan: MigrationPlan, jobs: [JobUnit]) -> Commands {
        let spec = plan.spec
        let names = KubernetesNames(spec)
        func apply(_ folder: DeliveryFolder?) -> [String] {
            let held = jobs.filter { $0.folder == folder && (folder != nil || $0.phase == phase) }
            if folder != nil && held.isEmpty && folder != .app { return [] }
            // The snapshot Job sits in the first forward folder; expand waits for it (readyToUse).
            let snapshot = spec.strategy == .expandContract && spec.snapshot != nil && folder != nil
                && folder == jobs.compactMap(\.folder).first { $0.inDefaultSync } ? ["wait_job \(names.snapshotJob)"] : []
            return ["kubectl apply -k \(folder?.path ?? "manifests/")"] + snapshot + held.map { "wait_job \(names.job($0.suffix))" }
        }
        // kubectl applies a folder at once: here one Job at a time, selected by its component, in the
        // order Argo CD's hooks run them: the switch (the fence, the catch-up) before the way back
        // (which disables the forward subscription, and refuses to start earlier), the Service only
        // once they succeeded, and the Jobs of after the Service (drop-reverse) last.
        func switchFirst(_ folder: DeliveryFolder, then restart: [String]) -> [String] {
            let held = jobs.filter { $0.folder == folder }
            guard !held.isEmpty else { return [] }
            let before = held.filter { $0.ordering.stage == .pre }.sorted { $0.ordering.weight < $1.ordering.weight }
            let after = held.filter { $0.ordering.stage != .pre }
            let base = "kubectl apply -k \(folder.path)"
            func without(_ components: [String]) -> String {
                components.count == 1 ? "\(base) --selector app.kubernetes.io/component!=\(components[0])"
                    : "\(base) --selector 'app.kubernetes.io/component notin (\(components.joined(separator: ",")))'"
            }
            // Each Job deleted before it is applied (issue #10 review sre10e, M3): the switch and the
            // switchback may run again within the Jobs' ttlSecondsAfterFinished (a second switch after a
            // switchback, a re-run), and applying an unchanged Job leaves the old, completed one in place:
            // `wait_job` would return its old success and the Service move with nothing fenced or caught
            // up. Foreground, so that a pod of an earlier run still ending (its EXIT trap) is gone first.
            // Helm's hooks (before-hook-creation) and Argo CD's (BeforeHookCreation) do the same.
            func delete(_ job: JobUnit) -> String {
                "kubectl delete job \(names.job(job.suffix)) --namespace \(spec.metadata.namespace) --ignore-not-found --cascade=foreground --wait"
            }
            var out: [String] = []
            for (index, job) in before.enumerated() {
                let later = before.dropFirst(index + 1).map(\.component) + after.map(\.component)
                out.append(delete(job))
                out.append(index == 0 ? without([BlueGreenBuilder.serviceComponent] + later)
                           : "\(base) --selector app.kubernetes.io/component=\(job.component)")
                out.append("wait_job \(names.job(job.suffix))")
            }
            // The Service moves here; the app's pods restart at once (a post-Service Job that fails, drop-reverse,
            // must not keep their pooled connections on the side the app left), then the post-Service Jobs.
            out.append(after.isEmpty ? base : without(after.map(\.component)))
            out += restart
            if !after.isEmpty { out += after.map(delete) + [base] + after.map { "wait_job \(names.job($0.suffix))" } }
            return chained(out)
        }
        if spec.strategy == .blueGreen {
            let rollback = [DeliveryFolder.rollbackReplicate, .rollbackSchemaLoad].flatMap(apply)
            switch phase {
            case .preflight:
                // Only what the preflight Job needs (its ServiceAccount, policies and SQL, and the
                // snapshot), so that it runs before anything changes: the rest of the folder next phase.
                guard let preflight = jobs.first(where: { $0.folder == nil && $0.phase == .preflight }) else { return Commands(run: apply(nil), rollback: []) }
                let components = ["runner", "network-policy", "sql", "snapshot", preflight.component]
                return Commands(run: chained(["kubectl apply -k manifests/ --selector 'app.kubernetes.io/component in (\(components.joined(separator: ",")))'",
                                              "wait_job \(names.job(preflight.suffix))"]), rollback: [])
            case .verify: return Commands(run: chained(apply(nil)), rollback: [])
            case .provision, .schemaLoad, .replicate: return Commands(run: chained(apply(nil)), rollback: chained(rollback))
            case .sequenceSync, .switchover, .reverseReplicate:
                return Commands(run: switchFirst(.switchover, then: restartApp(spec)), rollback: switchFirst(.switchback, then: restartApp(spec)))
            case .cleanup:
                let patroni = BlueGreenRunbook.patroniCleanup(spec)
                return Commands(run: chained(patroni.before + apply(.cleanup) + patroni.after), rollback: [])
            default: return Commands(run: [], rollback: [])
            }
        }
        let app = spec.app.name
        let namespace = spec.metadata.namespace
        let revert = revertImage(spec, versionSchemas: VersionSchemaSelection.schemas(plan) != nil)
        // One folder per rollback Job, each waited for before the next (kubectl ignores sync waves); then
        // the previous image, as the Helm rollback does: the downs of contract, complete and backfill
        // ran while the new version still served, and expand's downs wait until the previous one serves.
        let laterBack = [DeliveryFolder.rollbackContract, .rollbackComplete, .rollbackBackfill].flatMap(apply) + revert
        let expandBack = ["# once the later phases are rolled back and the previous app version fully serves again:"]
            + promotionWaits(spec, after: "\"$OLD_POD_HASH\"") + apply(.rollbackExpand)
        switch phase {
        case .preflight:
            return Commands(run: apply(.preflight), rollback: [])
        case .expand:
            return Commands(run: apply(.expand), rollback: expandBack)
        case .backfill:
            return Commands(run: apply(.backfill), rollback: laterBack)
        case .rollout:
            return Commands(run: apply(.app) + startNewVersion(spec, versionSchemas: VersionSchemaSelection.schemas(plan) != nil),
                            rollback: abort(spec) + laterBack)
        case .complete:
            return Commands(run: apply(.complete), rollback: laterBack)
        case .verify:
            return Commands(run: apply(.verify), rollback: [])
        case .contract:
            // Argo CD first: a sync of `manifests/` after contract would run expand again.
            let argo = DeliveryFolder.hasAfterContract(jobs) ? [afterContractNote] : []
            return Commands(run: argo + apply(.contract) + leaveVersionDatabases(plan), rollback: laterBack)
        case .purge:
            return Commands(run: apply(.purge), rollback: [])
        default:
            return Commands(run: [], rollback: [])
        }
    }
}
