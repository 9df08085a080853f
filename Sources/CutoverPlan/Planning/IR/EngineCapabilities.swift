/// What an engine can do, asked by the recipes written once for both engines and by the renderers,
/// instead of a switch on the engine's name.
public struct EngineCapabilities: Sendable {
    public var engine: MigrationSpec.Engine

    public init(engine: MigrationSpec.Engine) { self.engine = engine }

    /// DDL runs inside a transaction, so several statements can be one atomic unit (PostgreSQL; MySQL commits each DDL).
    public var transactionalDDL: Bool { engine == .postgresql }
    /// ADD CONSTRAINT … NOT VALID and a separate VALIDATE (PostgreSQL only).
    public var notValidConstraints: Bool { engine == .postgresql }
    /// CREATE/DROP INDEX CONCURRENTLY (PostgreSQL); MySQL builds in place (ALGORITHM=INPLACE, LOCK=NONE).
    public var concurrentIndexes: Bool { engine == .postgresql }
    /// ADD COLUMN … ALGORITHM=INSTANT (MySQL 8).
    public var instantAddColumn: Bool { engine == .mysql }
    /// IF [NOT] EXISTS on ADD COLUMN and CREATE INDEX (PostgreSQL; MySQL 8 needs a catalog guard).
    public var ifNotExistsDDL: Bool { engine == .postgresql }
    /// squawk lints the generated SQL, so a statement that is safe by construction names the rule it suppresses.
    public var squawkLinted: Bool { engine == .postgresql }
    /// A comment-only down is not a runnable migration for the engine's tools: add a no-op statement (`DO 0;`).
    public var needsNoOpStatement: Bool { engine == .mysql }
}
