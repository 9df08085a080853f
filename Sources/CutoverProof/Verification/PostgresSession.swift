import CutoverPlan
import CLibPQ
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A PostgreSQL session over libpq. A file is applied as `psql -X -v ON_ERROR_STOP=1 -f` applies
/// it: cut into statements by psql's reading (`ClientScript`, `SQLLexer`), each sent as its own
/// simple query (so CREATE INDEX CONCURRENTLY runs outside a transaction), stopping at the first
/// error, reported as `file:line: ERROR:  message (SQLSTATE)` with the server's detail and hint.
/// There is no client in between: a file with a psql meta-command (`\connect`, `\!`) or an
/// unterminated quote is refused before anything is sent. psql variables (`:'blue_conninfo'`)
/// are substituted the way psql does.
///
/// Before each file the session runs `RESET ALL` (a file's `SET lock_timeout` must not leak into
/// the next one) and after it `ROLLBACK` when the file left a transaction open, as psql's exit would.
/// Every statement has a deadline (`timeout`, also the server's statement_timeout); a statement
/// past it is cancelled and the session reconnects on the next call, as it does after a broken
/// connection.
public final class PostgresSession: SQLSession {
    public let engine = MigrationSpec.Engine.postgresql
    public let connection: ConnectionParameters
    /// psql variables every file sees (e.g. `blue_conninfo` for a subscription on green).
    public let variables: [String: String]
    /// Custom settings passed as the runner passes them in PGOPTIONS (`-c name=value`), here in
    /// libpq's `options`, so they are the session's defaults and survive RESET ALL.
    public let settings: [String: String]
    /// libpq's `options` as a pod's `PGOPTIONS` env gives them, verbatim, after `settings` (rehearse's
    /// traffic of a version that selects its schema of views with the version-schemas ConfigMap's value).
    public let rawOptions: String
    public private(set) var serverVersion = 0
    /// Seconds one statement may take (client deadline and statement_timeout).
    private let timeout: Double
    private var handle: OpaquePointer?

    /// `psql` is no longer run; the parameter stays for source compatibility.
    public init(connection: ConnectionParameters, psql: String = "", variables: [String: String] = [:],
                settings: [String: String] = [:], rawOptions: String = "", timeout: Double = 120) throws {
        self.connection = connection
        self.variables = variables
        self.settings = settings
        self.rawOptions = rawOptions
        self.timeout = timeout
        do {
            _ = try open()
        } catch let failure as SQLFailure {
            throw VerificationError.sessionFailed("cannot connect to PostgreSQL database '\(connection.database)': \(failure.message)")
        }
        serverVersion = Int(PQserverVersion(handle))
    }

    deinit { close() }

    private func open() throws -> OpaquePointer {
        if let handle, PQstatus(handle) == CONNECTION_OK { return handle }
        close()
        var options = ["-c client_min_messages=warning", "-c statement_timeout=\(Int(timeout * 1000))"]
        options += settings.sorted { $0.key < $1.key }.map { "-c \($0.key)=\(Self.escapeOption($0.value))" }
        if !rawOptions.isEmpty { options.append(rawOptions) }
        var pairs: [(String, String)] = [
            ("dbname", connection.database), ("user", connection.user),
            ("application_name", "cutover-verify"), ("connect_timeout", "10"),
            ("options", options.joined(separator: " ")),
            // No ~/.pgpass, service file or PG* variable decides where verify connects.
            ("passfile", "/dev/null/none"), ("service", ""),
        ]
        if let host = connection.host { pairs.append(("host", host)) }
        if let port = connection.port { pairs.append(("port", String(port))) }
        if let password = connection.password { pairs.append(("password", password)) }
        if let sslMode = connection.sslMode { pairs.append(("sslmode", sslMode)) }
        let keys = pairs.map { strdup($0.0) }
        let values = pairs.map { strdup($0.1) }
        defer { (keys + values).forEach { free($0) } }
        let keyArray: [UnsafePointer<CChar>?] = keys.map { UnsafePointer($0) } + [nil]
        let valueArray: [UnsafePointer<CChar>?] = values.map { UnsafePointer($0) } + [nil]
        guard let connection = PQconnectdbParams(keyArray, valueArray, 0) else { throw SQLFailure("out of memory") }
        guard PQstatus(connection) == CONNECTION_OK else {
            let message = String(cString: PQerrorMessage(connection)).trimmingCharacters(in: .whitespacesAndNewlines)
            PQfinish(connection)
            throw SQLFailure(message)
        }
        // Notices (client_min_messages=warning lets warnings through) are not errors; psql prints
        // them to stderr, which verify never showed either.
        PQsetNoticeProcessor(connection, { _, _ in }, nil)
        handle = connection
        return connection
    }

