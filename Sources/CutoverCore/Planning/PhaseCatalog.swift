/// The phases of each strategy, with what they do, in order.
public enum PhaseCatalog {
    public static func phases(for spec: MigrationSpec) -> [PlanPhase] {
        switch spec.strategy {
        case .expandContract:
            var phases = [
                PlanPhase(phase: .preflight, title: "Preflight",
                          summary: spec.snapshot == nil
                            ? "Check connectivity, server version and that the base schema is as expected."
                            : "Check connectivity and the base schema, and take a VolumeSnapshot of the database volume.",
                          enabledByDefault: true),
                PlanPhase(phase: .expand, title: "Expand",
                          summary: "Additive, lock-safe DDL: new columns, tables, indexes and not-yet-validated constraints. Old and new app versions both work afterwards.",
                          enabledByDefault: true),
                PlanPhase(phase: .backfill, title: "Backfill",
                          summary: "Fill existing rows of new and renamed columns in batches, up to the highest key present when it starts (later rows are the sync triggers' job), before the first pod of the new version starts.",
                          enabledByDefault: true),
                PlanPhase(phase: .rollout, title: "Rollout",
                          summary: "Canary of the new app version, gated by Prometheus analysis. Old and new versions serve side by side; the sync triggers keep both shapes filled.",
                          enabledByDefault: true),
                PlanPhase(phase: .complete, title: "Complete",
                          summary: "What the old version could not live with, once no pod of it serves: NOT VALID constraints added and validated in separate transactions, SET NOT NULL, unique indexes.",
                          enabledByDefault: false),
                PlanPhase(phase: .verify, title: "Verify",
                          summary: "Compare row counts and per-key-range checksums of the tables named in verify. Runs with complete, after the Rollout is promoted.",
                          enabledByDefault: false),
                PlanPhase(phase: .contract, title: "Contract",
                          summary: "Retire what the old app version needed: quarantine dropped columns and tables, remove sync triggers and compatibility views. Off until you enable it.",
                          enabledByDefault: false),
            ]
            if spec.purge {
                phases.append(PlanPhase(phase: .purge, title: "Purge",
                                        summary: "Really drop quarantined columns and tables. Irreversible. Off until you enable it.",
                                        enabledByDefault: false))
            }
            return phases
        case .blueGreen:
            return [
                PlanPhase(phase: .preflight, title: "Preflight",
                          summary: "Check both clusters, wal_level=logical on blue, and take a VolumeSnapshot when configured.",
                          enabledByDefault: true),
                PlanPhase(phase: .provision, title: "Provision green",
                          summary: "The operator creates the green cluster at the target version.", enabledByDefault: true),
                PlanPhase(phase: .schemaLoad, title: "Load schema",
                          summary: "Load the schema (without data) into green.", enabledByDefault: true),
                PlanPhase(phase: .replicate, title: "Replicate",
                          summary: "Publication on blue, subscription on green: logical replication copies and streams the data.",
                          enabledByDefault: true),
                PlanPhase(phase: .verify, title: "Verify",
                          summary: "Compare per-key-range checksums on both sides.", enabledByDefault: true),
                PlanPhase(phase: .sequenceSync, title: "Sync sequences",
                          summary: "Logical replication does not carry sequences: set green's sequences ahead of blue's.",
                          enabledByDefault: true),
                PlanPhase(phase: .switchover, title: "Switch over",
                          summary: "When replication lag is under the limit, point the Service at green; the canary of the app is gated by analysis.",
                          enabledByDefault: true),
                PlanPhase(phase: .reverseReplicate, title: "Reverse replication",
                          summary: "Replicate green back to blue so blue stays a way back until cleanup.", enabledByDefault: true),
                PlanPhase(phase: .cleanup, title: "Cleanup",
                          summary: "Drop replication and retire blue. Off until you enable it.", enabledByDefault: false),
            ]
        }
    }
}
