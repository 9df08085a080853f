import Yams

/// Zalando's `acid.zalan.do/v1 postgresql`: the green cluster of a blue-green move. The name must
/// start with `<teamId>-`; version, cpu and memory are strings.
public struct ZalandoPostgresql: KubernetesObject, Equatable {
    public var apiVersion: String { "acid.zalan.do/v1" }
    public var kind: String { "postgresql" }
    public var metadata: ObjectMeta
    public var teamId: String
    public var numberOfInstances: Int
    public var version: String
    public var parameters: [KeyValue]
    public var volumeSize: String
    public var storageClass: String?
    public var resources: ResourceRequirements?
    /// Database name → owner user; each owner is created without extra flags.
    public var databases: [KeyValue]
    /// Logical slot name → database: Patroni's permanent slots (`spec.patroni.slots`), which it keeps
    /// on the primary and, from Patroni 2.1, on the replicas, so a failover keeps them.
    public var logicalSlots: [KeyValue] = []

    public init(metadata: ObjectMeta, teamId: String, numberOfInstances: Int, version: String, parameters: [KeyValue],
                volumeSize: String, storageClass: String?, resources: ResourceRequirements?, databases: [KeyValue]) {
        self.metadata = metadata
        self.teamId = teamId
        self.numberOfInstances = numberOfInstances
        self.version = version
        self.parameters = parameters
        self.volumeSize = volumeSize
        self.storageClass = storageClass
        self.resources = resources
        self.databases = databases
    }

    public func bodyFields() -> [(String, Node?)] {
        let owners = Array(Set(databases.map(\.value))).sorted()
        return [("spec", ManifestYAML.mapping([
            ("teamId", ManifestYAML.string(teamId)),
            ("numberOfInstances", ManifestYAML.int(numberOfInstances)),
            ("postgresql", ManifestYAML.mapping([
                ("version", Node(version, Tag(.str), .singleQuoted)),
                ("parameters", parameters.isEmpty ? nil : KeyValue.node(parameters)),
            ])),
            ("volume", ManifestYAML.mapping([
                ("size", ManifestYAML.string(volumeSize)),
                ("storageClass", storageClass.map(ManifestYAML.string)),
            ])),
            ("resources", resources.map { $0.node() }),
            ("users", owners.isEmpty ? nil : ManifestYAML.mapping(owners.map { ($0, ManifestYAML.sequence([])) })),
            ("databases", databases.isEmpty ? nil : KeyValue.node(databases)),
            ("patroni", logicalSlots.isEmpty ? nil : ManifestYAML.mapping([
                ("slots", ManifestYAML.mapping(logicalSlots.map { slot in
                    (slot.key, ManifestYAML.mapping([("type", ManifestYAML.string("logical")), ("database", ManifestYAML.string(slot.value)),
                                                     ("plugin", ManifestYAML.string("pgoutput"))]))
                })),
            ])),
        ]))]
    }
}
