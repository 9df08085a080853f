import Yams

public struct ContainerPort: Sendable, Equatable {
    public var name: String
    public var containerPort: Int

    public init(name: String, containerPort: Int) {
        self.name = name
        self.containerPort = containerPort
    }

    public func node() -> Node {
        ManifestYAML.mapping([
            ("name", ManifestYAML.string(name)),
            ("containerPort", ManifestYAML.int(containerPort)),
            ("protocol", ManifestYAML.string("TCP")),
        ])
    }
}
