@testable import CutoverPlan
@testable import CutoverSpec
@testable import CutoverProof
@testable import CutoverCore
import Foundation
import Testing

/// Issue #14: `rehearse --database-url` runs the Jobs against a scratch database on that server, but
/// the MySQL version databases kept the names of the spec's `database.name` (`shop_<migration>_new`):
/// on a server where the migration runs for real, the rehearsal met the real version databases
/// (preflight refused them as foreign) and its shape pre-pass and tear-down dropped them. The plan is
/// now made again under the scratch database's name. On the test server: a real `shop_…_new` with a
/// table of its own, a proven rehearsal, and that database untouched afterwards.
@Suite(.serialized) struct RehearseScratchNamesTests {
    @Test(.enabled(if: DatabaseHarness.shouldRun(.mysql), unavailable(.mysql)))
    func mysqlRehearsalOnAGivenServerLeavesTheBaseVersionDatabasesAlone() throws {
        let spec = TestPaths.examples.appendingPathComponent("orders-customer-ref.yaml").path
        let plan = try SQLGoldenTests.plan(spec)
        let real = try #require(VersionSchemaSelection.schemas(plan)).new
        #expect(real.hasPrefix("\(plan.spec.database.name)_"))
        // A server of its own on 127.0.0.1: the Jobs reach a given MariaDB over TCP (the client's
        // configuration here pins the socket path), with an admin user that has a password.
        let folder = try ScratchFolder(prefix: "cutover-test-scratch-names")
        defer { folder.remove() }
        let server = try LocalMariaDBServer(in: folder, tools: try .locate(), keep: false)
        let port = try RehearsalEnvironment.freePort()
        server.tcpPort = port
        try server.start()
        defer { server.stop() }
        let socket = "\(server.folder)/mysqld.sock"
        func sql(_ input: String) throws -> String {
            let result = try MySQLOrphanCheckTests.client(socket, database: nil, input: input)
            if result.status != 0 { throw HarnessError("mariadb failed: \(result.output)") }
            return result.output.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        _ = try sql("CREATE USER 'admin'@'%' IDENTIFIED BY 'secret-pw'; GRANT ALL PRIVILEGES ON *.* TO 'admin'@'%' WITH GRANT OPTION;")
        let url = "mysql://admin:secret-pw@127.0.0.1:\(port)/"
        let q = "`\(real)`"
        _ = try sql("DROP DATABASE IF EXISTS \(q); CREATE DATABASE \(q); CREATE TABLE \(q).kept (id INT PRIMARY KEY); INSERT INTO \(q).kept VALUES (7);")
        let run = try CLIRun.run(["rehearse", "--format", "json", "--rows", "300", "--database-url", url, spec])
        let report = try? JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any]
        if report == nil && !DatabaseHarness.required && run.stderr.contains("no helm was found") { return }
        #expect(run.status == 0, "\(report?["failures"] ?? run.stderr)")
        let checks = report?["checks"] as? [String] ?? []
        #expect(checks.contains { $0.contains("database of views (cutover_rehearse_") }, "\(checks)")
        #expect(try sql("SELECT id FROM \(q).kept;") == "7")
    }

    /// PostgreSQL's version schemas live inside the scratch database; the plan made again under its name
    /// still rehearses (the same spec proven on a throwaway server).
    @Test(.enabled(if: DatabaseHarness.shouldRun(.postgresql), unavailable(.postgresql)))
    func postgresRehearsalOnAGivenServerIsProven() throws {
        let spec = TestPaths.examples.appendingPathComponent("pricing-tiers.yaml").path
        // A server of its own whose socket folder the Jobs (another uid) can reach, as rehearse's own.
        let folder = try ScratchFolder(prefix: "cutover-test-scratch-names")
        defer { folder.remove() }
        let server = try LocalPostgresServer(in: folder, name: "pg", tools: try .locate(), keep: false)
        try server.start(logical: false)
        defer { server.stop() }
        chmod(server.folder, 0o711)
        let socket = server.folder.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? server.folder
        let url = "postgresql://postgres@/postgres?host=\(socket)&port=5432"
        let run = try CLIRun.run(["rehearse", "--format", "json", "--rows", "300", "--database-url", url, spec])
        let report = try? JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any]
        if report == nil && !DatabaseHarness.required && run.stderr.contains("no helm was found") { return }
        #expect(run.status == 0, "\(report?["failures"] ?? run.stderr)")
    }
}
