/// `manifests/`: the plain-manifest form of the chart for users without Helm. The default
/// kustomization holds what runs by default, ordered for Argo CD by sync waves and hooks (the same
/// numbers as the chart's hook weights); every opt-in or destructive step sits in its own folder
/// with its own kustomization and SQL ConfigMap, never referenced by the default one.
public struct ManifestsEmitter: Emitting {
    public init() {}

    public func emit(_ plan: MigrationPlan) -> [OutputFile] {
        let spec = plan.spec
        let layout = DeliveryLayout(plan, for: .manifests)
        let items = layout.items
        let header = GeneratedHeader.yaml(spec)
        let runnerFiles = RunnerFiles(plan)
        let labels = MigrationLabels(spec)
        var out: [OutputFile] = []
        for folder in [nil] + DeliveryFolder.allCases.map(Optional.some) {
            let group = items.filter { $0.folder == folder }
            guard !group.isEmpty else { continue }
            let prefix = folder.map { "manifests/\($0.rawValue)/" } ?? "manifests/"
            for item in group {
                var object = item.object
                object.metadata.annotations = item.ordering.annotations(.argo)
                out.append(OutputFile(path: prefix + item.fileName, contents: ManifestYAML.document(object.node(), header: header)))
            }
            let jobs = group.compactMap(\.job)
            var generators: [Kustomization.ConfigMapGenerator] = []
            if folder == nil || !jobs.isEmpty {
                let names = runnerFiles.names(for: jobs)
                for name in names {
                    out.append(OutputFile(path: prefix + "sql/" + name, contents: runnerFiles.contents(name)))
                }
                generators.append(.init(name: layout.configMapName(for: folder), namespace: spec.metadata.namespace,
                                        files: names.map { "sql/" + $0 }, labels: labels.labels(component: "sql"),
                                        annotations: HookOrdering.supportObjects.annotations(.argo)))
            }
            let kustomization = Kustomization(resources: group.map(\.fileName), configMapGenerators: generators)
            out.append(OutputFile(path: prefix + "kustomization.yaml", contents: ManifestYAML.document(kustomization.node(), header: header)))
        }
        return out
    }
}
