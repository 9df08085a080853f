/// Lowers a validated spec into phases and ordered steps. Placeholder until the SQL lowering lands:
/// it lists the phases of the strategy and no steps.
public struct Planner: Planning {
    public init() {}

    public func plan(_ validated: ValidatedSpec) -> MigrationPlan {
        let spec = validated.spec
        return MigrationPlan(spec: spec, schema: validated.schema, phases: PhaseCatalog.phases(for: spec), steps: [])
    }
}
