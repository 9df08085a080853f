/// Every setting of the spec language that has a default, declared once (name, shape, default,
/// meaning). `SpecShape` places them in the tree; `SpecBuilder` reads their values; docs/spec.md and
/// the JSON Schema spell their defaults from the same values.
public enum Settings {
    public enum Column {
        static let nullable = Setting<Bool>("nullable", .boolean, default: .value(true), "whether the column accepts NULL")
        static let unique = Setting<Bool>("unique", .boolean, default: .value(false), "add a unique constraint on the column")
        static let referencedColumn = Setting<String>("column", SpecShape.identifier, default: .value("id"), "referenced column")
        static let onDelete = Setting<ReferentialAction>("onDelete", SpecShape.onDelete, default: .value(.noAction),
                                                         "action when the referenced row is deleted")
    }

    /// Operations' settings. An operation's own ones are declared in its file (`extension
    /// Settings.Operation`: createIndex's `unique` and `method`, sql's `phase` and `transactional`); here
    /// are the shared `onDelete` (addForeignKey, createTable's foreignKey) and alterColumn's `dropDefault`.
    public enum Operation {
        /// `onDelete` of a table constraint's foreign key and of addForeignKey.
        package static let onDelete = Setting<ReferentialAction>("onDelete", SpecShape.onDelete, default: .value(.noAction), "action on delete")
        package static let dropDefault = Setting<Bool>("dropDefault", .boolean, default: .value(false), "remove the column's default, in contract (the old version's inserts that leave the column out rely on it until then)")
    }

    static let strategy = Setting<MigrationSpec.Strategy>("strategy", .choice(["expand-contract", "blue-green"]),
                                                          default: .value(.expandContract), "how the migration runs")
    static let replication = Setting<String>("replication", .choice(["logical"]), default: .value("logical"),
                                             "replication method (blue-green only)")
    static let purge = Setting<Bool>("purge", .boolean, default: .value(false),
                                     "generate the irreversible purge steps that really drop quarantined columns and tables")

    public enum Database {
        static let `operator` = Setting<MigrationSpec.DatabaseOperator>("operator", .choice(["zalando", "bitpoke", "none"]),
                                                                        default: .value(MigrationSpec.DatabaseOperator.none),
                                                                        "the operator that runs the database")
        static let port = Setting<Int>("port", SpecShape.port, default: .perEngine(postgresql: 5432, mysql: 3306), "database port")
        static let teamId = Setting<String>("teamId", .text(.dnsLabel), default: .derived("first segment of cluster"), "Zalando teamId")
        /// Like pgroll's `--schema`: one schema per migration, the changes name tables unqualified.
        static let schemaName = Setting<String>("schemaName", SpecShape.identifier, default: .derived("public (postgresql), the database name (mysql)"),
            "the schema the changes' tables live in, named unqualified in the changes. PostgreSQL: any schema but a system one (`pg_…`, `information_schema`) or the migration's version schemas (`<metadata.name>_new`/`_old`; CUT103), an identifier like the spec's table names (the SQL quotes it, so `App` is the schema `\"App\"`, not `app`); the step files put it first on search_path, and the app's own search_path must include it (the plan README says so); MySQL: a schema is the database, so only `database.name` (another is CUT103)")
    }

    public enum Target {
        static let instances = Setting<Int>("instances", SpecShape.positive, default: .value(2), "number of instances")
        static let teamId = Setting<String>("teamId", .text(.dnsLabel), default: .derived("first segment of cluster"), "Zalando teamId")
    }

    public enum App {
        static let replicas = Setting<Int>("replicas", SpecShape.positive, default: .value(2), "replicas")
        static let port = Setting<Int>("port", SpecShape.port, default: .value(8080), "container port; probes use it")
        static let deployment = Setting<String>("deployment", .text(.dnsLabel), default: .derived("the app name"),
            "the app's existing Deployment: the Rollout takes it over (workloadRef, scaled down progressively) and canaries each change of its pod template")
        static let podTemplate = Setting<Bool>("podTemplate", .boolean, default: .value(false),
            "true: the Rollout carries its own pod template (image, port, probes, resources, securityContext below) instead of referencing the Deployment")
        static let versionSchemas = Setting<String>("versionSchemas", .choice(["views", "none"]), default: .value("views"),
            "views: expand creates a place per app version, `<migration>_old` and `<migration>_new`, showing the tables in that version's shape (renamed columns under their new names, added ones shown, dropped ones hidden), and each version selects its own (the plan README says how); needs `database.schema`. PostgreSQL: a schema of views of the changed tables, selected by search_path, retyped columns in the new type under the final name, removed by contract. MySQL: a database with a view of every table, named `<base>_<migration>_old`/`_new` (per base database: databases share one namespace per server), selected as the connection's database (MYSQL_DATABASE), a retyped column in the new type under the final name (two-way sync; contract re-points the view), dropped by purge after contract once the app is back on the base database (an explicit `views` without `database.schema` is CUT068). none: both versions use the tables; the new version sees a retyped column in its old type until contract (the plan README lists them). Either way, until contract the new version writes a retyped column with values the old type can take (the sync back fails otherwise; CUT109 on PostgreSQL). A column both renamed and retyped takes two migrations (one change per column, CUT052)")
        static let resources = Setting<MigrationSpec.Resources>("resources", SpecShape.resourceAmounts,
            default: .value(.init(requests: ["cpu": "100m", "memory": "128Mi"], limits: ["cpu": "1", "memory": "512Mi"])),
            "container resources")
        static let runAsUser = Setting<Int>("runAsUser", .integer(min: 1, max: nil, rule: .count), default: .value(10001), "UID")
        static let runAsGroup = Setting<Int>("runAsGroup", .integer(min: 1, max: nil, rule: .count), default: .value(10001), "GID")
        static let readOnlyRootFilesystem = Setting<Bool>("readOnlyRootFilesystem", .boolean, default: .value(true),
                                                          "read-only root filesystem")
    }

