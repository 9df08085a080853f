import Yams

/// The pod-level security context for the Pod Security "restricted" profile.
public struct PodSecurityContext: Sendable, Equatable {
    public var runAsUser: Int
    public var runAsGroup: Int
    public var fsGroup: Int

    public init(runAsUser: Int, runAsGroup: Int, fsGroup: Int) {
        self.runAsUser = runAsUser
        self.runAsGroup = runAsGroup
        self.fsGroup = fsGroup
    }

    public func node() -> Node {
        ManifestYAML.mapping([
            ("runAsNonRoot", ManifestYAML.bool(true)),
            ("runAsUser", ManifestYAML.int(runAsUser)),
            ("runAsGroup", ManifestYAML.int(runAsGroup)),
            ("fsGroup", ManifestYAML.int(fsGroup)),
            ("seccompProfile", ManifestYAML.mapping([("type", ManifestYAML.string("RuntimeDefault"))])),
        ])
    }
}
