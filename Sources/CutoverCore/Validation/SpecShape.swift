/// The v1alpha1 spec language. Field names and meanings follow ../shared/product/spec-language.md;
/// the optional extras (ports, probes, purge, team ids, query overrides) are cutover's own and are
/// documented in docs/spec.md, which a test keeps in step with this file.
public enum SpecShape {
    static let identifier = Shape.text(.sqlIdentifier)
    static let identifiers = Shape.list(.text(.sqlIdentifier), minItems: 1)
    static let expression = Shape.text(.sqlExpression)
    static let positive = Shape.integer(min: 1, max: nil, rule: .count)
    static let port = Shape.integer(min: 1, max: 65535, rule: .port)
    static let duration = Shape.text(.duration)
    static let seconds = Shape.number(min: 0, max: nil, rule: .ratio)
    static let ratio = Shape.number(min: 0, max: 1, rule: .ratio)
    static let onDelete = Shape.keyword(["no action", "restrict", "cascade", "set null", "set default"])

    static let resourceAmounts = Shape.object(ObjectShape("resources", "CPU and memory for a container", [
        Field("requests", .dictionary(key: .labelKey, value: .text(.quantity)), "minimum resources, e.g. {cpu: 500m, memory: 1Gi}"),
        Field("limits", .dictionary(key: .labelKey, value: .text(.quantity)), "maximum resources"),
    ]))

    static let references = ObjectShape("references", "the referenced table and columns", [
        Field("table", identifier, required: true, "referenced table"),
        Field("columns", identifiers, required: true, "referenced columns, in order"),
    ])

    public static let column = ObjectShape("column", "a column definition", [
        Field("name", identifier, required: true, "column name", example: "tier"),
        Field("type", .text(.sqlType), required: true, "SQL type expression", example: "numeric(12,2)"),
        Field("nullable", .boolean, default: "true", "whether the column accepts NULL"),
        Field("default", expression, "default value as an SQL expression", example: "'basic'"),
        Field("unique", .boolean, default: "false", "add a unique constraint on the column"),
        Field("check", expression, "a CHECK expression on the column", example: "amount >= 0"),
        Field("references", .object(ObjectShape("references", "a foreign key from this column", [
            Field("table", identifier, required: true, "referenced table"),
            Field("column", identifier, default: "id", "referenced column"),
            Field("onDelete", onDelete, default: "no action", "action when the referenced row is deleted"),
        ])), "a foreign key from this column"),
    ])

    static let constraint = ObjectShape("constraint", "a table constraint: exactly one of check, unique, foreignKey", [
        Field("name", identifier, required: true, "constraint name"),
        Field("check", expression, "CHECK expression"),
        Field("unique", identifiers, "columns of a UNIQUE constraint"),
        Field("foreignKey", .object(ObjectShape("foreignKey", "a FOREIGN KEY constraint", [
            Field("columns", identifiers, required: true, "referencing columns"),
            Field("references", .object(references), required: true, "referenced table and columns"),
            Field("onDelete", onDelete, default: "no action", "action on delete"),
        ])), "FOREIGN KEY constraint"),
    ])