    public enum Runner {
        static let tool = Setting<MigrationSpec.RunnerTool>("tool", .choice(["psql", "mysql", "flyway", "liquibase"]),
                                                            default: .perEngine(postgresql: .psql, mysql: .mysql), "migration tool")
        static let image = Setting<String>("image", .text(.image), default: .derived("per tool"), "runner image")
        static let lockTimeout = Setting<Duration>("lockTimeout", SpecShape.duration, default: .value(Duration(milliseconds: 5000)),
                                                   "lock timeout set by every file")
        static let statementTimeout = Setting<Duration>("statementTimeout", SpecShape.duration,
                                                        default: .value(Duration(milliseconds: 1_800_000)), "statement timeout set by every file")
        static let deadline = Setting<Duration>("deadline", SpecShape.duration, default: .value(Duration(milliseconds: 1_800_000)),
            "activeDeadlineSeconds of each Job, raised to statementTimeout + lockTimeout + 60s when shorter")
        static let backoffLimit = Setting<Int>("backoffLimit", .integer(min: 0, max: 10, rule: .count), default: .value(2),
                                               "Job retries (files are idempotent)")
        static let resources = Setting<MigrationSpec.Resources>("resources", SpecShape.resourceAmounts,
            default: .value(.init(requests: ["cpu": "100m", "memory": "128Mi"], limits: ["cpu": "500m", "memory": "256Mi"])),
            "Job container resources")
    }

    public enum Backfill {
        static let batchSize = Setting<Int>("batchSize", .integer(min: 1, max: 1_000_000, rule: .count), default: .value(1000), "rows per batch")
        static let pause = Setting<Duration>("pause", SpecShape.duration, default: .value(Duration(milliseconds: 100)), "pause between batches")
    }

    public enum Analysis {
        static let interval = Setting<Duration>("interval", SpecShape.duration, default: .value(Duration(milliseconds: 60_000)),
                                                "how often to measure")
        static let replicationLagQuery = Setting<String>("replicationLagQuery", .text(.plain),
            default: .derived("blue-green: per engine exporter; expand-contract: none"),
            "PromQL for replication lag in seconds; expand-contract watches lag only when this is given")
        static let errorRatioQuery = Setting<String>("errorRatioQuery", .text(.plain), default: .derived("http_requests_total ratio"),
            "PromQL for the error ratio; `{{args.canary-hash}}` in it is the canary ReplicaSet's pod-template hash (the default measures the canary's pods, `pod=~\"<app>-{{args.canary-hash}}-.+\"`; the alert matches any hash); an empty result or NaN is Inconclusive (the Rollout pauses), never a pass")
    }

    public enum Switchover {
        static let maxReplicationLagSeconds = Setting<Double>("maxReplicationLagSeconds", SpecShape.seconds, default: .value(1),
                                                              "switch only when lag is below this")
    }

    public enum Snapshot {
        static let persistentVolumeClaim = Setting<String>("persistentVolumeClaim", .text(.dnsSubdomain), default: .derived("per operator"),
                                                           "PVC of the primary")
    }

    public enum NetworkPolicy {
        static let database = Setting<MigrationSpec.DatabaseIsolation>("database", .choice(["open", "restrict"]), default: .value(.open),
            "open: no NetworkPolicy selects the database pods, so every client that reached them before still does (Kubernetes policies are additive: the first one selecting a pod denies all ingress it does not list); restrict: a policy selects them and admits only the app, the migration Jobs, the operator and its agents, replication, connection poolers, the metrics scraper and `clients`, each on its ports")
    }

    public enum Checksum {
        static let rangeSize = Setting<Int>("rangeSize", .integer(min: 1, max: nil, rule: .count), default: .value(10_000),
                                            "primary-key range per checksum")
    }
}
