import CutoverPlan

/// The human plan: what happens in which order, the exact commands for each phase and its rollback,
/// and a Mermaid flowchart of the phases.
public struct PlanReadme {
    public var plan: MigrationPlan
    /// The Jobs and objects, shared with the chart and manifests emitters.
    private let context: EmissionContext

    public init(plan: MigrationPlan) {
        self.init(context: EmissionContext(plan))
    }

    public init(context: EmissionContext) {
        self.plan = context.plan
        self.context = context
        var indices: [Phase: [Int]] = [:]
        for (index, step) in context.plan.steps.enumerated() { indices[step.phase, default: []].append(index) }
        self.stepIndices = indices
        var runs: [Phase: (helm: [String], kubectl: [String])] = [:]
        for phase in context.plan.phases.map(\.phase) {
            let commands = context.commands(for: phase)
            runs[phase] = (commands.helm.run, commands.kubectl.run)
        }
        self.forwardRuns = runs
        self.postgres = PostgreSQLBuilder(context: LoweringContext(spec: context.plan.spec, schema: context.plan.schema))
    }

    /// Names tables as the step files do (`table(_:)`): built once, not per name (a lowering context
    /// copies the schema).
    private let postgres: PostgreSQLBuilder

    /// Each phase's forward commands, once: `once` compares a phase's with every earlier phase's, and
    /// each `PhaseCommands` call builds the Job catalog again.
    private let forwardRuns: [Phase: (helm: [String], kubectl: [String])]

    /// Indices into `plan.steps` by phase, in plan order (`plan.steps(in:)` once for all phases).
    private let stepIndices: [Phase: [Int]]

    public func render() -> String {
        let spec = plan.spec
        var out = GeneratedHeader.markdown(spec)
        out += "# Migration plan: \(spec.name)\n\n"
        out += "Strategy **\(spec.strategy.rawValue)** on \(spec.database.engine.rawValue) \(spec.database.version)"
        out += " (cluster `\(spec.database.cluster)`, database `\(spec.database.name)`, namespace `\(spec.metadata.namespace)`)"
        if let target = spec.target { out += ", moving to `\(target.cluster)` at version \(target.version)" }
        out += ".\n\n"
        out += "Every phase below is a set of reversible steps. Phases marked *off by default* never run until you enable them.\n\n"
        out += mermaid()
        out += beforeYouStart()
        out += "## Phases\n\n"
        for (index, phase) in plan.phases.enumerated() {
            out += section(phase, number: index + 1)
        }
        out += versionSchemasSection()
        out += objectsSection()
        out += enumLabelsSection()
        out += droppedIdentitySection()
        out += leavingTheRolloutSection()
        out += networkSection()
        out += featureFlagSection()
        out += suppressionsSection()
        out += "## Files\n\n"
        out += "| path | what |\n|---|---|\n"
        out += "| `plan.json` | this plan for tools (see cutover's docs/plan-json.md) |\n"
        out += "| `sql/` | the steps as golang-migrate pairs, in apply order. Apply them with `psql -X -v ON_ERROR_STOP=1 -f` (or the `mysql` client), as the Jobs do: golang-migrate sends a file as one query, in which `CREATE INDEX CONCURRENTLY` and batched backfills (a `COMMIT` per batch) cannot run, and its `x-multi-statement` mode splits `DO` blocks |\n"
        out += "| `flyway/` | the same steps as Flyway `V`/`U` files |\n"
        out += "| `liquibase/` | the same steps as a Liquibase changelog with rollbacks |\n"
        out += "| `chart/` | Helm chart: hook Jobs run the phases in order |\n"
        out += "| `manifests/` | plain manifests with kustomizations and Argo CD sync waves |\n"
        return out
    }

    /// What every later command relies on: the namespace, the app image to come back to, a
    /// connection for the workstation commands, and waits that end on failure as well as success.
    private func beforeYouStart() -> String {
        let spec = plan.spec
        let namespace = spec.metadata.namespace
        let database = spec.database
        let topology = DatabaseTopology(spec)
        let keys = topology.secretItems
        let user = keys.first { $0.value == "username" }?.key ?? "username"
        let password = keys.first { $0.value == "password" }?.key ?? "password"
        func secret(_ key: String) -> String {
            "$(kubectl get secret \(database.credentialsSecret) --namespace \(namespace) -o jsonpath='{.data.\(key)}' | base64 -d)"
        }
        var out = "## Before you start\n\n"
        out += "Run these once in the shell you will use for the commands below.\n\n```sh\n"
        out += "export NAMESPACE=\(namespace)\n"
        out += "# The app image serving now: every rollback below puts back \"$PREVIOUS_IMAGE\", so export it in the shell you roll back from.\n"
        // The Deployment the Rollout takes over (`app.deployment`), and the container the reverts patch.
        let deployment = spec.app.deployment.isEmpty ? spec.app.name : spec.app.deployment
        out += "export PREVIOUS_IMAGE=$(kubectl get deployment \(deployment) --namespace \(namespace) -o jsonpath='{.spec.template.spec.containers[?(@.name==\"\(spec.app.name)\")].image}')\n"
        out += "echo \"$PREVIOUS_IMAGE\"\n"
        out += "# For the commands run from a workstation: a tunnel to the primary and its credentials.\n"
        out += "kubectl port-forward --namespace \(namespace) \(topology.portForwardTarget(cluster: database.cluster)) \(database.port):\(database.port) &\n"
        switch database.engine {
        case .postgresql:
            out += "export PGUSER=\(secret(user)) PGPASSWORD=\(secret(password))\n"
            out += "export DATABASE_URL=\"postgresql://127.0.0.1:\(database.port)/\(database.name)\"\n"
        case .mysql:
            out += "printf '[client]\\nhost=127.0.0.1\\nport=\(database.port)\\nuser=%s\\npassword=%s\\n' \"\(secret(user))\" \"\(secret(password))\" > ~/.my.cnf && chmod 600 ~/.my.cnf\n"
            out += "export DATABASE=\(database.name)\n"
        }
        out += Self.waitFunctions + "```\n\n"
        if spec.strategy == .expandContract {
            out += "**Order.** One `helm upgrade --install` runs preflight, expand and backfill as `pre-install,pre-upgrade` hooks, "
            out += "then starts the canary: every existing row is filled before the first pod of the new version starts, and the sync "
            out += "triggers fill what either version writes during the rollout. Wait until the Rollout is fully promoted (or has failed) "
            out += "before complete and verify, a later `helm upgrade` of their own: they hold what the old version cannot live with. "
            out += "Contract and purge are later upgrades again, each turning the earlier phases off. With Argo CD, a sync of "
            out += "`manifests/` runs preflight, expand and backfill (PreSync) and then the app (Sync), nothing later; once the Rollout is "
            out += "fully promoted, sync (or `kubectl apply -k`) `manifests/complete/` and then `manifests/verify/`, each an explicit step "
            out += "of its own like contract. "
            if DeliveryFolder.hasAfterContract(context.jobs) {
                out += "Before contract, point the Application at `\(DeliveryFolder.afterContract.path)` (the app's objects, no hooks): "
                out += "every sync of `manifests/` runs its PreSync hooks again, and expand after contract would create again what contract removed "
                out += "(the preflight refuses it). Plain kubectl applies one folder per phase, "
            } else {
                out += "Plain kubectl applies one folder per phase, "
            }
            out += "in order, and waits for each. Helm's `--timeout` below covers every Job of the invocation up to its "
            out += "`activeDeadlineSeconds` (\(PhaseCommands.jobDeadlineSeconds(spec))s, never shorter than `statement_timeout` plus `lock_timeout` and a minute, so the server ends a statement before Kubernetes kills its pod).\n\n"
        }
        if database.engine == .postgresql, database.schemaName != "public" {
            // The statements name the schema; what the app writes bare resolves through its own search_path.
            let schema = SQLNames(engine: .postgresql).quote(database.schemaName)
            out += "**Schema.** The tables are in schema `\(database.schemaName)` (`database.schemaName`): every generated statement names it, and each SQL file "
            out += "sets `search_path = \(schema), public` for what the spec writes bare (`sql` changes, `up`/`down`, enum types). The app names the tables unqualified, "
            out += "so its own search_path must lead with `\(database.schemaName)` and keep `public` after it, where extensions' types and functions usually live "
            out += "(for a libpq-based driver `PGOPTIONS='\(VersionSchemaSelection.pgOptions(base: database.schemaName))'`, JDBC `currentSchema=\(VersionSchemaSelection.baseSearchPath(database.schemaName))`, "
            out += "or `ALTER ROLE <app role> SET search_path = \(schema), public`): with the default one it reads and writes `public`. "
            out += "Prefer `PGOPTIONS` in the app's env to `ALTER ROLE … SET`: a role's settings live in the server's shared catalog, which a blue-green "
            out += "target (a new cluster fed by logical replication) does not get."
            if let schemas = VersionSchemaSelection.schemas(plan) {
                out += " The old version's pods keep it; each version's search_path below puts its schema of views first "
                out += "(`\(VersionSchemaSelection.searchPath(schemas.new, base: database.schemaName))`)."
                if !spec.app.podTemplate {
                    out += " The rollout step's patch replaces the Deployment's `PGOPTIONS` with the ConfigMap's; leaving the Rollout "
                    out += "sets it back to `\(VersionSchemaSelection.pgOptions(base: database.schemaName))` before the ConfigMap goes "
                    out += "(add back any other option it carried)."
                }
            }
            out += "\n\n"
        }
        out += viewRebuildParagraph()
        if spec.strategy == .expandContract, !spec.app.podTemplate { out += autoscalingAndGitOps() }
        if spec.strategy == .expandContract, let snapshot = spec.snapshot {
            let names = KubernetesNames(spec)
            let builder = SnapshotBuilder(spec)
            let claim = builder.primary.map { "`\($0.claimPrefix)<pod>`, the pod behind Service `\($0.service)` when the Job runs (a failover moves the primary)" }
                ?? "`\(DatabaseTopology(spec).snapshotClaim)`"
            out += "**Snapshot.** Before any DDL, Job `\(names.snapshotJob)` takes VolumeSnapshot `\(names.snapshot)` (class "
            out += "`\(snapshot.volumeSnapshotClass)`) of the primary's claim \(claim), once per migration, and waits until it is "
            out += "`readyToUse`; later upgrades, syncs and rollbacks find it and keep it, and nothing deletes it. It needs the "
            out += "external-snapshotter CRDs and controller, a CSI driver for the class, and an image with `sh` and `kubectl` (chart value "
            out += "`snapshot.image`, default `\(SnapshotBuilder.defaultImage)`; for `manifests/`, a kustomize `images:` entry). "
            out += "Check it with `kubectl get volumesnapshot \(names.snapshot) --namespace \(namespace)`; delete it once you no longer need the way back.\n\n"
        }
        out += "**A failed Job** keeps its pod and logs (`kubectl logs job/<name> --namespace \(namespace)`): only succeeded hooks are deleted. "
        // The runners' exit code 65 and the Jobs' podFailurePolicy (PodFailurePolicy.runner).
        out += "A failed pod is retried up to `runner.backoffLimit` times, except a refusal that every retry would repeat (a rollback "
        out += "that says `cutover rollback refused`, a preflight that lists problems): the runner exits \(PodFailurePolicy.refusedExitCode) "
        out += "and the Job fails at once (its podFailurePolicy), with the rows or settings to change in its log. "
        out += "Every SQL file is idempotent and a backfill resumes where it stopped, so after fixing the cause run the same step again: "
        out += "with Helm, the same `helm upgrade` (the failed Job is deleted and created anew); with kubectl, `kubectl delete job <name> "
        out += "--namespace \(namespace)` and apply the folder again (applying an unchanged Job does nothing); with Argo CD, sync again.\n\n"
        return out
    }

