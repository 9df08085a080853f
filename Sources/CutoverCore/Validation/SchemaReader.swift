/// Reads plain DDL into a `DatabaseSchema`. Placeholder until the semantic layer lands.
public struct SchemaReader: Sendable {
    public var engine: MigrationSpec.Engine

    public init(engine: MigrationSpec.Engine) {
        self.engine = engine
    }

    public func read(_ text: String, reportingAt location: SourceLocation, diagnostics: inout DiagnosticBag) -> DatabaseSchema {
        DatabaseSchema()
    }
}
