/// golang-migrate layout: `sql/NNNN_<phase>_<slug>.up.sql` and `.down.sql` (purge steps under
/// `sql/purge/`, blue-green steps under `sql/blue/` and `sql/green/`, see `StepFiles`). The numbers give
/// the apply order. golang-migrate's postgres driver sends a file as one query unless the URL has
/// `x-multi-statement=true`; cutover's files are meant for `psql -X -v ON_ERROR_STOP=1 -f` (never `-1`),
/// which is what the generated Jobs run. Steps marked "no transaction" in the plan must not be wrapped.
public struct GolangMigrateEmitter: Emitting {
    public init() {}

    public var makesManySmallFiles: Bool { true }

    public func emit(_ context: EmissionContext, to sink: (OutputFile) throws -> Void) rethrows {
        let sql = context.sql
        for (index, step) in context.plan.steps.enumerated() {
            let folder = StepFiles.folder(for: step)
            try sink(OutputFile(path: "\(folder)/\(sql.stems[index]).up.sql", contents: sql.up[index]))
            try sink(OutputFile(path: "\(folder)/\(sql.stems[index]).down.sql", contents: sql.down[index]))
        }
    }
}
