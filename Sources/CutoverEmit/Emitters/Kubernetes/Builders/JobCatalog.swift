import CutoverPlan

/// The Jobs of a plan, in run order. A phase with no steps gets no Job, except where cutover runs a
/// built-in step (the checksum, the blue-green schema copy, lag gate and sequence sync).
public struct JobCatalog: Sendable {
    public var plan: MigrationPlan

    private let refusalChecks: JobRefusalChecks
    /// The ConfigMap files of `sql` changes with transactional: true (both directions).
    private let transactionalSQL: Set<String>

    public init(_ plan: MigrationPlan) {
        self.plan = plan
        self.refusalChecks = JobRefusalChecks(plan)
        self.transactionalSQL = Set(plan.steps.filter { $0.unchecked && $0.transactional }
            .flatMap { [Self.fileName($0, .up), Self.fileName($0, .down)] })
    }

    /// The runner's built-in that applies a file in one transaction (`run-psql.sh`, `run-mysql.sh`).
    public static let oneTransactionPrefix = "one-transaction:"

    private func oneTransaction(_ argument: String) -> String {
        transactionalSQL.contains(argument) ? Self.oneTransactionPrefix + argument : argument
    }

    public static let allJobSuffixes = [
        "preflight", "expand", "backfill", "complete", "verify", "contract", "purge",
        "rollback-contract", "rollback-complete", "rollback-backfill", "rollback-expand",
        "schema-load", "replicate", "switchover", "reverse-replication", "switchback", "drop-reverse", "cleanup",
        "rollback-replicate", "rollback-schema-load",
    ]

    /// The ConfigMap key of one direction of a step.
    public static func fileName(_ step: PlanStep, _ direction: SQLFileRenderer.Direction) -> String {
        "\(step.fileStem).\(direction.rawValue).sql"
    }

    /// The values key of a phase switch: `phases.<key>.enabled`.
    public static func valuesKey(_ phase: Phase) -> String {
        let parts = phase.rawValue.split(separator: "-")
        return parts.enumerated().map { $0.offset == 0 ? String($0.element) : $0.element.prefix(1).uppercased() + $0.element.dropFirst() }
            .joined()
    }

    /// Phases that have an on/off switch in `values.yaml`.
    public var switchablePhases: [PlanPhase] { Self.switchablePhases(of: plan) }

    /// The phases a `phases.<x>.enabled` value switches: read from the plan alone, so the runbook's
    /// commands need no catalog of their own (building one renders every step's file names).
    public static func switchablePhases(of plan: MigrationPlan) -> [PlanPhase] {
        let excluded: Set<Phase> = [.rollout, .provision, .sequenceSync, .switchover, .reverseReplicate]
        return plan.phases.filter { !excluded.contains($0.phase) }
    }

    public static func forwardGuard(_ phase: Phase) -> String {
        "and .Values.phases.\(valuesKey(phase)).enabled (not .Values.rollback.enabled)"
    }

    /// The runner's side for blue's host with blue's superuser Secret.
    public static let blueAdmin = "blueadmin"

    /// Built-in steps the runner runs as blue's superuser (its `admin_of blue`): the fence's trigger
    /// function must belong to a role the app is not; moving a slot needs REPLICATION.
    static let blueAdminBuiltIns = ["fence:blue", "unfence:blue", "skip-slot:blue", "drop-lifted-fence:blue", "enable-subscription:blue", "renew-way-back:green",
                                    "end-sessions:blue", "gap-log:blue", "gap-check:blue", "gap-check:green", "drop-gap-log:blue"]

    /// Whether a runner argument logs in to blue as its superuser (the Job mounts that Secret): also
    /// green's subscription files, which reach blue with that Secret (`cutover.blue_conninfo`).
    static func needsBlueAdmin(_ argument: String) -> Bool {
        argument.hasPrefix(blueAdmin + ":") || blueAdminBuiltIns.contains { argument == $0 || argument.hasPrefix($0 + ":") }
            || (argument.hasPrefix("green:") && argument.contains("_subscription."))
    }

