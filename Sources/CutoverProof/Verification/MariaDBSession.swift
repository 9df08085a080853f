import CutoverPlan
import CMariaDB
import Foundation

/// A MariaDB/MySQL session over MariaDB Connector/C. A file is applied as `mariadb < file` applies
/// it: cut into statements by the client's rules (`ClientScript`: DELIMITER handled here, `/*! */`
/// executable comments sent to the server), each sent on its own (no multi-statement mode), stopping
/// at the first error, reported as the client reports it: `ERROR 1064 (42000) at line 57 of file:
/// message`. There is no client in between: a file with a client command (`\! cmd`, `system`,
/// `source`) or an unterminated quote is refused before anything is sent. LOCAL INFILE is off.
///
/// Every statement has a deadline (`timeout`: the connection's read timeout, and the server's
/// max_statement_time); past it the connection is closed and the session reconnects on the next call.
public final class MariaDBSession: SQLSession {
    public let engine = MigrationSpec.Engine.mysql
    public let connection: ConnectionParameters
    private let timeout: Double
    private var handle: UnsafeMutablePointer<MYSQL>?

    /// Connector/C's global state, set up once before any thread opens a connection.
    private static let library: Void = { _ = mysql_server_init(0, nil, nil) }()

    /// `client` is no longer run; the parameter stays for source compatibility.
    public init(connection: ConnectionParameters, client: String = "", timeout: Double = 120) throws {
        self.connection = connection
        self.timeout = timeout
        do {
            _ = try open()
        } catch let failure as StatementError {
            throw VerificationError.sessionFailed("cannot connect to MariaDB/MySQL database '\(connection.database)': \(failure.message)")
        }
    }

    deinit { close() }

    private func open() throws -> UnsafeMutablePointer<MYSQL> {
        if let handle { return handle }
        Self.library
        guard let mysql = mysql_init(nil) else { throw StatementError(message: "out of memory", code: 0, sqlState: nil) }
        var connectTimeout: UInt32 = 10
        var ioTimeout = UInt32(max(1, timeout.rounded(.up)))
        var off: UInt32 = 0
        mysql_options(mysql, MYSQL_OPT_CONNECT_TIMEOUT, &connectTimeout)
        mysql_options(mysql, MYSQL_OPT_READ_TIMEOUT, &ioTimeout)
        mysql_options(mysql, MYSQL_OPT_WRITE_TIMEOUT, &ioTimeout)
        mysql_options(mysql, MYSQL_OPT_LOCAL_INFILE, &off)
        mysql_options(mysql, MYSQL_SET_CHARSET_NAME, "utf8mb4")
        var protocolValue = (connection.socket != nil || connection.host == nil) ? MYSQL_PROTOCOL_SOCKET.rawValue : MYSQL_PROTOCOL_TCP.rawValue
        mysql_options(mysql, MYSQL_OPT_PROTOCOL, &protocolValue)
        let host = connection.socket != nil ? "localhost" : (connection.host ?? "localhost")
        let database = connection.database.isEmpty ? nil : connection.database
        guard mysql_real_connect(mysql, host, connection.user, connection.password, database,
                                 UInt32(connection.port ?? 0), connection.socket, UInt(CLIENT_MULTI_RESULTS)) != nil else {
            let error = StatementError(mysql)
            mysql_close(mysql)
            throw error
        }
        handle = mysql
        // The server stops a statement at the deadline too, so a hung one does not keep locks after
        // the client gave up (MariaDB; MySQL ignores the unknown variable only if this fails, hence try?).
        _ = try? send("SET SESSION max_statement_time = \(Int(timeout))")
        return mysql
    }

    /// A failed statement, as the mariadb client prints it.
    struct StatementError: Error {
        var message: String
        var code: UInt32
        var sqlState: String?

        init(message: String, code: UInt32, sqlState: String?) {
            self.message = message
            self.code = code
            self.sqlState = sqlState
        }

        init(_ mysql: UnsafeMutablePointer<MYSQL>) {
            code = mysql_errno(mysql)
            sqlState = String(cString: mysql_sqlstate(mysql))
            message = String(cString: mysql_error(mysql))
        }

        /// `ERROR 1064 (42000) at line 7 of x.sql: …`
        func rendered(line: Int? = nil, file: String? = nil) -> String {
            var place = ""
            if let line { place = " at line \(line)" + (file.map { " of \($0)" } ?? "") }
            return "ERROR \(code) (\(sqlState ?? "HY000"))\(place): \(message)"
        }
    }

    /// Sends one statement and returns the rows of all its result sets (NULL as nil).
    private func send(_ sql: String) throws -> [[String?]] {
        let mysql = try open()
        var rows: [[String?]] = []
        let bytes = Array(sql.utf8)
        if mysql_real_query(mysql, bytes, UInt(bytes.count)) != 0 {
            let error = StatementError(mysql)
            dropIfBroken(error)
            throw error
        }
        while true {
            if let result = mysql_store_result(mysql) {
                let columns = Int(mysql_num_fields(result))
                while let row = mysql_fetch_row(result) {
                    let lengths = mysql_fetch_lengths(result)
                    rows.append((0..<columns).map { column in
                        guard let value = row[column] else { return nil }
                        let length = Int(lengths?[column] ?? 0)
                        return value.withMemoryRebound(to: UInt8.self, capacity: length) {
                            String(decoding: UnsafeBufferPointer(start: $0, count: length), as: UTF8.self)
                        }
                    })
                }
                mysql_free_result(result)
            } else if mysql_field_count(mysql) != 0 {
                let error = StatementError(mysql)
                dropIfBroken(error)
                throw error
            }
            let next = mysql_next_result(mysql)
            if next == -1 { break }
            if next > 0 {
                let error = StatementError(mysql)
                dropIfBroken(error)
                throw error
            }
        }
        return rows
    }

