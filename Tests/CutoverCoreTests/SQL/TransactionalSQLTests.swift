@testable import CutoverEmit
@testable import CutoverProof
import Foundation
import Testing

/// Issue 9 (S4) on real servers, through the Job: a `sql` change with `transactional: true` (the
/// default) runs in one transaction under the psql and mysql runners, as Flyway and Liquibase run it.
/// Its second statement fails (a repeated primary key): the first one's row must not be left behind.
/// With `transactional: false` the runners run the file as before, statement by statement.
@Suite(.serialized) struct TransactionalSQLTests {
    static func yaml(_ engine: String, transactional: Bool) -> String {
        """
        apiVersion: cutover.dev/v1alpha1
        kind: Migration
        metadata:
          name: onetx
          namespace: shop
        spec:
          database:
            engine: \(engine)
            version: "\(engine == "mysql" ? "8.0" : "15")"
            cluster: shop-db
            name: shop
            credentialsSecret: shop-db-credentials
            schema: onetx.schema.sql
          app:
            name: webapp
            image: ghcr.io/acme/webapp:v2.3.1
          runner:
            tool: \(engine == "mysql" ? "mysql" : "psql")
          changes:
            - sql:
                name: seed-plans
                phase: expand
                transactional: \(transactional)
                up: "INSERT INTO plans (id, code) VALUES (1, 'basic'); INSERT INTO plans (id, code) VALUES (1, 'again');"
                down: "DELETE FROM plans WHERE id = 1;"
        """
    }

    static let schema = "CREATE TABLE plans (id bigint PRIMARY KEY, code varchar(20) NOT NULL);"

    /// The expand Job of the spec and its ConfigMap files, written into `folder` (the Job's /etc/cutover/sql).
    static func expandJob(_ engine: String, transactional: Bool, sql folder: URL, scratch: URL) throws -> JobUnit {
        try yaml(engine, transactional: transactional).write(to: scratch.appendingPathComponent("onetx.yaml"), atomically: true, encoding: .utf8)
        try schema.write(to: scratch.appendingPathComponent("onetx.schema.sql"), atomically: true, encoding: .utf8)
        let plan = try SQLGoldenTests.plan(scratch.appendingPathComponent("onetx.yaml").path)
        let job = try #require(JobCatalog(plan).jobs.first { $0.suffix == "expand" })
        #expect(job.arguments.allSatisfy { $0.hasPrefix("one-transaction:") == transactional }, "\(job.arguments)")
        try RefusalHoistingTests.write(RunnerFiles(plan).files(for: [job]), into: folder)
        return job
    }

    @Test(.enabled(if: DatabaseHarness.shouldRun(.postgresql), unavailable(.postgresql)), arguments: [true, false])
    func postgres(transactional: Bool) throws {
        guard case .success(let server) = DatabaseHarness.shared.server(.postgresql), let local = server.server as? LocalPostgresServer else {
            throw HarnessError("PostgreSQL is not available")
        }
        let root = TestPaths.temporaryFolder("onetx-pg")
        defer { try? FileManager.default.removeItem(at: root) }
        for folder in ["tmp", "etc/cutover/sql", "etc/cutover/db"] {
            try FileManager.default.createDirectory(at: root.appendingPathComponent(folder), withIntermediateDirectories: true)
        }
        let job = try Self.expandJob("postgresql", transactional: transactional, sql: root.appendingPathComponent("etc/cutover/sql"), scratch: root)
        let database = "onetx_\(transactional)"
        let url = try DatabaseHarness.shared.url(.postgresql)
        try BackfillUnderLoadTests.run(url, ["-c", "DROP DATABASE IF EXISTS \(database)", "-c", "CREATE DATABASE \(database)"])
        let db = url.replacingOccurrences(of: "/postgres?", with: "/\(database)?")
        try BackfillUnderLoadTests.run(db, ["-c", Self.schema])
        let template = try String(contentsOf: TestPaths.packageRoot.appendingPathComponent("templates/run-psql.sh"), encoding: .utf8)
        try template.replacingOccurrences(of: "/tmp/", with: root.path + "/tmp/").replacingOccurrences(of: "/etc/cutover", with: root.path + "/etc/cutover")
            .write(to: root.appendingPathComponent("run-psql.sh"), atomically: true, encoding: .utf8)
        try "postgres".write(to: root.appendingPathComponent("etc/cutover/db/username"), atomically: true, encoding: .utf8)
        try "".write(to: root.appendingPathComponent("etc/cutover/db/password"), atomically: true, encoding: .utf8)
        let bin = (local.client as NSString).deletingLastPathComponent
        let run = try RefusalHoistingTests.shell(root.appendingPathComponent("run-psql.sh").path, job.arguments,
                                                 env: ["PATH": "\(bin):/usr/bin:/bin", "LC_ALL": "C", "DB_HOST": local.folder, "DB_PORT": "5432", "DB_NAME": database])
        #expect(run.status != 0, "\(run.output)")
        #expect(run.output.contains("duplicate key"), "\(run.output)")
        let left = try BackfillUnderLoadTests.run(db, ["-c", "SELECT count(*) FROM plans"])
        #expect(left == (transactional ? "0" : "1"), "transactional: \(transactional): \(left) row(s) left after the failed file: \(run.output)")
    }

    @Test(.enabled(if: DatabaseHarness.shouldRun(.mysql), unavailable(.mysql)), arguments: [true, false])
    func mysql(transactional: Bool) throws {
        let runner = try RunMySQLRunnerTests.Runner()
        defer { runner.finish() }
        let job = try Self.expandJob("mysql", transactional: transactional, sql: runner.root.appendingPathComponent("etc/cutover/sql"), scratch: runner.root)
        _ = try runner.sql(Self.schema)
        let run = try runner.run(job.arguments)
        #expect(run.status != 0, "\(run.output)")
        #expect(run.output.contains("Duplicate entry"), "\(run.output)")
        let left = try runner.sql("SELECT count(*) FROM plans")
        #expect(left == (transactional ? "0" : "1"), "transactional: \(transactional): \(left) row(s) left after the failed file: \(run.output)")
    }
}
