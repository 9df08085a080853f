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
    /// The SQL ConfigMap: its data comes from the chart's files/ (Helm) or a generator (kustomize).
    public var isSQLConfigMap: Bool
    /// Set for Jobs.
    public var job: JobUnit?

    public init(fileName: String, object: any KubernetesObject, ordering: HookOrdering, chartGuard: String? = nil,
                folder: DeliveryFolder? = nil, inChart: Bool = true, inManifests: Bool = true, isSQLConfigMap: Bool = false,
                job: JobUnit? = nil) {
        self.fileName = fileName
        self.object = object
        self.ordering = ordering
        self.chartGuard = chartGuard
        self.folder = folder
        self.inChart = inChart
        self.inManifests = inManifests
        self.isSQLConfigMap = isSQLConfigMap
        self.job = job
    }
}
