import Foundation

/// A validated spec's lowering, computed once and shared by everything that asks how the plan will
/// look: the lowering-based warnings (CUT073 `MySQLTableCopyRule`, CUT074 `MySQLSwapClientRule`, CUT075
/// `MySQLRetypedDefaultRule`, CUT076 `MySQLVersionDatabasesSQLRule`, CUT113 `VersionViewsRowSecurityRule`)
/// and the `Planner`. Before, each rule
/// built its own `LoweringContext` and `MySQLVersionSchemas` and walked the changes again, and
/// `generate` lowered every change of a MySQL spec twice (once for CUT073, once for the plan).
///
/// Each part is computed on first use and kept, so `validate` of a PostgreSQL spec pays for none of
/// it. A class, so the copy in `ValidatedSpec` is the same value the planner reads; the lock makes
/// the lazy parts safe to ask from any thread.
public final class LoweredSpec: @unchecked Sendable {
    public let spec: MigrationSpec
    public let schema: DatabaseSchema?
    private let lock = NSRecursiveLock()
    private var cachedBase: LoweringContext?
    private var cachedDrafts: [[StepDraft]]?
    private var cachedVersions: MySQLVersionSchemas??
    private var cachedPostgresViews: [PostgreSQLVersionSchemas.View]?

    public init(spec: MigrationSpec, schema: DatabaseSchema?) {
        self.spec = spec
        self.schema = schema
    }

    private func locked<T>(_ body: () -> T) -> T {
        lock.lock()
        defer { lock.unlock() }
        return body()
    }

    /// The lowering context before any change: the base schema and the names every step shares.
    public var base: LoweringContext {
        locked {
            if let cachedBase { return cachedBase }
            let base = LoweringContext(spec: spec, schema: schema)
            cachedBase = base
            return base
        }
    }

    /// Each change's drafts, in spec order, as the engine's dialect lowers it on the schema the changes
    /// before it left (what the plan holds before ordering); empty for blue-green, which lowers no change.
    var changeDrafts: [[StepDraft]] {
        locked {
            if let cachedDrafts { return cachedDrafts }
            var drafts: [[StepDraft]] = []
            if spec.strategy == .expandContract {
                let dialect = SQLDialects.dialect(for: spec.database.engine)
                var context = base
                drafts.reserveCapacity(spec.changes.count)
                for change in spec.changes {
                    drafts.append(dialect.lower(change, context: context))
                    context.apply(change.operation)
                }
            }
            cachedDrafts = drafts
            return drafts
        }
    }

    /// MySQL's version databases, when they are on and the versions' shapes differ (`MySQLVersionSchemas.of`).
    var mysqlVersionSchemas: MySQLVersionSchemas? {
        locked {
            if let cachedVersions { return cachedVersions }
            let versions = MySQLVersionSchemas.of(base)
            cachedVersions = .some(versions)
            return versions
        }
    }

    /// PostgreSQL's version schemas' views, when they are on (`PostgreSQLVersionSchemas.enabled`); else none.
    var postgresVersionViews: [PostgreSQLVersionSchemas.View] {
        locked {
            if let cachedPostgresViews { return cachedPostgresViews }
            let views = PostgreSQLVersionSchemas.enabled(base)
                ? PostgreSQLVersionSchemas(b: PostgreSQLBuilder(context: base), changes: spec.changes).views() : []
            cachedPostgresViews = views
            return views
        }
    }
}
