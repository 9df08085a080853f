import Yams

public struct VolumeMount: Sendable, Equatable {
    public var name: String
    public var mountPath: String
    public var readOnly: Bool

    public init(name: String, mountPath: String, readOnly: Bool = false) {
        self.name = name
        self.mountPath = mountPath
        self.readOnly = readOnly
    }

    public func node() -> Node {
        ManifestYAML.mapping([
            ("name", ManifestYAML.string(name)),
            ("mountPath", ManifestYAML.string(mountPath)),
            ("readOnly", readOnly ? ManifestYAML.bool(true) : nil),
        ])
    }
}
