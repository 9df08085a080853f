import CutoverPlan

/// The folders of `manifests/`, each with its own kustomization. Expand-contract puts each forward
/// phase in a folder of its own, so plain kubectl applies them one at a time, in order, waiting for
/// each (kubectl ignores Argo CD's hook annotations: one folder with every Job would start them all
/// at once); `manifests/kustomization.yaml` lists those folders for Argo CD, whose hooks and waves
/// order them. The destructive and rollback folders are never listed there.
public enum DeliveryFolder: String, Sendable, CaseIterable {
    // Forward phases of expand-contract, in run order; the first one present also holds the
    // ServiceAccount and the NetworkPolicies every later Job needs.
    case preflight, expand, backfill
    /// The app's Rollout, its analysis and alerts.
    case app
    case complete, verify
    case contract, purge
    /// Rollback Jobs that run before the app is reverted (contract, complete and backfill downs),
    /// one folder each: kubectl ignores sync waves, so each is applied and waited for in turn.
    case rollbackContract = "rollback-contract", rollbackComplete = "rollback-complete", rollbackBackfill = "rollback-backfill"
    /// Blue-green rollback Jobs, one folder each and in this order.
    case rollbackReplicate = "rollback-replicate", rollbackSchemaLoad = "rollback-schema-load"
    /// Rollback Jobs that run once the previous app version fully serves again (expand downs).
    case rollbackExpand = "rollback-expand"
    case switchover, switchback, cleanup
    /// What an Argo CD Application syncs once contract is due: the app's folder (`../app/`) and the
    /// objects of the first forward folder that are no hooks (the database NetworkPolicies, which a
    /// sync without them would prune), no Job and no PreSync hook. A sync of `manifests/` after
    /// contract would run preflight, expand and backfill again, and expand would create again what
    /// contract removed (the preflight refuses that). Generated with the plan, so no hand edit of
    /// `manifests/kustomization.yaml` is needed (the next `cutover generate` would undo it).
    case afterContract = "after-contract"

    /// Whether `manifests/` has an `after-contract/` folder: expand-contract with contract Jobs.
    public static func hasAfterContract(_ jobs: [JobUnit]) -> Bool { jobs.contains { $0.folder == .contract } }

    /// Listed by `manifests/kustomization.yaml`: what an Argo CD sync of `manifests/` applies.
    /// Complete and verify are not: the first sync takes the Deployment over at the image it runs,
    /// so a PostSync hook of that sync would run complete while only the old version serves. They
    /// are applied (or synced as an Application of their own) once the Rollout is fully promoted.
    public var inDefaultSync: Bool {
        switch self {
        case .preflight, .expand, .backfill, .app: return true
        default: return false
        }
    }

    /// The folder of a forward expand-contract Job's phase.
    public static func forward(_ phase: Phase) -> DeliveryFolder? {
        switch phase {
        case .preflight: return .preflight
        case .expand: return .expand
        case .backfill: return .backfill
        case .complete: return .complete
        case .verify: return .verify
        default: return nil
        }
    }

    public var path: String { "manifests/\(rawValue)/" }
}