    private func mermaid() -> String {
        var out = "```mermaid\nflowchart LR\n"
        for phase in plan.phases {
            let label = phase.title + Self.marker(phase)
            out += "  \(nodeID(phase.phase))[\"\(label)\"]\n"
        }
        for (from, to) in zip(plan.phases, plan.phases.dropFirst()) {
            let arrow = to.enabledByDefault ? "-->" : "-.->"
            out += "  \(nodeID(from.phase)) \(arrow) \(nodeID(to.phase))\n"
        }
        out += "```\n\n"
        return out
    }

    /// Off-by-default phases: the destructive ones wait for you to enable them; complete and verify
    /// are switched on by a later upgrade once the Rollout is promoted.
    static func marker(_ phase: PlanPhase) -> String {
        if phase.enabledByDefault { return "" }
        return phase.phase == .complete || phase.phase == .verify ? " (a later upgrade, once the Rollout is promoted)" : " (off by default)"
    }

    private func nodeID(_ phase: Phase) -> String { phase.rawValue.replacingDashes() }

    private func section(_ phase: PlanPhase, number: Int) -> String {
        var out = "### \(number). \(phase.title)\(Self.marker(phase))\n\n"
        out += phase.summary + "\n\n"
        let indices = stepIndices[phase.phase] ?? []
        if !indices.isEmpty {
            out += "| step | what | files | reversible |\n|---|---|---|---|\n"
            for index in indices {
                let step = plan.steps[index]
                let files = paths(index).map { "`\($0)`" }.joined(separator: " ")
                var notes = step.reversible ? "yes" : "**no**"
                if !step.transactional { notes += ", no transaction" }
                if step.unchecked { notes += ", unchecked SQL" }
                if step.up.statements.contains(where: { $0.copiedTable != nil }) { notes += ", **table copy: writes blocked**" }
                if step.down.statements.contains(where: { $0.copiedTable != nil }) { notes += ", rollback is a table copy: writes blocked" }
                out += "| \(step.number) | \(step.title) | \(files) | \(notes) |\n"
            }
            out += "\n"
            out += keptRowsNote(indices)
            out += tableCopyNote(indices)
            if phase.phase == .expand { out += keptColumnsNote() }
        }
        out += commands(for: phase.phase, indices: indices)
        if let key = plan.spec.featureFlagKey, phase.phase == SupportObjectsBuilder(plan.spec).flagOnFrom {
            out += "Once this phase passed, turn the feature flag `\(key)` on: see [Feature flag](#feature-flag-\(Self.anchor(key))).\n\n"
        }
        if plan.spec.strategy == .blueGreen {
            let runbook = BlueGreenRunbook(plan: plan, stems: context.sql.stems)
            if number == 1 { out += runbook.prerequisites }
            out += runbook.section(phase.phase)
        }
        return out
    }

    /// Steps whose down keeps the rows the new version wrote with NULL instead of failing (no `down`
    /// expression in the spec: `RollbackWarning`), said before anyone needs the rollback.
    private func keptRowsNote(_ indices: [Int]) -> String {
        let kept = indices.filter { plan.steps[$0].down.statements.contains { $0.text.contains(RollbackWarning.marker) } }
        guard !kept.isEmpty else { return "" }
        let nullable = plan.spec.database.engine == .postgresql
            ? "it adds `CHECK (column IS NOT NULL) NOT VALID`, so every write from then on is held to NOT NULL, and sets NOT NULL only once no NULL is left"
            : "the column stays nullable while NULL rows are left (MySQL cannot hold only new writes to NOT NULL)"
        var out = "Rolling back step\(kept.count == 1 ? "" : "s") " + kept.map { "\(plan.steps[$0].number)" }.joined(separator: ", ")
        out += " cannot restore NOT NULL in full once the new app version wrote rows without the column, and the spec gives no `down` "
        out += "to refill them (warning CUT053). An emergency rollback must neither fail nor lose rows, so it keeps them: \(nullable). "
        out += "The rollback Job prints `\(RollbackWarning.marker)TABLE.COLUMN keeps N row(s) with NULL …`; fill those rows and run the Job again "
        out += "to finish, or give the change a `down` expression.\n\n"
        return out
    }

    /// Steps that copy a table on MySQL (ALGORITHM=COPY, LOCK=SHARED), forward or in their rollback
    /// (`StatementKind.tableCopy`, warning CUT073): writes to it wait for the whole copy.
    private func tableCopyNote(_ indices: [Int]) -> String {
        func copies(_ statements: [SQLStatement]) -> [String] {
            var tables: [String] = []
            for table in statements.compactMap(\.copiedTable) where !tables.contains(table) { tables.append(table) }
            return tables
        }
        var parts: [String] = []
        for index in indices {
            let step = plan.steps[index]
            let forward = copies(step.up.statements), rollback = copies(step.down.statements)
            func named(_ tables: [String]) -> String { "table\(tables.count == 1 ? "" : "s") " + tables.map { "`\($0)`" }.joined(separator: ", ") }
            if !forward.isEmpty && forward == rollback {
                parts.append("step \(step.number) and its rollback copy \(named(forward))")
            } else {
                if !forward.isEmpty { parts.append("step \(step.number) copies \(named(forward))") }
                if !rollback.isEmpty { parts.append("the rollback of step \(step.number) copies \(named(rollback))") }
            }
        }
        guard !parts.isEmpty else { return "" }
        var out = "**Table copies.** " + parts.joined(separator: "; ").prefix(1).uppercased() + parts.joined(separator: "; ").dropFirst()
        out += " (MySQL ALTER TABLE … ALGORITHM=COPY, LOCK=SHARED; warning CUT073): reads go on, but every write to the table waits until the whole "
        out += "table is copied, far longer than a catalog update. Size the table first and run this phase, or roll it back, when the table is quiet; "
        out += "or make that change with gh-ost or pt-online-schema-change instead of cutover.\n\n"
        return out
    }

