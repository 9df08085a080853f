import CutoverPlan
import Foundation

/// The account the spec's SQL runs as during verify: not a superuser, and with rights on the
/// scratch databases only, so a base schema or step cannot reach the host or another database
/// through the server.
///
/// PostgreSQL: a LOGIN role with NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS and
/// no membership (so none of pg_execute_server_program, pg_read_server_files, pg_write_server_files);
/// it owns the scratch databases (hence their public schema on PostgreSQL 15+), and may create
/// trusted extensions there, nothing else. MariaDB/MySQL: a user with ALL PRIVILEGES on the scratch
/// databases only (database-level privileges: never FILE, SUPER, PROCESS or any other global one).
///
/// On a throwaway server the account is `cutover_owner`; behind --database-url it is named after
/// the scratch databases, with a random password, and dropped with them.
struct ScratchOwner: Sendable {
    let engine: MigrationSpec.Engine
    let name: String
    let password: String
    /// MariaDB: the host part of the account ('localhost' for a socket, '%' over TCP).
    let host: String

    static func local(_ engine: MigrationSpec.Engine) -> ScratchOwner {
        ScratchOwner(engine: engine, name: "cutover_owner", password: randomPassword(), host: "localhost")
    }

    static func external(_ admin: ConnectionParameters, suffix: String) -> ScratchOwner {
        let socket = admin.socket != nil || admin.host == nil || admin.host?.hasPrefix("/") == true
        return ScratchOwner(engine: admin.engine, name: "cutover_verify_\(suffix)", password: randomPassword(),
                            host: socket ? "localhost" : "%")
    }

    private static func randomPassword() -> String {
        UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
    }

    /// `'name'@'host'` for MariaDB statements.
    var mariadbAccount: String { "'\(name)'@'\(host)'" }

    func create(on server: DatabaseServer, using admin: SQLSession) throws {
        switch engine {
        case .postgresql:
            try admin.execute("CREATE ROLE \(PostgresIdentifier.quote(name)) LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE "
                              + "NOREPLICATION NOBYPASSRLS PASSWORD \(PostgresIdentifier.literal(password))")
            // CREATE DATABASE … OWNER needs the admin to be a member of the owner (PostgreSQL 15 does
            // not make a CREATEROLE admin one): the admin gains the owner's rights, never the reverse.
            try admin.execute("GRANT \(PostgresIdentifier.quote(name)) TO CURRENT_USER")
        case .mysql:
            try admin.execute("CREATE USER \(mariadbAccount) IDENTIFIED BY '\(password)'")
        }
    }

    func drop(using admin: SQLSession) throws {
        switch engine {
        case .postgresql: try admin.execute("DROP ROLE IF EXISTS \(PostgresIdentifier.quote(name))")
        case .mysql: try admin.execute("DROP USER IF EXISTS \(mariadbAccount)")
        }
    }

    /// A session on `database` of `server` as this account.
    func session(on server: DatabaseServer, database: String, variables: [String: String] = [:],
                 settings: [String: String] = [:]) throws -> SQLSession {
        var connection = server.admin.with(database: database)
        connection.user = name
        connection.password = password
        switch engine {
        case .postgresql:
            return try PostgresSession(connection: connection, variables: variables, settings: settings)
        case .mysql:
            return try MariaDBSession(connection: connection)
        }
    }
}
