import Yams

/// A readiness or liveness probe on the named container port: TCP by default, HTTP GET when a path is set.
public struct Probe: Sendable, Equatable {
    public var port: String
    public var httpPath: String?
    public var initialDelaySeconds: Int
    public var periodSeconds: Int

    public init(port: String, httpPath: String? = nil, initialDelaySeconds: Int, periodSeconds: Int) {
        self.port = port
        self.httpPath = httpPath
        self.initialDelaySeconds = initialDelaySeconds
        self.periodSeconds = periodSeconds
    }

    public func node() -> Node {
        let action: (String, Node)
        if let path = httpPath {
            action = ("httpGet", ManifestYAML.mapping([("path", ManifestYAML.string(path)), ("port", ManifestYAML.string(port))]))
        } else {
            action = ("tcpSocket", ManifestYAML.mapping([("port", ManifestYAML.string(port))]))
        }
        return ManifestYAML.mapping([
            action,
            ("initialDelaySeconds", ManifestYAML.int(initialDelaySeconds)),
            ("periodSeconds", ManifestYAML.int(periodSeconds)),
        ])
    }
}