    /// How each app version selects its schema of views (issue #14), or, without them, what the new
    /// version may not rely on during the rollout.
    private func versionSchemasSection() -> String {
        let spec = plan.spec
        guard spec.strategy == .expandContract else { return "" }
        let context = LoweringContext(spec: spec, schema: plan.schema)
        let retyped = spec.database.engine == .mysql
            ? MySQLVersionSchemas.hiddenCopies(context).map { "`\($0.table.value).\($0.column.value)`" }
            : spec.changes.compactMap { change -> String? in
                guard let alter = change.operation.unit(AlterColumn.self), PostgreSQLVersionSchemas.rewrites(alter, context) else { return nil }
                return "`\(alter.table.value).\(alter.column.value)`"
            }
        let added = AddedDefaultUpRule.columns(context).map { "`\($0)`" }
        guard let schemas = VersionSchemaSelection.schemas(plan) else {
            guard !retyped.isEmpty || !added.isEmpty else { return "" }
            var out = "## App version schemas\n\n"
            out += "Off (`app.versionSchemas: none`, or no `database.schema`): both app versions use the tables. "
            if !retyped.isEmpty {
                out += "Until contract swaps them, \(retyped.joined(separator: ", ")) keep\(retyped.count == 1 ? "s" : "") the old type under the name, "
                out += "with the new type in a hidden copy the sync trigger fills: during the rollout the new version must read and write the old type there, "
                out += "with values the new type holds too (it gets the new type only after contract; values the old type cannot take, written after contract, "
                out += "make a rollback of contract refuse until they are changed or deleted).\n\n"
            }
            if !added.isEmpty {
                out += Self.addedDefaultUp(added, viewDefault: false,
                                           why: "the column gets its default only in complete, and until then the fill trigger gives `up` to every NULL, whichever version wrote it")
            }
            return out
        }
        if spec.database.engine == .mysql { return mysqlVersionDatabasesSection(context, schemas, retyped: retyped, added: added) }
        let viewTables = PostgreSQLVersionSchemas(b: PostgreSQLBuilder(context: context), changes: spec.changes).views().map(\.table)
        let views = viewTables.map { "`\($0)`" }
        let example = viewTables.first ?? "orders"
        var out = "## App version schemas\n\n"
        out += "Expand creates a schema of views per app version: `\(schemas.old)` (the tables as the old version knows them) and `\(schemas.new)` "
        out += "(as the migration leaves them: renamed columns under their new names, retyped ones in the new type under the final name, added columns, dropped ones hidden), "
        out += "each with a view of \(views.joined(separator: ", ")). The views are plain `SELECT column AS name FROM table`, so PostgreSQL writes through them; "
        out += "the sync triggers fill the other version's columns. Every other table, and every other object, resolves in `\(spec.database.schemaName)` as before.\n\n"
        out += "The sync triggers tell the versions apart by the first schema of the writer's search_path, so the app must name the tables unqualified "
        out += "(`\(example)`, never `\(spec.database.schemaName).\(example)`: a qualified statement of the new version reaches the table as the old version would, its insert fails on a NOT NULL "
        out += "column it does not give, and its update leaves the two columns out of sync without an error). Every other writer that does not select the new schema "
        out += "(a cron job, a worker, a DBA's session) counts as the old version and must write the tables in the old shape until contract.\n\n"
        if !retyped.isEmpty {
            out += "Retyped columns are in the new type in `\(schemas.new)` from expand on: its view shows \(retyped.joined(separator: ", ")) as the copy column "
            out += "under the final name, and the sync triggers are two-way (the old version writes the old column, the new version the copy; each insert or update "
            out += "fills the other with `up` or `down`, or a cast without them). While the old version serves, the new version must write values the old type can take "
            out += "through `down` (the sync trigger's conversion fails the statement otherwise: `invalid input syntax`, `out of range`; warning CUT109 where the new type "
            out += "holds values the old one does not); after contract, a rollback of contract refuses rows the old type cannot take until they are changed or deleted.\n\n"
        }
        if !added.isEmpty {
            out += Self.addedDefaultUp(added, viewDefault: true,
                                       why: "the fill trigger gives `up` to every NULL, as it cannot tell the new version's NULL from the old version's insert")
        }
        out += "An app version selects its schema with `search_path`: `\(VersionSchemaSelection.searchPath(schemas.new, base: spec.database.schemaName))` for the new one, "
        out += "`\(VersionSchemaSelection.searchPath(schemas.old, base: spec.database.schemaName))` for the old one. ConfigMap `\(VersionSchemaSelection.configMapName(spec))` holds both "
        out += "(`new.search_path`, `old.search_path`) and the matching `PGOPTIONS` values (`new.PGOPTIONS`, `old.PGOPTIONS`), which libpq-based drivers apply at connect. "
        out += Self.selectionByPodTemplate(spec, revert: "the old version's schema")
        out += "If the app sets `PGOPTIONS` or its search_path itself (JDBC `currentSchema`, a `SET search_path` on connect), put the value there instead. "
        out += "Behind PgBouncer (Zalando's connection pooler is one) `PGOPTIONS` reaches the server only with PgBouncer 1.20 or later and `search_path` in its "
        out += "`track_extra_parameters` (older ones refuse it; `options` in `ignore_startup_parameters` drops it, and the new version would read the old shape): "
        out += "set that, or connect the app to the database directly while the migration runs.\n\n"
        out += Self.keysThroughViews(spec, schema: schemas.new)
        out += "Contract drops both schemas last, once only the new version serves: its search_path then falls through to `\(spec.database.schemaName)`, whose tables have its shape. "
        out += "The Jobs' role needs `CREATE` on the database to create the schemas. "
        if context.postgresInvokerViews {
            out += "The views are created `WITH (security_invoker = true)`: they read the tables with the rights of the role that queries them, so the app's own "
            out += "privileges and the tables' row-level security policies apply through them as on the tables. An app that logs in as another role than the Jobs' needs "
            out += "`GRANT USAGE ON SCHEMA` and the table privileges on the views besides its privileges on the tables. `app.versionSchemas: none` turns this off.\n\n"
        } else {
            out += "The views belong to the Jobs' role and read the tables with its rights (PostgreSQL \(spec.database.version) has no `security_invoker`, so a table's "
            out += "row-level security would not apply through them: CUT113 refuses a table with policies); an app that logs in as another role needs "
            out += "`GRANT USAGE ON SCHEMA` and the table privileges on the views. `app.versionSchemas: none` turns this off.\n\n"
        }
        return out
    }

    /// What an ORM that reads keys from the catalog meets through the views (trial 14i: Rails found no
    /// primary key through the new version's schema and lost `find` and `update` on every changed table).
    static func keysThroughViews(_ spec: MigrationSpec, schema: String) -> String {
        if spec.database.engine == .mysql {
            return "A view has no keys of its own: through `\(schema)` `SHOW KEYS` is empty and information_schema shows no `PRI` and no `auto_increment`, "
                + "so an ORM that reads the primary key from the catalog when it starts (Rails' MySQL adapter, for one) finds none. Declare it in the model "
                + "(Rails: `self.primary_key = \"id\"`) before the new version ships; `LAST_INSERT_ID()` still returns the key an insert through a view generated.\n\n"
        }
        return "A view has no keys, indexes or sequences of its own: for each table with a view in `\(schema)` the catalog shows no primary key (`pg_index` has no row for the view) "
            + "and `pg_get_serial_sequence` gives NULL, so an ORM that reads the primary key from the catalog when it starts (Rails' `primary_keys`, for one) finds none. "
            + "Declare it in the model (Rails: `self.primary_key = \"id\"`) before the new version ships, and take a generated key from `INSERT … RETURNING` "
            + "(the views pass it through), not from the sequence's name.\n\n"
    }