    /// The budget of a catch-up with a side fenced (the switch's, the switchback's), in seconds: every
    /// second of it is write outage. An unfenced catch-up runs right before the fence, so this one
    /// waits only for the writes of the fence's own seconds; past the budget the wait fails and the
    /// Job's EXIT trap lifts the fence (the app has not moved). The runbook and the plan state it.
    public static let fencedWaitSeconds = PhaseCatalog.fencedWaitSeconds
    /// The fence's own bound, in seconds (`fence:SIDE:SECONDS`): from the app's role set read-only to
    /// every table locked (its sessions' end, then the locks). A lock another role holds is named before
    /// anything is fenced; one taken after that check makes the fence give up here, lifted at once.
    public static let fenceLockSeconds = PhaseCatalog.fenceLockSeconds

    /// Blue-green's schema load and replicate: forward, and never once the switch to green is set (the
    /// runner's `while-forward` and blue's cleanup marker guard the plain manifests and Argo CD's syncs).
    public static func unlessSwitched(_ phase: Phase) -> String {
        "and .Values.phases.\(valuesKey(phase)).enabled (not .Values.rollback.enabled) (ne .Values.switchover.to \"green\")"
    }

    public static let rollbackGuard = "and .Values.rollback.enabled (not .Values.rollback.expand)"
    public static let blueGreenRollbackGuard = ".Values.rollback.enabled"
    /// Expand-contract's last rollback stage, once the previous app version fully serves again.
    public static let rollbackExpandGuard = "and .Values.rollback.enabled .Values.rollback.expand"

    private func argument(_ step: PlanStep, _ direction: SQLFileRenderer.Direction) -> String {
        let file = Self.fileName(step, direction)
        if plan.spec.strategy == .blueGreen {
            // Replication on blue (the publication, the slot, the way back's subscription, their cleanup)
            // is blue's superuser's work: the app's role gets no REPLICATION attribute, nothing new.
            if step.side != .green && [.replicate, .reverseReplicate, .cleanup].contains(step.phase) { return "\(Self.blueAdmin):\(file)" }
            return "\(step.side ?? .blue):\(file)"
        }
        return file
    }

    private func ups(_ phase: Phase) -> [String] { plan.steps(in: phase).map { argument($0, .up) } }
    private func downs(_ phase: Phase) -> [String] { plan.steps(in: phase).reversed().map { argument($0, .down) } }

    /// Expand's downs in reverse order, each added column quarantined right before its add's down.
    private var rollbackExpandDowns: [String] {
        let quarantine = RollbackQuarantine(plan)
        return plan.steps(in: .expand).reversed().flatMap { step -> [String] in
            (quarantine.column(before: step).map { [quarantineArgument($0)] } ?? []) + [argument(step, .down)]
        }
    }

    /// `quarantine-column:TABLE:COLUMN:QUARANTINE:LOCK` (names are plain identifiers, CUT rule, so `:`
    /// separates them); LOCK is the spec's lock timeout as the engine's SQL files set it.
    private func quarantineArgument(_ column: RollbackQuarantine.Column) -> String {
        let lock = plan.spec.runner.lockTimeout
        let wait = plan.spec.database.engine == .postgresql ? LoweringContext.postgresDuration(lock) : String(max(1, lock.seconds))
        return "quarantine-column:\(column.table):\(column.column):\(column.quarantine):\(wait)"
    }

    public var jobs: [JobUnit] {
        plan.spec.strategy == .blueGreen ? blueGreenJobs : expandContractJobs
    }

    private var checksumArguments: [String] { checksumArguments("checksum") }

    /// `checksum`, or blue-green's `checksum-live` / `checksum-fenced` (the full pass before the fence).
    private func checksumArguments(_ step: String) -> [String] {
        RunnerProfile(plan.spec).checksumArguments(schema: plan.schema).map { "\(step):\($0)" }
    }

