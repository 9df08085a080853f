/// The v1alpha1 spec language. Field names and meanings follow ../shared/product/spec-language.md;
/// the optional extras (ports, probes, purge, team ids, query overrides) are cutover's own and are
/// documented in docs/spec.md, which a test keeps in step with this file.
public enum SpecShape {
    package static let identifier = Shape.text(.sqlIdentifier)
    package static let identifiers = Shape.list(.text(.sqlIdentifier), minItems: 1)
    package static let expression = Shape.text(.sqlExpression)
    package static let positive = Shape.integer(min: 1, max: nil, rule: .count)
    static let port = Shape.integer(min: 1, max: 65535, rule: .port)
    static let duration = Shape.text(.duration)
    static let seconds = Shape.number(min: 0, max: nil, rule: .ratio)
    static let ratio = Shape.number(min: 0, max: 1, rule: .ratio)
    static let onDelete = Shape.keyword(["no action", "restrict", "cascade", "set null", "set default"])

    static let resourceAmounts = Shape.object(ObjectShape("resources", "CPU and memory for a container", [
        Field("requests", .dictionary(key: .labelKey, value: .text(.quantity)), "minimum resources, e.g. {cpu: 500m, memory: 1Gi}"),
        Field("limits", .dictionary(key: .labelKey, value: .text(.quantity)), "maximum resources"),
    ]))

    /// The one references form: a column's `references`, addForeignKey's and createTable's foreignKey's.
    package static let references = ObjectShape("references", "a foreign key's referenced table and columns and its actions", [
        Field("table", identifier, required: true, "referenced table"),
        Field("columns", identifiers, default: "[id]", "referenced columns, in order (one for a column's reference)"),
        Field("column", identifier, "the older spelling of columns: [name] (a column's reference)"),
        Field("onDelete", SpecShape.onDelete, default: "no action", "action on delete (addForeignKey and foreignKey also take it beside references)"),
    ] + ForeignKeyActions.fields)

    public static let column = ObjectShape("column", "a column definition", [
        Field("name", identifier, required: true, "column name", example: "tier"),
        Field("type", .text(.sqlType), required: true, "SQL type expression", example: "numeric(12,2)"),
        Settings.Column.nullable.field,
        Field("default", expression, "default value as an SQL expression", example: "'basic'"),
        Settings.Column.unique.field,
        Field("check", expression, "a CHECK expression on the column", example: "amount >= 0"),
        Field("references", .object(references), "a foreign key from this column"),
        Field("identity", .choice(["always", "byDefault"]), "an identity column: the server numbers new rows (PostgreSQL GENERATED ALWAYS|BY DEFAULT AS IDENTITY, MySQL AUTO_INCREMENT, byDefault only)"),
        Field("generated", .object(ObjectShape("generated", "a generated column", [
            Field("expression", expression, required: true, "the expression the server computes", example: "amount * 100"),
            Field("stored", .boolean, required: true, "true: computed on write and stored (PostgreSQL 15 has only these); false: computed on read (MySQL VIRTUAL)"),
        ])), "a column the server computes from the row (createTable; addColumn only as MySQL VIRTUAL)"),
        Field("comment", .text(.plain), "the column's comment", example: "Net price in cents"),
    ])

