import CutoverPlan

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
        (blue's superuser, from `\(adminSecret)`), `GREEN_URL` (green's superuser, from `\(greenSecret)`),
        `APP_ROLE` (the app's role name), and for a subscription file the URI the subscriber reaches the
        other side with, inside the cluster (`BLUE_CONNINFO`: blue's superuser; `GREEN_CONNINFO`: green's
        superuser; without spaces: it travels in PGOPTIONS). Every command names them as `${VAR:?…}`: one
        left unset fails the command with its name instead of connecting elsewhere or doing nothing.
        Set them once, in the shell you run the commands from:

        ```sh
        \(variableCommands.joined(separator: "\n"))
        ```

        Replication is the superusers' work: the publication, the slots and the fence on blue use
        blue's superuser Secret, and green's subscription reaches blue with it. The app's role gets no
        REPLICATION attribute and no new grant.\(adminNote)

        Never use `helm rollback` on this release: it only re-applies an earlier revision's objects and
        runs none of the Jobs (hooks run on install and upgrade only), so no fence is lifted or set, no
        replication is built or undone, and the Service may move while both sides hold different
        writes. Every way back below is a `helm upgrade --reuse-values` with the values it names.


        """
    }

    private var adminSecret: String {
        DatabaseTopology(spec).superuserSecret(cluster: spec.database.cluster)
    }

    private var greenSecret: String {
        DatabaseTopology(spec).superuserSecret(cluster: spec.target?.cluster ?? spec.database.cluster)
    }

    /// The variables the workstation commands read, in the order `variableCommands` sets them.
    static let variables = ["BLUE_URL", "BLUE_ADMIN_URL", "GREEN_URL", "APP_ROLE", "BLUE_CONNINFO", "GREEN_CONNINFO"]

    /// Port-forwards to both primaries (blue on local port 15432, green on 25432, apart from the
    /// tunnel of "Before you start") and each variable from its Secret. URIs: a password with
    /// characters other than letters and digits (the operator's are) must be percent-encoded.
    private var variableCommands: [String] {
        let topology = DatabaseTopology(spec)
        let namespace = spec.metadata.namespace, port = spec.database.port, database = spec.database.name
        let blue = spec.database.cluster, green = spec.target?.cluster ?? blue
        func uri(_ secret: String, _ host: String) -> String {
            "postgresql://$(secret \(secret) username):$(secret \(secret) password)@\(host)/\(database)"
        }
        return [
            "# blue's primary on local port 15432, green's on 25432 (kill these tunnels when you are done):",
            "kubectl port-forward --namespace \(namespace) \(topology.portForwardTarget(cluster: blue)) 15432:\(port) &",
            "kubectl port-forward --namespace \(namespace) \(topology.portForwardTarget(cluster: green)) 25432:\(port) &",
            "# SECRET KEY: one key of a Secret (a password other than letters and digits must be percent-encoded in the URIs)",
            "secret() { kubectl get secret \"$1\" --namespace \(namespace) -o jsonpath=\"{.data.$2}\" | base64 -d; }",
            "export APP_ROLE=\"$(secret \(spec.database.credentialsSecret) username)\"",
            "export BLUE_URL=\"\(uri(spec.database.credentialsSecret, "127.0.0.1:15432"))\"",
            "export BLUE_ADMIN_URL=\"\(uri(adminSecret, "127.0.0.1:15432"))\"",
            "export GREEN_URL=\"\(uri(greenSecret, "127.0.0.1:25432"))\"",
            "# what each side's subscription connects to, from inside the cluster (the Jobs' own hosts):",
            "export BLUE_CONNINFO=\"\(uri(adminSecret, "\(topology.primaryHost(cluster: blue)):\(port)"))\"",
            "export GREEN_CONNINFO=\"\(uri(greenSecret, "\(topology.primaryHost(cluster: green)):\(port)"))\"",
        ]
    }

    /// A workstation command with each variable as `${VAR:?…}`: unset, the shell refuses the command
    /// (a psql with an empty URL would connect to the local default, a guard would quietly skip).
    static func guarded(_ line: String) -> String {
        guard !line.hasPrefix("#") else { return line }
        var out = line
        for name in variables {
            out = out.replacingOccurrences(of: "$\(name)", with: "${\(name):?set \(name) first: see phase 1}")
        }
        return out
    }

    /// Zalando, cleanup: Patroni creates a slot declared in `patroni.slots` again after it is dropped (the
    /// operator passes the manifest's slots to Patroni on its own schedule; Patroni checks them every
    /// loop_wait, 10 s by default). So the cleanup commands first undeclare both slots, as a step of
    /// their own, and go on only once Patroni's dynamic configuration (its REST API's GET /config, on
    /// each primary) names neither; after the cleanup, Patroni's loop later, neither slot came back.
    /// Empty without an operator that runs Patroni.
    static func patroniCleanup(_ spec: MigrationSpec) -> (before: [String], after: [String]) {
        guard spec.database.operator == .zalando, let green = spec.target?.cluster else { return ([], []) }
        let namespace = spec.metadata.namespace, database = spec.database.name, blue = spec.database.cluster
        let names = DerivedNames(names: SQLNames(engine: spec.database.engine), migrationName: spec.name)
        let topology = DatabaseTopology(spec)
        let sides = [(blue, names.replication), (green, names.reverseReplication)]
        func exec(_ cluster: String, _ command: String) -> String {
            "kubectl exec --namespace \(namespace) \(topology.portForwardTarget(cluster: cluster)) -- \(command)"
        }
        func declared(_ cluster: String, _ slot: String) -> String {
            exec(cluster, "curl -s http://localhost:8008/config") + " | grep -q '\"\(slot)\"'"
        }
        let undeclare = sides.map { "kubectl patch postgresql \($0.0) --namespace \(namespace) --type merge -p '{\"spec\":{\"patroni\":{\"slots\":{\"\($0.1)\":null}}}}'" }
        let anyDeclared = sides.map { declared($0.0, $0.1) }.joined(separator: " || ")
        let before = ["# first, a step of its own: neither side declares a slot cleanup drops (Patroni creates a declared slot again after each drop):"]
            + undeclare
            + ["# then wait until Patroni's configuration on both primaries names neither (the operator passes the change on; up to 10 min):",
               "for i in $(seq 60); do { \(anyDeclared); } || break; sleep 10; done",
               "! { \(anyDeclared); }"]
        let after = ["# Patroni's loop later (loop_wait, 10 s by default), neither slot came back (each count 0):",
                     "sleep 30"]
            + sides.map { exec($0.0, "psql -U postgres -d \(database) -XAtc \"SELECT count(*) FROM pg_replication_slots WHERE slot_name = '\($0.1)'\"") + " | grep -qx 0" }
        return (before, after)
    }

    /// Leaving the Rollout, blue-green: Helm and Argo CD keep green's cluster resource and the Service
    /// (their annotations); kubectl deletes what it is told, so every folder is deleted without them.
    static func leaveLines(_ plan: MigrationPlan, patchScaleDown: Bool) -> [String] {
        let spec = plan.spec, namespace = spec.metadata.namespace
        var kept = ["database", BlueGreenBuilder.serviceComponent]
        if spec.snapshot != nil { kept.append("snapshot") }
        let used = Set(JobCatalog(plan).jobs.compactMap(\.folder))
        let folders = DeliveryFolder.allCases.filter(used.contains).map(\.path).reversed() + ["manifests/"]
        return [
            "helm uninstall \(spec.name) --namespace \(namespace)  # keeps green's cluster resource and the Service (helm.sh/resource-policy: keep)",
            "# or plain manifests with kubectl: every folder, without green's cluster resource, the Service" + (spec.snapshot == nil ? "" : " and the VolumeSnapshot"),
            "for folder in \(folders.joined(separator: " ")); do kubectl delete -k \"$folder\" --namespace \(namespace) --selector 'app.kubernetes.io/component notin (\(kept.joined(separator: ",")))' --ignore-not-found || break; done",
            "# (Argo CD: delete the Application" + (patchScaleDown ? ", after the scaleDown change above" : "")
                + "; green's cluster resource and the Service stay: argocd.argoproj.io/sync-options Delete=false)",
        ]
    }

    /// What the release leaves once it is gone, and how green (production now) is adopted.
    static func whatStays(_ plan: MigrationPlan) -> String {
        let spec = plan.spec, namespace = spec.metadata.namespace
        let service = spec.switchover?.service ?? ""
        var objects: [String] = []
        var out = "**What stays.** "
        if spec.database.operator == .zalando, let green = spec.target?.cluster {
            objects.append("postgresql \(green)")
            out += "Green's `postgresql` `\(green)` is production now: removing this release must not delete it (the operator would delete the cluster, and by default its volumes and Secrets, with it), so it carries `helm.sh/resource-policy: keep` and `argocd.argoproj.io/sync-options: Prune=false,Delete=false`, and the kubectl commands above leave it out. "
        } else {
            out += "Green's cluster is yours (`database.operator: none`): nothing of this release manages it. "
        }
        if !service.isEmpty {
            objects.append("service \(service)")
            out += "So does the Service `\(service)` (the app's path to green). "
        }
        out += "Blue stays as it is, fenced and marked (`cutover_moved`): retire it when you no longer need it (its manifest is yours). "
        guard !objects.isEmpty else { return out + "\n\n" }
        out += "Once the release is gone, adopt what stays where you manage your other clusters: copy each manifest into your own chart or repository (`kubectl get \(objects[0]) --namespace \(namespace) -o yaml`, without `status` and the server's fields), keep the two annotations there, and remove this release's ownership marks, so that neither Helm nor Argo CD takes them for this release's:\n\n```sh\n"
        for object in objects {
            out += "kubectl annotate \(object) --namespace \(namespace) meta.helm.sh/release-name- meta.helm.sh/release-namespace-\n"
            out += "kubectl label \(object) --namespace \(namespace) app.kubernetes.io/managed-by- app.kubernetes.io/instance-\n"
        }
        out += "```\n\nAnother Helm release adopts an object that carries its own `meta.helm.sh/release-name`, `meta.helm.sh/release-namespace` and the label `app.kubernetes.io/managed-by=Helm` (as for the Service in phase 7); an Argo CD Application takes it over on its next sync. Until then, change green only through its manifest (`kubectl apply`), never by deleting it.\n\n"
        return out
    }

    /// The runner's `sync-sequences:blue:green` from a workstation: blue's sequences (as its admin:
    /// pg_sequences hides the value of one the reader may not use) written as setval statements that
    /// never move green's lower, then applied on green.
    static let sequencesFromBlue = [
        "psql \"$BLUE_ADMIN_URL\" -XAt -v ON_ERROR_STOP=1 -c \"SELECT format('SELECT pg_catalog.setval(%L, GREATEST(%s, (SELECT CASE WHEN is_called THEN last_value ELSE last_value - 1 END FROM %s)), true);', quote_ident(schemaname) || '.' || quote_ident(sequencename), last_value, quote_ident(schemaname) || '.' || quote_ident(sequencename)) FROM pg_catalog.pg_sequences WHERE last_value IS NOT NULL\" > cutover-sequences.sql",
        "psql \"$GREEN_URL\" -X -q -v ON_ERROR_STOP=1 -f cutover-sequences.sql",
    ]

    /// Without an operator that makes a superuser Secret, the Jobs' blue superuser Secret is the app's.
    private var adminNote: String {
        spec.database.operator == .zalando ? ""
            : " Without an operator that makes a superuser Secret, the Jobs use `\(adminSecret)` for it: give them a Secret of a role with REPLICATION that owns the tables (not the app's), or accept that the app's role needs REPLICATION."
    }

    func section(_ phase: Phase) -> String {
        let steps = plan.steps.enumerated().filter { $0.element.phase == phase }
        var lines = steps.map { command($0.offset, $0.element) }
        // The sequence sync's first half is the runner's (sync-sequences:blue:green): each of green's
        // sequences moved to at least blue's value, then the step file past each column's maximum
        // (sre10e S5: the block ran only the file). Read as blue's admin, set as green's.
        if phase == .sequenceSync, !lines.isEmpty { lines = Self.sequencesFromBlue + lines }
        // Each step file only once the one before succeeded, as the Job runs them.
        if phase == .reverseReplicate, !lines.isEmpty { lines = guardedWayBack(lines) } else { lines = PhaseCommands.chained(lines) }
        lines += builtIns(phase)
        lines = lines.map(Self.guarded)
        var out = ""
        if let patroni = patroniNote(phase) { out += patroni + "\n\n" }
        if phase == .switchover, let service = serviceNote { out += service + "\n\n" }
        if !lines.isEmpty {
            out += "From a workstation:\n\n```sh\n" + lines.joined(separator: "\n") + "\n```\n\n"
        }
        if let failure = ifItFails(phase) { out += "If it fails: " + failure + "\n\n" }
        if phase == .switchover { out += switchbackFailures + "\n\n" }
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
        let copied = "psql \"$GREEN_URL\" -c \"SELECT srrelid::regclass, srsubstate FROM pg_subscription_rel r JOIN pg_subscription s ON s.oid = r.srsubid WHERE s.subname = '\(forward)' AND s.subdbid = (SELECT oid FROM pg_database WHERE datname = current_database())\"  # every table r"
        let applied = "psql \"$BLUE_ADMIN_URL\" -c \"SELECT slot_name, active, confirmed_flush_lsn, pg_current_wal_lsn() FROM pg_replication_slots WHERE database = current_database()\"  # confirmed_flush_lsn reaches the LSN"
        switch phase {
        case .preflight:
            return ["# what the preflight Job checks on blue (and the schema load on green), by hand:",
                    "psql \"$BLUE_URL\" -c \"SHOW wal_level\" -c \"SELECT current_setting('max_replication_slots')::int - count(*) AS free_slots FROM pg_replication_slots\" -c \"SELECT current_setting('max_wal_senders')::int - count(*) AS free_wal_senders FROM pg_stat_replication\"",
                    "psql \"$BLUE_URL\" -c \"SELECT rolreplication FROM pg_roles WHERE rolname = current_user\" -c \"SELECT c.oid::regclass, c.relpersistence, c.relreplident FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND (c.relpersistence = 'u' OR NOT EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.oid AND (i.indisprimary OR i.indisreplident)))\"  # no row",
                    "psql \"$BLUE_ADMIN_URL\" -c \"SELECT rolsuper FROM pg_roles WHERE rolname = current_user\"",
                    "psql \"$GREEN_URL\" -c \"SHOW wal_level\" -c \"SHOW server_version_num\"  # not older than blue's"]
        case .schemaLoad:
            return ["# the Job copies blue's application schemas (pg_dump --schema-only of the schemas the app's role owns, and public)",
                    "# into green in one transaction, owned by the app's role, which it creates on green with blue's password;",
                    "# blue's extensions first, its grants and default privileges after; compare both sides:",
                    "psql \"$BLUE_URL\" -c \"SELECT extname, extversion FROM pg_extension ORDER BY 1\" -c '\\dp' -c '\\ddp'",
                    "psql \"$GREEN_URL\" -c \"SELECT extname, extversion FROM pg_extension ORDER BY 1\" -c '\\dp' -c '\\ddp'"]
        case .replicate, .verify:
            return ["# complete when every table is copied and green applied blue's changes:", copied, applied]
        case .switchover:
            return ["# the fence (the Job's fence:blue, as blue's superuser): the app's role read-only and its sessions ended, then a",
                    "# statement trigger on every table that refuses INSERT, UPDATE, DELETE and TRUNCATE whatever a session sets (the Job's log",
                    "# has its SQL); whether a side is fenced (its schema's comment names the run that owns the fence; 'cutover fence, lifted':",
                    "# lifted, its triggers do nothing) and the fenced tables:",
                    Self.fenceState("$BLUE_ADMIN_URL"),
                    "# the switch's marker (on green's subscription \(forward)): none, the switch's ('switched from blue to green'), the",
                    "# switchback's ('switching back from green to blue'), cleanup's ('cleaning up after the switch from blue to green': no way",
                    "# back from here), or no row (cleaned up):",
                    markerLine,
                    "# lift blue's fence by hand (the switchback's unfence:blue, without a table lock) only while the marker is none: under a",
                    "# marker the app belongs on green (run the switch or the switchback again), and after cleanup blue stays fenced; it",
                    "# ends the app's sessions on blue (those left connected while it was fenced keep the role's read-only setting):",
                    "[ \"$marker\" = none ] && " + Self.liftCommand("$BLUE_ADMIN_URL"),
                    applied]
        case .cleanup:
            return ["# nothing may stream any more, and no slot may be left (a slot keeps WAL until the disk fills):",
                    "psql \"$BLUE_URL\" -c \"SELECT slot_name, active FROM pg_replication_slots WHERE database = current_database()\"",
                    "psql \"$GREEN_URL\" -c \"SELECT slot_name, active FROM pg_replication_slots WHERE database = current_database()\" -c \"SELECT subname, subenabled FROM pg_subscription WHERE subdbid = (SELECT oid FROM pg_database WHERE datname = current_database())\""]
        default:
            return []
        }
    }

    /// Reverse replication by hand (SHOULD-FIX S6), as the Job runs it: only once the switchover
    /// completed (the switch's marker on green's forward subscription, blue fenced; the Job's
    /// `if-switched`), each command only once the one before succeeded, and last blue's reverse
    /// subscription enabled (the Job's `enable-subscription`; created disabled before the fence).
    /// Run in another state (blue taking writes, or no switch), disabling forward replication would cut
    /// blue's writes off from green: the block refuses and changes nothing.
    private func guardedWayBack(_ files: [String]) -> [String] {
        let reverse = names.reverseReplication
        let fenced = "fenced=\"$(psql \"$BLUE_ADMIN_URL\" -XAt -c \"SELECT count(*) FROM pg_namespace WHERE nspname = 'cutover_fence' AND obj_description(oid, 'pg_namespace') LIKE 'cutover fence, owner %'\")\""
        let enable = "psql \"$BLUE_ADMIN_URL\" -X -v ON_ERROR_STOP=1 -c 'ALTER SUBSCRIPTION \"\(reverse)\" ENABLE'"
        return ["# only after the switchover Job completed (the switch's marker, blue fenced); otherwise nothing runs:",
                markerLine, fenced,
                "if [ \"$marker\" = \"cutover: switched from blue to green\" ] && [ \"$fenced\" = 1 ]; then"]
            + (files + [enable]).enumerated().map { "  " + $0.element + ($0.offset < files.count ? " &&" : "") }
            + ["else echo \"refused: not switched, or blue not fenced (marker: ${marker:-no subscription}); run the switchover first\" >&2; fi"]
    }

    /// The marker of the switch, read from green into `marker` (a workstation command).
    private var markerLine: String {
        "marker=\"$(psql \"$GREEN_URL\" -XAt -c \"SELECT coalesce(obj_description(oid, 'pg_subscription'), 'none') FROM pg_subscription WHERE subname = '\(names.replication)' AND subdbid = (SELECT oid FROM pg_database WHERE datname = current_database())\")\"; echo \"marker: ${marker:-no subscription}\""
    }

    /// Whether the side at URL is fenced: the fence schema's comment, the fenced tables, the app role's setting.
    static func fenceState(_ url: String) -> String {
        "psql \"\(url)\" -c \"SELECT obj_description(oid, 'pg_namespace') AS fence FROM pg_namespace WHERE nspname = 'cutover_fence'\" -c \"SELECT tgrelid::regclass FROM pg_trigger WHERE tgname = 'cutover_fence'\" -c \"SELECT setconfig FROM pg_db_role_setting s JOIN pg_roles r ON r.oid = s.setrole WHERE r.rolname = '$APP_ROLE'\""
    }

    /// The runner's unfence by hand: in one transaction the role reset, the trigger function made a
    /// no-op (CREATE OR REPLACE FUNCTION locks no table, where dropping the triggers waits for every
    /// read of every table) and the schema marked lifted; the cleanup Job drops the triggers later.
    /// Under the runner's owner lock (SHOULD-FIX S1: the advisory lock its fence, takeover and lift
    /// take), so a lift by hand never interleaves with a Job that is taking the fence over or setting it.
    /// Then the app's sessions there end (issue #10 review sre10e, M1): the fence ended those before it,
    /// so each one left connected while the side was fenced (a pool reconnects at once) and keeps the
    /// role's read-only setting for its whole life; ended, the pool reconnects read-write.
    static func liftCommand(_ url: String) -> String {
        "psql \"\(url)\" -X -v ON_ERROR_STOP=1 -c \"BEGIN\" -c \"SELECT pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext('cutover_fence'))\" -c \"ALTER ROLE \\\"$APP_ROLE\\\" RESET default_transaction_read_only\" -c \"CREATE OR REPLACE FUNCTION cutover_fence.refuse() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN RETURN NULL; END'\" -c \"COMMENT ON SCHEMA cutover_fence IS 'cutover fence, lifted'\" -c \"COMMIT\" -c \"SELECT count(pg_catalog.pg_terminate_backend(pid)) AS ended_read_only_sessions FROM pg_catalog.pg_stat_activity WHERE usename = '$APP_ROLE' AND backend_type = 'client backend' AND pid <> pg_catalog.pg_backend_pid()\""
    }

    /// The switchback (rollback 1) and drop-reverse have no phase of their own: what their failures
    /// leave, told by the Job's log, the marker and the fences, each with its command and its check.
    var switchbackFailures: String {
        let namespace = spec.metadata.namespace, release = spec.name
        let timeout = PhaseCommands.helmTimeout(spec, jobs: JobCatalog(plan).jobs.count)
        let reverse = names.reverseReplication, forward = names.replication
        let back = "helm upgrade \(release) ./chart --namespace \(namespace) --reuse-values --set switchover.to=blue --set rollback.enabled=false \(timeout)"
        let again = "helm upgrade \(release) ./chart --namespace \(namespace) --reuse-values --set switchover.to=green \(timeout)"
        return """
            If switching back fails: the Job's log (`kubectl logs job/\(release)-switchback --namespace \(namespace)`, or `job/\(release)-drop-reverse`), the marker and both sides' fences (the commands above, with `$GREEN_URL` for green's fence) tell which of three states it left:

            1. **The switchback failed before its point of no return.** Its log ends with `this Job failed after fencing green, and lifted the fence there` (or failed before `fence:green`); the marker still reads `cutover: switched from blue to green`; blue is fenced, green is not; the Service still points at green and the app writes there. Fix the cause and run the switchback again (Helm: `\(back)`; plain manifests: the Roll back commands above), or stay on green: `\(again)` (plain manifests: the switch's Run commands, which delete its completed Jobs before applying them again) (its switchover Job lifts a fence a killed switchback left on green, and reverse-replication drops the forward slot `\(forward)` the switchback created again on blue). It worked when the marker reads none (switched back) or the switch's again (stayed), and only the side the app uses takes writes (`\(Self.fenceState("$GREEN_URL"))` shows green's fence lifted or gone when staying).
            2. **The switchback failed past its point of no return.** Its log names `switchback committed` (or `keeps both fences`); the marker reads `cutover: switching back from green to blue`; both sides are fenced, so every write of the app fails with SQLSTATE 25006. Do not unfence by hand (green may still hold writes blue lacks, or blue's writes would skip green): run the switchback again, `\(back)` (or the Roll back commands above); it completes from where it stopped. It worked when the marker reads none, blue is not fenced and green's subscription `\(forward)` is enabled (`psql "$GREEN_URL" -c "SELECT subname, subenabled FROM pg_subscription"`); then restart the app's pods.
            3. **The switchback succeeded and drop-reverse failed** (post-upgrade: the Service already points at blue, Helm marks the release failed). The marker reads none, blue takes writes, green is fenced; green keeps the way back's slot `\(reverse)`, which holds green's WAL until dropped. Restart the app's pods now (the restart command above: the chained block stopped before it), so that no pooled connection stays on fenced green. Then run the same command again (the switchback finds no marker and changes nothing; drop-reverse runs again), or drop them by hand, only while the marker reads none (the drop-reverse Job refuses otherwise, as this does): `[ "$marker" = none ] && psql "${GREEN_URL:?}" -X -v ON_ERROR_STOP=1\(dropReverseFiles)` (the drop-reverse Job's files). It worked when `psql "$GREEN_URL" -c "SELECT slot_name FROM pg_replication_slots WHERE slot_name = '\(reverse)'" -c "SELECT pubname FROM pg_publication WHERE pubname = '\(reverse)'"` returns no row.

            Once cleanup has started, never switch back: its first step replaces the marker with `cutover: cleaning up after the switch from blue to green` before it drops the way back (blue's reverse subscription `\(reverse)` first), so green's writes from then on never reach blue. The switchback Job refuses then (`no way back: cleanup started`) and changes nothing, and so it does when blue's reverse subscription `\(reverse)` or green's slot of that name is missing: the app stays on green; run cleanup again to complete it. Cleanup leaves the schema `cutover_moved` on blue for good; the switchback refuses under it too, also once blue's fence is lifted.

            4. **The switchback's comparison failed.** Before its point of no return the switchback compares both sides as the switch does (`checksum-live` with green still live, `checksum-fenced` with green fenced and blue caught up). Its log ends with `cutover checksum <table>: ranges differ` or, for any table (the checksums' or not), `cutover: gap: <table>: N transaction(s) green committed … never reached blue` (the gap log, `gap-check`), and `the way back lost some of green's writes`: blue applied everything green's slot `\(reverse)` sent and still lacks rows, because that slot was lost and created again at a later position (Patroni re-creates a permanent slot at the current position after a failover of green), and what green wrote in between never reached blue. The switchback stopped as in state 1: the marker reads `cutover: switched from blue to green`, green's fence is lifted, blue stays fenced, the app stays on green. Never switch back to this blue (it would lose those writes) and never unfence it by hand. Either stay on green: `\(again)` changes nothing (the switch is complete), then clean up when ready. Or copy blue again from green, then switch back: with blue fenced and the app on green, drop blue's subscription (green's slot stays), empty blue's application tables (as replication does: `session_replication_role = replica`, so the fence's triggers do not fire; the gap log `cutover_gap.log` too, green's copy replaces it), and subscribe again with an initial copy:

            ```sh
            \(recopyBlue.joined(separator: "\n"))
            ```

            It worked when every row of the last command reads `r` and blue's server log shows no apply error; then run the switchback again (`\(back)`): its checksums compare both sides again before anything moves, and its sequence sync sets blue's sequences to green's. Until then blue is no way back: a failover of green before it completes loses the slot again (run the copy again).

            5. **The way back lacks a table or sequence.** Before anything is fenced (and again with green fenced) it also checks that the way back carries every table and sequence green has (`same-tables:green:blue:\(reverse)`): a table or sequence created on green after the switch fails it in state 1 naming them; create each on blue (same definition, empty), add the table to green's publication (`ALTER PUBLICATION \(reverse) ADD TABLE …` on green), refresh blue's subscription (`ALTER SUBSCRIPTION \(reverse) REFRESH PUBLICATION WITH (copy_data = true)` on blue, which copies green's rows) and run the switchback again, or stay on green.
            """
    }

    /// Blue copied again from green (state 4): blue's reverse subscription dropped (green's slot kept:
    /// it exists before the new subscription, so the initial copy of each table and the stream after it
    /// meet), blue's application tables emptied with the fence's triggers off (replica role), then the
    /// subscription created again with copy_data = true on the same slot.
    private var recopyBlue: [String] {
        let reverse = names.reverseReplication
        let tables = "SELECT string_agg(c.oid::regclass::text, ', ') INTO l FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'cutover_fence', 'cutover_moved') AND n.nspname NOT LIKE 'pg\\_%' AND NOT EXISTS (SELECT 1 FROM pg_depend e WHERE e.classid = 'pg_class'::regclass AND e.objid = c.oid AND e.deptype = 'e')"
        return [
            "psql \"$BLUE_ADMIN_URL\" -X -v ON_ERROR_STOP=1 -c 'ALTER SUBSCRIPTION \"\(reverse)\" DISABLE' -c 'ALTER SUBSCRIPTION \"\(reverse)\" SET (slot_name = NONE)' -c 'DROP SUBSCRIPTION \"\(reverse)\"'",
            "psql \"$GREEN_URL\" -X -v ON_ERROR_STOP=1 -c \"SELECT pg_create_logical_replication_slot('\(reverse)', 'pgoutput') WHERE NOT EXISTS (SELECT 1 FROM pg_replication_slots WHERE slot_name = '\(reverse)' AND database = current_database())\"",
            "psql \"$BLUE_ADMIN_URL\" -X -v ON_ERROR_STOP=1 -c \"DO \\$cutover\\$ DECLARE l text; BEGIN SET LOCAL session_replication_role = replica; \(tables); IF l IS NOT NULL THEN EXECUTE 'TRUNCATE ' || l; END IF; END \\$cutover\\$\"",
            "psql \"$BLUE_ADMIN_URL\" -X -v ON_ERROR_STOP=1 -c \"CREATE SUBSCRIPTION \\\"\(reverse)\\\" CONNECTION '$GREEN_CONNINFO' PUBLICATION \\\"\(reverse)\\\" WITH (create_slot = false, slot_name = '\(reverse)', copy_data = true)\"",
            "psql \"$BLUE_ADMIN_URL\" -c \"SELECT srrelid::regclass, srsubstate FROM pg_subscription_rel r JOIN pg_subscription s ON s.oid = r.srsubid WHERE s.subname = '\(reverse)' AND s.subdbid = (SELECT oid FROM pg_database WHERE datname = current_database())\"  # every table r",
        ]
    }

    /// The drop-reverse Job's files (green's side of the way back, undone in reverse order), as psql's `-f` arguments.
    private var dropReverseFiles: String {
        let kept: Set<String> = ["reverse_subscription", "stop_forward_subscription", "drop_forward_slot"]
        return plan.steps.enumerated().filter { $0.element.phase == .reverseReplicate && !kept.contains($0.element.slug) }
            .reversed().map { " -f \(StepFiles.folder(for: $0.element))/\(stems[$0.offset]).down.sql" }.joined()
    }

    /// The switchover Service may exist before the chart wants to create it: Helm 3.2+ adopts an
    /// object carrying its ownership annotations and label, and refuses one without them ("invalid
    /// ownership metadata"). Or the Service stays the user's (`switchover.manageService=false`) and
    /// the runbook moves its selector. kubectl and Argo CD take an existing object over on apply.
    private var serviceNote: String? {
        let builder = BlueGreenBuilder(spec)
        guard let green = builder.switchService(to: .green), let blue = builder.switchService(to: .blue) else { return nil }
        let name = green.metadata.name, namespace = spec.metadata.namespace
        func patch(_ service: Service) -> String {
            let pairs = service.selector.map { "\"\($0.key)\":\"\($0.value)\"" }.joined(separator: ",")
            return "kubectl patch service \(name) --namespace \(namespace) --type merge -p '{\"spec\":{\"selector\":{\(pairs)}}}'"
        }
        return """
            **The Service `\(name)`.** The chart creates it at the switch and never deletes it (`helm.sh/resource-policy: keep`; in `manifests/`, `argocd.argoproj.io/sync-options: Prune=false,Delete=false`): it is the app's path to its database. If a Service of that name exists already (made by hand or by another tool), Helm refuses the switch's upgrade (`exists and cannot be imported into the current release: invalid ownership metadata`). Before the switch, either let this release adopt it (Helm 3.2+; Helm 3.17+ can instead add `--take-ownership` to the upgrade), after checking with `kubectl get service \(name) --namespace \(namespace) -o yaml` that nothing needs what the chart replaces (its selector and ports become the chart's):

            ```sh
            kubectl annotate service \(name) --namespace \(namespace) meta.helm.sh/release-name=\(spec.name) meta.helm.sh/release-namespace=\(namespace) --overwrite
            kubectl label service \(name) --namespace \(namespace) app.kubernetes.io/managed-by=Helm --overwrite
            ```

            or keep it yours: turn the chart's Service off once (`--reuse-values` keeps it for every later command) and move it yourself once the switch's Jobs succeeded, before restarting the app's pods (and back to blue once the switchback Job succeeded):

            ```sh
            helm upgrade \(spec.name) ./chart --namespace \(namespace) --reuse-values --set switchover.manageService=false \(PhaseCommands.helmTimeout(spec, jobs: JobCatalog(plan).jobs.count))
            \(patch(green))
            \(patch(blue))  # switching back
            ```

            With kubectl, `kubectl apply -k manifests/switchover/` takes an existing Service over without asking: it warns that the `kubectl.kubernetes.io/last-applied-configuration` annotation is missing, adds it and merges the manifest in. The selector's keys get green's values, but a key only the existing Service has stays and then selects no pod of green: remove it first (`kubectl edit service \(name) --namespace \(namespace)`), or leave the Service out (`--selector app.kubernetes.io/component!=\(BlueGreenBuilder.serviceComponent)` on the folder's last apply) and patch it as above. Argo CD's sync applies the same way.
            """
    }

    /// Zalando: a logical slot survives a failover only when Patroni knows it as a permanent slot
    /// (`spec.patroni.slots`). Declared before the Job creates it, Patroni would create it first, at an
    /// earlier position, and the subscription would replay what it should not; declared while cleanup
    /// drops it, Patroni would create it again. Green's resource is the chart's: it declares the way
    /// back's slot itself while switched (see `BlueGreenBuilder.greenClusterDeclaringReverseSlot`).
    /// Blue's resource is not ours (the chart must not take over the live cluster's manifest), so the
    /// runbook gives the exact patches, and the same for green under plain manifests.
    private func patroniNote(_ phase: Phase) -> String? {
        guard spec.database.operator == .zalando else { return nil }
        let namespace = spec.metadata.namespace
        func patch(_ cluster: String, _ slot: String, declare: Bool) -> String {
            let value = declare ? "{\"type\":\"logical\",\"database\":\"\(spec.database.name)\",\"plugin\":\"pgoutput\"}" : "null"
            return "kubectl patch postgresql \(cluster) --namespace \(namespace) --type merge -p '{\"spec\":{\"patroni\":{\"slots\":{\"\(slot)\":\(value)}}}}'"
        }
        let blue = spec.database.cluster, green = spec.target?.cluster ?? ""
        let forward = names.replication, reverse = names.reverseReplication
        switch phase {
        case .replicate:
            return """
                Once this phase ran, declare its slot to Patroni, so that a failover of blue keeps it (Patroni 2.1+ keeps permanent logical slots on the replicas too; a slot left off is lost on failover and green stops receiving blue's writes). Blue's `postgresql` resource is yours, not the chart's, so cutover does not generate it; patch it (merge patch: only this key changes), and remove the key again before switching over, cleanup or rolling back replicate (Patroni re-creates a permanent slot that is dropped; the switch drops this one: idle while the app is on green, it would keep all of blue's WAL):

                ```sh
                \(patch(blue, forward, declare: true))
                \(patch(blue, forward, declare: false))  # before switching over / cleanup / rollback
                ```
                """
        case .reverseReplicate:
            return """
                The chart declares the way back's slot `\(reverse)` in green's `postgresql` resource while `switchover.to=green` and cleanup is off (regular objects are applied after the switchover Job, a pre-upgrade hook, created it, and a later upgrade that switches back or cleans up undeclares it before its hooks drop it). With plain manifests, patch green yourself after the switch, and remove it before switching back or cleanup:

                ```sh
                \(patch(green, reverse, declare: true))
                \(patch(green, reverse, declare: false))  # before switching back / cleanup
                ```

                Blue's forward slot `\(forward)`: the reverse-replication Job drops it after the Service moved (its subscription is disabled from the switch on, and an idle slot keeps every WAL segment blue writes until the switchback); the switchback Job creates it again. Keep it out of blue's `spec.patroni.slots` while the app is on green (Patroni would create it again), and declare it again once switched back:

                ```sh
                \(patch(blue, forward, declare: false))  # before switching over
                \(patch(blue, forward, declare: true))   # after switching back
                ```
                """
        case .cleanup:
            return "Patroni creates a permanent slot again after it is dropped, as long as `spec.patroni.slots` declares it; the operator passes a change of the manifest on to Patroni on its own schedule, and Patroni applies it within its loop (`loop_wait`, 10 s by default). So the commands above first remove `\(forward)` from blue's `spec.patroni.slots` and `\(reverse)` from green's, as a step of their own (the chart's cleanup upgrade would remove green's only in the same run as the drops), wait until Patroni's configuration on both primaries names neither (its REST API, `GET /config` on port 8008), and only then run cleanup; after it, Patroni's loop later, they check that neither slot came back. A slot that came back holds WAL until the disk fills: undeclare it (the patch above), then run cleanup again."
        default:
            return nil
        }
    }

    private func ifItFails(_ phase: Phase) -> String? {
        let logs = "read the Job's log (`kubectl logs job/<job> --namespace \(spec.metadata.namespace)`)"
        switch phase {
        case .preflight:
            return "\(logs): it lists every problem it found (`cutover: preflight blue: …`), each with its fix, and changed nothing. Large objects on blue (`large object(s) in pg_largeobject_metadata`) are refused: logical replication does not carry them, and green would have none; move them into bytea columns (or object storage) and `lo_unlink` them, or move this database another way (dump and restore, or a physical upgrade). A replication slot of this plan's name for another database of the cluster is refused too (slot names are the cluster's): rename the migration, or drop that slot if it is stale. Tables that belong to an extension (PostGIS' `spatial_ref_sys`) are neither checked nor replicated: the schema load's `CREATE EXTENSION` makes and fills them on green. wal_level, max_replication_slots and max_wal_senders need a restart of the cluster (Zalando: `spec.postgresql.parameters` in its `postgresql` manifest, then Patroni restarts it); a table without primary key or replica identity, or unlogged, is fixed on blue (`ALTER TABLE … REPLICA IDENTITY FULL` or a primary key; `ALTER TABLE … SET LOGGED`). Then run the same command again. The same checks of green run as the schema load's first step (`cutover: preflight green: …`)."
        case .schemaLoad:
            return "\(logs). Nothing is replicated yet and the app still uses blue: fix the cause and run the same command again. An extension green cannot install (`is not available on green`) needs its package in green's image (Spilo ships contrib and the common ones); one green offers only at another version is created at green's default version, and the log says so (`ALTER EXTENSION … UPDATE` on blue first compares like with like). A role blue's grants name that green lacked was created NOLOGIN (`role … created on green NOLOGIN`): give it LOGIN and a password there (or declare it in green's manifest) if it logs in. The copy runs only while green holds none of the application's tables; to start over, drop them on green."
        case .replicate:
            return "\(logs). A table refused before anything is published (no primary key nor replica identity, unlogged): fix it on blue and run again. A wait that ends without the copy complete: look at green's `pg_subscription_rel` and green's server log (a table missing on green, a duplicate key). A large initial copy may outlast the Job: its deadline is \(PhaseCommands.jobDeadlineSeconds(spec)) s (`activeDeadlineSeconds`, from `runner.deadline`), and its wait gives up after 7500 polls (about 25 min; the runner's `WAIT_ATTEMPTS`). The copy itself goes on on green without the Job (the subscription's workers copy and stream), so run the same command again: it creates nothing twice and waits again, until every table is `r`; or raise `runner.deadline` in the spec and generate again. The app is unaffected; rolling back drops the subscription, the slot and the publication. `the forward slot … is gone from blue` (a failover, or Patroni dropped a slot not declared to it) while green's subscription had copied its tables: a slot created again would start at blue's current position and skip every change in between, so the Job refuses; copy again (roll back the replication: rollback-replicate empties green's tables; then run replicate again). `already holds data` (green has rows and no subscription of this migration) and `blue is fenced` refuse likewise and change nothing. After cleanup this Job changes nothing (`blue carries cleanup's marker`), and once `switchover.to=green` the chart no longer renders it. To start over after rolling back replicate: the rollback-replicate Job empties green's application tables (one `TRUNCATE … RESTART IDENTITY` on green after its subscription is dropped; the tables stay, so the schema load skips), since a new subscription copies every table again and would loop on duplicate keys; then run replicate again. It empties nothing, and fails, when green may have served: blue carries cleanup's marker (green is production), a switch is marked (unless-switching refuses first), or blue is fenced (a switch stopped after its fence: run the switch again first). A green a switchback left fenced is not emptied (the Job says so; no Job lifts that fence): before replicate runs again, green must be unfenced and emptied by hand."
        case .verify:
            return "the copy is not complete yet; run the same command again once green's log shows no error. The checksums themselves run in the switch, with blue fenced."
        case .sequenceSync, .switchover:
            return "\(logs). Before its fence (`fence:blue`) nothing changed for the app. The way back is built before the fence: green's reverse publication, blue's reverse subscription to it (created disabled; what an earlier attempt left of either is dropped first) and green's reverse slot, so a failure there (`could not connect to the publisher`: a NetworkPolicy, pg_hba, TLS or the credentials between blue and green) fails the switch while blue still takes writes; fix it and run again. Creating that slot waits for every transaction on green's server that holds a transaction id (a DBA's open session, a `CREATE INDEX CONCURRENTLY`, an ETL job, a prepared transaction): one still open after \(JobCatalog.fenceLockSeconds) s fails the switch before the fence, naming it (`xid-holders:green`, `pid … holds a transaction id`); end it or wait, and run again. In the write pause the slot is moved past what forward replication applied on green (`skip-slot:green`, which waits for no transaction): blue never gets its own rows back. Materialized views: the schema load leaves them unpopulated on green (pg_dump writes them `WITH NO DATA`) and no replication carries them, so the Job refreshes each one blue has populated on green (`refresh-matviews`, those another reads first) once the copy is complete and before the fence: green's views hold the data as of that moment, not of the switch; refresh them after the switch as your app does on blue. A Job that fails after it lifts the fence again before it exits (the app has not moved) and ends the app's sessions that connected to blue while it was fenced (a pool reconnects at once, and such a session keeps the role's read-only setting for its whole life; the log says how many): fix the cause and run the same command again (every step resumes). If writes of the app still fail with `read-only transaction`, restart its pods (the restart command above: the block stopped before it). Checksums that differ (before the fence, on ranges the app no longer writes; or with blue fenced) mean green misses data: do not switch; roll back. `cutover: gap: <table>: N transaction(s) blue committed … never reached green` (the gap log, before the fence or with blue fenced) means the forward slot was created again at a later position (Patroni after a failover of blue, or by hand) and green lacks those transactions, also in tables the checksums do not cover: nothing was switched and blue's fence is lifted; copy green again before switching: roll back replication (`rollback.enabled=true`: the rollback-replicate Job drops forward replication, empties green's application tables, which stay, and drops the gap log), then run stage 1 again (the schema load skips, replicate copies every table anew). Only a Job killed outright (its node lost, or past its grace period) leaves blue fenced: run the same command again (the Job takes that fence over and lifts it at once, since the app never left blue, does the work before the fence with blue taking writes, then fences again: the pause stays that of one run), or lift it with the guarded command below, which does so only while the marker is none (a Job killed at its mark leaves the switch marked: then run the switch again or switch back, never unfence by hand). The write pause lasts from the fence until the Service points at green and the app's pods restarted: the fence itself (at most \(JobCatalog.fenceLockSeconds) s from the app's role set read-only to every table locked; a lock another role holds on a table, a prepared transaction's or an anti-wraparound autovacuum's, is named before anything is fenced and the Job fails with nothing changed; one taken after that check makes the fence give up within those seconds and lift itself at once; the switchback's fence on green alike), the catch-up (usually under a second: green caught up once more right before the fence; it has a budget of its own, \(JobCatalog.fencedWaitSeconds) s, past which the Job fails and lifts the fence, and so has the switchback's with green fenced), for each table of verify.checksum.tables its highest key on both sides (and its row count where keys are compared by position) and the few key ranges the app was still writing when the full checksums ran (before the fence, with blue live), the sequence sync, green's reverse slot moved past forward replication's last change (`skip-slot:green`, then a `CHECKPOINT` on green), what the way back needs before the app writes on green (forward replication disabled: a few statements in the switchover Job's own pod, no pod start), Helm applying the Service and the app's pods restarting (`kubectl rollout restart`, below). Measured under `cutover rehearse` on local servers (first refused write to the Service's move, no pod start and no rollout): 2.4 to 2.8 s; with the reverse-replication Job still inside the pause it was 2.7 to 4.0 s, and on a cluster that Job's pod start (scheduling, image pull) came on top. On a cluster add Helm's apply and the app's rollout. The reverse-replication Job runs after the Service moved (post-upgrade hook, Argo CD PostSync): it ends the app's sessions still on blue, drops the idle forward slot and enables the way back (green's writes since the move wait in green's slot, none is lost). During the pause the app's sessions on blue are ended at the fence (a pool reconnects to blue until the Service moves, and reverse-replication ends those again once it points at green); reads keep working, and every write fails with SQLSTATE 25006 (`cannot execute INSERT on public.t in a read-only transaction: cutover fenced this database…`), the error a read-only server gives: retry it, or report it as temporarily unavailable. No session setting lifts the fence (a trigger on every table, its function owned by the superuser)."
        case .reverseReplicate:
            return "\(logs). The part of the way back that must exist before the app writes on green runs in the switchover Job, after its mark and before the Service moves: green's reverse slot (created before the fence and moved, in the pause, past what forward replication applied on green), blue's reverse subscription (created disabled, and its connection to green proven, before the fence), then forward replication disabled. A switchover Job stopped in between leaves the switch marked with forward replication still on: running it again completes those steps (the Service moves only once it succeeded); the switchback instead lifts blue's fence and ends (the app never left blue). This Job runs after the Service moved (post-upgrade): it ends the app's sessions still on blue (`end-sessions:blue`: opened by a pool before the Service moved, they would read blue's stale rows), drops the idle forward slot on blue and enables the way back (`enable-subscription`). The app is on green already and nothing is lost while it fails: green's writes wait in green's slot. Fix the cause and run the same command again (each step resumes); a switchback meanwhile enables the way back itself before its catch-up. It refuses to run (`forward replication … still runs`) when the switch is marked but the switchover Job did not complete: run the switch again first."
        case .cleanup:
            return "\(logs). A slot still streaming is refused after 30 s: drop the subscription that reads it (on the other side) first, then run again. Its first step marks the switch as cleaning up (the marker on green's subscription reads `cutover: cleaning up after the switch from blue to green`): from there on never switch back (its drops end the way back; the switchback Job refuses), run cleanup again until it completes. It refuses while blue is fenced without a marker (a switch stopped after its fence): run the switchover again, or switch back, which lifts the fence. Blue stays fenced after cleanup; retire it only after `helm uninstall` of this release: until then every upgrade checks blue's fence. Cleanup also leaves the schema `cutover_moved` on blue (no tables; never drop it while blue exists): every later run of a forward Job reads it (replicate and the switch change nothing, the switchback and rollback refuse), also once blue's fence is lifted."
        default:
            return nil
        }
    }
}
