import CutoverPlan

/// The work the emitters of one plan share, each piece done once and on first use: every step's
/// rendered SQL, the Jobs, the runner files, and the object list of the chart and of `manifests/`.
/// Before, each emitter (and each phase of the README) rebuilt these for itself.
public final class EmissionContext {
    public let plan: MigrationPlan

    public init(_ plan: MigrationPlan) {
        self.plan = plan
    }

    public private(set) lazy var sql = RenderedSQL(plan)
    public private(set) lazy var jobs: [JobUnit] = JobCatalog(plan).jobs
    public private(set) lazy var runnerFiles = RunnerFiles(plan, sql: sql)
    private var items: [DeliveryLayout.Target: [DeliveryItem]] = [:]
    private var commands: [Phase: PhaseCommands.Both] = [:]

    public func layout(for target: DeliveryLayout.Target) -> DeliveryLayout {
        DeliveryLayout(plan, for: target, jobs: jobs, runnerFiles: runnerFiles)
    }

    /// `DeliveryLayout.items`, built once per target.
    public func items(for target: DeliveryLayout.Target) -> [DeliveryItem] {
        if let cached = items[target] { return cached }
        let built = layout(for: target).items
        items[target] = built
        return built
    }

    /// `PhaseCommands.helm` and `.kubectl` of a phase, built once: the README (its phase sections and
    /// the first-run notes) and plan.json's delivery sequence each asked for every phase's several times.
    public func commands(for phase: Phase) -> PhaseCommands.Both {
        if let cached = commands[phase] { return cached }
        let built = PhaseCommands.Both(helm: PhaseCommands.helm(phase, plan: plan, jobs: jobs), kubectl: PhaseCommands.kubectl(phase, plan: plan, jobs: jobs))
        commands[phase] = built
        return built
    }
}