    public static let operations: [Field] = [
        Field("addColumn", .object(ObjectShape("addColumn", "add a column (expand)", [
            Field("table", identifier, required: true, "table to alter"),
            Field("column", .object(column), required: true, "the new column"),
            Field("up", expression, "expression that fills existing rows (required for NOT NULL without a default)",
                  example: "CASE WHEN interval_months = 12 THEN 'yearly' ELSE 'monthly' END"),
        ])), "add a column; a NOT NULL column without a default is added nullable, backfilled with 'up', then constrained"),
        Field("dropColumn", .object(ObjectShape("dropColumn", "retire a column (contract)", [
            Field("table", identifier, required: true, "table to alter"),
            Field("column", identifier, required: true, "column to retire"),
            Field("down", expression, "expression that refills the column on rollback"),
        ])), "retire a column: renamed to a quarantine name in the contract phase, dropped only by the opt-in purge"),
        Field("renameColumn", .object(ObjectShape("renameColumn", "rename a column without breaking old readers", [
            Field("table", identifier, required: true, "table to alter"),
            Field("from", identifier, required: true, "current name"),
            Field("to", identifier, required: true, "new name"),
        ])), "rename a column: new column kept in sync by triggers during the rollout, old one retired in contract"),
        Field("alterColumn", .object(ObjectShape("alterColumn", "change a column's type, nullability or default", [
            Field("table", identifier, required: true, "table to alter"),
            Field("column", identifier, required: true, "column to change"),
            Field("type", .text(.sqlType), "new SQL type"),
            Field("nullable", .boolean, "new nullability; false fills the NULLs of existing rows with up, else with the new default, and the rollback puts them back"),
            Field("default", expression, "new default expression"),
            Field("dropDefault", .boolean, default: "false", "remove the column's default"),
            Field("up", expression, "expression converting old values to the new type (default: a cast)"),
            Field("down", expression, "expression converting new values back (default: a cast)"),
        ])), "change a column: metadata-only changes in one statement, rewrites through a new column, triggers and a swap"),
        Field("createTable", .object(ObjectShape("createTable", "create a table (expand)", [
            Field("name", identifier, required: true, "table name"),
            Field("columns", .list(.object(column), minItems: 1), required: true, "columns in order"),
            Field("primaryKey", identifiers, "primary key columns"),
            Field("constraints", .list(.object(constraint), minItems: 1), "table constraints"),
        ])), "create a table; its down drops it"),
        Field("dropTable", .object(ObjectShape("dropTable", "retire a table (contract)", [
            Field("name", identifier, required: true, "table to retire"),
        ])), "retire a table: renamed to a quarantine name in contract, dropped only by the opt-in purge"),
        Field("renameTable", .object(ObjectShape("renameTable", "rename a table with a compatibility view", [
            Field("from", identifier, required: true, "current name"),
            Field("to", identifier, required: true, "new name"),
        ])), "rename a table; a view under the old name keeps old readers working until contract"),
        Field("createIndex", .object(ObjectShape("createIndex", "build an index without blocking writes", [
            Field("name", identifier, required: true, "index name"),
            Field("table", identifier, required: true, "table to index"),
            Field("columns", identifiers, required: true, "indexed columns"),
            Field("unique", .boolean, default: "false", "a unique index"),
            Field("method", .keyword(["btree", "hash", "gin", "gist", "brin", "spgist"]), default: "btree", "index method (PostgreSQL)"),
            Field("where", expression, "partial index predicate (PostgreSQL)"),
        ])), "build an index concurrently (PostgreSQL) or in place without locks (MySQL)"),
        Field("dropIndex", .object(ObjectShape("dropIndex", "retire an index (contract)", [
            Field("name", identifier, required: true, "index name"),
            Field("table", identifier, required: true, "table of the index"),
        ])), "drop an index in the contract phase; its down rebuilds it"),
        Field("addForeignKey", .object(ObjectShape("addForeignKey", "add a foreign key without a long lock", [
            Field("name", identifier, required: true, "constraint name"),
            Field("table", identifier, required: true, "referencing table"),
            Field("columns", identifiers, required: true, "referencing columns"),
            Field("references", .object(references), required: true, "referenced table and columns"),
            Field("onDelete", onDelete, default: "no action", "action on delete"),
        ])), "add a foreign key: NOT VALID first, validated as a later step (PostgreSQL)"),
        Field("addCheck", .object(ObjectShape("addCheck", "add a CHECK constraint without a long lock", [
            Field("name", identifier, required: true, "constraint name"),
            Field("table", identifier, required: true, "table"),
            Field("expression", expression, required: true, "CHECK expression", example: "amount >= 0"),
        ])), "add a CHECK constraint: NOT VALID first, validated as a later step (PostgreSQL)"),
        Field("addUnique", .object(ObjectShape("addUnique", "add a UNIQUE constraint without a long lock", [
            Field("name", identifier, required: true, "constraint name"),
            Field("table", identifier, required: true, "table"),
            Field("columns", identifiers, required: true, "unique columns"),
        ])), "add a UNIQUE constraint through a unique index built concurrently"),
        Field("sql", .object(ObjectShape("sql", "run hand-written SQL (escape hatch)", [
            Field("name", .text(.slug), required: true, "step name, used in file names"),
            Field("up", .text(.sqlScript), required: true, "SQL to apply"),
            Field("down", .text(.sqlScript), required: true, "SQL that undoes 'up'"),
            Field("phase", .choice(["expand", "backfill", "contract"]), default: "expand", "phase the step runs in"),
            Field("transactional", .boolean, default: "true", "false when the SQL cannot run in a transaction"),
        ])), "hand-written SQL; 'down' is required and the step is flagged as unchecked"),
    ]

