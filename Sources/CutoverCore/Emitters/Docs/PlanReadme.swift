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
    }

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
        out += "## Phases\n\n"
        for (index, phase) in plan.phases.enumerated() {
            out += section(phase, number: index + 1)
        }
        out += objectsSection()
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

    private func mermaid() -> String {
        var out = "```mermaid\nflowchart LR\n"
        for phase in plan.phases {
            let label = phase.enabledByDefault ? phase.title : "\(phase.title) (off by default)"
            out += "  \(nodeID(phase.phase))[\"\(label)\"]\n"
        }
        for (from, to) in zip(plan.phases, plan.phases.dropFirst()) {
            let arrow = to.enabledByDefault ? "-->" : "-.->"
            out += "  \(nodeID(from.phase)) \(arrow) \(nodeID(to.phase))\n"
        }
        out += "```\n\n"
        return out
    }

    private func nodeID(_ phase: Phase) -> String { phase.rawValue.replacingDashes() }

    private func section(_ phase: PlanPhase, number: Int) -> String {
        var out = "### \(number). \(phase.title)\(phase.enabledByDefault ? "" : " (off by default)")\n\n"
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
                out += "| \(step.number) | \(step.title) | \(files) | \(notes) |\n"
            }
            out += "\n"
        }
        out += commands(for: phase.phase, indices: indices)
        return out
    }

    /// `StepFiles.paths` with the stems rendered once for the plan.
    private func paths(_ index: Int) -> [String] {
        let folder = StepFiles.folder(for: plan.steps[index])
        let stem = context.sql.stems[index]
        return ["\(folder)/\(stem).up.sql", "\(folder)/\(stem).down.sql"]
    }

    private func commands(for phase: Phase, indices: [Int]) -> String {
        let helm = PhaseCommands.helm(phase, plan: plan)
        let kubectl = PhaseCommands.kubectl(phase, plan: plan, jobs: context.jobs)
        var run = ["# Helm"] + helm.run + ["# or plain manifests (Argo CD or kubectl)"] + kubectl.run
        var rollback = ["# Helm"] + helm.rollback + ["# or plain manifests"] + kubectl.rollback
        let direct = indices.filter { plan.steps[$0].side == nil }
        if !direct.isEmpty {
            run += ["# or from a workstation, file by file (what the Jobs run)"] + direct.map { clientCommand(for: $0, .up) }
            rollback += ["# or from a workstation, in reverse order"] + direct.reversed().map { clientCommand(for: $0, .down) }
        }
        var out = "Run:\n\n```sh\n" + run.joined(separator: "\n") + "\n```\n\n"
        if rollback.count > 2 || !helm.rollback.isEmpty {
            out += "Roll back:\n\n```sh\n" + rollback.joined(separator: "\n") + "\n```\n\n"
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
        out += "Folders other than `manifests/` itself are never applied by default: apply each one on purpose, in the order of the phases above.\n\n"
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

    private func purpose(of item: DeliveryItem) -> String {
        if let job = item.job {
            let title = plan.phases.first { $0.phase == job.phase }?.title ?? job.phase.rawValue
            let files = job.files
            let what = files.isEmpty ? "runs \(job.arguments.joined(separator: ", "))" : "applies \(files.count) SQL file\(files.count == 1 ? "" : "s") in order"
            return "\(title) Job (\(job.component)): \(what)"
        }
        switch item.object.kind {
        case "ServiceAccount": return "identity of the migration Jobs; no API token is mounted"
        case "ConfigMap":
            guard item.isSQLConfigMap else { return "configuration the app or Jobs read (feature flags)" }
            guard let job = item.mountingJob else { return "the SQL files and runner scripts, mounted read-only into the Jobs" }
            return "the SQL files and runner scripts of Job `\(KubernetesNames(plan.spec).job(job.suffix))`, mounted read-only into it"
        case "NetworkPolicy":
            return item.object.metadata.name.hasSuffix("egress")
                ? "limits the migration Jobs' egress to the database port and DNS"
                : "selects the database pods and admits only the app and the migration Jobs (and the cluster's own peers) on the database port"
        case "Rollout": return "Argo Rollouts canary of the new app version, with the spec's steps"
        case "AnalysisTemplate": return "Prometheus checks that abort the canary on replication lag or error ratio over the limits"
        case "PrometheusRule": return "alerts on the same limits, for after the rollout"
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
