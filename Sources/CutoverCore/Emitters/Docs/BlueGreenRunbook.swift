/// The blue-green parts of the plan README beyond the Helm and kubectl commands: what to run from a
/// workstation for each step (psql against both sides, the built-in steps as the SQL they run), and
/// what to do when the phase fails. The Jobs remain the way to run a phase; these commands are for
/// looking and for finishing by hand what a failed Job left.
struct BlueGreenRunbook {
    let plan: MigrationPlan
    let stems: [String]

    private var spec: MigrationSpec { plan.spec }
    private var names: DerivedNames { DerivedNames(names: SQLNames(engine: spec.database.engine), migrationName: spec.name) }

    /// The variables every workstation command below uses.
    var prerequisites: String {
        """
        From a workstation, the commands below use (through `kubectl port-forward` to each primary):
        `BLUE_URL` (blue, as the app's role, from `\(spec.database.credentialsSecret)`), `BLUE_ADMIN_URL`
        (blue's superuser, from `\(adminSecret)`), `GREEN_URL` (green's superuser), `APP_ROLE` (the app's
        role name), and for a subscription file the URI the subscriber reaches the other side with
        (`BLUE_CONNINFO`: blue's superuser; `GREEN_CONNINFO`: green's superuser; without spaces: it
        travels in PGOPTIONS).

        Replication is the superusers' work: the publication, the slots and the fence on blue use
        blue's superuser Secret, and green's subscription reaches blue with it. The app's role gets no
        REPLICATION attribute and no new grant.\(adminNote)


        """
    }

    private var adminSecret: String {
        DatabaseTopology(spec).superuserSecret(cluster: spec.database.cluster)
    }

    /// Without an operator that makes a superuser Secret, the Jobs' blue superuser Secret is the app's.
    private var adminNote: String {
        spec.database.operator == .zalando ? ""
            : " Without an operator that makes a superuser Secret, the Jobs use `\(adminSecret)` for it: give them a Secret of a role with REPLICATION that owns the tables (not the app's), or accept that the app's role needs REPLICATION."
    }

    func section(_ phase: Phase) -> String {
        let steps = plan.steps.enumerated().filter { $0.element.phase == phase }
        var lines = steps.map { command($0.offset, $0.element) }
        lines += builtIns(phase)
        var out = ""
        if let patroni = patroniNote(phase) { out += patroni + "\n\n" }
        if !lines.isEmpty {
            out += "From a workstation:\n\n```sh\n" + lines.joined(separator: "\n") + "\n```\n\n"
        }
        if let failure = ifItFails(phase) { out += "If it fails: " + failure + "\n\n" }
        return out
    }

    private func command(_ index: Int, _ step: PlanStep) -> String {
        let folder = StepFiles.folder(for: step)
        let file = "\(folder)/\(stems[index]).up.sql"
        let subscription = step.slug.hasSuffix("subscription")
        let replication: Set<Phase> = [.replicate, .reverseReplicate, .cleanup]
        let url = step.side == .green ? "$GREEN_URL" : (replication.contains(step.phase) ? "$BLUE_ADMIN_URL" : "$BLUE_URL")
        let setting = step.side == .green ? "cutover.blue_conninfo=$BLUE_CONNINFO" : "cutover.green_conninfo=$GREEN_CONNINFO"
        let options = subscription ? "PGOPTIONS=\"-c \(setting)\" " : ""
        return "\(options)psql \"\(url)\" -X -v ON_ERROR_STOP=1 -f \(file)"
    }

    private func builtIns(_ phase: Phase) -> [String] {
        let forward = names.replication
        let copied = "psql \"$GREEN_URL\" -c \"SELECT srrelid::regclass, srsubstate FROM pg_subscription_rel r JOIN pg_subscription s ON s.oid = r.srsubid WHERE s.subname = '\(forward)'\"  # every table r"
        let applied = "psql \"$BLUE_ADMIN_URL\" -c \"SELECT slot_name, active, confirmed_flush_lsn, pg_current_wal_lsn() FROM pg_replication_slots\"  # confirmed_flush_lsn reaches the LSN"
        switch phase {
        case .schemaLoad:
            return ["# the Job copies blue's application schemas (pg_dump --schema-only of the schemas the app's role owns, and public)",
                    "# into green in one transaction, as the app's role, which it creates on green with blue's password"]
        case .replicate, .verify:
            return ["# complete when every table is copied and green applied blue's changes:", copied, applied]
        case .switchover:
            return ["# the fence (the Job's fence:blue, as blue's superuser): the app's role read-only and its sessions ended, then a",
                    "# statement trigger on every table that refuses INSERT, UPDATE, DELETE and TRUNCATE whatever a session sets (the Job's log",
                    "# has its SQL); the fenced tables, and how to lift the fence (switchback's unfence:blue):",
                    "psql \"$BLUE_ADMIN_URL\" -c \"SELECT tgrelid::regclass FROM pg_trigger WHERE tgname = 'cutover_fence'\" -c \"SELECT setconfig FROM pg_db_role_setting s JOIN pg_roles r ON r.oid = s.setrole WHERE r.rolname = '$APP_ROLE'\"",
                    "psql \"$BLUE_ADMIN_URL\" -c \"DROP SCHEMA IF EXISTS cutover_fence CASCADE\" -c \"ALTER ROLE \\\"$APP_ROLE\\\" RESET default_transaction_read_only\"",
                    applied]
        case .cleanup:
            return ["# nothing may stream any more, and no slot may be left (a slot keeps WAL until the disk fills):",
                    "psql \"$BLUE_URL\" -c \"SELECT slot_name, active FROM pg_replication_slots\"",
                    "psql \"$GREEN_URL\" -c \"SELECT slot_name, active FROM pg_replication_slots\" -c \"SELECT subname, subenabled FROM pg_subscription\""]
        default:
            return []
        }
    }

