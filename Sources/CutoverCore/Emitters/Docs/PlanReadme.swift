/// The human plan: what happens in which order, the exact commands for each phase and its rollback,
/// and a Mermaid flowchart of the phases.
public struct PlanReadme: Sendable {
    public var plan: MigrationPlan

    public init(plan: MigrationPlan) {
        self.plan = plan
    }

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
        out += suppressionsSection()
        out += "## Files\n\n"
        out += "| path | what |\n|---|---|\n"
        out += "| `plan.json` | this plan for tools (see cutover's docs/plan-json.md) |\n"
        out += "| `sql/` | golang-migrate pairs, in apply order; `migrate` needs `x-multi-statement=true` in the database URL because some files hold several statements |\n"
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
        let steps = plan.steps(in: phase.phase)
        if !steps.isEmpty {
            out += "| step | what | files | reversible |\n|---|---|---|---|\n"
            for step in steps {
                let files = StepFiles.paths(for: step, plan: plan).map { "`\($0)`" }.joined(separator: " ")
                var notes = step.reversible ? "yes" : "**no**"
                if !step.transactional { notes += ", no transaction" }
                if step.unchecked { notes += ", unchecked SQL" }
                out += "| \(step.number) | \(step.title) | \(files) | \(notes) |\n"
            }
            out += "\n"
        }
        out += commands(for: phase.phase, steps: steps)
        return out
    }

    private func commands(for phase: Phase, steps: [PlanStep]) -> String {
        let helm = PhaseCommands.helm(phase, plan: plan)
        let kubectl = PhaseCommands.kubectl(phase, plan: plan)
        var run = ["# Helm"] + helm.run + ["# or plain manifests (Argo CD or kubectl)"] + kubectl.run
        var rollback = ["# Helm"] + helm.rollback + ["# or plain manifests"] + kubectl.rollback
        if let last = steps.last, steps.allSatisfy({ $0.side == nil && $0.phase != .purge }) {
            let before = plan.steps.last { $0.number < steps.first!.number && $0.side == nil && $0.phase != .purge }?.number ?? 0
            run += ["# or golang-migrate from a workstation", "migrate -path sql -database \"$DATABASE_URL\" goto \(last.number)"]
            rollback += ["# or golang-migrate", before == 0
                ? "migrate -path sql -database \"$DATABASE_URL\" down -all"
                : "migrate -path sql -database \"$DATABASE_URL\" goto \(before)"]
        }
        var out = "Run:\n\n```sh\n" + run.joined(separator: "\n") + "\n```\n\n"
        if rollback.count > 2 || !helm.rollback.isEmpty {
            out += "Roll back:\n\n```sh\n" + rollback.joined(separator: "\n") + "\n```\n\n"
        }
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
