import Yams

/// A pod spec without a service-account token, with a pod security context and its volumes.
public struct PodSpec: Sendable, Equatable {
    public var serviceAccountName: String?
    public var restartPolicy: String?
    /// Seconds between TERM and KILL; nil leaves Kubernetes' default (30).
    public var terminationGracePeriodSeconds: Int?
    public var securityContext: PodSecurityContext
    public var containers: [Container]
    public var volumes: [Volume]

    public init(serviceAccountName: String? = nil, restartPolicy: String? = nil, terminationGracePeriodSeconds: Int? = nil,
                securityContext: PodSecurityContext, containers: [Container], volumes: [Volume]) {
        self.serviceAccountName = serviceAccountName
        self.restartPolicy = restartPolicy
        self.terminationGracePeriodSeconds = terminationGracePeriodSeconds
        self.securityContext = securityContext
        self.containers = containers
        self.volumes = volumes
    }

    public func node() -> Node {
        ManifestYAML.mapping([
            ("serviceAccountName", serviceAccountName.map(ManifestYAML.string)),
            ("automountServiceAccountToken", ManifestYAML.bool(false)),
            ("restartPolicy", restartPolicy.map(ManifestYAML.string)),
            ("terminationGracePeriodSeconds", terminationGracePeriodSeconds.map(ManifestYAML.int)),
            ("securityContext", securityContext.node()),
            ("containers", ManifestYAML.sequence(containers.map { $0.node() })),
            ("volumes", volumes.isEmpty ? nil : ManifestYAML.sequence(volumes.map { $0.node() })),
        ])
    }
}