    /// Who sets the app's env that selects its version's schema: the runbook's patch of the user's
    /// Deployment (workloadRef), or the Rollout's own pod template (`app.podTemplate: true`), whose env
    /// reads the ConfigMap key the chart value `app.versionSchema` names (`RolloutBuilder`).
    static func selectionByPodTemplate(_ spec: MigrationSpec, revert: String) -> String {
        let env = VersionSchemaSelection.envName(spec)
        let back = VersionSchemaSelection.revertVersion(spec)
        guard spec.app.podTemplate else {
            return "The rollout step below changes the Deployment's image and its `\(env)` env in one patch (one revision, one canary); the rollback reverts both. "
        }
        let key = { VersionSchemaSelection.configMapKey(spec, version: $0) }
        var out = "The Rollout carries its own pod template (`app.podTemplate: true`): its container's `\(env)` env reads the ConfigMap's key `<app.versionSchema>.\(key("").dropFirst())` "
        out += "(`valueFrom.configMapKeyRef`, optional), and the chart value `app.versionSchema` is `new` from the first install on, so the new version's first pod selects its schema. "
        out += "The rollback sets `app.versionSchema=\(back)` (\(revert)) together with `app.image` in the same upgrade (one revision); "
        out += "`manifests/app/rollout.yaml` reads `\(key("new"))`, and the kubectl rollback patches the key to `\(key(back))` with the image. "
        if spec.database.engine == .mysql {
            out += "After contract, the runbook sets `app.versionSchema=base` (kubectl: the key `\(key("base"))`). "
        }
        return out
    }

    /// The paragraph on columns added with a default and `up` (CUT104, `AddedDefaultUpRule.columns`), one
    /// text for every layout: until contract an insert of the new version can get `up` of its row instead
    /// of what it meant. `viewDefault`: the new version's view has the default (PostgreSQL's version
    /// schemas), so leaving a column out is safe and only a NULL written into it is not; `why` is the
    /// layout's reason.
    static func addedDefaultUp(_ added: [String], viewDefault: Bool, why: String) -> String {
        let risky = viewDefault ? "writes NULL into a nullable one" : "leaves one out, or writes NULL into a nullable one,"
        return "Columns added with a default and `up` (\(added.joined(separator: ", "))): until contract, an insert of the new version that \(risky) "
            + "gets `up` of its row, not what it meant: \(why) (warning CUT104). "
            + (viewDefault ? "The new version's view gives an insert that leaves one out its default. " : "")
            + "Write \(added.count == 1 ? "it" : "them") explicitly in the new version's inserts until contract.\n\n"
    }

    /// MySQL's databases of views (`MySQLVersionSchemas`): how each version selects its own, what the
    /// DBA grants first, what the new version may not rely on (retyped columns), and how they go away.
    private func mysqlVersionDatabasesSection(_ context: LoweringContext, _ databases: (old: String, new: String), retyped: [String], added: [String]) -> String {
        let spec = plan.spec
        let env = VersionSchemaSelection.mysqlDatabaseEnv
        let configMap = VersionSchemaSelection.configMapName(spec)
        let versions = MySQLVersionSchemas(b: MySQLBuilder(context: context), changes: spec.changes)
        var out = "## App version schemas\n\n"
        out += "Expand creates a database of views per app version: `\(databases.old)` (every table as the old version knows it) and `\(databases.new)` "
        out += "(every table as the migration leaves it: renamed columns under their new names, added columns and tables, dropped ones hidden). "
        out += "A MySQL connection selects one database, so each holds a view of every table, not only the changed ones. The views are "
        out += "`ALGORITHM=MERGE SQL SECURITY INVOKER` over one table with plain columns, so MySQL reads and writes through them with the app's own privileges; "
        out += "the sync triggers fill the other version's columns. Stored procedures, functions and views of your own stay in the base database: "
        out += "call them qualified (`\(spec.database.name).name`). Through a view MySQL refuses an INSERT that names no column "
        out += "(`INSERT INTO t () VALUES ()`: column count, 1136 on MariaDB 10.11): name one (`INSERT INTO t (id) VALUES (DEFAULT)`).\n\n"
        if !retyped.isEmpty {
            out += "Retyped columns are in the new type in `\(databases.new)` from expand on: its view shows \(retyped.joined(separator: ", ")) as the hidden copy "
            out += "under the final name, and the sync triggers are two-way (the old version writes the old column, the new version the copy; each insert or update "
            out += "fills the other with `up` or `down`). Contract's swap re-points the view at the column itself without a window: it locks the view, swaps, "
            out += "and a second session of the runner re-creates the view queued on that lock, so the new version's statements wait a moment and never meet the view invalid "
            out += "(a client other than cutover's runner applying the file re-creates the view itself right after UNLOCK TABLES: statements that waited on the lock may fail once). "
            out += "The Jobs' user needs `LOCK TABLES` on `\(databases.new)` for that (granted below). While the old version serves, the new version must write values "
            out += "the old type can take through `down` (MySQL's strict mode refuses the statement otherwise); an insert of the new version that leaves a retyped column to its default "
            out += "or writes NULL cannot be told from one of the old version and gets `up` of the old column's value (warning CUT075 where that differs).\n\n"
        }
        if !added.isEmpty {
            out += Self.addedDefaultUp(added, viewDefault: false,
                                       why: "the column gets its default only in complete, views have no defaults, and the fill triggers, which run in "
                                           + "the table's database, cannot tell which version's database the writer used")
        }
        out += "The names carry the base database (`\(spec.database.name)`, the Jobs' `DB_NAME`): databases share one namespace per server, so another environment's "
        out += "database on the same server running this migration gets databases of its own. Preflight and expand refuse, before they change anything, "
        out += "when either name already holds anything but views over the database the Job is connected to (another base database's, or one of your own).\n\n"
        out += "Before expand, the DBA grants (MySQL grants on a database name may exist before the database; `\\_` keeps `_` from matching any character):\n\n```sql\n"
        for database in [databases.old, databases.new] { out += VersionSchemaSelection.mysqlGrants(database).joined(separator: "\n") + "\n" }
        out += "```\n\n"
        out += "An app version selects its database with the connection's database: `\(databases.new)` for the new one, `\(databases.old)` for the old one. "
        out += "ConfigMap `\(configMap)` holds them (`new.database`, `old.database`) and the base database (`base.database`: `\(spec.database.name)`). "
        out += Self.selectionByPodTemplate(spec, revert: "the base database")
        out += "If the app takes its database from a DSN or another variable, put the value there instead. The old version stays on the base database, whose tables keep its shape until contract: "
        out += "the runbook's rollback points it back there (not at `\(databases.old)`), because the rollback of expand drops both databases and a connection does not fall through to another. "
        out += "`\(databases.old)` is for an old version that must not see the new columns (a `SELECT *`, an ORM reading the catalog) during the rollout; "
        out += "its views become invalid when contract quarantines the columns it names, once no pod of the old version serves, and valid again if contract is rolled back.\n\n"
        out += Self.keysThroughViews(spec, schema: databases.new)
        out += "Contract leaves both databases: the new version still reads through its views, which name only columns contract keeps. "
        out += "After contract, the runbook points the app at the base database (same image); then purge drops both databases (their views, then each database "
        out += "only when it is empty: anything else in it keeps it). Purge refuses, before it drops anything, while a session has either as its database "
        out += "(information_schema.processlist: every session when the Jobs' user has `PROCESS`, else only its own, so without it the order of the runbook is the guard). "
        out += "The rollback of expand drops them too; nothing re-creates them after purge, since no rollback points an app version at them.\n\n"
        // Issue #14 (S6): rehearse plays contract's rollback with the new version reading through its views; after the move it would
        // read the base tables, which that rollback gives the old shape again (a retyped column its old type under its name).
        out += "Rolling back contract after the app moved to the base database: first point the new version back at `\(databases.new)` (same image; "
        out += "the reverse of the step after contract), wait for it, then run the rollback. Contract's rollback gives the base tables the old shape again "
        out += retyped.isEmpty ? "(the old columns back beside the new ones), " : "(\(retyped.joined(separator: ", ")) in the old type under the final name again, and the sync triggers back), "
        out += "while `\(databases.new)` keeps the new version's shape through it: that is the state the rehearsal proves. After purge the databases are gone "
        out += retyped.isEmpty ? "and the new version reads the base tables during that rollback.\n\n"
            : "and nothing gives the new version its shape during that rollback: it would read and write the old types (MySQL's strict mode refuses what they cannot hold).\n\n"
        out += "`app.versionSchemas: none` turns this off: both versions use the base database's tables.\n\n"
        return out
    }

