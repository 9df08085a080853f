import Yams

/// Argo Rollouts `AnalysisTemplate` with Prometheus metrics and Job metrics (a Job that succeeds
/// is a successful measurement, one that fails a failed one). Its args are the override point: a
/// Rollout's `analysis.args` (or an edit here) replaces thresholds and queries.
public struct AnalysisTemplate: KubernetesObject, Equatable {
    public struct Metric: Sendable, Equatable {
        public var name: String
        public var interval: String
        public var successCondition: String
        /// With both conditions set, a measurement that meets neither (an empty result, NaN) is
        /// Inconclusive: the Rollout pauses for a human instead of passing for want of data.
        public var failureCondition: String?
        public var prometheusAddress: String
        public var query: String
        /// The `job` provider's Job (its `spec`), instead of Prometheus.
        public var job: Job?
        /// How long after the analysis starts the first measurement waits (a new canary has no rate yet).
        public var initialDelay: String?

        public init(name: String, interval: String, successCondition: String, failureCondition: String? = nil,
                    prometheusAddress: String, query: String) {
            self.name = name
            self.interval = interval
            self.successCondition = successCondition
            self.failureCondition = failureCondition
            self.prometheusAddress = prometheusAddress
            self.query = query
        }

        public init(name: String, interval: String, job: Job) {
            self.init(name: name, interval: interval, successCondition: "", prometheusAddress: "", query: "")
            self.job = job
        }

        func node() -> Node {
            if let job {
                return ManifestYAML.mapping([
                    ("name", ManifestYAML.string(name)),
                    ("interval", ManifestYAML.string(interval)),
                    ("failureLimit", ManifestYAML.int(1)),
                    ("provider", ManifestYAML.mapping([("job", ManifestYAML.mapping([
                        ("metadata", ManifestYAML.mapping([("labels", KeyValue.node(job.metadata.labels))])),
                        ("spec", job.bodyFields().first { $0.0 == "spec" }?.1),
                    ]))])),
                ])
            }
            return ManifestYAML.mapping([
                ("name", ManifestYAML.string(name)),
                ("interval", ManifestYAML.string(interval)),
                ("initialDelay", initialDelay.map(ManifestYAML.string)),
                ("failureLimit", ManifestYAML.int(1)),
                ("successCondition", ManifestYAML.string(successCondition)),
                ("failureCondition", failureCondition.map(ManifestYAML.string)),
                ("provider", ManifestYAML.mapping([("prometheus", ManifestYAML.mapping([
                    ("address", ManifestYAML.string(prometheusAddress)),
                    ("timeout", ManifestYAML.int(30)),
                    ("query", ManifestYAML.string(query)),
                ]))])),
            ])
        }
    }

    public var apiVersion: String { "argoproj.io/v1alpha1" }
    public var kind: String { "AnalysisTemplate" }
    public var metadata: ObjectMeta
    /// Arguments with a default value; the Rollout may override any of them.
    public var args: [KeyValue]
    /// Arguments without a value, which the Rollout must supply (the canary's pod-template hash).
    public var requiredArgs: [String]
    public var metrics: [Metric]

    public init(metadata: ObjectMeta, args: [KeyValue], requiredArgs: [String] = [], metrics: [Metric]) {
        self.metadata = metadata
        self.args = args
        self.requiredArgs = requiredArgs
        self.metrics = metrics
    }

    public func bodyFields() -> [(String, Node?)] {
        [("spec", ManifestYAML.mapping([
            ("args", args.isEmpty && requiredArgs.isEmpty ? nil : ManifestYAML.sequence(requiredArgs.map {
                ManifestYAML.mapping([("name", ManifestYAML.string($0))])
            } + args.map {
                // An arg's value must be a string, even when it reads as a number: ManifestYAML quotes '0.001'.
                ManifestYAML.mapping([("name", ManifestYAML.string($0.key)), ("value", ManifestYAML.string($0.value))])
            })),
            ("metrics", ManifestYAML.sequence(metrics.map { $0.node() })),
        ]))]
    }
}
