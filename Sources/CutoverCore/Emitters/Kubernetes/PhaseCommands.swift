/// The exact commands the plan README prints to run a phase and to roll it back, per delivery method.
/// Owned by the Kubernetes emitters, whose object names, values switches and `manifests/` folders
/// these commands name (see `JobCatalog`, `ChartValues` and `DeliveryFolder`).
public enum PhaseCommands {
    public struct Commands: Sendable {
        public var run: [String]
        public var rollback: [String]
    }

    public static func helm(_ phase: Phase, plan: MigrationPlan) -> Commands {
        let spec = plan.spec
        let namespace = spec.metadata.namespace
        let install = "helm upgrade --install \(spec.name) ./chart --namespace \(namespace)"
        let upgrade = "helm upgrade \(spec.name) ./chart --namespace \(namespace) --reuse-values"
        let rollback = "\(upgrade) --set rollback.enabled=true --set app.image=<previous app image>"
        let app = spec.app.name
        switch phase {
        case .preflight, .verify:
            return Commands(run: [install], rollback: [])
        case .expand, .backfill:
            return Commands(run: [install], rollback: [rollback])
        case .rollout:
            return Commands(run: ["kubectl argo rollouts get rollout \(app) --namespace \(namespace) --watch"],
                            rollback: ["kubectl argo rollouts abort \(app) --namespace \(namespace)",
                                       "kubectl argo rollouts undo \(app) --namespace \(namespace)"])
        case .complete:
            return Commands(run: ["\(upgrade) --set phases.complete.enabled=true"], rollback: [rollback])
        case .contract:
            return Commands(run: ["\(upgrade) --set phases.contract.enabled=true"], rollback: [rollback])
        case .purge:
            return Commands(run: ["\(upgrade) --set phases.purge.enabled=true"],
                            rollback: spec.snapshot == nil ? [] : ["# irreversible: restore the VolumeSnapshot \(KubernetesNames(spec).snapshot)"])
        case .provision, .schemaLoad, .replicate:
            return Commands(run: [install], rollback: ["\(upgrade) --set rollback.enabled=true"])
        case .sequenceSync, .switchover, .reverseReplicate:
            return Commands(run: ["\(upgrade) --set switchover.to=green"], rollback: ["\(upgrade) --set switchover.to=blue"])
        case .cleanup:
            return Commands(run: ["\(upgrade) --set phases.cleanup.enabled=true"], rollback: [])
        }
    }

    /// Plain manifests: Argo CD applies each kustomization in sync waves. With kubectl alone, apply a
    /// folder and wait for its Jobs (`kubectl wait --for=condition=complete job/<name>`) before the next.
    public static func kubectl(_ phase: Phase, plan: MigrationPlan) -> Commands {
        kubectl(phase, plan: plan, jobs: JobCatalog(plan).jobs)
    }

    /// `kubectl` with the plan's Jobs already built (the README asks for every phase).
    public static func kubectl(_ phase: Phase, plan: MigrationPlan, jobs: [JobUnit]) -> Commands {
        let spec = plan.spec
        let namespace = spec.metadata.namespace
        let deadline = max(1, spec.runner.deadline.seconds)
        func apply(_ folder: DeliveryFolder?) -> [String] {
            let path = folder.map { "manifests/\($0.rawValue)/" } ?? "manifests/"
            let waits = jobs.filter { $0.folder == folder && (folder != nil || $0.phase == phase) }.map {
                "kubectl wait --namespace \(namespace) --for=condition=complete job/\(KubernetesNames(spec).job($0.suffix)) --timeout=\(deadline)s"
            }
            return ["kubectl apply -k \(path)"] + waits
        }
        let rollbackFolders = [DeliveryFolder.rollback, .rollbackExpand].filter { folder in jobs.contains { $0.folder == folder } }
        var rollback: [String] = []
        for folder in rollbackFolders {
            if folder == .rollbackExpand { rollback.append("# revert the app to its previous image, then:") }
            rollback += apply(folder)
        }
        let app = spec.app.name
        switch phase {
        case .preflight, .verify:
            return Commands(run: apply(nil), rollback: [])
        case .expand, .backfill, .complete, .contract:
            return Commands(run: phase == .contract ? apply(.contract) : apply(nil), rollback: rollback)
        case .rollout:
            return Commands(run: ["kubectl apply -k manifests/", "kubectl argo rollouts get rollout \(app) --namespace \(namespace) --watch"],
                            rollback: ["kubectl argo rollouts abort \(app) --namespace \(namespace)"])
        case .purge:
            return Commands(run: apply(.purge), rollback: [])
        case .provision, .schemaLoad, .replicate:
            return Commands(run: apply(nil), rollback: rollback)
        case .sequenceSync, .switchover, .reverseReplicate:
            return Commands(run: apply(.switchover), rollback: apply(.switchback))
        case .cleanup:
            return Commands(run: apply(.cleanup), rollback: [])
        }
    }
}
