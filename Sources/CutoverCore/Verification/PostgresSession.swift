import Foundation

/// A PostgreSQL session through one `psql -X -v ON_ERROR_STOP=1` child fed through a pipe: a file
/// is applied with `\i` (so it runs exactly as `psql -f` runs it, outside any implicit transaction,
/// and CREATE INDEX CONCURRENTLY works), followed by `\echo <marker>`. psql exits at the first
/// error; the session then reports the error and reconnects on the next call.
///
/// Before each file the session runs `RESET ALL` (a file's `SET lock_timeout` must not leak into the
/// next one) and after it `ROLLBACK` (a file that leaves a transaction open is rolled back, as when
/// its own psql process exits).
public final class PostgresSession: SQLSession {
    public let engine = MigrationSpec.Engine.postgresql
    public let connection: ConnectionParameters
    /// psql variables every file sees (e.g. `blue_conninfo` for a subscription on green).
    public let variables: [String: String]
    /// Custom settings passed as the runner passes them, in PGOPTIONS (`-c name=value`; no spaces in values).
    public let settings: [String: String]
    public private(set) var serverVersion = 0
    private let psql: String
    private let timeout: Double
    private var channel: ClientChannel?

    public init(connection: ConnectionParameters, psql: String, variables: [String: String] = [:],
                settings: [String: String] = [:], timeout: Double = 300) throws {
        self.connection = connection
        self.psql = psql
        self.variables = variables
        self.settings = settings
        self.timeout = timeout
        do {
            serverVersion = Int(try query("SHOW server_version_num;").first ?? "") ?? 0
        } catch let failure as SQLFailure {
            throw VerificationError.sessionFailed("cannot connect to PostgreSQL database '\(connection.database)': \(failure.message)")
        }
    }

    deinit { close() }

    private func open() throws -> ClientChannel {
        var arguments = ["-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1"]
        for (name, value) in variables.sorted(by: { $0.key < $1.key }) { arguments += ["-v", "\(name)=\(value)"] }
        var environment = connection.clientEnvironment()
        environment["PGOPTIONS"] = (["-c client_min_messages=warning"] + settings.sorted { $0.key < $1.key }.map {
            "-c \($0.key)=\($0.value.replacingOccurrences(of: " ", with: "\\ "))"
        }).joined(separator: " ")
        return try ClientChannel(psql, arguments, environment: environment, label: "psql")
    }

    private func run(_ input: String) throws -> [String] {
        let channel = try self.channel ?? open()
        self.channel = channel
        do {
            return try channel.exchange(input, markerCommand: "\\echo \(channel.marker)", timeout: timeout)
        } catch let failure as ClientChannel.Failure {
            channel.close()
            self.channel = nil
            switch failure {
            case .exited(let stderr, let status): throw SQLFailure(Self.message(stderr, status: status))
            case .timedOut(let seconds): throw SQLFailure("no answer from psql within \(Int(seconds)) s (a statement hangs?)")
            }
        }
    }

    /// psql's error output, with the file path shortened to its name: `0003_x.up.sql:7: ERROR: …`.
    static func message(_ stderr: String, status: Int32) -> String {
        var lines: [String] = []
        for raw in stderr.split(separator: "\n", omittingEmptySubsequences: true) {
            var line = String(raw)
            if line.contains("there is no transaction in progress") { continue }
            if line.hasPrefix("psql:"), let range = line.range(of: #"^psql:(.*/)?"#, options: .regularExpression) {
                line.removeSubrange(range)
            }
            lines.append(line.replacingOccurrences(of: "\t", with: "  "))
        }
        if lines.isEmpty { return "psql exited with status \(status)" }
        return lines.prefix(8).joined(separator: "\n")
    }

    /// `\i` argument quoting: single quotes, with backslashes and quotes escaped as psql reads them.
    static func quotedPath(_ path: String) -> String {
        "'" + path.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "''") + "'"
    }

    public func apply(file path: String) throws {
        _ = try run("RESET ALL;\n\\i \(Self.quotedPath(path))\nROLLBACK;")
    }

    public func execute(_ sql: String) throws {
        _ = try run(sql.hasSuffix(";") ? sql : sql + ";")
    }

    public func query(_ sql: String) throws -> [String] {
        try run(sql.hasSuffix(";") ? sql : sql + ";")
    }

    public func snapshot() throws -> SchemaSnapshot {
        let rows = try query(PostgresCatalogQuery.snapshot(version: serverVersion))
        return SchemaSnapshot(lines: rows.flatMap { $0.split(separator: PostgresCatalogQuery.lineSeparator, omittingEmptySubsequences: false).map(String.init) })
    }

    public func close() {
        channel?.close()
        channel = nil
    }
}
