/// `manifests/`: the plain-manifest form of the chart for users without Helm. The default
/// kustomization holds what runs by default, ordered for Argo CD by sync waves and hooks (the same
/// numbers as the chart's hook weights); for expand-contract it lists one folder per forward phase,
/// which plain kubectl applies one at a time. Every opt-in or destructive step sits in its own
/// folder with its own kustomization, never referenced by the default one.
///
/// The SQL reaches the Jobs through ConfigMap objects written out like every other object (one per
/// Job, or several projected into one volume when the files pass `DeliveryLayout.configMapDataLimit`),
/// the same objects as the chart's: a reviewer reads the SQL a Job runs next to the Job, and the tree
/// holds no copies of the `.sql` files (a kustomize `configMapGenerator` needs its files inside the
/// kustomization's folder, which repeated every file of `sql/` under `manifests/`).
public struct ManifestsEmitter: Emitting {
    public init() {}

    public func emit(_ context: EmissionContext, to sink: (OutputFile) throws -> Void) rethrows {
        let header = GeneratedHeader.yaml(context.plan.spec)
        let items = context.items(for: .manifests)
        for folder in [nil] + DeliveryFolder.allCases.map(Optional.some) {
            let group = items.filter { $0.folder == folder }
            guard !group.isEmpty else { continue }
            let prefix = folder.map { "manifests/\($0.rawValue)/" } ?? "manifests/"
            for item in group {
                var object = item.object
                object.metadata.annotations = item.ordering.annotations(.argo) + item.argoAnnotations
                try sink(OutputFile(path: prefix + item.fileName, bytes: ManifestYAML.documentBytes(object.node(), header: header)))
            }
            // The default kustomization also lists the forward folders, in run order, for Argo CD.
            let folders = folder == nil ? syncedFolders(items).map { "\($0.rawValue)/" } : []
            let kustomization = Kustomization(resources: group.map(\.fileName) + folders, configMapGenerators: [])
            try sink(OutputFile(path: prefix + "kustomization.yaml", contents: ManifestYAML.document(kustomization.node(), header: header)))
        }
        if !items.contains(where: { $0.folder == nil }), !syncedFolders(items).isEmpty {
            let kustomization = Kustomization(resources: syncedFolders(items).map { "\($0.rawValue)/" }, configMapGenerators: [])
            try sink(OutputFile(path: "manifests/kustomization.yaml", contents: ManifestYAML.document(kustomization.node(), header: header)))
        }
        if DeliveryFolder.hasAfterContract(context.jobs), items.contains(where: { $0.folder == .app }) {
            try emitAfterContract(items, header: header, to: sink)
        }
    }

    /// `manifests/after-contract/`: `../app/` and the first forward folder's regular objects (the
    /// database NetworkPolicies: an Application switched here would prune them otherwise). Hooks stay
    /// out: the ServiceAccount and runner policy are PreSync hooks that Argo CD does not prune, and the
    /// contract and rollback Jobs applied by hand go on using them.
    private func emitAfterContract(_ items: [DeliveryItem], header: String, to sink: (OutputFile) throws -> Void) rethrows {
        let folder = DeliveryFolder.afterContract
        let first = syncedFolders(items).first { $0 != .app }
        let kept = items.filter { $0.folder == first && first != nil && $0.job == nil && !$0.isSQLConfigMap && $0.ordering.stage == .regular }
        for item in kept {
            var object = item.object
            object.metadata.annotations = item.ordering.annotations(.argo) + item.argoAnnotations
            try sink(OutputFile(path: folder.path + item.fileName, bytes: ManifestYAML.documentBytes(object.node(), header: header)))
        }
        let kustomization = Kustomization(resources: kept.map(\.fileName) + ["../\(DeliveryFolder.app.rawValue)/"], configMapGenerators: [])
        try sink(OutputFile(path: folder.path + "kustomization.yaml", contents: ManifestYAML.document(kustomization.node(), header: header)))
    }

    private func syncedFolders(_ items: [DeliveryItem]) -> [DeliveryFolder] {
        DeliveryFolder.allCases.filter { folder in folder.inDefaultSync && items.contains { $0.folder == folder } }
    }
}
