import CutoverPlan
import Foundation

/// Where a client connects: a Unix socket folder/file or a host and port, a user, and a database.
/// Passwords travel to the clients through the environment (PGPASSWORD, MYSQL_PWD), never argv.
public struct ConnectionParameters: Sendable, Equatable {
    public var engine: MigrationSpec.Engine
    /// PostgreSQL: a host name or a socket folder (starts with '/'). MariaDB: a host name.
    public var host: String?
    public var port: Int?
    /// MariaDB: the socket file.
    public var socket: String?
    public var user: String
    public var password: String?
    public var database: String
    /// PostgreSQL `sslmode` from the URL, when given.
    public var sslMode: String?

    public init(engine: MigrationSpec.Engine, host: String? = nil, port: Int? = nil, socket: String? = nil,
                user: String, password: String? = nil, database: String, sslMode: String? = nil) {
        self.engine = engine
        self.host = host
        self.port = port
        self.socket = socket
        self.user = user
        self.password = password
        self.database = database
        self.sslMode = sslMode
    }

    /// A Unix socket or a loopback address: the server is on this machine.
    public var isLocal: Bool {
        if socket != nil { return true }
        guard let host, !host.isEmpty else { return true }  // libpq / Connector/C default: the local socket
        if host.hasPrefix("/") || host.hasPrefix("@") { return true }
        let name = host.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        return name == "localhost" || name == "::1" || name.hasPrefix("127.")
    }

    public func with(database: String) -> ConnectionParameters {
        var copy = self
        copy.database = database
        return copy
    }

    /// Parses `postgresql://user:pass@host:port/db?sslmode=…` (also `postgres://`) and
    /// `mysql://user:pass@host:port/db` (also `mariadb://`). A `host` query item may name a socket.
    public static func parse(_ text: String) throws -> ConnectionParameters {
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased() else {
            throw VerificationError.badURL("not a URL (expected postgresql://… or mysql://…)")
        }
        let engine: MigrationSpec.Engine
        switch scheme {
        case "postgresql", "postgres": engine = .postgresql
        case "mysql", "mariadb": engine = .mysql
        default: throw VerificationError.badURL("unsupported scheme '\(scheme)' (expected postgresql:// or mysql://)")
        }
        var query: [String: String] = [:]
        for item in components.queryItems ?? [] { query[item.name] = item.value ?? "" }
        let path = components.percentEncodedPath.drop { $0 == "/" }
        let database = String(path).removingPercentEncoding ?? String(path)
        var host = components.percentEncodedHost?.removingPercentEncoding
        if host?.isEmpty == true { host = nil }
        var socket: String?
        if let queryHost = query["host"], !queryHost.isEmpty {
            if engine == .mysql { socket = queryHost } else { host = queryHost }
        }
        if engine == .mysql, let s = query["socket"], !s.isEmpty { socket = s }
        var port = components.port
        if port == nil, let p = query["port"].flatMap(Int.init) { port = p }
        let user = components.percentEncodedUser?.removingPercentEncoding
            ?? (engine == .postgresql ? "postgres" : "root")
        return ConnectionParameters(
            engine: engine, host: host, port: port, socket: socket, user: user,
            password: components.percentEncodedPassword?.removingPercentEncoding,
            database: database.isEmpty ? (engine == .postgresql ? "postgres" : "") : database,
            sslMode: query["sslmode"])
    }

    /// A libpq key/value connection string (for a subscription's CONNECTION), values quoted.
    public var libpqConninfo: String {
        func quote(_ value: String) -> String {
            "'" + value.escapingScalars(["\\": "\\\\", "'": "\\'"]) + "'"
        }
        var parts: [String] = []
        if let host { parts.append("host=\(quote(host))") }
        if let port { parts.append("port=\(port)") }
        parts.append("dbname=\(quote(database))")
        parts.append("user=\(quote(user))")
        if let password { parts.append("password=\(quote(password))") }
        if let sslMode { parts.append("sslmode=\(quote(sslMode))") }
        return parts.joined(separator: " ")
    }

    /// A libpq URI (`postgresql://user:pass@host:port/db?host=/socket/folder`), with no spaces, so it
    /// can travel in PGOPTIONS as `-c cutover.blue_conninfo=URI`, as the runner passes it.
    public var libpqURI: String {
        let allowed = Foundation.CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
        func encode(_ value: String) -> String { value.addingPercentEncoding(withAllowedCharacters: allowed) ?? value }
        var uri = "postgresql://" + encode(user) + (password.map { ":" + encode($0) } ?? "") + "@"
        var query: [String] = []
        if let host {
            if host.hasPrefix("/") { query.append("host=" + encode(host)) } else { uri += encode(host) }
        }
        if let port {
            if host?.hasPrefix("/") == true { query.append("port=\(port)") } else { uri += ":\(port)" }
        }
        uri += "/" + encode(database)
        if let sslMode { query.append("sslmode=" + encode(sslMode)) }
        if !query.isEmpty { uri += "?" + query.joined(separator: "&") }
        return uri
    }

    /// Environment for psql (libpq reads these) or the mariadb client (the password only).
    public func clientEnvironment(base: [String: String] = ProcessInfo.processInfo.environment) -> [String: String] {
        var env = base
        for key in ["PGHOST", "PGPORT", "PGUSER", "PGPASSWORD", "PGDATABASE", "PGSERVICE", "PGOPTIONS", "PGSSLMODE",
                    "MYSQL_PWD", "MYSQL_HOST", "MYSQL_TCP_PORT", "MYSQL_UNIX_PORT"] {
            env.removeValue(forKey: key)
        }
        switch engine {
        case .postgresql:
            if let host { env["PGHOST"] = host }
            if let port { env["PGPORT"] = String(port) }
            env["PGUSER"] = user
            env["PGDATABASE"] = database
            if let password { env["PGPASSWORD"] = password }
            if let sslMode { env["PGSSLMODE"] = sslMode }
            env["PGAPPNAME"] = "cutover-verify"
        case .mysql:
            if let password { env["MYSQL_PWD"] = password }
        }
        return env
    }

    /// Arguments for the mariadb client (before the database name).
    public var mariadbArguments: [String] {
        var args = ["--no-defaults"]
        if let socket { args.append("--socket=\(socket)") }
        if let host { args.append("--host=\(host)") }
        if let port { args.append("--port=\(port)") }
        if socket == nil && host == nil { args.append("--protocol=socket") }
        if host != nil && socket == nil { args.append("--protocol=tcp") }
        args.append("--user=\(user)")
        return args
    }
}
