import Yams

/// One container: always `imagePullPolicy: Always`, with resources and a hardened security context.
public struct Container: Sendable, Equatable {
    public var name: String
    public var image: String
    public var command: [String]
    public var args: [String]
    public var env: [EnvVar]
    public var ports: [ContainerPort]
    public var readinessProbe: Probe?
    public var livenessProbe: Probe?
    public var resources: ResourceRequirements
    public var securityContext: SecurityContext
    public var volumeMounts: [VolumeMount]

    public init(name: String, image: String, command: [String] = [], args: [String] = [], env: [EnvVar] = [],
                ports: [ContainerPort] = [], readinessProbe: Probe? = nil, livenessProbe: Probe? = nil,
                resources: ResourceRequirements, securityContext: SecurityContext, volumeMounts: [VolumeMount]) {
        self.name = name
        self.image = image
        self.command = command
        self.args = args
        self.env = env
        self.ports = ports
        self.readinessProbe = readinessProbe
        self.livenessProbe = livenessProbe
        self.resources = resources
        self.securityContext = securityContext
        self.volumeMounts = volumeMounts
    }

    public func node() -> Node {
        ManifestYAML.mapping([
            ("name", ManifestYAML.string(name)),
            ("image", ManifestYAML.string(image)),
            ("imagePullPolicy", ManifestYAML.string("Always")),
            ("command", command.isEmpty ? nil : ManifestYAML.strings(command)),
            ("args", args.isEmpty ? nil : ManifestYAML.strings(args)),
            ("env", env.isEmpty ? nil : ManifestYAML.sequence(env.map { $0.node() })),
            ("ports", ports.isEmpty ? nil : ManifestYAML.sequence(ports.map { $0.node() })),
            ("readinessProbe", readinessProbe?.node()),
            ("livenessProbe", livenessProbe?.node()),
            ("resources", resources.node()),
            ("securityContext", securityContext.node()),
            ("volumeMounts", volumeMounts.isEmpty ? nil : ManifestYAML.sequence(volumeMounts.map { $0.node() })),
        ])
    }
}
