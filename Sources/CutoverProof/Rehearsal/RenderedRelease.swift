import CutoverEmit
import Foundation
import Yams

/// The objects of one rendered release (a `helm template` output), with the Jobs in the order Helm
/// runs them for an install or an upgrade: the `pre-*` hooks, then the plain objects (the Rollout
/// among them, and any plain Job), then the `post-*` hooks; hooks by `helm.sh/hook-weight`, then
/// kind, then name.
public struct RenderedRelease: Sendable {
    public enum Action: String, Sendable { case install, upgrade }

    public var jobs: [RenderedJob]
    /// ConfigMap name → its data (file name → contents).
    public var configMaps: [String: [String: String]]
    /// Names of the plain (non-hook) Rollouts, applied between the pre and post hooks.
    public var rollouts: [String]
    /// The lowest `argocd.argoproj.io/sync-wave` of those Rollouts (when Argo CD applies them).
    public var rolloutWave: Int = 0
    /// Plain Services: name → selector (blue-green: where the switchover Service points).
    public var services: [String: [String: String]] = [:]

    public init(yaml: String) throws {
        var jobs: [RenderedJob] = []
        var configMaps: [String: [String: String]] = [:]
        var rollouts: [String] = []
        var rolloutWaves: [Int] = []
        var services: [String: [String: String]] = [:]
        for document in try Yams.load_all(yaml: yaml) {
            guard let object = document as? [String: Any], let kind = object["kind"] as? String else { continue }
            let metadata = object["metadata"] as? [String: Any] ?? [:]
            let name = metadata["name"] as? String ?? ""
            switch kind {
            case "Job":
                // The snapshot Job talks to the cluster's API (VolumeSnapshots), which a local server has not.
                if let job = RenderedJob(object), job.component != SnapshotBuilder.component { jobs.append(job) }
            case "ConfigMap":
                var data: [String: String] = [:]
                for (key, value) in object["data"] as? [String: Any] ?? [:] { data[key] = "\(value)" }
                configMaps[name] = data
            case "Service":
                let annotations = metadata["annotations"] as? [String: Any] ?? [:]
                let spec = object["spec"] as? [String: Any] ?? [:]
                if annotations["helm.sh/hook"] == nil {
                    services[name] = (spec["selector"] as? [String: Any] ?? [:]).mapValues { "\($0)" }
                }
            case "Rollout":
                let annotations = metadata["annotations"] as? [String: Any] ?? [:]
                if annotations["helm.sh/hook"] == nil {
                    rollouts.append(name)
                    rolloutWaves.append(RenderedJob.int(annotations["argocd.argoproj.io/sync-wave"]) ?? 0)
                }
            default:
                break
            }
        }
        self.jobs = jobs
        self.configMaps = configMaps
        self.rollouts = rollouts
        rolloutWave = rolloutWaves.min() ?? 0
        self.services = services
    }

    /// The files of the ConfigMaps `job` mounts (to attribute a lock to the Job that applied the file).
    public func files(of job: RenderedJob) -> Set<String> {
        var files: Set<String> = []
        for case let .configMap(name, _) in job.volumes.values {
            if let data = configMaps[name] { files.formUnion(data.keys) }
        }
        return files
    }

    /// The Jobs of `action` in Helm's order, split at the point where the plain objects are applied.
    public func ordered(_ action: Action) -> (pre: [RenderedJob], plain: [RenderedJob], post: [RenderedJob]) {
        func sorted(_ list: [RenderedJob]) -> [RenderedJob] {
            list.sorted { ($0.weight, $0.kind, $0.name) < ($1.weight, $1.kind, $1.name) }
        }
        let pre = jobs.filter { $0.hooks.contains("pre-\(action.rawValue)") }
        let post = jobs.filter { $0.hooks.contains("post-\(action.rawValue)") }
        let plain = jobs.filter { $0.hooks.isEmpty }.sorted { $0.name < $1.name }
        return (sorted(pre), plain, sorted(post))
    }
}
