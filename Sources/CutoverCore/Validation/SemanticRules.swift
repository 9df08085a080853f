/// The rules about meaning, run on a structurally valid spec (see docs/rules.md). Placeholder until
/// the semantic layer lands.
public struct SemanticRules: Sendable {
    public init() {}

    public func check(_ spec: MigrationSpec, schema: DatabaseSchema?, diagnostics: inout DiagnosticBag) {}
}