    private func unit(_ suffix: String, _ component: String, _ phase: Phase, _ ordering: HookOrdering, guard chartGuard: String?,
                      folder: DeliveryFolder?, arguments: [String], client: Bool = false, rollback: Bool = false,
                      sides: [String]? = nil) -> JobUnit? {
        guard !arguments.isEmpty else { return nil }
        let profile = RunnerProfile(plan.spec)
        let blueGreen = plan.spec.strategy == .blueGreen
        // Blue-green Jobs and checks use the client; flyway cannot run a down file, so its rollback does too.
        let useClient = client || blueGreen || (rollback && profile.tool == .flyway)
        let script = useClient ? profile.clientScript : profile.applyScript
        // Every refusal check of the Job's later steps runs before its first step changes anything.
        let hoisting = !blueGreen && script != "run-flyway.sh"
        var arguments = hoisting ? refusalChecks.arguments(arguments, suffix: suffix) : arguments
        // The client runs a `sql` change with transactional: true in one transaction (flyway and
        // liquibase wrap it themselves, so the shared file cannot).
        if script == profile.clientScript { arguments = arguments.map(oneTransaction) }
        return JobUnit(suffix: suffix, component: component, phase: phase, ordering: ordering, chartGuard: chartGuard, folder: folder,
                       script: script,
                       arguments: arguments, usesClientImage: useClient && profile.needsSeparateClient,
                       secretSides: sides ?? (blueGreen ? ["blue", "green"] + (arguments.contains(where: Self.needsBlueAdmin) ? [Self.blueAdmin] : [])
                                                        : ["db"]))
    }

    private var expandContractJobs: [JobUnit] {
        let flyway = RunnerProfile(plan.spec).tool == .flyway
        func forget(_ phase: Phase) -> [String] {
            // flyway's history must forget the steps a rollback undid, or `migrate` would skip them later.
            guard flyway, let first = plan.steps(in: phase).first else { return [] }
            return ["forget-flyway:\(first.number)"]
        }
        // Helm: expand and backfill are pre-install/pre-upgrade hooks (before the new version's first pod);
        // complete and verify are post hooks behind switches a later upgrade turns on once the Rollout
        // is promoted. Argo CD: PreSync, the app in Sync, PostSync (which waits for the app to be Healthy).
        let units: [JobUnit?] = [
            unit("preflight", "preflight", .preflight, HookOrdering(.pre, -10), guard: Self.forwardGuard(.preflight), folder: .preflight,
                 arguments: ups(.preflight)),
            unit("expand", "expand", .expand, HookOrdering(.pre, -5), guard: Self.forwardGuard(.expand), folder: .expand,
                 arguments: ups(.expand)),
            unit("backfill", "backfill", .backfill, HookOrdering(.pre, -3), guard: Self.forwardGuard(.backfill), folder: .backfill,
                 arguments: ups(.backfill)),
            unit("complete", "complete", .complete, HookOrdering(.post, 5), guard: Self.forwardGuard(.complete), folder: .complete,
                 arguments: ups(.complete)),
            unit("verify", "verify", .verify, HookOrdering(.post, 10), guard: Self.forwardGuard(.verify), folder: .verify,
                 arguments: ups(.verify) + checksumArguments, client: true),
            unit("contract", "contract", .contract, HookOrdering(.sync, 15), guard: Self.forwardGuard(.contract), folder: .contract,
                 arguments: ups(.contract)),
            unit("purge", "purge", .purge, HookOrdering(.sync, 20), guard: Self.forwardGuard(.purge), folder: .purge,
                 arguments: ups(.purge)),
            // Before the previous version's pods come back: undo what it cannot live with.
            unit("rollback-contract", "rollback", .contract, HookOrdering(.pre, -10), guard: Self.rollbackGuard, folder: .rollbackContract,
                 arguments: downs(.contract).isEmpty ? [] : downs(.contract) + forget(.contract), rollback: true),
            unit("rollback-complete", "rollback", .complete, HookOrdering(.pre, -7), guard: Self.rollbackGuard, folder: .rollbackComplete,
                 arguments: downs(.complete).isEmpty ? [] : downs(.complete) + forget(.complete), rollback: true),
            unit("rollback-backfill", "rollback", .backfill, HookOrdering(.pre, -5), guard: Self.rollbackGuard, folder: .rollbackBackfill,
                 arguments: downs(.backfill).isEmpty ? [] : downs(.backfill) + forget(.backfill), rollback: true),
            // Only once no pod of the new version serves: a later upgrade of its own.
            // A column the new version wrote into is renamed to its quarantine name right before the
            // down that would drop it (`RollbackQuarantine`); the runner's built-in step needs the client.
            unit("rollback-expand", "rollback", .expand, HookOrdering(.pre, -5), guard: Self.rollbackExpandGuard, folder: .rollbackExpand,
                 arguments: downs(.expand).isEmpty ? [] : rollbackExpandDowns + forget(.expand),
                 client: !RollbackQuarantine(plan).columns.isEmpty, rollback: true),
        ]
        return units.compactMap { $0 }
    }

