import CutoverPlan

/// The server behind `--database-url`: cutover only connects to it (through libpq or MariaDB
/// Connector/C) and works in scratch databases it creates and drops; it never stops it.
public final class ExternalServer: DatabaseServer {
    public let engine: MigrationSpec.Engine
    public let admin: ConnectionParameters
    public let client: String
    public var summary: String {
        let place = admin.socket ?? admin.host.map { host in admin.port.map { "\(host):\($0)" } ?? host } ?? "the default socket"
        return "\(engine == .postgresql ? "PostgreSQL" : "MySQL/MariaDB") at \(place) as \(admin.user)"
    }

    public init(url: String, locator: ToolLocator = ToolLocator()) throws {
        admin = try ConnectionParameters.parse(url)
        engine = admin.engine
        // Sessions use the client libraries; a client program is only named for messages.
        client = engine == .postgresql ? (locator.postgresTool("psql") ?? "") : (locator.mariadbClient() ?? "")
    }

    public func stop() {}
}
