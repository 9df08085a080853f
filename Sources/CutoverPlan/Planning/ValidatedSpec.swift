/// The output of validation: a spec with no errors, the base schema when one was given, and its
/// lowering (`LoweredSpec`), which the lowering-based rules started and the planner finishes.
/// Read-only, so the lowering always matches the spec and schema beside it.
public struct ValidatedSpec: Sendable {
    public let spec: MigrationSpec
    public let schema: DatabaseSchema?
    public let lowered: LoweredSpec

    public init(spec: MigrationSpec, schema: DatabaseSchema?) {
        self.init(lowered: LoweredSpec(spec: spec, schema: schema))
    }

    public init(lowered: LoweredSpec) {
        self.spec = lowered.spec
        self.schema = lowered.schema
        self.lowered = lowered
    }
}