    public static let migration = ObjectShape("migration", "a cutover migration spec", [
        Field("apiVersion", .choice(["cutover.dev/v1alpha1"]), required: true, "the spec version"),
        Field("kind", .choice(["Migration"]), required: true, "always Migration"),
        Field("metadata", .object(ObjectShape("metadata", "names the migration", [
            Field("name", .text(.resourceName), required: true, "the migration's name; prefixes every generated resource", example: "pricing-tiers"),
            Field("namespace", .text(.dnsLabel), required: true, "namespace of the app, the database and the generated objects", example: "billing"),
            Field("labels", .dictionary(key: .labelKey, value: .text(.labelValue)), "labels added to every generated object"),
        ])), required: true, "the migration's identity"),
        Field("spec", .object(ObjectShape("spec", "what to migrate and how", [
            Field("strategy", .choice(["expand-contract", "blue-green"]), default: "expand-contract", "how the migration runs"),
            Field("database", .object(ObjectShape("database", "the database being migrated", [
                Field("engine", .choice(["postgresql", "mysql"]), required: true, "database engine"),
                Field("version", .text(.version), required: true, "server major version", example: "15"),
                Field("operator", .choice(["zalando", "bitpoke", "none"]), default: "none", "the operator that runs the database"),
                Field("cluster", .text(.dnsLabel), required: true, "the database cluster's name (operator resource or StatefulSet)"),
                Field("name", identifier, required: true, "database name"),
                Field("credentialsSecret", .text(.dnsSubdomain), required: true, "Secret with the database credentials (keys: username, password)"),
                Field("schema", .text(.path), "path of the current schema, relative to the spec: plain DDL or a schema-only dump as pg_dump, mysqldump or mariadb-dump write it (views, triggers, partitions, routines, executable comments)"),
                Field("port", port, default: "5432 (postgresql), 3306 (mysql)", "database port"),
                Field("teamId", .text(.dnsLabel), default: "first segment of cluster", "Zalando teamId"),
                Field("podSelector", .dictionary(key: .labelKey, value: .text(.labelValue)), default: "per operator", "labels of the database pods (operator none)"),
            ])), required: true, "the database"),
            Field("target", .object(ObjectShape("target", "the green cluster (blue-green only)", [
                Field("cluster", .text(.dnsLabel), required: true, "green cluster name"),
                Field("version", .text(.version), required: true, "green server version"),
                Field("instances", positive, default: "2", "number of instances"),
                Field("volume", .object(ObjectShape("volume", "storage of each instance", [
                    Field("size", .text(.quantity), required: true, "volume size", example: "100Gi"),
                    Field("storageClass", .text(.dnsSubdomain), "storage class"),
                ])), required: true, "storage"),
                Field("resources", resourceAmounts, "resources of each database pod"),
                Field("teamId", .text(.dnsLabel), default: "first segment of cluster", "Zalando teamId"),
            ])), "the green cluster (blue-green only)"),
            Field("replication", .choice(["logical"]), default: "logical", "replication method (blue-green only)"),
            Field("app", .object(ObjectShape("app", "the workload that talks to the database", [
                Field("name", .text(.dnsLabel), required: true, "app name"),
                Field("image", .text(.image), required: true, "new app image; pin a digest (image@sha256:…)"),
                Field("replicas", positive, default: "2", "replicas"),
                Field("port", port, default: "8080", "container port; probes use it"),
                Field("healthPath", .text(.plain), "HTTP path for readiness and liveness probes (default: TCP probes)"),
                Field("deployment", .text(.dnsLabel), default: "the app name",
                      "the app's existing Deployment: the Rollout takes it over (workloadRef, scaled down progressively) and canaries each change of its pod template"),
                Field("podTemplate", .boolean, default: "false",
                      "true: the Rollout carries its own pod template (image, port, probes, resources, securityContext below) instead of referencing the Deployment"),
                Field("versionSchemas", .choice(["views", "none"]), default: "views (PostgreSQL), none (MySQL)",
                      "views (PostgreSQL only): expand creates a schema of views per app version, `<migration>_old` and `<migration>_new`, each showing the tables the migration changes in that version's shape (renamed and retyped columns under their final names for the new one); each version selects its own with search_path (the plan README says how), contract removes them. none: both versions use the tables; the new version sees a retyped column in its old type until contract (the plan README lists them). MySQL has no version schemas and `views` is refused there (CUT068): a connection selects one database, a trigger cannot tell which version wrote, and a view cannot follow contract's column swap without a moment where it is invalid"),
                Field("podSelector", .dictionary(key: .labelKey, value: .text(.labelValue)), default: "app.kubernetes.io/name: <name>",
                      "labels of the app's existing pods; the database NetworkPolicy admits them (and the Rollout's pods)"),
                Field("resources", resourceAmounts, default: "requests 100m/128Mi, limits 1/512Mi", "container resources"),
                Field("securityContext", .object(ObjectShape("securityContext", "the app container's security overrides", [
                    Field("runAsUser", .integer(min: 1, max: nil, rule: .count), default: "10001", "UID"),
                    Field("runAsGroup", .integer(min: 1, max: nil, rule: .count), default: "10001", "GID"),
                    Field("readOnlyRootFilesystem", .boolean, default: "true", "read-only root filesystem"),
                ])), "security context overrides"),
            ])), required: true, "the app"),
            Field("runner", .object(ObjectShape("runner", "how the Jobs apply SQL", [
                Field("tool", .choice(["psql", "mysql", "flyway", "liquibase"]), default: "psql (postgresql), mysql (mysql)", "migration tool"),
                Field("image", .text(.image), default: "per tool", "runner image"),
                Field("lockTimeout", duration, default: "5s", "lock timeout set by every file"),
                Field("statementTimeout", duration, default: "30m", "statement timeout set by every file"),
                Field("deadline", duration, default: "30m", "activeDeadlineSeconds of each Job, raised to statementTimeout + lockTimeout + 60s when shorter"),
                Field("backoffLimit", .integer(min: 0, max: 10, rule: .count), default: "2", "Job retries (files are idempotent)"),
                Field("resources", resourceAmounts, default: "requests 100m/128Mi, limits 500m/256Mi", "Job container resources"),
            ])), "the SQL runner"),
            Field("changes", .list(.oneKey(name: "operation", fields: operations), minItems: 0), "ordered schema changes"),
            Field("backfill", .object(ObjectShape("backfill", "batched backfills", [
                Field("batchSize", .integer(min: 1, max: 1_000_000, rule: .count), default: "1000", "rows per batch"),
                Field("pause", duration, default: "100ms", "pause between batches"),
            ])), "backfill pacing"),
            Field("rollout", .object(ObjectShape("rollout", "canary of the new app version", [
                Field("steps", .list(.oneKey(name: "step", fields: [
                    Field("setWeight", .integer(min: 1, max: 100, rule: .canarySteps), "percent of traffic on the new version"),
                    Field("pause", duration, "how long to wait"),
                ]), minItems: 1), required: true, "canary steps"),
                Field("analysis", .object(ObjectShape("analysis", "metrics that gate the canary", [
                    Field("prometheus", .text(.url), required: true, "Prometheus address"),
                    Field("maxReplicationLagSeconds", seconds, "abort when replication lag exceeds this; expand-contract only with replicationLagQuery (else ignored, warning CUT054)"),
                    Field("maxErrorRatio", ratio, "abort when the app's error ratio exceeds this"),
                    Field("interval", duration, default: "1m", "how often to measure"),
                    Field("replicationLagQuery", .text(.plain), default: "blue-green: per engine exporter; expand-contract: none", "PromQL for replication lag in seconds; expand-contract watches lag only when this is given"),
                    Field("errorRatioQuery", .text(.plain), default: "http_requests_total ratio", "PromQL for the error ratio; `{{args.canary-hash}}` in it is the canary ReplicaSet's pod-template hash (the default measures the canary's pods, `pod=~\"<app>-{{args.canary-hash}}-.+\"`; the alert matches any hash); an empty result or NaN is Inconclusive (the Rollout pauses), never a pass"),
                ])), "analysis"),
            ])), "canary rollout"),
            Field("featureFlag", .object(ObjectShape("featureFlag", "a go-feature-flag flag for the new code path", [
                Field("key", .text(.flagKey), required: true, "flag key"),
            ])), "feature flag"),
            Field("switchover", .object(ObjectShape("switchover", "the Service switch (blue-green only)", [
                Field("service", .text(.dnsLabel), required: true, "Service the app connects to"),
                Field("maxReplicationLagSeconds", seconds, default: "1", "switch only when lag is below this"),
            ])), "switchover (blue-green)"),
            Field("snapshot", .object(ObjectShape("snapshot", "a VolumeSnapshot before destructive steps", [
                Field("volumeSnapshotClass", .text(.dnsSubdomain), required: true, "VolumeSnapshotClass"),
                Field("persistentVolumeClaim", .text(.dnsSubdomain), default: "per operator", "PVC of the primary"),
            ])), "snapshot"),
            Field("verify", .object(ObjectShape("verify", "post-migration verification", [
                Field("checksum", .object(ObjectShape("checksum", "per-key-range checksums", [
                    Field("tables", identifiers, required: true, "tables to checksum"),
                    Field("rangeSize", .integer(min: 1, max: nil, rule: .count), default: "10000", "primary-key range per checksum"),
                ])), required: true, "checksums"),
            ])), "verification"),
            Field("purge", .boolean, default: "false", "generate the irreversible purge steps that really drop quarantined columns and tables"),
        ])), required: true, "the migration"),
    ])
}