    /// A lost connection or a read timeout leaves the handle unusable: the next call reconnects.
    private func dropIfBroken(_ error: StatementError) {
        // CR_SERVER_GONE_ERROR, CR_SERVER_LOST, CR_CONN_HOST_ERROR, CR_CONNECTION_ERROR, CR_COMMANDS_OUT_OF_SYNC
        if [2006, 2013, 2003, 2002, 2014].contains(error.code) { close() }
    }

    private func run(_ sql: String) throws -> [[String?]] {
        var rows: [[String?]] = []
        let statements: [ClientScript.Statement]
        do { statements = try ClientScript.statements(in: sql, engine: .mysql) } catch let refusal as ClientScript.Refusal {
            throw SQLFailure(refusal.message)
        }
        for statement in statements {
            do {
                rows += try send(statement.text)
            } catch let error as StatementError {
                throw SQLFailure(error.rendered())
            }
        }
        return rows
    }

    /// A database name in GRANT … ON db.*, where `_` and `%` are wildcards unless escaped.
    static func quoteGrantDatabase(_ name: String) -> String {
        quoteIdentifier(name.escapingScalars(["\\": "\\\\", "_": "\\_", "%": "\\%"]))
    }

    static func quoteIdentifier(_ name: String) -> String {
        "`" + name.doublingScalars("`") + "`"
    }

    public func apply(file path: String) throws {
        let text = try ClientScript.read(path)
        let name = (path as NSString).lastPathComponent
        let statements: [ClientScript.Statement]
        do { statements = try ClientScript.statements(in: text, engine: .mysql) } catch let refusal as ClientScript.Refusal {
            throw SQLFailure("\(name):\(refusal.line): \(refusal.message)")
        }
        for statement in statements {
            do {
                _ = try send(statement.text)
            } catch let error as StatementError {
                throw SQLFailure(error.rendered(line: statement.line, file: name))
            }
        }
    }

    public func execute(_ sql: String) throws {
        _ = try run(sql)
    }

    /// The first column of each row, NULL as "".
    public func query(_ sql: String) throws -> [String] {
        try run(sql).map { ($0.first ?? nil) ?? "" }
    }

    /// SHOW CREATE for every table, view, sequence, trigger, routine and event of the database, in
    /// name order, with AUTO_INCREMENT=n removed (it is data, not schema). Two round trips.
    public func snapshot() throws -> SchemaSnapshot {
        // A fixed sql_mode while reading: a dump leaves its own behind, SHOW CREATE output depends on it
        // (ANSI_QUOTES), and under ONLY_FULL_GROUP_BY SHOW CREATE VIEW fails on a view that groups by a
        // key and selects the columns it determines. The session's default comes back afterwards.
        _ = try run("SET SESSION sql_mode = 'NO_ENGINE_SUBSTITUTION'")
        defer { _ = try? run("SET SESSION sql_mode = DEFAULT") }
        let listing = try run("""
        SELECT CONCAT(CASE TABLE_TYPE WHEN 'VIEW' THEN 'VIEW' WHEN 'SEQUENCE' THEN 'SEQUENCE' ELSE 'TABLE' END, ' ', TABLE_NAME) \
        FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE();
        SELECT CONCAT('TRIGGER ', TRIGGER_NAME) FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = DATABASE();
        SELECT CONCAT(ROUTINE_TYPE, ' ', ROUTINE_NAME) FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = DATABASE();
        SELECT CONCAT('EVENT ', EVENT_NAME) FROM information_schema.EVENTS WHERE EVENT_SCHEMA = DATABASE();
        """)
        let objects = listing.map { ($0.first ?? nil) ?? "" }.compactMap { line -> (kind: String, name: String)? in
            guard let space = line.firstIndex(of: " ") else { return nil }
            return (String(line[..<space]), String(line[line.index(after: space)...]))
        }.sorted { ($0.kind, $0.name) < ($1.kind, $1.name) }
        guard !objects.isEmpty else { return SchemaSnapshot(lines: []) }
        let statements = objects.map { "SHOW CREATE \($0.kind) \(Self.quoteIdentifier($0.name));" }
        let rows = try run(statements.joined(separator: "\n"))
        guard rows.count == objects.count else {
            throw SQLFailure("snapshot: expected \(objects.count) SHOW CREATE rows, got \(rows.count)")
        }
        let autoIncrement = try NSRegularExpression(pattern: " AUTO_INCREMENT=[0-9]+")
        var lines: [String] = []
        for (object, columns) in zip(objects, rows) {
            // The column with the statement: Table/View/Sequence: 2nd; Trigger/Procedure/Function: 3rd; Event: 4th.
            let index: Int
            switch object.kind {
            case "TRIGGER", "PROCEDURE", "FUNCTION": index = 2
            case "EVENT": index = 3
            default: index = 1
            }
            var text = (index < columns.count ? columns[index] : nil) ?? ""
            if object.kind == "TABLE" {
                text = autoIncrement.stringByReplacingMatches(in: text, range: NSRange(text.startIndex..., in: text), withTemplate: "")
                text = SchemaSnapshot.mysqlKeysAsSet(text)
            }
            lines.append("-- \(object.kind) \(object.name)")
            lines += text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        }
        return SchemaSnapshot(lines: lines)
    }

    public func close() {
        if let handle { mysql_close(handle) }
        handle = nil
    }
}
