import Yams

/// `v1 ConfigMap` with string data in the given order.
public struct ConfigMap: KubernetesObject, Equatable {
    public var apiVersion: String { "v1" }
    public var kind: String { "ConfigMap" }
    public var metadata: ObjectMeta
    public var data: [KeyValue]

    public init(metadata: ObjectMeta, data: [KeyValue]) {
        self.metadata = metadata
        self.data = data
    }

    public func bodyFields() -> [(String, Node?)] {
        [("data", data.isEmpty ? nil : KeyValue.node(data))]
    }
}
