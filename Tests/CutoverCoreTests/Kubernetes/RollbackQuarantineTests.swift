@testable import CutoverPlan
@testable import CutoverSpec
@testable import CutoverEmit
@testable import CutoverCore
@testable import CutoverProof
import Foundation
import Testing

/// Expand's rollback keeps the columns expand added (`RollbackQuarantine`): the Job renames each one
/// right before the down that drops it, and the runner's built-in step does it on a real server
/// (idempotent; refused before anything runs when an earlier rollback's quarantine is in the way).
@Suite(.serialized) struct RollbackQuarantineTests {
    static func plan(_ path: String) throws -> MigrationPlan {
        let result = try Compiler().check(fileAt: path)
        return Compiler().plan(try #require(result.validated, "\(result.diagnostics)"))
    }

    @Test func eachAddedColumnIsQuarantinedRightBeforeItsDown() throws {
        let plan = try Self.plan(TestPaths.examples.appendingPathComponent("pricing-tiers.yaml").path)
        let quarantine = RollbackQuarantine(plan)
        #expect(quarantine.columns.map(\.column) == ["tier", "attrs", "billing_period"])
        #expect(quarantine.columns.map(\.quarantine) == ["_cutover_pricing_tiers_tier", "_cutover_pricing_tiers_attrs", "_cutover_pricing_tiers_billing_period"])
        let job = try #require(JobCatalog(plan).jobs.first { $0.suffix == "rollback-expand" })
        for column in quarantine.columns {
            let step = try #require(plan.steps.first { $0.number == column.step })
            let down = try #require(job.arguments.firstIndex(of: "\(step.fileStem).down.sql"))
            #expect(job.arguments[down - 1] == "quarantine-column:pricing:\(column.column):\(column.quarantine):2s")
        }
        // The sync trigger that fills billing_period is gone before the rename.
        let sync = try #require(job.arguments.firstIndex { $0.hasSuffix("_expand_sync_pricing_billing_period.down.sql") })
        #expect(sync < job.arguments.firstIndex { $0.hasPrefix("quarantine-column:pricing:billing_period:") }!)
        // Only the rollback of expand: the forward Jobs and the other rollbacks run SQL files only.
        for other in JobCatalog(plan).jobs where other.suffix != "rollback-expand" {
            #expect(!other.arguments.contains { $0.hasPrefix("quarantine-column:") })
        }
    }

    @Test func aRenamesNewColumnIsNotQuarantinedAndMySQLWaitsInSeconds() throws {
        let plan = try Self.plan(TestPaths.fixtures.appendingPathComponent("valid/mysql-shop-orders.yaml").path)
        let quarantine = RollbackQuarantine(plan)
        // customer_id comes from renameColumn (its data is mirrored into cust_id): dropped as before.
        #expect(quarantine.columns.map(\.column) == ["channel", "priority"])
        let job = try #require(JobCatalog(plan).jobs.first { $0.suffix == "rollback-expand" })
        #expect(job.arguments.filter { $0.hasPrefix("quarantine-column:") }.allSatisfy { $0.hasSuffix(":\(max(1, plan.spec.runner.lockTimeout.seconds))") })
        #expect(job.script == "run-mysql.sh")
    }

    @Test func liquibasesRollbackRunsTheClientForTheBuiltInStep() throws {
        let spec = TestPaths.examples.appendingPathComponent("pricing-tiers.yaml")
        let folder = TestPaths.temporaryFolder("quarantine-liquibase")
        defer { try? FileManager.default.removeItem(at: folder) }
        let copy = folder.appendingPathComponent("pricing-tiers.yaml")
        try String(contentsOf: spec, encoding: .utf8).replacingOccurrences(of: "tool: psql", with: "tool: liquibase")
            .write(to: copy, atomically: true, encoding: .utf8)
        try FileManager.default.copyItem(at: TestPaths.examples.appendingPathComponent("pricing-tiers.schema.sql"),
                                         to: folder.appendingPathComponent("pricing-tiers.schema.sql"))
        let jobs = JobCatalog(try Self.plan(copy.path)).jobs
        let rollback = try #require(jobs.first { $0.suffix == "rollback-expand" })
        #expect(rollback.script == "run-psql.sh")
        #expect(rollback.usesClientImage)
        #expect(jobs.first { $0.suffix == "expand" }?.script == "run-liquibase.sh")
    }

    // MARK: the runner on a real server

    struct Runner {
        var folder: URL
        var engine: MigrationSpec.Engine
        var env: [String: String]

        /// The runner script with its mount root moved into `folder`, as JobPlayer moves it.
        init(engine: MigrationSpec.Engine, url: String, database: String) throws {
            self.engine = engine
            folder = TestPaths.temporaryFolder("quarantine-runner-\(engine.rawValue)")
            let root = folder.appendingPathComponent("etc").path
            try FileManager.default.createDirectory(atPath: "\(root)/sql", withIntermediateDirectories: true)
            try FileManager.default.createDirectory(atPath: "\(root)/db", withIntermediateDirectories: true)
            try FileManager.default.createDirectory(atPath: "\(folder.path)/tmp", withIntermediateDirectories: true)
            let name = engine == .postgresql ? "run-psql.sh" : "run-mysql.sh"
            let text = try String(contentsOf: TestPaths.packageRoot.appendingPathComponent("templates/\(name)"), encoding: .utf8)
                .replacingOccurrences(of: "/tmp/", with: "\(folder.path)/tmp/").replacingOccurrences(of: "/etc/cutover", with: root)
            // Debian's client configuration pins a socket path: the option file names the server's own (connection only).
            try text.replacingOccurrences(of: "echo \"database=$DB_NAME\"", with: "echo \"database=$DB_NAME\"; echo \"socket=${MYSQL_UNIX_PORT:-}\"")
                .write(toFile: "\(root)/sql/run.sh", atomically: true, encoding: .utf8)
            try (engine == .postgresql ? "postgres" : "root").write(toFile: "\(root)/db/username", atomically: true, encoding: .utf8)
            try "".write(toFile: "\(root)/db/password", atomically: true, encoding: .utf8)
            let query = URLComponents(string: url)?.queryItems ?? []
            let bin = engine == .postgresql ? "/usr/lib/postgresql/15/bin" : URL(fileURLWithPath: try LocalMariaDBServer.Tools.locate().client).deletingLastPathComponent().path
            env = ["PATH": "\(bin):/usr/bin:/bin", "HOME": folder.path, "DB_NAME": database,
                   "DB_HOST": engine == .postgresql ? (query.first { $0.name == "host" }?.value ?? "") : "localhost",
                   "DB_PORT": engine == .postgresql ? "5432" : "3306"]
            if engine == .mysql { env["MYSQL_UNIX_PORT"] = try ConnectionParameters.parse(url).socket }
        }

        func write(_ file: String, _ text: String) throws {
            try text.write(toFile: folder.appendingPathComponent("etc/sql/\(file)").path, atomically: true, encoding: .utf8)
        }

        func run(_ arguments: [String]) throws -> (status: Int32, output: String) {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/bin/sh")
            process.arguments = [folder.appendingPathComponent("etc/sql/run.sh").path] + arguments
            process.environment = env
            let output = Pipe()
            process.standardOutput = output
            process.standardError = output
            try process.run()
            let data = output.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            return (process.terminationStatus, String(decoding: data, as: UTF8.self))
        }
    }

    /// The same sequence on either engine: a NOT NULL column without default (the old version's
    /// inserts must still work once it is kept), a down that drops it, a re-run, and a second
    /// rollback whose quarantine name is taken.
    func exercise(_ engine: MigrationSpec.Engine, session: SQLSession, database: String, url: String) throws {
        let runner = try Runner(engine: engine, url: url, database: database)
        defer { try? FileManager.default.removeItem(at: runner.folder) }
        func q(_ name: String) -> String { engine == .postgresql ? "\"\(name)\"" : "`\(name)`" }
        func value(_ sql: String) throws -> String? { (try session.query(sql)).first }
        // The add's down as cutover writes it: a no-op once the column is gone.
        try runner.write("drop.down.sql", engine == .postgresql ? "ALTER TABLE \"t\" DROP COLUMN IF EXISTS \"n\";\n" : """
            SET @s = (SELECT IF(COUNT(*) > 0, 'ALTER TABLE `t` DROP COLUMN `n`', 'DO 0') FROM information_schema.columns
              WHERE table_schema = DATABASE() AND table_name = 't' AND column_name = 'n');
            PREPARE st FROM @s; EXECUTE st; DEALLOCATE PREPARE st;

            """)
        try runner.write("marker.down.sql", "CREATE TABLE \(q("marker")) (id int);\n")
        let arguments = ["marker.down.sql", "quarantine-column:t:n:_cutover_m_n:\(engine == .postgresql ? "2s" : "2")", "drop.down.sql"]

        let first = try runner.run(arguments)
        #expect(first.status == 0, "\(first.output)")
        #expect(first.output.contains("t.n kept as _cutover_m_n"), "\(first.output)")
        #expect(try value("SELECT \(q("_cutover_m_n")) FROM \(q("t")) WHERE id = 1") == "kept")
        // The old version's insert, which never names the column, still works.
        _ = try session.query("INSERT INTO \(q("t")) (id, v) VALUES (2, 'old')")

        // Again (a Job retried after a failure later on): nothing to do, nothing dropped.
        _ = try session.query("DROP TABLE \(q("marker"))")
        let again = try runner.run(arguments)
        #expect(again.status == 0, "\(again.output)")
        #expect(again.output.contains("nothing to quarantine"))
        #expect(try value("SELECT count(*) FROM \(q("t")) WHERE \(q("_cutover_m_n")) = 'kept'") == "1")

        // A second rollback after the column came back: stopped before its first file.
        _ = try session.query("DROP TABLE \(q("marker"))")
        _ = try session.query("ALTER TABLE \(q("t")) ADD COLUMN \(q("n")) text")
        _ = try session.query("UPDATE \(q("t")) SET \(q("n")) = 'second' WHERE id = 1")
        let refused = try runner.run(arguments)
        // The runners' refusal code: the Job's podFailurePolicy fails it at once (issue 14).
        #expect(refused.status == 65, "\(refused.output)")
        #expect(refused.output.contains("t has both n and _cutover_m_n"), "\(refused.output)")
        #expect(try value("SELECT count(*) FROM \(q("t")) WHERE \(q("n")) = 'second'") == "1")
        let markers = engine == .postgresql ? "SELECT count(*) FROM pg_catalog.pg_tables WHERE tablename = 'marker'"
            : "SELECT count(*) FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = 'marker'"
        #expect(try value(markers) == "0")
    }

    @Test(.enabled(if: DatabaseHarness.shouldRun(.postgresql), unavailable(.postgresql)))
    func psqlRunnerKeepsTheColumn() throws {
        let url = try DatabaseHarness.shared.url(.postgresql)
        let parameters = try ConnectionParameters.parse(url)
        let admin = try PostgresSession(connection: parameters)
        _ = try admin.query("DROP DATABASE IF EXISTS quarantine_runner")
        _ = try admin.query("CREATE DATABASE quarantine_runner")
        let session = try PostgresSession(connection: parameters.with(database: "quarantine_runner"))
        _ = try session.query("CREATE TABLE t (id int PRIMARY KEY, v text); ALTER TABLE t ADD COLUMN n text; INSERT INTO t VALUES (1, 'base', 'kept'); ALTER TABLE t ALTER COLUMN n SET NOT NULL")
        try exercise(.postgresql, session: session, database: "quarantine_runner", url: url)
        let nullable = try session.query("SELECT is_nullable FROM information_schema.columns WHERE table_name = 't' AND column_name = '_cutover_m_n'")
        #expect(nullable.first == "YES")
    }

    @Test(.enabled(if: DatabaseHarness.shouldRun(.mysql), unavailable(.mysql)))
    func mysqlRunnerKeepsTheColumn() throws {
        let url = try DatabaseHarness.shared.url(.mysql)
        let parameters = try ConnectionParameters.parse(url)
        let admin = try MariaDBSession(connection: parameters)
        _ = try admin.query("DROP DATABASE IF EXISTS quarantine_runner")
        _ = try admin.query("CREATE DATABASE quarantine_runner")
        let session = try MariaDBSession(connection: parameters.with(database: "quarantine_runner"))
        _ = try session.query("CREATE TABLE t (id int PRIMARY KEY, v text, n text NOT NULL) ENGINE=InnoDB")
        _ = try session.query("INSERT INTO t VALUES (1, 'base', 'kept')")
        try exercise(.mysql, session: session, database: "quarantine_runner", url: url)
        let nullable = try session.query("SELECT is_nullable FROM information_schema.columns WHERE table_schema = 'quarantine_runner' AND table_name = 't' AND column_name = '_cutover_m_n'")
        #expect(nullable.first == "YES")
    }
}
