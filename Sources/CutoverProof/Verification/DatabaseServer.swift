import CutoverPlan
import Foundation

/// A server verification runs on: a throwaway one it started, or the one behind --database-url.
public protocol DatabaseServer: AnyObject {
    var engine: MigrationSpec.Engine { get }
    /// Where to connect for administration (creating and dropping the scratch databases).
    var admin: ConnectionParameters { get }
    /// One line for the user: what this server is and where.
    var summary: String { get }
    /// The client program (psql or mariadb) when installed, else "": for tools that run the Jobs'
    /// client (rehearse). verify's sessions use the client libraries, never this program.
    var client: String { get }
    /// Stops a server cutover started (by its PID only) and removes its folder; a no-op for a server it did not start.
    func stop()
}

extension DatabaseServer {
    /// Opens a session on `database` of this server.
    public func session(database: String, variables: [String: String] = [:], settings: [String: String] = [:]) throws -> SQLSession {
        switch engine {
        case .postgresql:
            return try PostgresSession(connection: admin.with(database: database), psql: client, variables: variables, settings: settings)
        case .mysql:
            return try MariaDBSession(connection: admin.with(database: database), client: client)
        }
    }

    /// Creates an empty database (UTF-8) that `owner` owns (PostgreSQL) or has every right on, and
    /// only on (MariaDB); fails when it exists.
    func createDatabase(_ name: String, owner: ScratchOwner, using session: SQLSession) throws {
        switch engine {
        case .postgresql:
            try session.execute("CREATE DATABASE \(PostgresIdentifier.quote(name)) OWNER \(PostgresIdentifier.quote(owner.name)) TEMPLATE template0 ENCODING 'UTF8'")
        case .mysql:
            try createDatabase(name, using: session)
            try session.execute("GRANT ALL PRIVILEGES ON \(MariaDBSession.quoteGrantDatabase(name)).* TO \(owner.mariadbAccount)")
        }
    }

    /// Creates an empty database (UTF-8); fails when it exists.
    public func createDatabase(_ name: String, using session: SQLSession) throws {
        switch engine {
        case .postgresql:
            try session.execute("CREATE DATABASE \(PostgresIdentifier.quote(name)) TEMPLATE template0 ENCODING 'UTF8'")
        case .mysql:
            try session.execute("CREATE DATABASE \(MariaDBSession.quoteIdentifier(name)) CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
        }
    }

    /// Drops a database, ending other sessions on it first (PostgreSQL).
    public func dropDatabase(_ name: String, using session: SQLSession) throws {
        switch engine {
        case .postgresql:
            let literal = "'" + name.doublingScalars("'") + "'"
            // Subscriptions in the database keep a replication slot elsewhere; detach them so DROP DATABASE works.
            _ = try? session.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = \(literal) AND pid <> pg_backend_pid()")
            try session.execute("DROP DATABASE IF EXISTS \(PostgresIdentifier.quote(name))")
        case .mysql:
            try session.execute("DROP DATABASE IF EXISTS \(MariaDBSession.quoteIdentifier(name))")
        }
    }
}

/// PostgreSQL identifier quoting ("…" with quotes doubled).
enum PostgresIdentifier {
    static func quote(_ name: String) -> String {
        "\"" + name.doublingScalars("\"") + "\""
    }

    static func literal(_ text: String) -> String {
        "'" + text.doublingScalars("'") + "'"
    }
}
