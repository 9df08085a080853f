/// The output of validation: a spec with no errors, and the base schema when one was given.
public struct ValidatedSpec: Sendable {
    public var spec: MigrationSpec
    public var schema: DatabaseSchema?

    public init(spec: MigrationSpec, schema: DatabaseSchema?) {
        self.spec = spec
        self.schema = schema
    }
}