    /// Blue-green: the switch is fenced. Before the Service moves (pre-upgrade hooks): green has every
    /// table and every write blue had (`wait-synced`), blue refuses the app's writes, green catches up
    /// with the last of them, the checksums compare both sides at rest, sequences move to the greater
    /// of both sides, and the way back (reverse publication, slot, subscription) exists before the
    /// first write lands on green. Once switched, every Job of the switch finds it so and changes nothing (`unless-switched`): the switchover Job's last step marks it
    /// (`mark-switched`, followed by the way back's part before the Service moves), a paused subscription is no switch; reverse-replication (after the Service) refuses to start
    /// before that mark (`if-switched`). Switching back is the mirror image: the switchback Job ends at once
    /// unless switched (`while-switched`), removes the mark with both sides fenced and enables the forward
    /// subscription again before blue takes a write; drop-reverse only drops green's reverse slot and publication.
    private var blueGreenJobs: [JobUnit] {
        let toGreen = "eq .Values.switchover.to \"green\""
        let toBlue = "eq .Values.switchover.to \"blue\""
        let names = DerivedNames(names: SQLNames(engine: plan.spec.database.engine), migrationName: plan.spec.name)
        let forward = names.replication, back = names.reverseReplication
        let reverse = ups(.reverseReplicate)
        // Cleanup drops replication once the switch holds (blue fenced) or never happened, never while a
        // switchback is committed and not complete; the triggers of a fence lifted while a long transaction
        // held a table (unfence takes no table lock) go with it.
        // The gap detector (SRE review #4, MUST-FIX 4): replicate creates the log on both sides before the
        // publication (which then carries it), the switch and the switchback compare it before the fence
        // (every settled row) and with the publisher fenced (the rows since); cleanup and rollback-replicate drop it.
        let postgresGap = plan.spec.database.engine == .postgresql && !ups(.replicate).isEmpty
        let gapCheck = { (pub: String, sub: String, name: String, stage: String) -> [String] in
            postgresGap ? ["gap-check:\(pub):\(sub):\(name):\(stage)"] : []
        }
        let cleanup = (reverse.isEmpty ? [] : ["unless-switching:green:\(forward):switched-ok"])
            + (ups(.cleanup).isEmpty ? downs(.reverseReplicate) + downs(.replicate) : ups(.cleanup))
            + (reverse.isEmpty ? [] : ["drop-lifted-fence:green", "drop-lifted-fence:blue"])
            + (postgresGap ? ["drop-gap-log:green", "drop-gap-log:blue"] : [])
        let synced = "wait-synced:blue:green:\(forward)"
        // Large objects are checked again right before the fence (preflight was long ago; pg_largeobject is
        // not replicated): one created since fails the switch while blue still takes writes (SHOULD 1).
        // The same tables on both sides, before the fence (a switch bound to fail costs no write pause)
        // and after it, once nothing can create a table on blue any more.
        let sameTables = "same-tables:blue:green:\(forward)"
        // The checksums' full pass runs before the fence, blue still live (ranges the app writes to are
        // left to the fenced pass); in the write pause only row counts, highest keys and those ranges.
        // The way back is built before the fence (issue #10 (c)): what an earlier attempt left of it goes,
        // green's reverse publication is created and blue's subscription to it, disabled; its CREATE connects
        // blue to green, so a network policy, pg_hba or credential problem fails the switch while blue
        // still takes writes. Its slot comes after the fence and the mark (still in this Job), where green
        // has received nothing from the app.
        // Materialized views reach green unpopulated (pg_dump --schema-only writes them WITH NO DATA; no
        // replication carries them): refreshed there once the copy is complete, before the fence (M3).
        let prepared = plan.steps(in: .reverseReplicate).filter { ["reverse_publication", "reverse_subscription"].contains($0.slug) }.map { argument($0, .up) }
        // What the way back needs before the app writes on green runs in this Job's own pod, after the
        // mark (issue #10 review, S1a): green's reverse slot (blue fenced, green caught up: it starts where
        // green has received nothing from the app), blue's subscription (exists), forward replication
        // disabled (from there the app belongs on green). A separate Job there put a pod start into the
        // write pause. Dropping the forward slot on blue (it waits for its walsender to go) and enabling
        // the way back can wait until the app is on green: the reverse-replication Job after the Service.
        // A re-run stopped in between (marked, forward still on) goes on after the mark (unless-switched).
        let beforeMove = plan.steps(in: .reverseReplicate).filter { $0.slug != "drop_forward_slot" }.map { argument($0, .up) }
        // Green's reverse slot is created before the fence (issue #10 review sre10e, M2): creating a
        // logical slot waits for every transaction on green that holds an xid (a DBA's session, a
        // CREATE INDEX CONCURRENTLY, an ETL job), which inside the write pause kept blue fenced with
        // the switch marked and the Service unmoved. Before the fence a wait costs no pause and a
        // failure changes nothing (blue live). The slot then holds what forward replication applies
        // on green until the fenced catch-up, which must never flow back to blue (PostgreSQL 15 has
        // no origin = none): `skip-slot:green` moves it, in the pause, to green's position after that
        // catch-up (an advance waits for no transaction), before the mark, so that a failure there
        // lifts blue's fence. It is skipped once before the fence too (as the switchback skips blue's forward
        // slot): an advance decodes every WAL record it passes, and the CHECKPOINT after it flushes what
        // green wrote since the last one; the skip in the pause has only its last seconds left of either.
        // A re-run resumed after the mark finds the slot (its step in `beforeMove`
        // creates it only where it is missing, blue fenced and green caught up, as before).
        let earlySlot = plan.steps(in: .reverseReplicate).filter { $0.slug == "reverse_slot" }.map { argument($0, .up) }
        let afterMove = plan.steps(in: .reverseReplicate).filter { $0.slug == "drop_forward_slot" }.map { argument($0, .up) }
        let switchover = ["unless-switched:green:\(forward)", synced, sameTables] + checksumArguments("checksum-live")
            + gapCheck("blue", "green", forward, "live")
            + (reverse.isEmpty ? [] : ["renew-way-back:green:\(forward):\(back)"] + prepared)
            + ["refresh-matviews:blue:green", synced] + (earlySlot.isEmpty ? [] : ["xid-holders:green:\(Self.fenceLockSeconds)"] + earlySlot + ["skip-slot:green:\(back)"])
            + ["no-large-objects:blue", "unfence:green", "fence:blue:\(Self.fenceLockSeconds)", "\(synced):\(Self.fencedWaitSeconds)", sameTables] + checksumArguments("checksum-fenced")
            + gapCheck("blue", "green", forward, "fenced")
            + ["sync-sequences:blue:green"] + ups(.sequenceSync) + ups(.switchover)
            + (earlySlot.isEmpty ? [] : ["skip-slot:green:\(back)"])
            + ["mark-switched:green:\(forward)"] + beforeMove
        let backSynced = "wait-synced:green:blue:\(back)"
        // Switching back, with both sides fenced and blue caught up with green: the forward slot skips what
        // green sent back (the forward subscription must not replay green's own rows to green), the switch
        // is marked as switching back (from here the Job is committed: a failure keeps both fences, a re-run
        // completes it), the reverse subscription goes (green, fenced, has nothing more to send) and the
        // forward subscription is enabled again, all before blue takes a write: each write of the app on blue
        // after unfence:blue is beyond the skip and streams to green; the marker goes last. Green's reverse
        // slot and publication stay until drop-reverse (the release declares green's slot until it stops
        // declaring it). The forward slot is skipped once before green's fence too: blue, fenced since the
        // switch, has only green's writes since, and advancing a slot decodes every WAL record it passes
        // (all of the green period's), so the skip in the write pause has only its last seconds to decode.
        let teardown = plan.steps(in: .reverseReplicate).reversed()
        // The forward slot, dropped by reverse-replication (idle, it would keep blue's WAL), comes back
        // first: everything blue holds before it came from green, and the skips below move it past what
        // green sends until its fence.
        let recreate = teardown.filter { $0.slug == "drop_forward_slot" }.map { argument($0, .down) }
        // Blue's reverse subscription goes before forward replication is enabled again (never both at once).
        let backNow = ["reverse_subscription", "stop_forward_subscription"].flatMap { slug in teardown.filter { $0.slug == slug } }.map { argument($0, .down) }
        let backLater = teardown.filter { !["reverse_subscription", "stop_forward_subscription", "drop_forward_slot"].contains($0.slug) }.map { argument($0, .down) }
        // Forward replication disabled by the switchover Job and the way back not yet enabled (reverse-replication
        // failed or has not run after the Service moved): the switchback enables it before its catch-up.
        // The checksums as in the switch (issue #10 M2b): the full pass with green still live, then with
        // green fenced and blue caught up, before the point of no return. A reverse slot lost and created
        // again (Patroni re-creates a permanent slot at the current position after a failover) streams
        // from there: the catch-up reports blue caught up, and only a comparison finds green's writes
        // in between missing on blue; the switchback then fails and green's fence is lifted.
        // The switch's table check, mirrored (issue #10 review #4, M2): a table or sequence made on green
        // after the switch that the way back does not carry fails the switchback before anything is
        // fenced (the app stays on green), and again with green fenced, before the point of no return.
        let backTables = "same-tables:green:blue:\(back)"
        // Blue's materialized views hold the data of the switch (no replication carries them): refreshed
        // from what green has populated, as the switch does for green, before the fenced catch-up (SHOULD 2).
        let switchback = (reverse.isEmpty ? [] : ["while-switched:green:\(forward)", "enable-subscription:blue:\(back)", backSynced, backTables]
                                                  + checksumArguments("checksum-live") + gapCheck("green", "blue", back, "live")
                                                  + ["refresh-matviews:green:blue"] + recreate
                                                  + ["skip-slot:blue:\(forward)", "fence:green:\(Self.fenceLockSeconds)", "\(backSynced):\(Self.fencedWaitSeconds)", backTables]
                                                  + checksumArguments("checksum-fenced") + gapCheck("green", "blue", back, "fenced")
                                                  + ["skip-slot:blue:\(forward)",
                                                  "mark-switching-back:green:\(forward)"] + backNow)
            + ["sync-sequences:green:blue", "unfence:blue"] + downs(.switchover)
            + (reverse.isEmpty ? [] : ["unmark-switched:green:\(forward)"])
        // PostgreSQL: the runner's preflight, before anything changes. Blue's in the first hook (green's
        // Secret is not mounted: on the first install the operator has not made green yet, and a pod
        // waits for a missing Secret); green's as the schema load's first step, once green is reachable.
        let postgres = plan.spec.database.engine == .postgresql
        // Zalando makes green's database owner (`<db>_owner`) a role it manages and resets its password:
        // blue's Secret must not log in as it (issue #10 review, S2).
        let operatorRole = postgres && plan.spec.database.operator == .zalando && plan.spec.target != nil
            ? ["not-operator-role:\(BlueGreenBuilder.greenOwner(plan.spec.database.name))"] : []
        let units: [JobUnit?] = [
            unit("preflight", "preflight", .preflight, HookOrdering(.pre, -10), guard: Self.forwardGuard(.preflight), folder: nil,
                 arguments: ups(.preflight) + (postgres ? ["preflight:blue:\(forward)"] : []), sides: postgres ? ["blue", Self.blueAdmin] : ["blue"]),
            // Neither is rendered once switchover.to=green (a `--reuse-values` upgrade after the switch, or
            // after cleanup): green is production then, and no schema load or forward copy belongs there.
            unit("schema-load", "schema-load", .schemaLoad, HookOrdering(.post, 1), guard: Self.unlessSwitched(.schemaLoad), folder: nil,
                 arguments: (postgres ? ["preflight:green:\(back)"] : []) + operatorRole
                    + (ups(.schemaLoad).isEmpty ? ["copy-schema:blue:green"] : ups(.schemaLoad))),
            unit("replicate", "replicate", .replicate, HookOrdering(.post, 2), guard: Self.unlessSwitched(.replicate), folder: nil,
                 // Once switched it changes nothing: its slot step would create the forward slot again,
                 // which reverse-replication dropped (idle, it would keep blue's WAL) and the switchback creates.
                 arguments: ups(.replicate).isEmpty ? [] : (reverse.isEmpty ? [] : ["while-forward:green:\(forward)"])
                    + (postgresGap ? ["gap-log:blue:green"] : []) + ups(.replicate) + ["refresh:green:\(forward)", synced]),
            // The copy is complete here; the checksums run in the switch, with blue fenced, where both sides hold still.
            unit("verify", "verify", .verify, HookOrdering(.post, 3), guard: Self.forwardGuard(.verify), folder: nil,
                 arguments: ups(.verify) + [synced]),
            unit("switchover", "switchover", .switchover, HookOrdering(.pre, -5), guard: toGreen, folder: .switchover,
                 arguments: switchover),
            unit("reverse-replication", "reverse-replication", .reverseReplicate, HookOrdering(.post, 4), guard: toGreen, folder: .switchover,
                 // After the Service moved (post-upgrade, PostSync): the app's sessions still on blue ended
                 // again (a pool reconnects to blue until the Service moves, S1b), the idle forward slot
                 // dropped, the way back enabled (green's writes since the move wait in its slot).
                 arguments: reverse.isEmpty ? [] : ["if-switched:green:\(forward)", "end-sessions:blue"] + afterMove + ["enable-subscription:blue:\(back)"]),
            unit("switchback", "switchback", .switchover, HookOrdering(.pre, -5), guard: toBlue, folder: .switchback,
                 arguments: switchback),
            unit("drop-reverse", "drop-reverse", .reverseReplicate, HookOrdering(.post, 20), guard: toBlue, folder: .switchback,
                 // Only green's side of the way back: the switchback Job dropped blue's reverse subscription and
                 // enabled the forward subscription again while both sides were fenced. No skip here: blue takes
                 // the app's writes since the switchback, and a skip now would keep them from green for good.
                 // Only once the switchback completed (no marker, blue not fenced): applied or run on its own
                 // while switched (plain manifests, a sync), it would drop the way back with the app on green.
                 // Then the app's sessions on green ended, as reverse-replication ends them on blue (sre10e S3): a
                 // pool reconnects to green until the Service points at blue, and a session opened while green
                 // was fenced keeps the role's read-only setting for its life (a later switch unfences green).
                 arguments: (reverse.isEmpty || backLater.isEmpty ? [] : ["unless-switching:green:\(forward):refuse", "end-sessions:green"]) + backLater),
            unit("cleanup", "cleanup", .cleanup, HookOrdering(.sync, 30), guard: "and .Values.phases.cleanup.enabled (not .Values.rollback.enabled)",
                 folder: .cleanup, arguments: cleanup),
            unit("rollback-replicate", "rollback", .replicate, HookOrdering(.pre, -10), guard: Self.blueGreenRollbackGuard, folder: .rollbackReplicate,
                 // Never under the switch's marker: dropping the forward subscription would drop the marker and the way back.
                 // Then green emptied (before drop-gap-log: its guard reads green's log), so that stage 1 can run
                 // again: replicate refuses a green holding rows (sre10f MUST-FIX 2).
                 arguments: (reverse.isEmpty || downs(.replicate).isEmpty ? [] : ["unless-switching:green:\(forward):refuse"]) + downs(.replicate)
                    + (postgresGap ? ["empty-green:\(forward)", "drop-gap-log:green", "drop-gap-log:blue"] : [])),
            unit("rollback-schema-load", "rollback", .schemaLoad, HookOrdering(.pre, -5), guard: Self.blueGreenRollbackGuard, folder: .rollbackSchemaLoad,
                 arguments: downs(.schemaLoad)),
        ]
        return units.compactMap { $0 }
    }
}
