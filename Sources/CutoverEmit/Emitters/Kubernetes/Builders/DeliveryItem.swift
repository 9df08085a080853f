/// One object file of the chart and of `manifests/`: the object, when it is applied, the chart
/// switch it sits behind, and the `manifests/` folder it belongs to.
public struct DeliveryItem: Sendable {
    public var fileName: String
    public var object: any KubernetesObject
    public var ordering: HookOrdering
    public var chartGuard: String?
    /// nil: the default kustomization.
    public var folder: DeliveryFolder?
    public var inChart: Bool
    public var inManifests: Bool
    /// A SQL ConfigMap: runner scripts and SQL files of one Job (`mountingJob`).
    public var isSQLConfigMap: Bool
    /// Set for Jobs.
    public var job: JobUnit?
    /// Set for SQL ConfigMaps: the Job that mounts it.
    public var mountingJob: JobUnit?
    /// Annotations beside the ordering's, per tool (the chart's Helm, the manifests' Argo CD).
    public var helmAnnotations: [KeyValue] = []
    public var argoAnnotations: [KeyValue] = []

    public init(fileName: String, object: any KubernetesObject, ordering: HookOrdering, chartGuard: String? = nil,
                folder: DeliveryFolder? = nil, inChart: Bool = true, inManifests: Bool = true, isSQLConfigMap: Bool = false,
                job: JobUnit? = nil, mountingJob: JobUnit? = nil) {
        self.fileName = fileName
        self.object = object
        self.ordering = ordering
        self.chartGuard = chartGuard
        self.folder = folder
        self.inChart = inChart
        self.inManifests = inManifests
        self.isSQLConfigMap = isSQLConfigMap
        self.job = job
        self.mountingJob = mountingJob
    }
}
