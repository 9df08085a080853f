/// Writes the two plans: `README.md` for the humans who run the migration and `plan.json` for tools.
public struct PlanDocumentsEmitter: Emitting {
    public init() {}

    public func emit(_ plan: MigrationPlan) -> [OutputFile] {
        [
            OutputFile(path: "README.md", contents: PlanReadme(plan: plan).render()),
            OutputFile(path: "plan.json", contents: PlanJSON(plan: plan).encoded()),
        ]
    }
}
