/// What turns a delivery stage into objects: `helm template` of the chart, or `kubectl kustomize` of a folder.
enum StageRenderer {
    case helm(HelmTemplate)
    case kustomize(KustomizeBuild)
}
