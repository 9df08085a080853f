import CutoverPlan

/// Flyway layout: `flyway/V<n>__<slug>.sql` (apply) and `U<n>__<slug>.sql` (undo, Flyway Teams), the
/// same text as the golang-migrate files. A step that must run outside a transaction (CONCURRENTLY,
/// COMMIT per backfill batch) gets a script configuration file `<script>.conf` with
/// `executeInTransaction=false`. Purge and blue-green steps go to sub-folders, like `sql/`.
public struct FlywayEmitter: Emitting {
    public init() {}

    public var makesManySmallFiles: Bool { true }

    public static func folder(for step: PlanStep) -> String {
        "flyway" + StepFiles.folder(for: step).dropFirst("sql".count)
    }

    public static func baseName(_ step: PlanStep) -> String {
        "\(step.number)__\(step.phase.rawValue.replacingOccurrences(of: "-", with: "_"))_\(step.slug)"
    }

    public func emit(_ context: EmissionContext, to sink: (OutputFile) throws -> Void) rethrows {
        let plan = context.plan
        let sql = context.sql
        let conf = "# \(GeneratedHeader.text(for: plan.spec))\nexecuteInTransaction=false\n"
        var phaseNames: [Phase: String] = [:]
        for (index, step) in plan.steps.enumerated() {
            let folder = Self.folder(for: step)
            let phase = phaseNames[step.phase] ?? step.phase.rawValue.replacingDashes()
            phaseNames[step.phase] = phase
            let base = "\(step.number)__\(phase)_\(step.slug)"
            let apply = "\(folder)/V\(base).sql"
            let undo = "\(folder)/U\(base).sql"
            try sink(OutputFile(path: apply, contents: sql.up[index]))
            try sink(OutputFile(path: undo, contents: sql.down[index]))
            if !step.transactional {
                try sink(OutputFile(path: apply + ".conf", contents: conf))
                try sink(OutputFile(path: undo + ".conf", contents: conf))
            }
        }
    }
}
