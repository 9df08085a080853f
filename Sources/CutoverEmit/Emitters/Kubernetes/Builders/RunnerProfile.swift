import CutoverPlan

/// How the Jobs run SQL for `runner.tool`: the image (pinned; `runner.image` overrides it), the
/// script in the SQL ConfigMap, and the non-secret connection settings.
///
/// psql and mysql apply each file with the client (`psql -X -v ON_ERROR_STOP=1 -f`, never `-1`;
/// `mysql --batch <`). liquibase applies each file with `liquibase execute-sql`. flyway runs
/// `flyway migrate -target=<last step of the phase>` over the up files; its rollback, the checksum
/// and the blue-green steps need the database client, so they use `runner.clientImage`.
public struct RunnerProfile: Sendable {
    public var spec: MigrationSpec

    public init(_ spec: MigrationSpec) {
        self.spec = spec
    }

    public var tool: MigrationSpec.RunnerTool { spec.runner.tool }
    public var engine: MigrationSpec.Engine { spec.database.engine }

    /// The newest major version either side runs: pg_dump must not be older than the server.
    var majorVersion: String {
        let versions = [spec.database.version] + (spec.strategy == .blueGreen ? [spec.target?.version ?? ""] : [])
        let majors = versions.compactMap { $0.split(separator: ".").first.flatMap { Int($0) } }
        return majors.max().map(String.init) ?? (engine == .postgresql ? "16" : "8")
    }

    /// The database client image: psql/pg_dump or mysql/mysqldump.
    public var clientImage: String {
        switch engine {
        case .postgresql: return "docker.io/library/postgres:\(majorVersion)-alpine"
        case .mysql:
            let version = spec.database.version.split(separator: ".").prefix(2).joined(separator: ".")
            return "docker.io/library/mysql:\(version.isEmpty ? "8.0" : version)"
        }
    }

    /// The image of the tool that applies the SQL.
    public var toolImage: String {
        if let image = spec.runner.image { return image }
        switch tool {
        case .psql, .mysql: return clientImage
        case .flyway: return "docker.io/flyway/flyway:10.20.1-alpine"
        case .liquibase: return "docker.io/liquibase/liquibase:4.31.1"
        }
    }

    /// True when some Jobs need the client image beside the tool image.
    public var needsSeparateClient: Bool { tool == .flyway || tool == .liquibase }

    public var clientScript: String { engine == .postgresql ? "run-psql.sh" : "run-mysql.sh" }
    public var checksumScript: String { engine == .postgresql ? "checksum-psql.sh" : "checksum-mysql.sh" }

    /// The script that applies files with the tool.
    public var applyScript: String {
        switch tool {
        case .psql, .mysql: return clientScript
        case .flyway: return "run-flyway.sh"
        case .liquibase: return "run-liquibase.sh"
        }
    }

    /// The scripts the ConfigMaps carry.
    public var scripts: [String] {
        var out = [clientScript]
        if spec.checksum != nil { out.append(checksumScript) }
        if applyScript != clientScript { out.append(applyScript) }
        return out.sorted()
    }

    /// Connection settings for the Jobs' env: hosts, port, database name, TLS. No credentials.
    public func environment(topology: DatabaseTopology) -> [EnvVar] {
        var env = [EnvVar("HOME", "/tmp"), EnvVar("DB_ENGINE", engine.rawValue)]
        if let green = topology.greenCluster {
            env.append(EnvVar("DB_HOST", topology.primaryHost(cluster: topology.blueCluster)))
            env.append(EnvVar("BLUE_HOST", topology.primaryHost(cluster: topology.blueCluster)))
            env.append(EnvVar("GREEN_HOST", topology.primaryHost(cluster: green)))
        } else {
            env.append(EnvVar("DB_HOST", topology.primaryHost(cluster: topology.blueCluster)))
        }
        env.append(EnvVar("DB_PORT", String(spec.database.port)))
        env.append(EnvVar("DB_NAME", spec.database.name))
        if engine == .postgresql {
            env.append(EnvVar("PGSSLMODE", spec.database.operator == .zalando ? "require" : "prefer"))
            env.append(EnvVar("PGCONNECT_TIMEOUT", "10"))
            env.append(EnvVar("PGAPPNAME", "cutover-\(spec.name)"))
            if spec.database.schemaName != "public" {
                // What the runner runs outside the step files (its own catalog reads and renames, the
                // checksums, the refusal checks) names tables bare: every session of the Job starts with
                // the spec's schema first, as each step file sets it (`SQLFileRenderer.sessionSettings`).
                env.append(EnvVar("PGOPTIONS", VersionSchemaSelection.pgOptions(base: spec.database.schemaName)))
            }
        }
        // The checksum script's statement timeout: the spec's, within the Job's deadline
        // (statement_timeout; MySQL 8's max_execution_time or MariaDB's max_statement_time).
        env.append(EnvVar("STATEMENT_TIMEOUT", "\(spec.runner.statementTimeout.milliseconds)ms"))
        if let switchover = spec.switchover {
            env.append(EnvVar("MAX_LAG_SECONDS", ManifestYAML.number(switchover.maxReplicationLagSeconds)))
        }
        if let checksum = spec.checksum {
            env.append(EnvVar("CHECKSUM_RANGE", String(checksum.rangeSize)))
        }
        return env
    }

    /// `TABLE:PK:int|any` for each checksum table: the first primary-key column of the table as the
    /// verify phase finds it (`id` when unknown); `int` buckets by key value, `any` by position in key
    /// order. The verify phase runs after expand, so a table the spec renames or creates is looked up
    /// in the schema with the changes applied, not in the base schema, where it does not exist by that name.
    public func checksumArguments(schema: DatabaseSchema?) -> [String] {
        var evolved = LoweringContext(spec: spec, schema: schema)
        for change in spec.changes { evolved.apply(change.operation) }
        return (spec.checksum?.tables ?? []).map { located in
            let table = located.value
            let known = evolved.table(table)
            let key = known?.primaryKey.first ?? "id"
            let type = known?.column(key)?.type.lowercased() ?? ""
            let numeric = type.contains("int") || type.contains("serial") || (known == nil && key == "id")
            return "\(table):\(key):\(numeric ? "int" : "any")"
        }
    }
}
