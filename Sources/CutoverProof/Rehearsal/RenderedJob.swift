import CutoverEmit
import Foundation

/// A Job as the rendered chart (or a manifest) declares it, read back from the YAML: what a pod of
/// it would run, as whom, with which files mounted where, and for how long at most.
public struct RenderedJob: Sendable, Equatable {
    public struct Container: Sendable, Equatable {
        public var name: String
        public var command: [String]
        public var args: [String]
        /// `env` entries with a literal `value`, in order.
        public var env: [(name: String, value: String)]
        public var mounts: [(volume: String, path: String)]
        public var runAsUser: Int?
        public var runAsGroup: Int?

        public static func == (a: Container, b: Container) -> Bool {
            a.name == b.name && a.command == b.command && a.args == b.args
                && a.env.map { "\($0.name)=\($0.value)" } == b.env.map { "\($0.name)=\($0.value)" }
                && a.mounts.map { "\($0.volume)=\($0.path)" } == b.mounts.map { "\($0.volume)=\($0.path)" }
                && a.runAsUser == b.runAsUser && a.runAsGroup == b.runAsGroup
        }

        public func value(_ name: String) -> String? { env.last { $0.name == name }?.value }
    }

    public enum Volume: Sendable, Equatable {
        case configMap(name: String, items: [String: String]?)
        /// `items`: key → file name; `mode`: the files' permission bits.
        case secret(name: String, items: [String: String]?, mode: Int)
        case emptyDir
        case other
    }

    /// A `podFailurePolicy` rule as rendered: what a failed pod must show for `action` to apply.
    public struct FailureRule: Sendable, Equatable {
        /// `FailJob`, `Ignore`, `Count` (or another the API may add).
        public var action: String
        /// `onExitCodes`: nil when the rule has none.
        public var containerName: String?
        public var exitCodesOperator: String?
        public var exitCodes: [Int]
        /// `onPodConditions`' types.
        public var podConditions: [String]

        /// Whether a pod whose container `container` ended with `code` (non-zero) matches, as the Job
        /// controller decides: exit codes In (or NotIn) the values, for the named container or any. A
        /// rule on pod conditions never matches here: no node drains or preempts a local process.
        public func matches(container: String, code: Int) -> Bool {
            guard let op = exitCodesOperator, code != 0, containerName == nil || containerName == container else { return false }
            switch op {
            case "In": return exitCodes.contains(code)
            case "NotIn": return !exitCodes.contains(code)
            default: return false
            }
        }
    }

    public var name: String
    public var kind: String = "Job"
    /// The `app.kubernetes.io/component` label: the phase the Job carries out (or `rollback`).
    public var component: String
    /// Helm hook events (`pre-install`, `post-upgrade`, …); empty for a plain object.
    public var hooks: [String]
    public var weight: Int
    /// Argo CD hook phases (`argocd.argoproj.io/hook`: `PreSync`, `Sync`, `PostSync`, …); empty for a
    /// plain object, which Argo CD applies in the Sync phase.
    public var syncHooks: [String]
    /// `argocd.argoproj.io/sync-wave` (0 when absent, as Argo CD assigns).
    public var syncWave: Int
    /// Argo CD re-creates a hook on every sync (`BeforeHookCreation`); it leaves a plain Job alone.
    public var isArgoHook: Bool { !syncHooks.isEmpty }
    public var activeDeadlineSeconds: Int?
    /// The pod's `terminationGracePeriodSeconds` (Kubernetes' default 30 when absent): how long the
    /// kubelet waits after TERM before it kills the container.
    public var terminationGracePeriodSeconds: Int
    public var backoffLimit: Int
    /// `spec.podFailurePolicy.rules`, in order (empty without a policy: every failure counts).
    public var podFailurePolicy: [FailureRule]
    public var initContainers: [Container]
    public var containers: [Container]
    public var volumes: [String: Volume]
    public var runAsUser: Int?
    public var runAsGroup: Int?
    public var fsGroup: Int?

    /// Whether a pod of this Job would run exactly what a pod of `other` runs (the same containers,
    /// files, identity and limits); hooks, weights and waves, which only say when, may differ.
    public func runsTheSame(as other: RenderedJob) -> Bool {
        name == other.name && initContainers == other.initContainers && containers == other.containers && volumes == other.volumes
            && runAsUser == other.runAsUser && runAsGroup == other.runAsGroup && fsGroup == other.fsGroup
            && activeDeadlineSeconds == other.activeDeadlineSeconds && backoffLimit == other.backoffLimit
            && podFailurePolicy == other.podFailurePolicy
            && terminationGracePeriodSeconds == other.terminationGracePeriodSeconds
    }

