/// golang-migrate layout: `sql/NNNN_<phase>_<slug>.up.sql` and `.down.sql` (purge steps under
/// `sql/purge/`, blue-green steps under `sql/blue/` and `sql/green/`, see `StepFiles`). The numbers give
/// the apply order. golang-migrate's postgres driver sends a file as one query unless the URL has
/// `x-multi-statement=true`; cutover's files are meant for `psql -X -v ON_ERROR_STOP=1 -f` (never `-1`),
/// which is what the generated Jobs run. Steps marked "no transaction" in the plan must not be wrapped.
public struct GolangMigrateEmitter: Emitting {
    public init() {}

    public func emit(_ plan: MigrationPlan) -> [OutputFile] {
        plan.steps.flatMap { step -> [OutputFile] in
            let paths = StepFiles.paths(for: step, plan: plan)
            return [OutputFile(path: paths[0], contents: SQLFileRenderer.render(step, .up, plan: plan)),
                    OutputFile(path: paths[1], contents: SQLFileRenderer.render(step, .down, plan: plan))]
        }
    }
}
