/// Stage 3: validated spec to migration plan.
public protocol Planning: Sendable {
    func plan(_ validated: ValidatedSpec) -> MigrationPlan
}
