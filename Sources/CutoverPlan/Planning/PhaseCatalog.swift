/// The phases of each strategy, with what they do, in order.
public enum PhaseCatalog {
    /// The switch's fenced catch-up budget in seconds (`JobCatalog.fencedWaitSeconds`, which the Jobs
    /// pass to the runner), here since the switchover phase's summary states it.
    public static let fencedWaitSeconds = 60
    /// The fence's own bound in seconds (`JobCatalog.fenceLockSeconds`, the Jobs' `fence:SIDE:SECONDS`).
    public static let fenceLockSeconds = 5

    /// `versionDatabases`: the plan has MySQL's version databases (`MySQLVersionSchemas`), which purge
    /// drops once the app left them (the runbook's step after contract): purge exists for them even
    /// without `purge: true`.
    public static func phases(for spec: MigrationSpec, versionDatabases: Bool = false) -> [PlanPhase] {
        switch spec.strategy {
        case .expandContract:
            var phases = [
                PlanPhase(phase: .preflight, title: "Preflight",
                          summary: "Check connectivity, the server version, that every table and column the migration touches has the type and nullability the base schema gives it, and that the Jobs' role has the privileges their statements need (PostgreSQL: owner of the tables it alters, REFERENCES, CREATE; MySQL: ALTER, TRIGGER, INDEX, REFERENCES, CREATE VIEW, CREATE ROUTINE, …); every problem is listed, then the Job fails. "
                            + "It runs again on every later sync or re-run of this stage and names the boundary of this migration it finds: it passes at the base, after expand or complete, or part-way through one of them (their re-run completes it); after contract it refuses (this stage's expand would create again what contract removed) and says how to take the stage out of the release; anything else fails."
                            + (spec.snapshot == nil ? "" : " A VolumeSnapshot of the database volume is taken first."),
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
            if spec.purge || versionDatabases {
                let what = [spec.purge ? "Really drop quarantined columns and tables. Irreversible." : nil,
                            versionDatabases ? "Drop the version databases of views once the app uses the base database again (the step after contract); refused while a session uses them." : nil]
                phases.append(PlanPhase(phase: .purge, title: "Purge",
                                        summary: what.compactMap { $0 }.joined(separator: " ") + " Off until you enable it.",
                                        enabledByDefault: false))
            }
            return phases
        case .blueGreen:
            return [
                PlanPhase(phase: .preflight, title: "Preflight",
                          summary: "Before anything changes (the first hook), a read-only preflight Job checks blue: it connects with the app's Secret and blue's superuser Secret (a superuser: the publication, the slots, the fence and the way back are its work); wal_level = logical; a free replication slot and WAL sender; every table has a primary key or replica identity and none is unlogged. The schema load's first step checks green the same way once the operator made it, and that green runs the same or a newer major version than blue (PostgreSQL 10+), with a pg_dump not older than either. Every problem is listed, then the Job fails. A VolumeSnapshot is taken when configured.",
                          enabledByDefault: true),
                PlanPhase(phase: .provision, title: "Provision green",
                          summary: "The operator creates the green cluster at the target version.", enabledByDefault: true),
                PlanPhase(phase: .schemaLoad, title: "Load schema",
                          summary: "Copy blue's application schemas (without data: the schemas its role owns, and public) into green in one transaction, owned by the app's role, which the Job creates on green with blue's password: after the switch the app logs in to green with the same Secret and owns the same objects. Blue's extensions come first (at blue's version where green offers it; one green cannot install fails the Job before anything is loaded), and its grants and default privileges after the objects; a role they name that green lacks is created NOLOGIN.", enabledByDefault: true),
                PlanPhase(phase: .replicate, title: "Replicate",
                          summary: "A publication of every table on blue (read from the live catalog; a table without primary key or replica identity, or unlogged, is refused before anything is published), its slot, and green's subscription: logical replication copies and streams the data. First, on both sides, the gap log: table cutover_gap.log (published with the others), one row per transaction and table the app writes, inserted by a statement-level trigger on every table in the app's own transaction (about 0.1 ms of CPU per write transaction and table: pgbench, single-row INSERT and UPDATE on a published table, synchronous_commit off, median of 5 runs: 9,588 tps and 0.21 ms without it, 6,289 tps and 0.32 ms with it; with durable commits the fsync dominates; a statement that changed no row logs nothing and stays read-only; the log grows by about 130 bytes per write transaction and table on each side, plus its WAL, until cleanup or rollback drops it); the switch and the switchback compare it to find transactions a slot created again at a later position (a failover, or by hand) skipped. The Job ends once every table is copied and green applied blue's changes up to then.",
                          enabledByDefault: true),
                PlanPhase(phase: .verify, title: "Verify",
                          summary: "Wait until green holds every table and every change blue had. The per-key-range checksums of verify.checksum.tables run in the switch: in full before its fence, and with blue fenced on what was still changing.", enabledByDefault: true),
                PlanPhase(phase: .sequenceSync, title: "Sync sequences",
                          summary: "Logical replication does not carry sequences: with blue fenced, each of green's sequences moves to the greater of both sides' values (never lower), then past its column's largest value.",
                          enabledByDefault: true),
                PlanPhase(phase: .switchover, title: "Switch over",
                          summary: "The fenced switch, before the Service moves: green caught up; full checksums of both sides; blue refuses the app's writes (a trigger on every table that no session setting lifts, its role read-only, its sessions ended); green applies the last of them; highest keys and the ranges still changing before the fence compared; the gap log compared (in full before the fence, its rows since then with blue fenced: a transaction green lacks fails the switch before its mark, blue's fence lifted); sequences synced; the way back created. Then the Service points at green and the app's pods restart. Writes pause from the fence until then, with no full-table scan: the fence's table locks (at most \(PhaseCatalog.fenceLockSeconds) s, else it is lifted at once; a lock another role holds fails the Job before the fence), the fenced catch-up (its own budget of \(PhaseCatalog.fencedWaitSeconds) s), the fenced checksums, the sequence sync, green's reverse slot and forward replication disabled (in the switchover Job's own pod: the reverse-replication Job runs after the Service moved), Helm applying the Service, and the app's pods restarting. Measured 2.4 to 2.8 s under cutover rehearse on local servers (first refused write to the Service's move; 2.7 to 4.0 s with the reverse-replication Job inside the pause, before its pod start on a cluster); add Helm's apply and the app's rollout on your cluster.",
                          enabledByDefault: true),
                PlanPhase(phase: .reverseReplicate, title: "Reverse replication",
                          summary: "Before the Service moves, in the switchover Job: publish green, create its slot and subscribe blue to it (disabled), then disable the subscription to blue (how every later run knows the switch happened). After the Service moved, the reverse-replication Job: end the app's sessions still on blue, drop blue's idle forward slot, enable blue's subscription, so every write on green also lands on blue until cleanup.", enabledByDefault: true),
                PlanPhase(phase: .cleanup, title: "Cleanup",
                          summary: "Drop the subscriptions, then the slots (waiting for their streams to end, refusing loudly one still in use) and the publications, on both sides, and last the gap log (its triggers and schema cutover_gap). Blue stays fenced: retire it only after `helm uninstall` (every later upgrade of this release checks blue's fence through its Secret). Off until you enable it.", enabledByDefault: false),
            ]
        }
    }
}
