import CutoverPlan

/// `cutover plan`'s text output: every phase in order with its steps.
public struct PlanText: Sendable {
    public var plan: MigrationPlan

    public init(plan: MigrationPlan) {
        self.plan = plan
    }

    public func render() -> String {
        let spec = plan.spec
        var out = "\(spec.name): \(spec.strategy.rawValue) on \(spec.database.engine.rawValue) \(spec.database.version)\n"
        for (index, phase) in plan.phases.enumerated() {
            out += "\n\(index + 1). \(phase.title)\(phase.enabledByDefault ? "" : " (off by default)")\n"
            out += "   \(phase.summary)\n"
            for step in plan.steps(in: phase.phase) {
                var flags: [String] = []
                if !step.reversible { flags.append("irreversible") }
                if !step.transactional { flags.append("no transaction") }
                if step.unchecked { flags.append("unchecked") }
                if let side = step.side { flags.append(side.rawValue) }
                let suffix = flags.isEmpty ? "" : " [\(flags.joined(separator: ", "))]"
                out += "   \(step.fileStem): \(step.title)\(suffix)\n"
            }
        }
        return out
    }
}
