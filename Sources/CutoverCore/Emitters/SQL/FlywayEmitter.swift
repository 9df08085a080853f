/// Flyway layout: `flyway/V<n>__<slug>.sql` (apply) and `U<n>__<slug>.sql` (undo, Flyway Teams), the
/// same text as the golang-migrate files. A step that must run outside a transaction (CONCURRENTLY,
/// COMMIT per backfill batch) gets a script configuration file `<script>.conf` with
/// `executeInTransaction=false`. Purge and blue-green steps go to sub-folders, like `sql/`.
public struct FlywayEmitter: Emitting {
    public init() {}

    public static func folder(for step: PlanStep) -> String {
        "flyway" + StepFiles.folder(for: step).dropFirst("sql".count)
    }

    public static func baseName(_ step: PlanStep) -> String {
        "\(step.number)__\(step.phase.rawValue.replacingOccurrences(of: "-", with: "_"))_\(step.slug)"
    }

    public func emit(_ plan: MigrationPlan) -> [OutputFile] {
        var files: [OutputFile] = []
        for step in plan.steps {
            let folder = Self.folder(for: step)
            let apply = "\(folder)/V\(Self.baseName(step)).sql"
            let undo = "\(folder)/U\(Self.baseName(step)).sql"
            files.append(OutputFile(path: apply, contents: SQLFileRenderer.render(step, .up, plan: plan)))
            files.append(OutputFile(path: undo, contents: SQLFileRenderer.render(step, .down, plan: plan)))
            if !step.transactional {
                let conf = "# \(GeneratedHeader.text(for: plan.spec))\nexecuteInTransaction=false\n"
                files.append(OutputFile(path: apply + ".conf", contents: conf))
                files.append(OutputFile(path: undo + ".conf", contents: conf))
            }
        }
        return files
    }
}