    /// GitHub's heading anchor for "Feature flag `key`": lower case, punctuation other than - and _ dropped.
    static func anchor(_ key: String) -> String {
        String(key.lowercased().filter { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" })
    }

    /// `StepFiles.paths` with the stems rendered once for the plan.
    private func paths(_ index: Int) -> [String] {
        let folder = StepFiles.folder(for: plan.steps[index])
        let stem = context.sql.stems[index]
        return ["\(folder)/\(stem).up.sql", "\(folder)/\(stem).down.sql"]
    }

    private func commands(for phase: Phase, indices: [Int]) -> String {
        let helm = context.commands(for: phase).helm
        let kubectl = context.commands(for: phase).kubectl
        let direct = indices.filter { plan.steps[$0].side == nil }
        let run = Self.block([("Helm", once(phase, helm.run) { forwardRuns[$0]?.helm ?? [] }),
                              ("plain manifests (Argo CD or kubectl)", once(phase, kubectl.run) { forwardRuns[$0]?.kubectl ?? [] }),
                              ("from a workstation, file by file (what the Jobs run)", direct.map { clientCommand(for: $0, .up) })])
        let quarantine = RollbackQuarantine(plan)
        let rollback = Self.block([("Helm", helm.rollback), ("plain manifests", kubectl.rollback),
                                   ("from a workstation, in reverse order", direct.reversed().flatMap { index -> [String] in
                                       // The Job's built-in step, by hand: keep the column before its down would drop it.
                                       let keep = quarantine.column(before: plan.steps[index]).map { [clientStatement(keepStatement($0))] } ?? []
                                       return keep + [clientCommand(for: index, .down)]
                                   })])
        var out = "Run:\n\n```sh\n" + run.joined(separator: "\n") + "\n```\n\n"
        if !rollback.isEmpty {
            out += "Roll back:\n\n```sh\n" + rollback.joined(separator: "\n") + "\n```\n\n"
        }
        return out
    }

    /// A phase's commands for the runbook, read in order: what an earlier phase already gave is the
    /// same release state (its hooks ran then, as `DeliveryPlan` groups them), so it is named rather
    /// than repeated; given twice, a reader would run it twice. The same block as an earlier phase's is
    /// one line; otherwise only a repeated `helm upgrade` or `kubectl apply -k` is (the waits and
    /// commands after it still apply).
    private func once(_ phase: Phase, _ lines: [String], of commands: (Phase) -> [String]) -> [String] {
        let earlier = plan.phases.enumerated().prefix { $0.element.phase != phase }.map { ($0.offset + 1, $0.element, commands($0.element.phase)) }
        func named(_ number: Int, _ earlier: PlanPhase) -> String { "phase \(number) (\(earlier.title))" }
        if !lines.isEmpty, let same = earlier.first(where: { $0.2 == lines }) {
            return ["# already run with \(named(same.0, same.1)): the same commands run this phase too"]
        }
        return lines.map { line in
            guard line.hasPrefix("helm ") || line.hasPrefix("kubectl apply -k "),
                  let first = earlier.first(where: { $0.2.contains(line) }) else { return line }
            if line.hasPrefix("kubectl") {
                let command = line.hasSuffix(" &&") ? String(line.dropLast(3)) : line
                return "# already applied with \(named(first.0, first.1)) (`\(command)`): its Jobs run in order"
            }
            return "# already run by the `helm upgrade` of \(named(first.0, first.1)): one invocation runs its hooks in order, then applies the chart's objects"
        }
    }

    /// The shell functions the runbook waits with (POSIX sh: the README's blocks are `sh`). Both end:
    /// `wait_job` when the Job never appears, `wait_rollout` after `WAIT_ROLLOUT_TIMEOUT` seconds of a
    /// paused step or an inconclusive analysis; `wait_rollout NAME OLD_POD_HASH` right after a new image
    /// waits for that revision rather than returning on the previous Healthy status.
    static let waitFunctions = #"""
        # wait_job NAME: ends 0 once the Job completed, 1 (after its logs) once it failed, and 1 when no Job
        # NAME exists for 120s (a typo, a failed apply, or deleted after it finished). A Job past its
        # activeDeadlineSeconds fails too, so the wait always ends.
        wait_job() {
          missing=0
          while true; do
            if conditions=$(kubectl get job "$1" --namespace "$NAMESPACE" -o jsonpath='{range .status.conditions[?(@.status=="True")]}{.type} {end}' 2>/dev/null); then
              missing=0
              case " $conditions" in
                *" Complete "*) return 0 ;;
                *" Failed "*) kubectl logs "job/$1" --namespace "$NAMESPACE" --all-containers --tail=100; return 1 ;;
              esac
            elif [ "$missing" -ge 120 ]; then
              echo "wait_job: no Job $1 in namespace $NAMESPACE for 120s: check the name and the apply before it (or it finished and was deleted)" >&2
              return 1
            else
              missing=$((missing + 5))
            fi
            sleep 5
          done
        }
        # wait_rollout NAME [OLD_POD_HASH]: ends 0 once the Rollout is fully promoted (Healthy, its stable
        # ReplicaSet the current pod template) and, given the pod hash read before a new image was set, once
        # that new revision is (not on the previous Healthy status); 1 once it is Degraded or aborted, or when
        # it is still not promoted after WAIT_ROLLOUT_TIMEOUT seconds (default 3600: a step paused without a
        # duration or an inconclusive analysis waits for you, `kubectl argo rollouts promote` or `abort`).
        # The same as `kubectl argo rollouts status NAME`, without the plugin.
        wait_rollout() {
          waited=0
          while true; do
            status=$(kubectl get rollouts.argoproj.io "$1" --namespace "$NAMESPACE" -o jsonpath='{.metadata.generation}/{.status.observedGeneration}/{.status.phase}/{.status.currentPodHash}/{.status.stableRS}/{.status.abort}')
            IFS=/ read -r generation observed phase hash stable abort <<EOF
        $status
        EOF
            if [ "$generation" = "$observed" ] && { [ -z "${2:-}" ] || [ "$hash" != "$2" ]; }; then
              [ "$abort" = true ] && { echo "wait_rollout: $1 was aborted" >&2; return 1; }
              case "$phase" in
                Healthy) [ "$hash" = "$stable" ] && return 0 ;;
                Degraded) echo "wait_rollout: $1 is Degraded" >&2; return 1 ;;
              esac
            fi
            if [ "$waited" -ge "${WAIT_ROLLOUT_TIMEOUT:-3600}" ]; then
              echo "wait_rollout: $1 is still ${phase:-without a status} after ${waited}s: a paused step or an inconclusive analysis waits for 'kubectl argo rollouts promote $1' (or abort)" >&2
              return 1
            fi
            sleep 10
            waited=$((waited + 10))
          done
        }

        """#

    /// The ways of running one phase, each under a `# heading` (`# or heading` after the first);
    /// a way with no command is left out with its heading.
    static func block(_ ways: [(heading: String, lines: [String])]) -> [String] {
        var out: [String] = []
        for way in ways where !way.lines.isEmpty {
            out += [out.isEmpty ? "# \(way.heading)" : "# or \(way.heading)"] + way.lines
        }
        return out
    }

    /// Every Kubernetes object of `manifests/` in the order Argo CD (or a careful kubectl user) applies
    /// it; the chart holds the same objects with Helm hooks of the same weights.
    private func objectsSection() -> String {
        let items = context.items(for: .manifests).filter(\.inManifests)
        guard !items.isEmpty else { return "" }
        var out = "## Kubernetes objects\n\n"
        out += "The chart (`chart/`) and the plain manifests (`manifests/`) hold the same objects. Helm runs them as hooks "
        out += "ordered by `helm.sh/hook-weight`; Argo CD applies them in sync waves (`argocd.argoproj.io/sync-wave`) with the same numbers. "
        out += plan.spec.strategy == .expandContract
            ? "A sync of `manifests/` applies only the folders its `kustomization.yaml` lists (the phases up to the app's Rollout); "
                + "every other folder (complete, verify, contract, each rollback) is applied on purpose, in the order of the phases above.\n\n"
            : "Folders other than `manifests/` itself are never applied by default: apply each one on purpose, in the order of the phases above.\n\n"
        out += "| wave | file | object | what it is for |\n|---:|---|---|---|\n"
        let ordered = items.enumerated().sorted { a, b in
            let fa = a.element.folder.map { DeliveryFolder.allCases.firstIndex(of: $0)! + 1 } ?? 0
            let fb = b.element.folder.map { DeliveryFolder.allCases.firstIndex(of: $0)! + 1 } ?? 0
            if fa != fb { return fa < fb }
            if a.element.ordering.weight != b.element.ordering.weight { return a.element.ordering.weight < b.element.ordering.weight }
            return a.offset < b.offset
        }
        for (_, item) in ordered {
            let folder = item.folder.map { "manifests/\($0.rawValue)/" } ?? "manifests/"
            let object = "\(item.object.kind) `\(item.object.metadata.name)`"
            out += "| \(item.ordering.weight) | `\(folder)\(item.fileName)` | \(object) | \(purpose(of: item)) |\n"
        }
        return out + "\n"
    }

    /// How the app reads the flag file, and the command that turns the new code path on (or off).
    /// The way back from the Rollout to the user's Deployment: with `scaleDown: progressively` the
    /// Rollout scaled the Deployment to 0 as its own pods came up, and keeps it there while it is
    /// Healthy; Argo Rollouts' order for leaving a `workloadRef` is Deployment up, ready, Rollout to 0.
    /// `scaleDown: never` first, so the controller does not scale the Deployment down again meanwhile.
    private func leavingTheRolloutSection() -> String {
        let spec = plan.spec
        let app = spec.app.name, namespace = spec.metadata.namespace
        let rollout = "rollouts.argoproj.io/\(app)"
        var out = "## Leaving the Rollout\n\n"
        guard !spec.app.podTemplate else {
            out += "With `app.podTemplate: true` the Rollout `\(app)` carries its own pod template and replaces your workload. To go back to a "
            out += "Deployment, give it the image the Rollout runs, scale it up, wait until it is ready, then scale the Rollout to 0 and remove "
            out += "it as in the commands below (the Deployment named `\(app)` here).\n\n"
            return out + leaveCommands(deployment: app, rollout: rollout, namespace: namespace, patchScaleDown: false)
        }
        let deployment = spec.app.deployment.isEmpty ? app : spec.app.deployment
        out += "The Rollout `\(app)` took over Deployment `\(deployment)` (`workloadRef`, `scaleDown: progressively`): as the Rollout's pods "
        out += "came up, Argo Rollouts scaled the Deployment down to 0, and it keeps it there while the Rollout runs. The Deployment's pod "
        out += "template stays the source of the pods (the image set in it is what the Rollout runs; a rollback above put the previous "
        out += "image back there). When the migration is over (contract done, or the rollback finished and the previous version serves), or "
        out += "to give up the Rollout after an abort, hand the pods back to the Deployment: stop the Rollout from scaling it down, scale it "
        out += "up, wait until it is ready, then scale the Rollout to 0 and remove it. At no point are fewer pods ready than before.\n\n"
        if spec.database.engine == .postgresql, spec.database.schemaName != "public", VersionSchemaSelection.schemas(plan) != nil {
            out += "The Deployment's `PGOPTIONS` still reads ConfigMap `\(VersionSchemaSelection.configMapName(spec))`, which is removed with the "
            out += "migration's objects; the key is optional, so a pod started after that would resolve `public`'s tables. So before the removal "
            out += "the commands set `PGOPTIONS` to the literal `\(VersionSchemaSelection.pgOptions(base: spec.database.schemaName))` (a rolling "
            out += "update of the Deployment; add back any other option the app's own `PGOPTIONS` carried before the migration). With Argo CD, "
            out += "make the same change to the Deployment in Git and let it sync instead: self-heal would put the ConfigMap reference back.\n\n"
        }
        return out + leaveCommands(deployment: deployment, rollout: rollout, namespace: namespace, patchScaleDown: true)
    }

    /// The Rollout (not the Deployment it took over) owns the pod count while it runs: Argo Rollouts
    /// scales the Deployment to 0, so an HPA still aimed at the Deployment scales it up again, and Argo
    /// CD's self-heal puts a replica count it did not write back (the Deployment's 0, an HPA's count on
    /// the Rollout). The Rollout exposes `/scale` like a Deployment, so the HPA follows it.
    private func autoscalingAndGitOps() -> String {
        let spec = plan.spec
        let app = spec.app.name, namespace = spec.metadata.namespace
        let deployment = spec.app.deployment.isEmpty ? app : spec.app.deployment
        var out = "**Autoscaling and GitOps.** From phase 1's apply until you leave the Rollout (see Leaving the Rollout), the Rollout `\(app)` "
        out += "decides how many pods serve: it starts at `app.replicas` (\(spec.app.replicas)) and Argo Rollouts keeps Deployment `\(deployment)` at 0. "
        out += "A HorizontalPodAutoscaler aimed at the Deployment would scale it up against the Rollout: aim it at the Rollout (it has the same "
        out += "`/scale` subresource) as soon as phase 1 created it (the chart applies it once the hooks ran; before, the HPA could not read its scale), "
        out += "and back when you leave. With Argo CD managing the Deployment or `manifests/`, ignore the replica counts "
        out += "the controllers write, or self-heal fights them:\n\n```sh\n"
        out += "# an HPA of Deployment \(deployment), if there is one, follows the Rollout (right after phase 1's helm upgrade --install or apply of manifests/app/):\n"
        out += "HPA=$(kubectl get hpa --namespace \(namespace) -o jsonpath='{range .items[?(@.spec.scaleTargetRef.name==\"\(deployment)\")]}{.metadata.name}{end}')\n"
        out += "[ -z \"$HPA\" ] || kubectl patch hpa \"$HPA\" --namespace \(namespace) --type merge -p '\(Self.scaleTarget(apiVersion: "argoproj.io/v1alpha1", kind: "Rollout", name: app))'\n"
        out += "```\n\n```yaml\n"
        out += "# in the Argo CD Application of the Deployment (and of manifests/):\n"
        out += "spec:\n  ignoreDifferences:\n"
        out += "    - group: apps\n      kind: Deployment\n      name: \(deployment)\n      namespace: \(namespace)\n      jsonPointers: [/spec/replicas]\n"
        out += "    - group: argoproj.io\n      kind: Rollout\n      name: \(app)\n      namespace: \(namespace)\n      jsonPointers: [/spec/replicas]\n"
        out += "  syncPolicy:\n    syncOptions: [RespectIgnoreDifferences=true]\n```\n\n"
        return out
    }

    static func scaleTarget(apiVersion: String, kind: String, name: String) -> String {
        "{\"spec\":{\"scaleTargetRef\":{\"apiVersion\":\"\(apiVersion)\",\"kind\":\"\(kind)\",\"name\":\"\(name)\"}}}"
    }

    private func leaveCommands(deployment: String, rollout: String, namespace: String, patchScaleDown: Bool) -> String {
        let spec = plan.spec
        var lines: [String] = []
        if patchScaleDown {
            // Blue-green keeps the Rollout in `manifests/` itself (no `app/` folder).
            let rolloutFile = spec.strategy == .blueGreen ? "manifests/rollout.yaml" : "manifests/app/rollout.yaml"
            lines.append("# Argo CD: first set scaleDown to never in \(rolloutFile) (commit), or self-heal undoes the patch below")
            lines.append("kubectl patch \(rollout) --namespace \(namespace) --type merge -p '{\"spec\":{\"workloadRef\":{\"scaleDown\":\"never\"}}}'")
        } else {
            lines.append("kubectl set image deployment/\(deployment) --namespace \(namespace) \(spec.app.name)=\"$(kubectl get \(rollout) --namespace \(namespace) -o jsonpath='{.spec.template.spec.containers[0].image}')\"")
        }
        lines += [
            "kubectl scale deployment/\(deployment) --namespace \(namespace) --replicas \(spec.app.replicas)",
            "kubectl rollout status deployment/\(deployment) --namespace \(namespace) --timeout 600s",
        ]
        if patchScaleDown {
            lines += ["# an HPA you aimed at the Rollout (see Autoscaling and GitOps) goes back to the Deployment:",
                      "[ -z \"$HPA\" ] || kubectl patch hpa \"$HPA\" --namespace \(namespace) --type merge -p '\(Self.scaleTarget(apiVersion: "apps/v1", kind: "Deployment", name: deployment))'"]
        }
        lines.append("kubectl scale \(rollout) --namespace \(namespace) --replicas 0")
        if patchScaleDown, spec.database.engine == .postgresql, spec.database.schemaName != "public", VersionSchemaSelection.schemas(plan) != nil {
            // The Deployment's PGOPTIONS reads the version-schemas ConfigMap (optional key), which goes with the
            // migration's objects: a pod started after that would resolve `public`'s same-named tables (trial 13 M4).
            lines += ["# the Deployment's PGOPTIONS reads the version-schemas ConfigMap, removed below: give it the spec's schema as a literal first",
                      "# (Argo CD: make this change to the Deployment in Git instead, or self-heal undoes it)",
                      VersionSchemaSelection.patch(spec, deployment: deployment, image: nil, version: "base"),
                      "kubectl rollout status deployment/\(deployment) --namespace \(namespace) --timeout 600s"]
        }
        lines.append("# then remove the Rollout with the rest of the migration's objects" + (spec.snapshot == nil ? ":" : " (the VolumeSnapshot stays):"))
        guard spec.strategy == .blueGreen else {
            lines += [
                "helm uninstall \(spec.name) --namespace \(namespace)",
                "# or plain manifests",
                "kubectl delete -k manifests/app/",
                "# (Argo CD: delete the Application" + (patchScaleDown ? ", after the scaleDown change above)" : ")"),
            ]
            return "```sh\n" + lines.joined(separator: "\n") + "\n```\n\n"
        }
        return "```sh\n" + (lines + BlueGreenRunbook.leaveLines(plan, patchScaleDown: patchScaleDown)).joined(separator: "\n") + "\n```\n\n"
            + BlueGreenRunbook.whatStays(plan)
    }

    private func featureFlagSection() -> String {
        let spec = plan.spec
        guard let key = spec.featureFlagKey else { return "" }
        let names = KubernetesNames(spec)
        let namespace = spec.metadata.namespace
        let on = spec.strategy == .blueGreen ? Phase.switchover : .verify
        func copy(_ from: String) -> String {
            "kubectl patch configmap \(names.flagsConfigMap) --namespace \(namespace) --type merge -p \"$(kubectl get configmap \(names.flagsConfigMap) "
                + "--namespace \(namespace) -o go-template='{\"data\":{\"flags.goff.yaml\":{{index .data \"\(from)\" | printf \"%q\"}}}}')\""
        }
        var out = "## Feature flag `\(key)`\n\n"
        out += "ConfigMap `\(names.flagsConfigMap)` holds go-feature-flag files: `flags.goff.yaml` is the live one (the new code path off), "
        out += "`flags.<phase>.goff.yaml` the state after each phase and `flags.rollback.goff.yaml` the way back. cutover does not change "
        out += "the app's pods: mount the ConfigMap into them and point go-feature-flag's file retriever at the live file, in the same "
        out += "change of the Deployment's pod template that sets the new image (one canary):\n\n```yaml\n"
        out += "# in the Deployment's pod template\nvolumes:\n  - name: cutover-flags\n    configMap:\n      name: \(names.flagsConfigMap)\n"
        out += "containers:\n  - name: \(spec.app.name)\n    volumeMounts:\n      - name: cutover-flags\n        mountPath: /etc/cutover-flags\n        readOnly: true\n"
        out += "# go-feature-flag (relay proxy or SDK): a file retriever\nretrievers:\n  - kind: file\n    path: /etc/cutover-flags/flags.goff.yaml\n```\n\n"
        out += "Turn the new code path on once \(on.rawValue) passed (the live file takes the content of `flags.\(on.rawValue).goff.yaml`); "
        out += "the kubelet refreshes a mounted ConfigMap within about a minute, and the retriever reads it at its polling interval:\n\n```sh\n"
        out += copy("flags.\(on.rawValue).goff.yaml") + "\n# back off (before any rollback):\n" + copy("flags.rollback.goff.yaml") + "\n```\n\n"
        out += "With Helm the chart renders the live file from the value `featureFlag.enabled`: the runbook's upgrades after \(on.rawValue) "
        out += "(contract, purge) set it to true and every rollback upgrade to false, so no upgrade undoes the flip (turn it off with the "
        out += "command above before a rollback, so the app leaves the new code path before its data goes). With Argo CD, self-heal "
        out += "reverts a patch: commit the change instead (the content of `flags.\(on.rawValue).goff.yaml` as `flags.goff.yaml` in "
        out += "`manifests/app/configmap-flags.yaml`).\n\n"
        return out
    }

    /// Who reaches the database pods. By default (`networkPolicy.database: open`) no policy selects
    /// them: Kubernetes policies are additive, and a first one would cut off every client it does not
    /// list. With `restrict` the table says what the policy admits and why.
    private func networkSection() -> String {
        let builder = NetworkPolicyBuilder(plan.spec)
        let topology = DatabaseTopology(plan.spec)
        let labels = MigrationLabels(plan.spec)
        let jobLabels = labels.jobSelector.map { "\($0.key): \($0.value)" }.joined(separator: ", ")
        var out = "## Network access\n\n"
        out += "The migration Jobs may reach only the database pods (on port \(plan.spec.database.port)) and the cluster DNS"
        out += plan.spec.strategy == .expandContract && plan.spec.snapshot != nil
            ? "; the snapshot Job only the API server (TCP 443 and 6443) and the cluster DNS" : ""
        out += ": that policy selects cutover's own Jobs only.\n\n"
        guard plan.spec.networkPolicy.database == .restrict else {
            out += "No NetworkPolicy selects the database pods (`networkPolicy.database: open`, the default). Kubernetes policies are "
            out += "additive: the first policy that selects a pod denies every ingress to it that no policy lists, so a policy cutover "
            out += "wrote would cut off every client it does not know of (another Deployment, a CronJob, another namespace, backup Jobs) "
            out += "on its first apply. Whoever reached the database before still does.\n\n"
            out += "If a policy of yours already isolates the database pods, the migration Jobs need admission on port "
            out += "\(plan.spec.database.port): add their labels (`\(jobLabels)`) to it, or set `networkPolicy.database: restrict` "
            out += "(cutover's policy admits them). Otherwise the preflight Job's connectivity check fails and stops the release before "
            out += "any change.\n\n"
            return out
        }
        out += "`networkPolicy.database: restrict`: the database NetworkPolicy selects the database pods, so Kubernetes denies every "
        out += "ingress to them that no policy lists. It admits these, each on the ports it needs; another client of the database "
        out += "(a reporting job, a second app, another namespace) must be listed in `networkPolicy.clients` (or its pods labelled like "
        out += "the app: `app.podSelector`) before the policy is applied, or it is cut off.\n\n"
        if plan.spec.database.operator == .bitpoke {
            out += "Bitpoke's `MysqlBackup` Jobs fetch the backup from a replica's sidecar (port 8080), and their pods carry only their "
            out += "Job's own labels, so no selector can admit them: give their pods the app's labels (a pod template of the backup Job) "
            out += "or add a rule for them before applying the policy, if you take such backups during the migration.\n\n"
        }
        for (_, cluster) in topology.clusters {
            if topology.clusters.count > 1 { out += "Cluster `\(cluster)`:\n\n" }
            out += "| who | selected by | ports | why |\n|---|---|---|---|\n"
            for admission in builder.admitted(cluster: cluster) {
                let selectors = admission.peers.map(Self.describe).joined(separator: " or ")
                out += "| \(admission.who) | \(selectors) | \(admission.ports.map(String.init).joined(separator: ", ")) | \(admission.why) |\n"
            }
            out += "\n"
        }
        return out
    }

    /// A peer in words: its pod labels (all pods when none) and where (this namespace, any, or the
    /// namespaces with these labels).
    static func describe(_ peer: NetworkPolicy.Peer) -> String {
        let pods = peer.podLabels.isEmpty ? "all pods" : "`" + peer.podLabels.map { "\($0.key)=\($0.value)" }.joined(separator: ",") + "`"
        guard let namespaces = peer.namespaceLabels else { return pods }
        if namespaces.isEmpty { return pods + " (any namespace)" }
        return pods + " in namespaces `" + namespaces.map { "\($0.key)=\($0.value)" }.joined(separator: ",") + "`"
    }

    private func purpose(of item: DeliveryItem) -> String {
        if let job = item.job {
            let title = plan.phases.first { $0.phase == job.phase }?.title ?? job.phase.rawValue
            let files = job.files
            var what = files.isEmpty ? "runs \(job.arguments.joined(separator: ", "))" : "applies \(files.count) SQL file\(files.count == 1 ? "" : "s") in order"
            if let first = files.first, JobRefusalChecks.isChecksFile(first) {
                what += " (first `\(first)`: the refusal checks of its later steps, before anything changes)"
            }
            return "\(title) Job (\(job.component)): \(what)"
        }
        switch item.object.kind {
        case "ServiceAccount":
            if item.object.metadata.name == KubernetesNames(plan.spec).snapshotJob { return "identity of the snapshot Job, the only pod given an API token" }
            return "identity of the migration Jobs; no API token is mounted"
        case "Role": return "lets the snapshot Job get this migration's VolumeSnapshot, create it, and read the primary Service's Endpoints"
        case "RoleBinding": return "binds that Role to the snapshot Job's ServiceAccount"
        case "Job" where item.object.metadata.name == KubernetesNames(plan.spec).snapshotJob:
            return "snapshot Job: takes the VolumeSnapshot `\(KubernetesNames(plan.spec).snapshot)` of the primary's volume once per migration and waits until it is readyToUse, before any DDL"
        case "ConfigMap":
            if item.object.metadata.name == VersionSchemaSelection.configMapName(plan.spec) {
                return plan.spec.database.engine == .mysql
                    ? "each app version's database of views, and the base database; the app's MYSQL_DATABASE env references it (see App version schemas)"
                    : "each app version's search_path (its schema of views); the app's PGOPTIONS env references it (see App version schemas)"
            }
            if item.object.metadata.name == KubernetesNames(plan.spec).snapshotJob { return "the snapshot Job's script and the VolumeSnapshot it creates" }
            if let lag = MonitoringBuilder(plan.spec).logicalLagUnit, item.object.metadata.name == KubernetesNames(plan.spec).jobConfigMap(lag.suffix) {
                return "the runner script the analysis' logical-lag Job runs"
            }
            guard item.isSQLConfigMap else { return "configuration the app or Jobs read (feature flags)" }
            guard let job = item.mountingJob else { return "the SQL files and runner scripts, mounted read-only into the Jobs" }
            return "the SQL files and runner scripts of Job `\(KubernetesNames(plan.spec).job(job.suffix))`, mounted read-only into it"
        case "NetworkPolicy":
            if item.object.metadata.name == KubernetesNames(plan.spec).snapshotEgressPolicy {
                return "limits the snapshot Job's egress to the API server (443, 6443) and DNS"
            }
            return item.object.metadata.name.hasSuffix("egress")
                ? "limits the migration Jobs' egress to the database port and DNS"
                : "selects the database pods (`networkPolicy.database: restrict`) and admits the app, the Jobs, the cluster's own pods, the operator, poolers, the metrics scraper and `networkPolicy.clients` (see Network access)"
        case "Rollout": return "Argo Rollouts canary of the new app version, with the spec's steps; applied after expand and backfill"
        case "AnalysisTemplate":
            let monitoring = MonitoringBuilder(plan.spec)
            let watched = (monitoring.watchedLag != nil ? ["replication lag"] : []) + (plan.spec.rollout?.analysis?.maxErrorRatio != nil ? ["error ratio"] : [])
            if watched.isEmpty { return "the canary's Prometheus analysis; it watches no limit (a lag limit needs `replicationLagQuery`, see CUT054)" }
            if monitoring.logicalLagUnit != nil {
                return "checks that abort the canary: a Job measuring logical replication lag (the runner's `check-lag`, the forward and reverse slots' replay_lag)"
                    + (watched.count > 1 ? " and Prometheus' error ratio" : "") + " over the limits"
            }
            return "Prometheus checks that abort the canary on \(watched.joined(separator: " or ")) over the limit\(watched.count == 1 ? "" : "s")"
        case "PrometheusRule":
            if MonitoringBuilder(plan.spec).logicalLagUnit != nil {
                return "alerts on the same limits, for after the rollout (logical lag: postgres_exporter's `pg_replication_slot` series, seconds of WAL behind at the current write rate)"
            }
            return "alerts on the same limits, for after the rollout"
        case "VolumeSnapshot": return "a snapshot of the database volume before destructive steps"
        case "postgresql", "MysqlCluster": return "the green cluster, created by the operator"
        case "Service": return "the database Service the app connects to, switched between blue and green"
        default: return item.object.kind
        }
    }

    /// The client line that applies one file; both clients stop at the first error, and the files are
    /// idempotent, so re-running after a failure is safe.
    private func clientCommand(for index: Int, _ direction: SQLFileRenderer.Direction) -> String {
        let files = paths(index)
        let file = direction == .up ? files[0] : files[1]
        switch plan.spec.database.engine {
        case .postgresql: return "psql \"$DATABASE_URL\" -X -v ON_ERROR_STOP=1 -f \(file)"
        case .mysql: return "mysql --database=\"$DATABASE\" < \(file)"
        }
    }

    /// One statement through the client, as `clientCommand` runs a file.
    private func clientStatement(_ sql: String) -> String {
        let quoted = "'" + sql.escapingScalars(["'": "'\\''"]) + "'"
        switch plan.spec.database.engine {
        case .postgresql: return "psql \"$DATABASE_URL\" -X -v ON_ERROR_STOP=1 -c \(quoted)"
        case .mysql: return "mysql --database=\"$DATABASE\" -e \(quoted)"
        }
    }

    private func quoted(_ name: String) -> String {
        plan.spec.database.engine == .postgresql ? "\"\(name)\"" : "`\(name)`"
    }

    /// A table of the spec's schema as a workstation command names it: as the step files do
    /// (`PostgreSQLBuilder.t`: `"billing"."accounts"` with `schemaName: billing`), since the session's
    /// search_path may find a same-named table in `public` first (trial 13 M1).
    private func table(_ name: String) -> String {
        plan.spec.database.engine == .postgresql
            ? postgres.t(name) : quoted(name)
    }

    /// The rename the rollback Job's `quarantine-column` step makes (it also drops a NOT NULL without default first).
    private func keepStatement(_ column: RollbackQuarantine.Column) -> String {
        let rename = "ALTER TABLE \(table(column.table)) RENAME COLUMN \(quoted(column.column)) TO \(quoted(column.quarantine))"
        return plan.spec.database.engine == .postgresql ? rename + ";" : rename + ", ALGORITHM=INPLACE, LOCK=NONE;"
    }

    /// What expand's rollback does with the columns expand adds, and how to purge them (`RollbackQuarantine`).
    private func keptColumnsNote() -> String {
        let columns = RollbackQuarantine(plan).columns
        guard !columns.isEmpty else { return "" }
        let list = columns.map { "`\($0.table).\($0.column)` to `\($0.quarantine)`" }.joined(separator: ", ")
        var out = "Rolling back this phase keeps what the new app version wrote into the columns it adds: the rollback Job renames "
        out += "\(list) right before the down that would drop each (the down's drop then finds nothing), the same quarantine names contract "
        out += "gives retired columns. A kept column accepts the previous version's inserts (a NOT NULL without a default is dropped first); "
        out += "the rename is a catalog update under the spec's lock timeout, retried. Tables this phase creates are dropped by their down "
        out += "(their rows are not kept). The kept columns stay until you purge them (irreversible, once no one needs the data):\n\n"
        let lock = plan.spec.database.engine == .postgresql
            ? "SET lock_timeout = '\(LoweringContext.postgresDuration(plan.spec.runner.lockTimeout))'; "
            : "SET SESSION lock_wait_timeout = \(max(1, plan.spec.runner.lockTimeout.seconds)); "
        out += "```sh\n" + columns.map { clientStatement(lock + "ALTER TABLE \(table($0.table)) DROP COLUMN \(plan.spec.database.engine == .postgresql ? "IF EXISTS " : "")\(quoted($0.quarantine));") }.joined(separator: "\n") + "\n```\n\n"
        out += "A later rollback of this phase that finds a kept column's quarantine name taken while the column is back stops before it "
        out += "changes anything (it would drop the new data): purge or rename the earlier one first.\n\n"
        return out
    }

    private func suppressionsSection() -> String {
        let rows = plan.steps.flatMap { step in step.suppressions.map { (step, $0) } }
        guard !rows.isEmpty else { return "" }
        var out = "## Linter suppressions\n\n"
        out += "Each is on a statement that is safe by construction; squawk still checks everything else.\n\n"
        out += "| step | rule | why it is safe |\n|---|---|---|\n"
        for (step, suppression) in rows {
            out += "| \(step.fileStem) | `\(suppression.rule)` | \(suppression.reason) |\n"
        }
        return out + "\n"
    }
}
