import Yams

/// `batch/v1 Job.spec.podFailurePolicy`: how a failed pod counts against `backoffLimit`. Rules are
/// evaluated in order, the first that matches decides; a failure no rule matches counts as usual.
/// Needs the pod's `restartPolicy: Never`.
public struct PodFailurePolicy: Sendable, Equatable {
    public enum Action: String, Sendable, Equatable {
        /// The Job fails at once, whatever retries are left.
        case failJob = "FailJob"
        /// The pod is replaced without counting against `backoffLimit`.
        case ignore = "Ignore"
        /// Counted as usual.
        case count = "Count"
    }

    public struct Rule: Sendable, Equatable {
        public var action: Action
        /// `onExitCodes`: the container (nil: any) and the exit codes (`In`) that match.
        public var containerName: String?
        public var exitCodes: [Int]
        /// `onPodConditions`: pod condition types that match with status True (written out: the API's
        /// schema requires `status`, though the server defaults it to True).
        public var podConditions: [String]

        public init(action: Action, containerName: String? = nil, exitCodes: [Int] = [], podConditions: [String] = []) {
            self.action = action
            self.containerName = containerName
            self.exitCodes = exitCodes
            self.podConditions = podConditions
        }

        public func node() -> Node {
            ManifestYAML.mapping([
                ("action", ManifestYAML.string(action.rawValue)),
                ("onExitCodes", exitCodes.isEmpty ? nil : ManifestYAML.mapping([
                    ("containerName", containerName.map(ManifestYAML.string)),
                    ("operator", ManifestYAML.string("In")),
                    ("values", ManifestYAML.sequence(exitCodes.map(ManifestYAML.int))),
                ])),
                ("onPodConditions", podConditions.isEmpty ? nil : ManifestYAML.sequence(podConditions.map { type in
                    ManifestYAML.mapping([("type", ManifestYAML.string(type)), ("status", ManifestYAML.string("True"))])
                })),
            ])
        }
    }

    /// The runners' exit code for a refusal that every retry would repeat (a rollback cutover refuses,
    /// a preflight that found problems, a quarantine that would drop the new version's data): the
    /// runner scripts' `REFUSED` (templates/run-*.sh), which a test keeps equal to this.
    public static let refusedExitCode = 65

    public var rules: [Rule]

    public init(rules: [Rule]) {
        self.rules = rules
    }

    /// A phase Job's: the runner's refusal fails the Job at once (its retries would each be refused
    /// the same way); a pod a node drain, a preemption or an eviction ended (`DisruptionTarget`) is
    /// replaced without using up a retry, as Kubernetes recommends beside a FailJob rule.
    public static func runner(container: String) -> PodFailurePolicy {
        PodFailurePolicy(rules: [
            Rule(action: .failJob, containerName: container, exitCodes: [refusedExitCode]),
            Rule(action: .ignore, podConditions: ["DisruptionTarget"]),
        ])
    }

    public func node() -> Node {
        ManifestYAML.mapping([("rules", ManifestYAML.sequence(rules.map { $0.node() }))])
    }
}