    /// Zalando: a logical slot survives a failover only when Patroni knows it as a permanent slot.
    /// Declared before the Job creates it, Patroni would create it first, at an earlier position, and
    /// the subscription would replay what it should not; declared while cleanup drops it, Patroni
    /// would create it again. So it is declared by hand, after the Job, and removed before cleanup.
    private func patroniNote(_ phase: Phase) -> String? {
        guard spec.database.operator == .zalando else { return nil }
        let database = spec.database.name
        func slot(_ name: String, _ cluster: String) -> String {
            "`spec.patroni.slots.\(name): {type: logical, database: \(database), plugin: pgoutput}` in the `postgresql` manifest of `\(cluster)`"
        }
        switch phase {
        case .replicate:
            return "Once this phase ran, declare its slot to Patroni so that a failover of blue keeps it: " + slot(names.replication, spec.database.cluster)
                + ". Remove it again before cleanup (Patroni re-creates a permanent slot that is dropped)."
        case .reverseReplicate:
            return "Once the switch ran, declare the way back's slot to Patroni so that a failover of green keeps it: "
                + slot(names.reverseReplication, spec.target?.cluster ?? "") + ". Remove it again before cleanup or switching back."
        case .cleanup:
            return "Before cleanup, remove the slots declared in `spec.patroni.slots` of both clusters' manifests (\(names.replication), \(names.reverseReplication)): Patroni re-creates a permanent slot that is dropped."
        default:
            return nil
        }
    }

    private func ifItFails(_ phase: Phase) -> String? {
        let logs = "read the Job's log (`kubectl logs job/<job> --namespace \(spec.metadata.namespace)`)"
        switch phase {
        case .schemaLoad:
            return "\(logs). Nothing is replicated yet and the app still uses blue: fix the cause and run the same command again. The copy runs only while green holds none of the application's tables; to start over, drop them on green."
        case .replicate:
            return "\(logs). A table refused before anything is published (no primary key nor replica identity, unlogged): fix it on blue and run again. A wait that ends without the copy complete: look at green's `pg_subscription_rel` and green's server log (a table missing on green, a duplicate key). The app is unaffected; rolling back drops the subscription, the slot and the publication."
        case .verify:
            return "the copy is not complete yet; run the same command again once green's log shows no error. The checksums themselves run in the switch, with blue fenced."
        case .sequenceSync, .switchover:
            return "\(logs). Before its fence (`fence:blue`) nothing changed for the app. A Job that fails after it lifts the fence again before it exits (the app has not moved): fix the cause and run the same command again (every step resumes). Checksums that differ (before the fence, on ranges the app no longer writes; or with blue fenced) mean green misses data: do not switch; roll back. Only a Job killed outright (its deadline, its node lost) leaves blue fenced: lift it with the second command below, or switch back. The write pause lasts from the fence until the Service points at green and the app's pods restarted: the catch-up (usually under a second), for each table of verify.checksum.tables its row count and highest key on both sides and the few key ranges the app was still writing when the full checksums ran (before the fence, with blue live), the sequence sync and the reverse replication's setup. During it the app's sessions on blue are ended once (a pool reconnects to blue until the Service moves); reads keep working, and every write fails with SQLSTATE 25006 (`cannot execute INSERT on public.t in a read-only transaction: cutover fenced this database…`), the error a read-only server gives: retry it, or report it as temporarily unavailable. No session setting lifts the fence (a trigger on every table, its function owned by the superuser)."
        case .reverseReplicate:
            return "\(logs). It runs before the Service moves, so the app is still fenced on blue and has not written to green: run the same command again, or switch back."
        case .cleanup:
            return "\(logs). A slot still streaming is refused after 30 s: drop the subscription that reads it (on the other side) first, then run again. Blue stays fenced after cleanup; retire it."
        default:
            return nil
        }
    }
}
