/// The emitters `generate` runs, in no particular order: the writer sorts their files.
public enum Emitters {
    public static let all: [any Emitting] = [
        PlanDocumentsEmitter(),
        HelmChartEmitter(),
        ManifestsEmitter(),
        GolangMigrateEmitter(),
        FlywayEmitter(),
        LiquibaseEmitter(),
    ]
}
