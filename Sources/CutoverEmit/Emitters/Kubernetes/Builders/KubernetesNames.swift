import CutoverPlan

/// Every name cutover derives from `metadata.name`. Each suffix is '-' plus at most 22 characters
/// (`MigrationNames.maxSuffixLength`), so with a name of at most 40 characters every object and
/// Job name stays within 63. The SQL ConfigMaps are named after their Job (`<job>-sql`, and
/// `<job>-sql-<n>` when a Job's files need several); ConfigMap names are DNS subdomains (up to 253
/// characters) and never label values, so they may pass 63.
public struct KubernetesNames: Sendable {
    public var migration: String

    public init(_ migration: String) {
        self.migration = migration
    }

    public init(_ spec: MigrationSpec) {
        self.init(spec.name)
    }

    public func derived(_ suffix: String) -> String { "\(migration)-\(suffix)" }

    public var serviceAccount: String { derived("runner") }
    /// The SQL ConfigMap of the Job with this suffix (parts add `-<n>`).
    public func jobConfigMap(_ jobSuffix: String) -> String { derived("\(jobSuffix)-sql") }
    public var runnerEgressPolicy: String { derived("runner-egress") }
    public func databaseIngressPolicy(side: DatabaseSide?) -> String {
        side.map { derived("db-\($0.rawValue)-ingress") } ?? derived("db-ingress")
    }
    public var analysisTemplate: String { derived("analysis") }
    public var prometheusRule: String { migration }
    public var flagsConfigMap: String { derived("flags") }
    public var snapshot: String { derived("snapshot") }
    /// The Job that takes the snapshot, with its ServiceAccount, Role, RoleBinding and ConfigMap.
    public var snapshotJob: String { derived("snapshot") }
    public var snapshotEgressPolicy: String { derived("snapshot-egress") }
    public func job(_ suffix: String) -> String { derived(suffix) }

    /// The suffixes of every derived name, for the length test.
    public static let suffixes: [String] = {
        var out = ["runner", "runner-egress", "db-ingress", "db-blue-ingress", "db-green-ingress", "analysis", "flags", "snapshot", "snapshot-egress"]
        out += JobCatalog.allJobSuffixes
        return out
    }()
}
