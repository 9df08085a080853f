import Yams

/// Bitpoke's `mysql.presslabs.org/v1alpha1 MysqlCluster`: the green cluster of a MySQL blue-green move.
public struct MysqlCluster: KubernetesObject, Equatable {
    public var apiVersion: String { "mysql.presslabs.org/v1alpha1" }
    public var kind: String { "MysqlCluster" }
    public var metadata: ObjectMeta
    public var replicas: Int
    public var secretName: String
    public var mysqlVersion: String
    public var volumeSize: String
    public var storageClass: String?
    public var resources: ResourceRequirements?

    public init(metadata: ObjectMeta, replicas: Int, secretName: String, mysqlVersion: String, volumeSize: String,
                storageClass: String?, resources: ResourceRequirements?) {
        self.metadata = metadata
        self.replicas = replicas
        self.secretName = secretName
        self.mysqlVersion = mysqlVersion
        self.volumeSize = volumeSize
        self.storageClass = storageClass
        self.resources = resources
    }

    public func bodyFields() -> [(String, Node?)] {
        [("spec", ManifestYAML.mapping([
            ("replicas", ManifestYAML.int(replicas)),
            ("secretName", ManifestYAML.string(secretName)),
            ("mysqlVersion", Node(mysqlVersion, Tag(.str), .singleQuoted)),
            ("volumeSpec", ManifestYAML.mapping([("persistentVolumeClaim", ManifestYAML.mapping([
                ("accessModes", ManifestYAML.strings(["ReadWriteOnce"])),
                ("storageClassName", storageClass.map(ManifestYAML.string)),
                ("resources", ManifestYAML.mapping([("requests", ManifestYAML.mapping([("storage", ManifestYAML.string(volumeSize))]))])),
            ]))])),
            ("podSpec", resources.map { ManifestYAML.mapping([("resources", $0.node())]) }),
        ]))]
    }
}
