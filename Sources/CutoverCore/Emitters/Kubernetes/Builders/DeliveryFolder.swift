/// The folders of `manifests/` that hold what must never run by default. None of them is listed in
/// `manifests/kustomization.yaml`; each has its own kustomization and SQL ConfigMap.
public enum DeliveryFolder: String, Sendable, CaseIterable {
    case contract, purge
    /// Rollback Jobs that run before the app is reverted (contract and backfill downs).
    case rollback
    /// Rollback Jobs that run after the app is reverted (expand downs).
    case rollbackExpand = "rollback-expand"
    case switchover, switchback, cleanup
}
