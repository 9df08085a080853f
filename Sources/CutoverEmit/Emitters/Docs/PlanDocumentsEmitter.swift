/// Writes the two plans: `README.md` for the humans who run the migration and `plan.json` for tools.
public struct PlanDocumentsEmitter: Emitting {
    public init() {}

    public func emit(_ context: EmissionContext, to sink: (OutputFile) throws -> Void) rethrows {
        try sink(OutputFile(path: "README.md", contents: PlanReadme(context: context).render()))
        try sink(OutputFile(path: "plan.json", bytes: PlanJSON(context: context).encodedBytes()))
    }
}