    /// Reads a Job from its decoded YAML mapping; nil when it is not a Job with a pod template.
    public init?(_ object: [String: Any]) {
        guard object["kind"] as? String == "Job",
              let metadata = object["metadata"] as? [String: Any], let name = metadata["name"] as? String,
              let spec = object["spec"] as? [String: Any],
              let template = spec["template"] as? [String: Any], let pod = template["spec"] as? [String: Any] else { return nil }
        self.name = name
        component = (metadata["labels"] as? [String: Any])?["app.kubernetes.io/component"] as? String ?? ""
        let annotations = metadata["annotations"] as? [String: Any] ?? [:]
        hooks = (annotations["helm.sh/hook"] as? String).map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } } ?? []
        weight = RenderedJob.int(annotations["helm.sh/hook-weight"]) ?? 0
        syncHooks = (annotations["argocd.argoproj.io/hook"] as? String).map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } } ?? []
        syncWave = RenderedJob.int(annotations["argocd.argoproj.io/sync-wave"]) ?? 0
        activeDeadlineSeconds = RenderedJob.int(spec["activeDeadlineSeconds"])
        backoffLimit = RenderedJob.int(spec["backoffLimit"]) ?? 6
        podFailurePolicy = RenderedJob.failureRules(spec["podFailurePolicy"])
        terminationGracePeriodSeconds = RenderedJob.int(pod["terminationGracePeriodSeconds"]) ?? 30
        let security = pod["securityContext"] as? [String: Any] ?? [:]
        runAsUser = RenderedJob.int(security["runAsUser"])
        runAsGroup = RenderedJob.int(security["runAsGroup"])
        fsGroup = RenderedJob.int(security["fsGroup"])
        initContainers = (pod["initContainers"] as? [Any] ?? []).compactMap { ($0 as? [String: Any]).map(RenderedJob.container) }
        containers = (pod["containers"] as? [Any] ?? []).compactMap { ($0 as? [String: Any]).map(RenderedJob.container) }
        var volumes: [String: Volume] = [:]
        for case let volume as [String: Any] in pod["volumes"] as? [Any] ?? [] {
            guard let volumeName = volume["name"] as? String else { continue }
            if let configMap = volume["configMap"] as? [String: Any], let mapName = configMap["name"] as? String {
                volumes[volumeName] = .configMap(name: mapName, items: RenderedJob.items(configMap["items"]))
            } else if let secret = volume["secret"] as? [String: Any], let secretName = secret["secretName"] as? String {
                volumes[volumeName] = .secret(name: secretName, items: RenderedJob.items(secret["items"]),
                                              mode: RenderedJob.int(secret["defaultMode"]) ?? 0o644)
            } else if volume["emptyDir"] != nil {
                volumes[volumeName] = .emptyDir
            } else {
                volumes[volumeName] = .other
            }
        }
        self.volumes = volumes
    }

    static func container(_ object: [String: Any]) -> Container {
        let security = object["securityContext"] as? [String: Any] ?? [:]
        var env: [(String, String)] = []
        for case let entry as [String: Any] in object["env"] as? [Any] ?? [] {
            if let name = entry["name"] as? String, let value = entry["value"] { env.append((name, "\(value)")) }
        }
        var mounts: [(String, String)] = []
        for case let entry as [String: Any] in object["volumeMounts"] as? [Any] ?? [] {
            if let volume = entry["name"] as? String, let path = entry["mountPath"] as? String { mounts.append((volume, path)) }
        }
        return Container(name: object["name"] as? String ?? "", command: strings(object["command"]), args: strings(object["args"]),
                         env: env, mounts: mounts, runAsUser: int(security["runAsUser"]), runAsGroup: int(security["runAsGroup"]))
    }

    static func failureRules(_ value: Any?) -> [FailureRule] {
        let rules = (value as? [String: Any])?["rules"] as? [Any] ?? []
        return rules.compactMap { item -> FailureRule? in
            guard let rule = item as? [String: Any], let action = rule["action"] as? String else { return nil }
            let codes = rule["onExitCodes"] as? [String: Any]
            let conditions = (rule["onPodConditions"] as? [Any] ?? []).compactMap { ($0 as? [String: Any])?["type"] as? String }
            return FailureRule(action: action, containerName: codes?["containerName"] as? String, exitCodesOperator: codes?["operator"] as? String,
                               exitCodes: (codes?["values"] as? [Any] ?? []).compactMap(int), podConditions: conditions)
        }
    }

    static func strings(_ value: Any?) -> [String] { (value as? [Any] ?? []).map { "\($0)" } }

    static func int(_ value: Any?) -> Int? {
        if let value = value as? Int { return value }
        if let value = value as? String { return Int(value.trimmingCharacters(in: .whitespaces)) }
        return nil
    }

    static func items(_ value: Any?) -> [String: String]? {
        guard let list = value as? [Any] else { return nil }
        var out: [String: String] = [:]
        for case let item as [String: Any] in list {
            if let key = item["key"] as? String, let path = item["path"] as? String { out[key] = path }
        }
        return out
    }
}
