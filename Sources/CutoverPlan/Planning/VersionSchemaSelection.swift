/// How an app version selects its schema of views (`PostgreSQLVersionSchemas`): the search_path it
/// sets, first its version's schema, then the spec's schema (`database.schemaName`, `public` unless
/// given), where every table without a view (untouched, or created by the migration) and every other
/// object still resolves. One place, so the runbook, the ConfigMap and rehearse's traffic say the same.
public enum VersionSchemaSelection {
    /// `pricing_tiers_new,public`: the value of search_path. `base`: the spec's schema, quoted (`"Billing"`
    /// stays `Billing`; unquoted the server folds it to `billing`) and followed by `public`, where
    /// extensions' types and functions live, as the Jobs' sessions have it (`RunnerProfile.environment`).
    /// The version's schema is a derived, lower-case name (`DerivedNames.versionSchema`), bare as before.
    public static func searchPath(_ schema: String, base: String = "public") -> String {
        base == "public" ? "\(schema),public" : "\(schema),\(baseSearchPath(base))"
    }

    /// The spec's schema alone, `"billing",public`: an app's search_path once no version schema is left
    /// (the literal the way back sets, `patch(version: "base")`).
    public static func baseSearchPath(_ base: String) -> String {
        base == "public" ? "public" : "\(SQLNames(engine: .postgresql).quote(base)),public"
    }

    /// `PGOPTIONS` for libpq-based clients (psql, psycopg, libpq drivers): the server applies it at connect.
    /// libpq sends it as the startup packet's `options`, which the server splits at spaces (the value has
    /// none: identifiers are `[A-Za-z0-9_$]`) and reads `search_path`'s list from, double quotes included.
    public static func pgOptions(_ schema: String, base: String = "public") -> String { "-c search_path=\(searchPath(schema, base: base))" }

    /// `-c search_path="billing",public`: the spec's schema alone (`baseSearchPath`).
    public static func pgOptions(base: String) -> String { "-c search_path=\(baseSearchPath(base))" }

    /// The old and the new version's schema when the plan creates them, else nil.
    public static func schemas(_ plan: MigrationPlan) -> (old: String, new: String)? { plan.versionSchemas }

    /// What `MigrationPlan.versionSchemas` holds, computed when the plan is made.
    static func schemas(spec: MigrationSpec, schema: DatabaseSchema?) -> (old: String, new: String)? {
        let context = LoweringContext(spec: spec, schema: schema)
        if MySQLVersionSchemas.enabled(context) {
            guard MySQLVersionSchemas(b: MySQLBuilder(context: context), changes: spec.changes).differs else { return nil }
            return (context.derived.versionDatabase(base: spec.database.name, new: false),
                    context.derived.versionDatabase(base: spec.database.name, new: true))
        }
        guard PostgreSQLVersionSchemas.enabled(context),
              !PostgreSQLVersionSchemas(b: PostgreSQLBuilder(context: context), changes: spec.changes).views().isEmpty else { return nil }
        return (context.derived.versionSchema(new: false), context.derived.versionSchema(new: true))
    }

    // MARK: MySQL (`MySQLVersionSchemas`): a database of views per version, selected by the connection's database.

    /// The env var the runbook's patch sets to the version's database. MySQL clients have no
    /// variable of their own for the database (libmysqlclient reads MYSQL_HOST, MYSQL_PWD, not a
    /// database), so this is the name the official mysql image and most twelve-factor apps read;
    /// an app that takes its database from a DSN or another variable uses the ConfigMap's value there.
    public static let mysqlDatabaseEnv = "MYSQL_DATABASE"

    /// The statement a session runs to select its version's database (rehearse's traffic).
    public static func useStatement(_ database: String) -> String { "USE " + SQLNames(engine: .mysql).quote(database) }

    /// A database name as a GRANT pattern: `_` and `%` are wildcards there, escaped so the grant covers this name only.
    public static func grantPattern(_ database: String) -> String {
        database.escapingScalars(["\\": "\\\\", "_": "\\_", "%": "\\%"])
    }

    /// What the Jobs' user needs on each version database: create and drop it and its views
    /// (CREATE OR REPLACE VIEW needs DROP too), and see them in information_schema.
    public static let mysqlJobPrivileges = "CREATE, DROP, CREATE VIEW, SHOW VIEW, SELECT, LOCK TABLES"

    /// What the app's user needs on each version database: read and write through the views (they are
    /// SQL SECURITY INVOKER, so its privileges on the tables apply as well, as before).
    public static let mysqlAppPrivileges = "SELECT, INSERT, UPDATE, DELETE"

