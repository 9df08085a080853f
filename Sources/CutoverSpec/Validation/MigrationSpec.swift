/// The typed spec after structural checks, with defaults filled in. Values that semantic rules or
/// generated SQL point back to keep their source location.
public struct MigrationSpec: Sendable {
    public enum Strategy: String, Sendable, Codable { case expandContract = "expand-contract", blueGreen = "blue-green" }
    public enum Engine: String, Sendable, Codable { case postgresql, mysql }
    public enum DatabaseOperator: String, Sendable, Codable { case zalando, bitpoke, none }
    public enum RunnerTool: String, Sendable, Codable { case psql, mysql, flyway, liquibase }
    /// `networkPolicy.database`: `open` emits no policy selecting the database pods (Kubernetes
    /// policies are additive, so a first one would cut off every client it does not list); `restrict`
    /// emits it, admitting the clients cutover knows of and `networkPolicy.clients`.
    public enum DatabaseIsolation: String, Sendable, Codable { case open, restrict }

    public struct Metadata: Sendable {
        public var name: Located<String>
        public var namespace: String
        /// Sorted by key: labels are a set, and output order must not depend on the spec's order.
        public var labels: [(key: String, value: String)]
    }

    public struct Resources: Sendable, Equatable {
        public var requests: [String: String]
        public var limits: [String: String]
        public init(requests: [String: String] = [:], limits: [String: String] = [:]) {
            self.requests = requests
            self.limits = limits
        }
    }

    public struct Database: Sendable {
        public var engine: Engine
        public var version: String
        public var `operator`: DatabaseOperator
        public var cluster: String
        public var name: String
        public var credentialsSecret: String
        public var schema: Located<String>?
        public var port: Int
        public var teamId: String
        /// `database.schemaName`: PostgreSQL `public` unless given; MySQL the database's name.
        public var schemaName: String
        public var podSelector: [(key: String, value: String)]?
        public var location: SourceLocation
    }

    public struct Target: Sendable {
        public var cluster: String
        public var version: String
        public var instances: Int
        public var volumeSize: String
        public var storageClass: String?
        public var resources: Resources?
        public var teamId: String
        public var location: SourceLocation
    }

    public struct App: Sendable {
        public var name: String
        public var image: Located<String>
        public var replicas: Int
        public var port: Int
        public var healthPath: String?
        public var resources: Resources
        public var runAsUser: Int
        public var runAsGroup: Int
        public var readOnlyRootFilesystem: Bool
        /// Labels of the app's existing pods (its Deployment's), which the database NetworkPolicy admits.
        public var podSelector: [(key: String, value: String)]? = nil
        /// The user's Deployment the Rollout takes over (`workloadRef`); defaults to `name`.
        public var deployment: String = ""
        /// True: cutover writes a full pod template into the Rollout instead of referencing the Deployment.
        public var podTemplate: Bool = false
        /// True (`versionSchemas: views`, the default): a schema of views per app version, selected by
        /// search_path (PostgreSQL), or a database of views, selected as the connection's database (MySQL,
        /// `MySQLVersionSchemas`). Either needs the base schema.
        public var versionSchemas: Bool = true
    }

    public struct Runner: Sendable {
        public var tool: RunnerTool
        public var image: String?
        public var lockTimeout: Duration
        public var statementTimeout: Duration
        public var deadline: Duration
        public var backoffLimit: Int
        public var resources: Resources
        public var location: SourceLocation?
    }

    public struct Backfill: Sendable {
        public var batchSize: Int
        public var pause: Duration
    }

    public enum RolloutStep: Sendable, Equatable {
        case setWeight(Int)
        case pause(Duration)
    }

    public struct Analysis: Sendable {
        public var prometheus: String
        public var maxReplicationLagSeconds: Double?
        public var maxErrorRatio: Double?
        public var interval: Duration
        public var replicationLagQuery: String?
        public var errorRatioQuery: String?
    }

    public struct Rollout: Sendable {
        public var steps: [Located<RolloutStep>]
        public var analysis: Analysis?
        public var location: SourceLocation
    }

    public struct Switchover: Sendable {
        public var service: String
        public var maxReplicationLagSeconds: Double
        public var location: SourceLocation
    }

    public struct Snapshot: Sendable {
        public var volumeSnapshotClass: String
        public var persistentVolumeClaim: String?
    }

    public struct Checksum: Sendable {
        public var tables: [Located<String>]
        public var rangeSize: Int
    }

    /// `networkPolicy`: whether cutover isolates the database pods, and the extra clients it admits then.
    public struct NetworkPolicies: Sendable {
        /// One extra peer on the database port: pods by labels (this namespace unless `namespaceLabels`),
        /// namespaces by labels (all their pods unless `podLabels`), or both.
        public struct Client: Sendable {
            public var podLabels: [(key: String, value: String)]?
            public var namespaceLabels: [(key: String, value: String)]?
        }

        public var database: DatabaseIsolation = .open
        public var clients: [Client] = []
    }

    /// Where the spec came from: the path as given (for messages and headers) and its folder (for `schema`).
    public var sourcePath: String
    public var metadata: Metadata
    public var strategy: Strategy
    public var database: Database
    public var target: Target?
    public var replicationLocation: SourceLocation?
    public var app: App
    public var runner: Runner
    public var changes: [Change]
    public var backfill: Backfill
    public var rollout: Rollout?
    public var featureFlagKey: String?
    public var switchover: Switchover?
    public var snapshot: Snapshot?
    public var checksum: Checksum?
    public var purge: Bool
    /// Locations of top-level fields, for rules about presence ("target is only for blue-green").
    public var fieldLocations: [String: SourceLocation]
    public var networkPolicy: NetworkPolicies = .init()
    /// `acceptTableCopies`: tables whose MySQL table-copy steps the user accepts (CUT073 is not reported for them).
    public var acceptedTableCopies: [Name] = []

    public var name: String { metadata.name.value }
}
