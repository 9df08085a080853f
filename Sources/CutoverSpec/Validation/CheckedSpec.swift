/// The output of validation: a spec with no errors and the base schema when one was given. The
/// plan-time checks (`PlanChecks`, which lower it as the planner will) turn it into a `ValidatedSpec`.
public struct CheckedSpec: Sendable {
    public let spec: MigrationSpec
    public let schema: DatabaseSchema?

    public init(spec: MigrationSpec, schema: DatabaseSchema?) {
        self.spec = spec
        self.schema = schema
    }
}