    /// The GRANT statements the DBA runs before expand (the plan README lists them).
    public static func mysqlGrants(_ database: String) -> [String] {
        let pattern = SQLNames(engine: .mysql).quote(grantPattern(database))
        return ["GRANT \(mysqlJobPrivileges) ON \(pattern).* TO '<jobs user>'@'%';",
                "GRANT \(mysqlAppPrivileges) ON \(pattern).* TO '<app user>'@'%';"]
    }

    /// The ConfigMap the runbook points the app's env at: `<version>.PGOPTIONS` and `<version>.search_path`.
    public static func configMapName(_ spec: MigrationSpec) -> String { "\(spec.name)-version-schemas" }

    /// The env var that selects a version's schema: `PGOPTIONS` (libpq applies it at connect) or `MYSQL_DATABASE`.
    public static func envName(_ spec: MigrationSpec) -> String { spec.database.engine == .mysql ? mysqlDatabaseEnv : "PGOPTIONS" }

    /// The ConfigMap key `version` (`new`, `old`, `base` on MySQL, or the chart's value expression) reads.
    public static func configMapKey(_ spec: MigrationSpec, version: String) -> String {
        "\(version)." + (spec.database.engine == .mysql ? "database" : "PGOPTIONS")
    }

    /// The chart's values `app.versionSchema` may take: the versions the ConfigMap has keys for.
    public static func versions(_ spec: MigrationSpec) -> [String] { spec.database.engine == .mysql ? ["new", "old", "base"] : ["new", "old"] }

    /// The version a rollback points the app back at: the old version's schema of views on PostgreSQL
    /// (its search_path falls through to `public` once the rollback of expand drops it); the base
    /// database on MySQL, where a connection to a dropped database fails.
    public static func revertVersion(_ spec: MigrationSpec) -> String { spec.database.engine == .mysql ? "base" : "old" }

    /// Image and schema in one change of the Deployment's pod template (one new revision, one canary):
    /// a strategic merge patch, which merges the container by name and its env by name. The key is
    /// optional: once the migration's objects are removed (Leaving the Rollout), a restarted pod starts
    /// without PGOPTIONS and resolves `public` (which then has the shape its version expects when the
    /// tables are there) instead of failing with CreateContainerConfigError on the missing ConfigMap.
    /// The env var comes from the ConfigMap with `"value":null`, so a literal value the Deployment had does
    /// not sit beside `valueFrom` (the API refuses both). MySQL: `MYSQL_DATABASE` from `<version>.database`;
    /// `base` sets the base database's name.
    /// PostgreSQL's `base` is the literal `-c search_path="billing",public` (trial 13 M4): with the tables in
    /// another schema than `public`, a pod started without PGOPTIONS would find `public`'s same-named tables,
    /// so the step that leaves the Rollout sets it before the ConfigMap goes. `image: nil` changes the env only.
    public static func patch(_ spec: MigrationSpec, deployment: String, image: String?, version: String) -> String {
        // MySQL's way back to the base database is a literal value, not the ConfigMap: it must outlive
        // the migration's objects (Leaving the Rollout removes the ConfigMap, and the app still needs it).
        let env = spec.database.engine == .mysql
            ? (version == "base"
                ? "{\"name\":\"\(mysqlDatabaseEnv)\",\"value\":\"\(spec.database.name)\",\"valueFrom\":null}"
                : "{\"name\":\"\(mysqlDatabaseEnv)\",\"value\":null,\"valueFrom\":{\"configMapKeyRef\":{\"name\":\"\(configMapName(spec))\",\"key\":\"\(version).database\",\"optional\":true}}}")
            : version == "base"
                ? "{\"name\":\"PGOPTIONS\",\"value\":\"\(pgOptions(base: spec.database.schemaName).escapingScalars(["\"": "\\\"", "\\": "\\\\"]))\",\"valueFrom\":null}"
                : "{\"name\":\"PGOPTIONS\",\"value\":null,\"valueFrom\":{\"configMapKeyRef\":{\"name\":\"\(configMapName(spec))\",\"key\":\"\(version).PGOPTIONS\",\"optional\":true}}}"
        let container = "{\"name\":\"\(spec.app.name)\"," + (image.map { "\"image\":\"'\($0)'\"," } ?? "") + "\"env\":[\(env)]}"
        return "kubectl patch deployment/\(deployment) --namespace \(spec.metadata.namespace) -p '{\"spec\":{\"template\":{\"spec\":{\"containers\":[\(container)]}}}}'"
    }
}
