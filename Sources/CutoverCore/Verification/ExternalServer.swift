/// The server behind `--database-url`: cutover only connects to it (with psql or the mariadb
/// client) and works in scratch databases it creates and drops; it never stops it.
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
        switch engine {
        case .postgresql:
            guard let psql = locator.postgresTool("psql") else {
                throw VerificationError.noServer("--database-url needs psql (PostgreSQL client) in PATH")
            }
            client = psql
        case .mysql:
            guard let mariadb = locator.mariadbClient() else {
                throw VerificationError.noServer("--database-url needs the mariadb (or mysql) client in PATH")
            }
            client = mariadb
        }
    }

    public func stop() {}
}
