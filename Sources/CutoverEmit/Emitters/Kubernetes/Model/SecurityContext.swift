import Yams

/// The container-level security context: no privilege escalation, all capabilities dropped, non-root.
public struct SecurityContext: Sendable, Equatable {
    public var readOnlyRootFilesystem: Bool
    public var runAsUser: Int
    public var runAsGroup: Int

    public init(readOnlyRootFilesystem: Bool = true, runAsUser: Int, runAsGroup: Int) {
        self.readOnlyRootFilesystem = readOnlyRootFilesystem
        self.runAsUser = runAsUser
        self.runAsGroup = runAsGroup
    }

    public func node() -> Node {
        ManifestYAML.mapping([
            ("allowPrivilegeEscalation", ManifestYAML.bool(false)),
            ("readOnlyRootFilesystem", ManifestYAML.bool(readOnlyRootFilesystem)),
            ("runAsNonRoot", ManifestYAML.bool(true)),
            ("runAsUser", ManifestYAML.int(runAsUser)),
            ("runAsGroup", ManifestYAML.int(runAsGroup)),
            ("capabilities", ManifestYAML.mapping([("drop", ManifestYAML.strings(["ALL"]))])),
        ])
    }
}