    /// A value in libpq's `options`: spaces and backslashes escaped with a backslash.
    static func escapeOption(_ value: String) -> String {
        value.escapingScalars(["\\": "\\\\", " ": "\\ "])
    }

    /// The rows of one statement (all its result sets), each row's columns joined by `|` as `psql -A`
    /// prints them, NULL as "".
    private func send(_ sql: String) throws -> [String] {
        let connection = try open()
        guard PQsendQuery(connection, sql) == 1 else {
            let message = String(cString: PQerrorMessage(connection))
            close()
            throw StatementError(message: message.trimmingCharacters(in: .whitespacesAndNewlines), position: nil)
        }
        let deadline = Date().addingTimeInterval(timeout)
        var cancelled = false
        var rows: [String] = []
        var failure: StatementError?
        while true {
            while PQisBusy(connection) == 1 {
                let remaining = deadline.timeIntervalSinceNow
                if remaining <= 0 {
                    if cancelled {
                        close()
                        throw StatementError(message: "no answer from the server within \(Int(timeout)) s (the statement was cancelled; the connection is closed)", position: nil)
                    }
                    cancelled = true
                    if let cancel = PQgetCancel(connection) {
                        var buffer = [CChar](repeating: 0, count: 256)
                        _ = PQcancel(cancel, &buffer, 256)
                        PQfreeCancel(cancel)
                    }
                    continue
                }
                var descriptor = pollfd(fd: PQsocket(connection), events: Int16(POLLIN), revents: 0)
                let wait = cancelled ? min(remaining, 5) : min(remaining, 1)
                let ready = poll(&descriptor, 1, Int32(max(wait, 0.01) * 1000))
                if ready < 0 && errno != EINTR { close(); throw StatementError(message: "poll failed", position: nil) }
                if PQconsumeInput(connection) == 0 {
                    let message = String(cString: PQerrorMessage(connection)).trimmingCharacters(in: .whitespacesAndNewlines)
                    close()
                    throw StatementError(message: message, position: nil)
                }
            }
            guard let result = PQgetResult(connection) else { break }
            defer { PQclear(result) }
            switch PQresultStatus(result) {
            case PGRES_TUPLES_OK, PGRES_SINGLE_TUPLE:
                let count = PQntuples(result), columns = PQnfields(result)
                for row in 0..<count {
                    rows.append((0..<columns).map { column in
                        PQgetisnull(result, row, column) == 1 ? "" : String(cString: PQgetvalue(result, row, column))
                    }.joined(separator: "|"))
                }
            case PGRES_COPY_IN:
                // psql would read the data from the file; verify's sessions carry no data.
                _ = PQputCopyEnd(connection, "COPY FROM STDIN is not supported by cutover verify")
            case PGRES_COPY_OUT:
                var buffer: UnsafeMutablePointer<CChar>?
                while PQgetCopyData(connection, &buffer, 0) > 0 { PQfreemem(buffer) }
            case PGRES_FATAL_ERROR, PGRES_BAD_RESPONSE, PGRES_NONFATAL_ERROR:
                if failure == nil { failure = StatementError(result) }
            default:
                break
            }
        }
        if PQstatus(connection) != CONNECTION_OK { close() }
        if let failure {
            if cancelled, failure.sqlState == "57014" {
                throw StatementError(message: "the statement ran longer than \(Int(timeout)) s and was cancelled", position: nil)
            }
            throw failure
        }
        return rows
    }

    /// One failed statement: the server's message as psql prints it, and where in the statement.
    struct StatementError: Error {
        var message: String
        var position: Int?
        var sqlState: String?

        init(message: String, position: Int?) {
            self.message = message
            self.position = position
        }

