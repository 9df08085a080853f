/// One migration Job as planned: what it runs, when, behind which chart switch, and where it sits
/// in `manifests/`.
public struct JobUnit: Sendable, Equatable {
    /// The Job name is `<migration>-<suffix>`; the file is `job-<suffix>.yaml`.
    public var suffix: String
    public var component: String
    /// The plan phase the Job carries out, for the README and the commands.
    public var phase: Phase
    public var ordering: HookOrdering
    /// The chart's `{{ if }}` condition; nil renders the Job always.
    public var chartGuard: String?
    /// The destructive or opt-in folder of `manifests/`; nil is the default kustomization.
    public var folder: DeliveryFolder?
    public var script: String
    /// Script arguments, in order: ConfigMap file names (`blue:`/`green:` prefixed for blue-green)
    /// and built-in steps (`checksum:…`, `copy-schema`, `wait-lag:…`, `sync-sequences:…`).
    public var arguments: [String]
    /// True when the Job needs the database client rather than the migration tool.
    public var usesClientImage: Bool
    /// The Secret mounts: `db`, or `blue` and `green`.
    public var secretSides: [String]

    public var fileName: String { "job-\(suffix).yaml" }

    /// The ConfigMap keys the arguments name.
    public var files: [String] {
        arguments.compactMap { argument in
            let file = argument.split(separator: ":", maxSplits: 1).last.map(String.init) ?? argument
            return file.hasSuffix(".sql") ? file : nil
        }
    }
}