    /// The whole spec, with every operation's entry (`operations`, each declared in its own file and
    /// injected: `SpecLanguage.migration`; `SpecShape.migration` is declared above Validation).
    static func migration(operations: [Field]) -> ObjectShape { ObjectShape("migration", "a cutover migration spec", [
        Field("apiVersion", .choice(["cutover.dev/v1alpha1"]), required: true, "the spec version"),
        Field("kind", .choice(["Migration"]), required: true, "always Migration"),
        Field("metadata", .object(ObjectShape("metadata", "names the migration", [
            Field("name", .text(.resourceName), required: true, "the migration's name; prefixes every generated resource", example: "pricing-tiers"),
            Field("namespace", .text(.dnsLabel), required: true, "namespace of the app, the database and the generated objects", example: "billing"),
            Field("labels", .dictionary(key: .labelKey, value: .text(.labelValue)), "labels added to every generated object"),
        ])), required: true, "the migration's identity"),
        Field("spec", .object(ObjectShape("spec", "what to migrate and how", [
            Settings.strategy.field,
            Field("database", .object(ObjectShape("database", "the database being migrated", [
                Field("engine", .choice(["postgresql", "mysql"]), required: true, "database engine"),
                Field("version", .text(.version), required: true, "server major version", example: "15"),
                Settings.Database.operator.field,
                Field("cluster", .text(.dnsLabel), required: true, "the database cluster's name (operator resource or StatefulSet)"),
                Field("name", identifier, required: true, "database name"),
                Field("credentialsSecret", .text(.dnsSubdomain), required: true, "Secret with the database credentials (keys: username, password)"),
                Field("schema", .text(.path), "path of the current schema, relative to the spec: plain DDL or a schema-only dump as pg_dump, mysqldump or mariadb-dump write it (views, triggers, partitions, routines, executable comments)"),
                Settings.Database.port.field,
                Settings.Database.teamId.field,
                Field("podSelector", .dictionary(key: .labelKey, value: .text(.labelValue)), default: "per operator", "labels of the database pods (operator none)"),
                Settings.Database.schemaName.field,
            ])), required: true, "the database"),
            Field("target", .object(ObjectShape("target", "the green cluster (blue-green only)", [
                Field("cluster", .text(.dnsLabel), required: true, "green cluster name"),
                Field("version", .text(.version), required: true, "green server version"),
                Settings.Target.instances.field,
                Field("volume", .object(ObjectShape("volume", "storage of each instance", [
                    Field("size", .text(.quantity), required: true, "volume size", example: "100Gi"),
                    Field("storageClass", .text(.dnsSubdomain), "storage class"),
                ])), required: true, "storage"),
                Field("resources", resourceAmounts, "resources of each database pod"),
                Settings.Target.teamId.field,
            ])), "the green cluster (blue-green only)"),
            Settings.replication.field,
            Field("app", .object(ObjectShape("app", "the workload that talks to the database", [
                Field("name", .text(.dnsLabel), required: true, "app name"),
                Field("image", .text(.image), required: true, "new app image; pin a digest (image@sha256:…)"),
                Settings.App.replicas.field,
                Settings.App.port.field,
                Field("healthPath", .text(.plain), "HTTP path for readiness and liveness probes (default: TCP probes)"),
                Settings.App.deployment.field,
                Settings.App.podTemplate.field,
                Settings.App.versionSchemas.field,
                Field("podSelector", .dictionary(key: .labelKey, value: .text(.labelValue)), default: "app.kubernetes.io/name: <name>",
                      "labels of the app's existing pods; the database NetworkPolicy (networkPolicy.database: restrict) admits them and the Rollout's pods"),
                Settings.App.resources.field,
                Field("securityContext", .object(ObjectShape("securityContext", "the app container's security overrides", [
                    Settings.App.runAsUser.field,
                    Settings.App.runAsGroup.field,
                    Settings.App.readOnlyRootFilesystem.field,
                ])), "security context overrides"),
            ])), required: true, "the app"),
            Field("runner", .object(ObjectShape("runner", "how the Jobs apply SQL", [
                Settings.Runner.tool.field,
                Settings.Runner.image.field,
                Settings.Runner.lockTimeout.field,
                Settings.Runner.statementTimeout.field,
                Settings.Runner.deadline.field,
                Settings.Runner.backoffLimit.field,
                Settings.Runner.resources.field,
            ])), "the SQL runner"),
            Field("changes", .list(.oneKey(name: "operation", fields: operations), minItems: 0), "ordered schema changes"),
            Field("backfill", .object(ObjectShape("backfill", "batched backfills", [
                Settings.Backfill.batchSize.field,
                Settings.Backfill.pause.field,
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
                    Settings.Analysis.interval.field,
                    Settings.Analysis.replicationLagQuery.field,
                    Settings.Analysis.errorRatioQuery.field,
                ])), "analysis"),
            ])), "canary rollout"),
            Field("featureFlag", .object(ObjectShape("featureFlag", "a go-feature-flag flag for the new code path", [
                Field("key", .text(.flagKey), required: true, "flag key"),
            ])), "feature flag"),
            Field("switchover", .object(ObjectShape("switchover", "the Service switch (blue-green only)", [
                Field("service", .text(.dnsLabel), required: true, "Service the app connects to"),
                Settings.Switchover.maxReplicationLagSeconds.field,
            ])), "switchover (blue-green)"),
            Field("snapshot", .object(ObjectShape("snapshot", "a VolumeSnapshot before destructive steps", [
                Field("volumeSnapshotClass", .text(.dnsSubdomain), required: true, "VolumeSnapshotClass"),
                Settings.Snapshot.persistentVolumeClaim.field,
            ])), "snapshot"),
            Field("verify", .object(ObjectShape("verify", "post-migration verification", [
                Field("checksum", .object(ObjectShape("checksum", "per-key-range checksums", [
                    Field("tables", identifiers, required: true, "tables to checksum"),
                    Settings.Checksum.rangeSize.field,
                ])), required: true, "checksums"),
            ])), "verification"),
            Settings.purge.field,
            Field("acceptTableCopies", identifiers, "MySQL: tables whose table copies you accept (steps or rollbacks that run ALTER TABLE … ALGORITHM=COPY and block writes to the table for the whole copy, warning CUT073), e.g. a small table or one you migrate at a quiet time; silences CUT073 for them"),
            Field("networkPolicy", .object(ObjectShape("networkPolicy", "whether cutover isolates the database pods", [
                Settings.NetworkPolicy.database.field,
                Field("clients", .list(.object(ObjectShape("client", "one more peer the database policy admits on the database port: podSelector, namespaceSelector or both", [
                    Field("podSelector", .dictionary(key: .labelKey, value: .text(.labelValue)), "labels of the client's pods (in this namespace unless namespaceSelector is given)"),
                    Field("namespaceSelector", .dictionary(key: .labelKey, value: .text(.labelValue)), "labels of the client's namespaces (all their pods unless podSelector is given)"),
                ])), minItems: 1), "more clients the database policy admits on the database port (database: restrict only), e.g. other Deployments, CronJobs, backup Jobs, other namespaces; each item has `podSelector` (labels of pods, in this namespace unless namespaceSelector is given), `namespaceSelector` (labels of namespaces, all their pods unless podSelector is given) or both"),
            ])), "database NetworkPolicy (the Jobs' own egress policy is always emitted)"),
        ])), required: true, "the migration"),
    ]) }
}