        init(_ result: OpaquePointer) {
            func field(_ code: Int32) -> String? {
                guard let value = PQresultErrorField(result, code) else { return nil }
                return String(cString: value)
            }
            let severity = field(Int32(UInt8(ascii: "V"))) ?? field(Int32(UInt8(ascii: "S"))) ?? "ERROR"
            let primary = field(Int32(UInt8(ascii: "M"))) ?? String(cString: PQresultErrorMessage(result))
            sqlState = field(Int32(UInt8(ascii: "C")))
            var lines = ["\(severity):  \(primary)" + (sqlState.map { " (SQLSTATE \($0))" } ?? "")]
            if let detail = field(Int32(UInt8(ascii: "D"))) { lines.append("DETAIL:  \(detail)") }
            if let hint = field(Int32(UInt8(ascii: "H"))) { lines.append("HINT:  \(hint)") }
            if let context = field(Int32(UInt8(ascii: "W"))) { lines.append("CONTEXT:  \(context)") }
            message = lines.joined(separator: "\n").replacingOccurrences(of: "\t", with: "  ")
            position = field(Int32(UInt8(ascii: "P"))).flatMap(Int.init)
        }
    }

    /// Runs each statement of `sql` as its own query (as psql does with `-c`-less input), returning all rows.
    private func run(_ sql: String) throws -> [String] {
        var rows: [String] = []
        let statements: [ClientScript.Statement]
        do { statements = try ClientScript.statements(in: sql, engine: .postgresql) } catch let refusal as ClientScript.Refusal {
            throw SQLFailure(refusal.message)
        }
        for statement in statements {
            do {
                rows += try send(statement.text)
            } catch let error as StatementError {
                throw SQLFailure(error.message)
            }
        }
        return rows
    }

    public func apply(file path: String) throws {
        let text = try ClientScript.read(path)
        let name = (path as NSString).lastPathComponent
        let statements: [ClientScript.Statement]
        // pg_dump's own \restrict/\unrestrict lines (recognised exactly by the lexer) are psql's
        // business only; everything else a client would run is refused below.
        let script = SQLLexer.removingDumpRestrictLines(text)
        do { statements = try ClientScript.statements(in: script, engine: .postgresql, variables: variables) } catch let refusal as ClientScript.Refusal {
            throw SQLFailure("\(name):\(refusal.line): \(refusal.message)")
        }
        do { _ = try send("RESET ALL") } catch let error as StatementError { throw SQLFailure(error.message) }
        defer {
            if let handle, PQstatus(handle) == CONNECTION_OK, PQtransactionStatus(handle) != PQTRANS_IDLE {
                _ = try? send("ROLLBACK")
            }
        }
        for statement in statements {
            do {
                _ = try send(statement.text)
            } catch let error as StatementError {
                // The line of the error: the statement's first line, moved down to the reported position.
                var line = statement.line
                if let position = error.position {
                    line += statement.text.prefix(max(0, position - 1)).reduce(0) { $1 == "\n" ? $0 + 1 : $0 }
                }
                throw SQLFailure("\(name):\(line): \(error.message)")
            }
        }
        // A file's settings end with it, as they would with psql's session: pg_dump's
        // `set_config('search_path', '', false)` would otherwise leave this session seeing no
        // table by its bare name (a catalog read through current_schemas() then finds none).
        do { _ = try send("RESET ALL") } catch let error as StatementError { throw SQLFailure(error.message) }
    }

    public func execute(_ sql: String) throws {
        _ = try run(sql)
    }

    public func query(_ sql: String) throws -> [String] {
        try run(sql)
    }

    public func snapshot() throws -> SchemaSnapshot {
        // The catalog's definitions are printed relative to search_path: a raw pg_dump leaves it empty
        // for the rest of the session, and a snapshot taken then would qualify every name that later
        // ones (after a file's own RESET ALL) do not.
        try execute("RESET ALL")
        let rows = try query(PostgresCatalogQuery.snapshot(version: serverVersion))
        return SchemaSnapshot(lines: rows.flatMap { $0.split(separator: PostgresCatalogQuery.lineSeparator, omittingEmptySubsequences: false).map(String.init) })
    }

    /// Whether a server accepts connections there (PQping: no authentication, no session).
    static func ping(_ connection: ConnectionParameters) -> Bool {
        var pairs = [("dbname", connection.database), ("user", connection.user), ("connect_timeout", "2")]
        if let host = connection.host { pairs.append(("host", host)) }
        if let port = connection.port { pairs.append(("port", String(port))) }
        let keys = pairs.map { strdup($0.0) }, values = pairs.map { strdup($0.1) }
        defer { (keys + values).forEach { free($0) } }
        let keyArray: [UnsafePointer<CChar>?] = keys.map { UnsafePointer($0) } + [nil]
        let valueArray: [UnsafePointer<CChar>?] = values.map { UnsafePointer($0) } + [nil]
        return PQpingParams(keyArray, valueArray, 0) == PQPING_OK
    }

    public func close() {
        if let handle { PQfinish(handle) }
        handle = nil
    }
}
