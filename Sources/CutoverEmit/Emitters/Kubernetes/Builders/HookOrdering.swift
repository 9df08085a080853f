/// When an object is applied: one weight per step, used both as `helm.sh/hook-weight` and as
/// `argocd.argoproj.io/sync-wave`, and the hook stage for each tool.
public struct HookOrdering: Sendable, Equatable {
    public enum Stage: Sendable, Equatable {
        /// ServiceAccount, SQL ConfigMap, runner NetworkPolicy: hooks of all four helm events so pre
        /// and post hook Jobs can use them; deleted only before being recreated.
        case support
        /// Before the app changes: helm pre-install,pre-upgrade; Argo PreSync.
        case pre
        /// After the app changed: helm post-install,post-upgrade; Argo PostSync.
        case post
        /// An opt-in step in its own folder: helm post hook; Argo Sync hook.
        case sync
        /// A regular release resource (no hook).
        case regular
    }

    public enum Dialect: Sendable { case helm, argo }

    public var stage: Stage
    public var weight: Int
    /// True for objects that must outlive the hook run (the VolumeSnapshot is the backup).
    public var keepAfterSuccess: Bool

    public init(_ stage: Stage, _ weight: Int, keepAfterSuccess: Bool = false) {
        self.stage = stage
        self.weight = weight
        self.keepAfterSuccess = keepAfterSuccess
    }

    public static let supportObjects = HookOrdering(.support, -20)
    public static let regular = HookOrdering(.regular, 0)

    public func annotations(_ dialect: Dialect) -> [KeyValue] {
        let keep = keepAfterSuccess || stage == .support
        switch dialect {
        case .helm:
            let events: String
            switch stage {
            case .regular: return []
            case .support: events = "pre-install,pre-upgrade,post-install,post-upgrade"
            case .pre: events = "pre-install,pre-upgrade"
            case .post, .sync: events = "post-install,post-upgrade"
            }
            return [
                KeyValue("helm.sh/hook", events),
                KeyValue("helm.sh/hook-weight", String(weight)),
                KeyValue("helm.sh/hook-delete-policy", keep ? "before-hook-creation" : "before-hook-creation,hook-succeeded"),
            ]
        case .argo:
            let wave = KeyValue("argocd.argoproj.io/sync-wave", String(weight))
            let hook: String
            switch stage {
            case .regular: return [wave]
            case .support, .pre: hook = "PreSync"
            case .post: hook = "PostSync"
            case .sync: hook = "Sync"
            }
            return [
                wave,
                KeyValue("argocd.argoproj.io/hook", hook),
                KeyValue("argocd.argoproj.io/hook-delete-policy", keep ? "BeforeHookCreation" : "BeforeHookCreation,HookSucceeded"),
            ]
        }
    }
}
