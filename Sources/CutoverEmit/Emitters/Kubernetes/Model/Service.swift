import Yams

/// `v1 Service` of type ClusterIP with one TCP port.
public struct Service: KubernetesObject, Equatable {
    public var apiVersion: String { "v1" }
    public var kind: String { "Service" }
    public var metadata: ObjectMeta
    public var selector: [KeyValue]
    public var portName: String
    public var port: Int

    public init(metadata: ObjectMeta, selector: [KeyValue], portName: String, port: Int) {
        self.metadata = metadata
        self.selector = selector
        self.portName = portName
        self.port = port
    }

    public func bodyFields() -> [(String, Node?)] {
        [("spec", ManifestYAML.mapping([
            ("type", ManifestYAML.string("ClusterIP")),
            ("selector", KeyValue.node(selector)),
            ("ports", ManifestYAML.sequence([ManifestYAML.mapping([
                ("name", ManifestYAML.string(portName)),
                ("protocol", ManifestYAML.string("TCP")),
                ("port", ManifestYAML.int(port)),
                ("targetPort", ManifestYAML.int(port)),
            ])])),
        ]))]
    }
}
