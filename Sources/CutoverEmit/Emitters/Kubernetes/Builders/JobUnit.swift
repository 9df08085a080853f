import CutoverPlan

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

    /// The ConfigMap keys the arguments name: the part after the first `:` (the side), when it ends
    /// in `.sql`. Works on the bytes; same result as splitting at the first `:` and taking the last
    /// non-empty part.
    public var files: [String] {
        var out: [String] = []
        for argument in arguments {
            let utf8 = argument.utf8
            var file = Substring(argument)
            if let colon = utf8.firstIndex(of: UInt8(ascii: ":")) {
                let rest = argument[utf8.index(after: colon)...]
                if !rest.isEmpty {
                    file = rest
                } else if colon != utf8.startIndex {
                    file = argument[..<colon]
                }
            }
            if file.utf8.count >= 4 && file.utf8.suffix(4).elementsEqual(".sql".utf8) { out.append(String(file)) }
        }
        return out
    }
}
