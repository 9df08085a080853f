@testable import CutoverProof
import Foundation
import Testing

/// templates/run-mysql.sh on its own against the test run's MariaDB (standing in for MySQL 8), with
/// the Secret files written as a Job mounts them and the client option file naming the server's socket.
@Suite(.serialized, .enabled(if: DatabaseHarness.shouldRun(.mysql), unavailable(.mysql)))
struct RunMySQLRunnerTests {
    struct Runner {
        let root: URL
        let database: String
        let socket: String
        let bin: String

        init() throws {
            let url = try DatabaseHarness.shared.url(.mysql)
            socket = try #require(URLComponents(string: url)?.queryItems?.first { $0.name == "socket" }?.value)
            bin = (try LocalMariaDBServer.Tools.locate().client as NSString).deletingLastPathComponent
            root = TestPaths.temporaryFolder("run-mysql")
            database = "runner_\(UUID().uuidString.prefix(8).lowercased())"
            for folder in ["tmp", "etc/cutover/sql", "etc/cutover/db"] {
                try FileManager.default.createDirectory(at: root.appendingPathComponent(folder), withIntermediateDirectories: true)
            }
            let template = try String(contentsOf: TestPaths.packageRoot.appendingPathComponent("templates/run-mysql.sh"), encoding: .utf8)
            // The Job's mount paths, as JobPlayer remaps them.
            let script = template.replacingOccurrences(of: "/tmp/", with: root.path + "/tmp/")
                .replacingOccurrences(of: "/etc/cutover", with: root.path + "/etc/cutover")
            try script.write(to: root.appendingPathComponent("run-mysql.sh"), atomically: true, encoding: .utf8)
            try "root".write(to: root.appendingPathComponent("etc/cutover/db/username"), atomically: true, encoding: .utf8)
            try "".write(to: root.appendingPathComponent("etc/cutover/db/password"), atomically: true, encoding: .utf8)
            // The runner writes its client option file only when there is none: Debian's client
            // configuration pins the socket path, so this one names the test server's socket.
            try "[client]\nuser=root\nsocket=\(socket)\ndatabase=\(database)\n"
                .write(to: root.appendingPathComponent("tmp/client-db.cnf"), atomically: true, encoding: .utf8)
            _ = try sql("CREATE DATABASE \(database)", server: true)
        }

        /// The client as root in DATABASE (this test's by default): its output, trimmed.
        func sql(_ text: String, server: Bool = false) throws -> String {
            let result = try MySQLOrphanCheckTests.client(socket, database: server ? nil : database, input: text)
            guard result.status == 0 else { throw HarnessError("mariadb failed: \(text): \(result.output)") }
            return result.output.trimmingCharacters(in: .whitespacesAndNewlines)
        }

        func file(_ name: String, _ text: String) throws {
            try text.write(to: root.appendingPathComponent("etc/cutover/sql/\(name)"), atomically: true, encoding: .utf8)
        }

        /// The runner with ARGUMENTS as a Job's container starts it (not yet waited for).
        func start(_ arguments: [String], output: Pipe) throws -> Process {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/bin/sh")
            process.arguments = [root.appendingPathComponent("run-mysql.sh").path] + arguments
            process.environment = ["PATH": "\(bin):/usr/bin:/bin", "LC_ALL": "C", "DB_HOST": "localhost", "DB_PORT": "3306",
                                   "DB_NAME": database, "MYSQL_UNIX_PORT": socket]
            process.standardOutput = output
            process.standardError = output
            try process.run()
            return process
        }

        func run(_ arguments: [String]) throws -> (status: Int32, output: String) {
            let pipe = Pipe()
            let process = try start(arguments, output: pipe)
            let data = pipe.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            return (process.terminationStatus, String(decoding: data, as: UTF8.self))
        }

        /// Statements of this test's database the server runs now (other sessions').
        func running(_ marker: String) throws -> Int {
            Int(try sql("SELECT count(*) FROM information_schema.processlist WHERE info LIKE '%\(marker)%' AND id <> CONNECTION_ID()", server: true)) ?? -1
        }

        /// Ends every session of this test's database (a client the runner left behind).
        func killSessions() {
            if let ids = try? sql("SELECT id FROM information_schema.processlist WHERE db = '\(database)' AND id <> CONNECTION_ID()", server: true) {
                for id in ids.split(separator: "\n") { _ = try? sql("KILL \(id)", server: true) }
            }
        }

        func finish() {
            killSessions()
            _ = try? sql("DROP DATABASE IF EXISTS \(database)", server: true)
            try? FileManager.default.removeItem(at: root)
        }
    }

    /// Files run in order, their output reaches the log (the connection id line does not), and a
    /// failing file fails the Job with the client's status and stops there.
    @Test func filesRunInOrderAndAFailureStops() throws {
        let runner = try Runner()
        defer { runner.finish() }
        try runner.file("one.sql", "CREATE TABLE t (id INT PRIMARY KEY);\nINSERT INTO t VALUES (1);\nSELECT 'first file' AS said;\n")
        try runner.file("bad.sql", "INSERT INTO t VALUES (2);\nINSERT INTO no_such_table VALUES (1);\nINSERT INTO t VALUES (3);\n")
        try runner.file("three.sql", "INSERT INTO t VALUES (4);\n")
        let good = try runner.run(["one.sql"])
        #expect(good.status == 0, "\(good.output)")
        #expect(good.output.contains("first file"), "\(good.output)")
        #expect(!good.output.contains("cutover_connection"), "\(good.output)")
        let bad = try runner.run(["bad.sql", "three.sql"])
        #expect(bad.status == 1, "\(bad.output)")
        #expect(bad.output.contains("no_such_table"), "\(bad.output)")
        #expect(try runner.sql("SELECT GROUP_CONCAT(id ORDER BY id) FROM t") == "1,2")
    }

    /// Issue 9 (S2): the server goes on executing a statement after its client is gone. A TERM to the
    /// runner (the Job's deadline, a deleted pod) must end the statement on the server, not only the
    /// client: here a 60 s statement is gone from the process list within a few seconds of the TERM,
    /// and the file's next statement never runs.
    @Test(.timeLimit(.minutes(2))) func termEndsTheStatementOnTheServer() throws {
        let runner = try Runner()
        defer { runner.finish() }
        let marker = "cutover_term_\(runner.database)"
        try runner.file("long.sql", "CREATE TABLE after_term (id INT);\nSELECT SLEEP(60) AS \(marker);\nINSERT INTO after_term VALUES (1);\n")
        let pipe = Pipe()
        let process = try runner.start(["long.sql"], output: pipe)
        var seen = 0
        for _ in 0..<100 where seen == 0 {
            usleep(100_000)
            seen = try runner.running(marker)
        }
        #expect(seen == 1, "the statement runs")
        process.terminate()
        var left = seen
        let terminated = Date()
        for _ in 0..<50 where left > 0 {
            usleep(100_000)
            left = try runner.running(marker)
        }
        let seconds = Date().timeIntervalSince(terminated)
        #expect(left == 0, "the server still runs the statement \(seconds) s after the runner's TERM")
        if left > 0 { runner.killSessions() }
        process.waitUntilExit()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(process.terminationStatus == 143, "\(output)")
        usleep(500_000)
        #expect(try runner.sql("SELECT count(*) FROM after_term") == "0", "the file's next statement ran after the TERM")
    }
}
