import Foundation

/// A MariaDB/MySQL session through one `mariadb --batch` child fed through a pipe. A file's text is
/// written to the client as `mariadb < file` would read it (client commands such as `DELIMITER`
/// work), then `DELIMITER ;` and a `SELECT` of the marker. Without `--force` the client exits at the
/// first error, as it does for a file; the session reports the error and reconnects on the next call.
public final class MariaDBSession: SQLSession {
    public let engine = MigrationSpec.Engine.mysql
    public let connection: ConnectionParameters
    private let client: String
    private let timeout: Double
    private var channel: ClientChannel?
    /// Lines written to the current client, to turn its "at line N" into a line of the file.
    private var linesSent = 0

    public init(connection: ConnectionParameters, client: String, timeout: Double = 300) throws {
        self.connection = connection
        self.client = client
        self.timeout = timeout
        do {
            _ = try query("SELECT VERSION();")
        } catch let failure as SQLFailure {
            throw VerificationError.sessionFailed("cannot connect to MariaDB/MySQL database '\(connection.database)': \(failure.message)")
        }
    }

    deinit { close() }

    private func open() throws -> ClientChannel {
        var arguments = connection.mariadbArguments + ["--batch", "--skip-column-names", "--unbuffered",
                                                       "--default-character-set=utf8mb4"]
        if !connection.database.isEmpty { arguments.append(connection.database) }
        linesSent = 0
        return try ClientChannel(client, arguments, environment: connection.clientEnvironment(), label: "mariadb")
    }

    private func run(_ input: String, fileName: String? = nil) throws -> [String] {
        let channel = try self.channel ?? open()
        self.channel = channel
        let firstLine = linesSent
        let markerCommand = "SELECT '\(channel.marker)';"
        linesSent += input.reduce(into: 0) { count, c in if c == "\n" { count += 1 } } + 2
        do {
            return try channel.exchange(input, markerCommand: markerCommand, timeout: timeout)
        } catch let failure as ClientChannel.Failure {
            channel.close()
            self.channel = nil
            switch failure {
            case .exited(let stderr, let status):
                throw SQLFailure(Self.message(stderr, status: status, firstLine: firstLine, fileName: fileName))
            case .timedOut(let seconds):
                throw SQLFailure("no answer from the mariadb client within \(Int(seconds)) s (a statement hangs?)")
            }
        }
    }

    /// The client's "ERROR 1064 (42000) at line 57: …", with the line counted from the file's start.
    static func message(_ stderr: String, status: Int32, firstLine: Int, fileName: String?) -> String {
        var lines: [String] = []
        for raw in stderr.split(separator: "\n", omittingEmptySubsequences: true) {
            var line = String(raw)
            if line.allSatisfy({ $0 == "-" }) { continue }  // the client frames the failing statement with dashes
            if let match = line.range(of: #" at line [0-9]+"#, options: .regularExpression) {
                let number = Int(line[match].drop { !$0.isNumber }) ?? 0
                let inFile = number - firstLine
                line.replaceSubrange(match, with: inFile > 0 ? " at line \(inFile)\(fileName.map { " of \($0)" } ?? "")" : "")
            }
            lines.append(line)
        }
        if lines.isEmpty { return "mariadb client exited with status \(status)" }
        return lines.prefix(8).joined(separator: "\n")
    }

    /// Undoes the batch-mode escaping of a value: \n, \t, \\, \0.
    static func unescape(_ text: Substring) -> String {
        guard text.contains("\\") else { return String(text) }
        var out = ""
        var escaped = false
        for c in text {
            if escaped {
                switch c {
                case "n": out.append("\n")
                case "t": out.append("\t")
                case "0": out.append("\0")
                default: out.append(c)
                }
                escaped = false
            } else if c == "\\" {
                escaped = true
            } else {
                out.append(c)
            }
        }
        return out
    }

    static func quoteIdentifier(_ name: String) -> String {
        "`" + name.replacingOccurrences(of: "`", with: "``") + "`"
    }

    public func apply(file path: String) throws {
        guard let data = FileManager.default.contents(atPath: path) else { throw SQLFailure("cannot read \(path)") }
        let text = String(decoding: data, as: UTF8.self)
        _ = try run(text + "\nDELIMITER ;", fileName: (path as NSString).lastPathComponent)
    }

    public func execute(_ sql: String) throws {
        _ = try run(sql.hasSuffix(";") ? sql : sql + ";")
    }

    public func query(_ sql: String) throws -> [String] {
        try run(sql.hasSuffix(";") ? sql : sql + ";").map { row in
            Self.unescape(row.split(separator: "\t", maxSplits: 1, omittingEmptySubsequences: false).first ?? "")
        }
    }

    /// SHOW CREATE for every table, view, sequence, trigger, routine and event of the database, in
    /// name order, with AUTO_INCREMENT=n removed (it is data, not schema). Two round trips.
    public func snapshot() throws -> SchemaSnapshot {
        let listing = try run("""
        SELECT CONCAT(CASE TABLE_TYPE WHEN 'VIEW' THEN 'VIEW' WHEN 'SEQUENCE' THEN 'SEQUENCE' ELSE 'TABLE' END, ' ', TABLE_NAME) \
        FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE();
        SELECT CONCAT('TRIGGER ', TRIGGER_NAME) FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = DATABASE();
        SELECT CONCAT(ROUTINE_TYPE, ' ', ROUTINE_NAME) FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = DATABASE();
        SELECT CONCAT('EVENT ', EVENT_NAME) FROM information_schema.EVENTS WHERE EVENT_SCHEMA = DATABASE();
        """)
        let objects = listing.map { Self.unescape(Substring($0)) }.compactMap { line -> (kind: String, name: String)? in
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
        for (object, row) in zip(objects, rows) {
            let columns = row.split(separator: "\t", omittingEmptySubsequences: false)
            // The column with the statement: Table/View/Sequence: 2nd; Trigger/Procedure/Function: 3rd; Event: 4th.
            let index: Int
            switch object.kind {
            case "TRIGGER", "PROCEDURE", "FUNCTION": index = 2
            case "EVENT": index = 3
            default: index = 1
            }
            var text = index < columns.count ? Self.unescape(columns[index]) : row
            if object.kind == "TABLE" {
                text = autoIncrement.stringByReplacingMatches(in: text, range: NSRange(text.startIndex..., in: text), withTemplate: "")
            }
            lines.append("-- \(object.kind) \(object.name)")
            lines += text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        }
        return SchemaSnapshot(lines: lines)
    }

    public func close() {
        channel?.close()
        channel = nil
    }
}
