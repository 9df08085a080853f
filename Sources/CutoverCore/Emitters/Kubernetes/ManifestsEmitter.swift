/// `manifests/`: the plain-manifest form of the chart for users without Helm. The default
/// kustomization holds what runs by default, ordered for Argo CD by sync waves and hooks (the same
/// numbers as the chart's hook weights); every opt-in or destructive step sits in its own folder
/// with its own kustomization, never referenced by the default one.
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
                object.metadata.annotations = item.ordering.annotations(.argo)
                try sink(OutputFile(path: prefix + item.fileName, bytes: ManifestYAML.documentBytes(object.node(), header: header)))
            }
            let kustomization = Kustomization(resources: group.map(\.fileName), configMapGenerators: [])
            try sink(OutputFile(path: prefix + "kustomization.yaml", contents: ManifestYAML.document(kustomization.node(), header: header)))
        }
    }
}
