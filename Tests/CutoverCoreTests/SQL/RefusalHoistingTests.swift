@testable import CutoverPlan
@testable import CutoverSpec
@testable import CutoverEmit
@testable import CutoverProof
import Foundation
import Testing

/// Issue 9 (S3) on real servers, through the Job itself: the rollback-contract Job's files from
/// `RunnerFiles`, its arguments from `JobCatalog`, run by the real runner script. Two changes both
/// in contract: a unique constraint dropped first, a cascading foreign key second. The rollback runs
/// the downs in reverse, so the foreign key comes back first and the unique key's down, which refuses
/// when the new version wrote a repeated key, runs last. The refusal must come before anything
/// changes: after the refused Job the foreign key is still gone; once the rows are fixed the same Job
/// brings both back.
@Suite(.serialized) struct RefusalHoistingTests {
    static func yaml(_ engine: String) -> String {
        """
        apiVersion: cutover.dev/v1alpha1
        kind: Migration
        metadata:
          name: hoist
          namespace: shop
        spec:
          database:
            engine: \(engine)
            version: "\(engine == "mysql" ? "8.0" : "15")"
            cluster: shop-db
            name: shop
            credentialsSecret: shop-db-credentials
            schema: hoist.schema.sql
          app:
            name: webapp
            image: ghcr.io/acme/webapp:v2.3.1
          runner:
            tool: \(engine == "mysql" ? "mysql" : "psql")
          changes:
            - dropConstraint: {name: orders_reference_key, table: orders}
            - dropConstraint: {name: orders_customer_fk, table: orders}
        """
    }

    static let postgresSchema = """
        CREATE TABLE customers (id bigint PRIMARY KEY);
        CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint NOT NULL, reference text NOT NULL,
            CONSTRAINT orders_customer_fk FOREIGN KEY (customer_id) REFERENCES customers (id) ON DELETE CASCADE,
            CONSTRAINT orders_reference_key UNIQUE (reference));
        CREATE INDEX orders_customer_idx ON orders (customer_id);
        """

    static let mysqlSchema = """
        CREATE TABLE customers (id BIGINT NOT NULL PRIMARY KEY) ENGINE=InnoDB;
        CREATE TABLE orders (id BIGINT NOT NULL PRIMARY KEY, customer_id BIGINT NOT NULL, reference VARCHAR(40) NOT NULL,
            KEY orders_customer_idx (customer_id), UNIQUE KEY orders_reference_key (reference),
            CONSTRAINT orders_customer_fk FOREIGN KEY (customer_id) REFERENCES customers (id) ON DELETE CASCADE) ENGINE=InnoDB;
        """

    struct Setup {
        let plan: MigrationPlan
        let job: JobUnit
        let files: [KeyValue]
    }

    /// The plan, its rollback-contract Job (checked to run the foreign key's down before the unique
    /// key's, with the checks file first) and that Job's ConfigMap files.
    static func setup(_ engine: String, schema: String, in folder: URL) throws -> Setup {
        try yaml(engine).write(to: folder.appendingPathComponent("hoist.yaml"), atomically: true, encoding: .utf8)
        try schema.write(to: folder.appendingPathComponent("hoist.schema.sql"), atomically: true, encoding: .utf8)
        let plan = try SQLGoldenTests.plan(folder.appendingPathComponent("hoist.yaml").path)
        let job = try #require(JobCatalog(plan).jobs.first { $0.suffix == "rollback-contract" })
        let downs = job.files.filter { !JobRefusalChecks.isChecksFile($0) }
        #expect(downs.count == 2 && downs[0].contains("orders_customer_fk") && downs[1].contains("orders_reference_key"), "\(job.arguments)")
        #expect(job.arguments.first == "checks-rollback-contract.sql", "\(job.arguments)")
        return Setup(plan: plan, job: job, files: RunnerFiles(plan).files(for: [job]))
    }

    static func write(_ files: [KeyValue], into folder: URL) throws {
        for file in files where file.key.hasSuffix(".sql") {
            try file.value.write(to: folder.appendingPathComponent(file.key), atomically: true, encoding: .utf8)
        }
    }

    @Test(.enabled(if: DatabaseHarness.shouldRun(.postgresql), unavailable(.postgresql)))
    func postgresRefusesBeforeTheFirstDown() throws {
        guard case .success(let server) = DatabaseHarness.shared.server(.postgresql), let local = server.server as? LocalPostgresServer else {
            throw HarnessError("PostgreSQL is not available")
        }
        let root = TestPaths.temporaryFolder("hoist-pg")
        defer { try? FileManager.default.removeItem(at: root) }
        for folder in ["tmp", "etc/cutover/sql", "etc/cutover/db"] {
            try FileManager.default.createDirectory(at: root.appendingPathComponent(folder), withIntermediateDirectories: true)
        }
        let setup = try Self.setup("postgresql", schema: Self.postgresSchema, in: root)
        let url = try DatabaseHarness.shared.url(.postgresql)
        try BackfillUnderLoadTests.run(url, ["-c", "DROP DATABASE IF EXISTS refusal_hoist", "-c", "CREATE DATABASE refusal_hoist"])
        let db = url.replacingOccurrences(of: "/postgres?", with: "/refusal_hoist?")
        try BackfillUnderLoadTests.run(db, ["-c", Self.postgresSchema, "-c", "INSERT INTO customers VALUES (1); INSERT INTO orders VALUES (1, 1, 'r1')"])
        // Forward, every step as psql -f runs it.
        let sql = RenderedSQL(setup.plan)
        for index in setup.plan.steps.indices {
            let file = root.appendingPathComponent("up-\(index).sql")
            try sql.text(index, .up).write(to: file, atomically: true, encoding: .utf8)
            try BackfillUnderLoadTests.run(db, ["-f", file.path])
        }
        // The new version writes a repeated key while the constraint is gone.
        try BackfillUnderLoadTests.run(db, ["-c", "INSERT INTO orders VALUES (2, 1, 'r1')"])

        try Self.write(setup.files, into: root.appendingPathComponent("etc/cutover/sql"))
        let template = try String(contentsOf: TestPaths.packageRoot.appendingPathComponent("templates/run-psql.sh"), encoding: .utf8)
        try template.replacingOccurrences(of: "/tmp/", with: root.path + "/tmp/").replacingOccurrences(of: "/etc/cutover", with: root.path + "/etc/cutover")
            .write(to: root.appendingPathComponent("run-psql.sh"), atomically: true, encoding: .utf8)
        try "postgres".write(to: root.appendingPathComponent("etc/cutover/db/username"), atomically: true, encoding: .utf8)
        try "".write(to: root.appendingPathComponent("etc/cutover/db/password"), atomically: true, encoding: .utf8)
        let bin = (local.client as NSString).deletingLastPathComponent
        func job() throws -> (status: Int32, output: String) {
            try Self.shell(root.appendingPathComponent("run-psql.sh").path, setup.job.arguments,
                           env: ["PATH": "\(bin):/usr/bin:/bin", "LC_ALL": "C", "DB_HOST": local.folder, "DB_PORT": "5432", "DB_NAME": "refusal_hoist"])
        }
        let fk = "SELECT count(*) FROM pg_constraint WHERE conrelid = 'orders'::regclass AND conname = 'orders_customer_fk'"
        let refused = try job()
        // The runners' refusal code, on the client's real error line: the Job fails at once (issue 14).
        #expect(refused.status == 65, "\(refused.output)")
        #expect(refused.output.contains("cutover rollback refused: orders holds rows the new app version wrote that repeat (reference)"), "\(refused.output)")
        #expect(try BackfillUnderLoadTests.run(db, ["-c", fk]) == "0", "the foreign key's down ran before the refusal: \(refused.output)")
        try BackfillUnderLoadTests.run(db, ["-c", "UPDATE orders SET reference = 'r2' WHERE id = 2"])
        let done = try job()
        #expect(done.status == 0, "\(done.output)")
        #expect(try BackfillUnderLoadTests.run(db, ["-c", "SELECT count(*) FROM pg_constraint WHERE conrelid = 'orders'::regclass AND convalidated AND conname IN ('orders_customer_fk', 'orders_reference_key')"]) == "2")
    }

    @Test(.enabled(if: DatabaseHarness.shouldRun(.mysql), unavailable(.mysql)))
    func mysqlRefusesBeforeTheFirstDown() throws {
        let runner = try RunMySQLRunnerTests.Runner()
        defer { runner.finish() }
        let folder = TestPaths.temporaryFolder("hoist-my")
        defer { try? FileManager.default.removeItem(at: folder) }
        let setup = try Self.setup("mysql", schema: Self.mysqlSchema, in: folder)
        _ = try runner.sql(Self.mysqlSchema + "\nINSERT INTO customers VALUES (1); INSERT INTO orders VALUES (1, 1, 'r1');")
        let sql = RenderedSQL(setup.plan)
        for index in setup.plan.steps.indices { _ = try runner.sql(sql.text(index, .up)) }
        _ = try runner.sql("INSERT INTO orders VALUES (2, 1, 'r1');")

        try Self.write(setup.files, into: runner.root.appendingPathComponent("etc/cutover/sql"))
        let fk = "SELECT count(*) FROM information_schema.table_constraints WHERE table_schema = DATABASE() AND constraint_name = 'orders_customer_fk'"
        let refused = try runner.run(setup.job.arguments)
        // The runners' refusal code, on the client's real error line: the Job fails at once (issue 14).
        #expect(refused.status == 65, "\(refused.output)")
        #expect(refused.output.contains("cutover rollback refused: orders holds rows the new app version wrote that repeat the key of orders_reference_key"), "\(refused.output)")
        #expect(try runner.sql(fk) == "0", "the foreign key's down ran before the refusal: \(refused.output)")
        _ = try runner.sql("UPDATE orders SET reference = 'r2' WHERE id = 2;")
        let done = try runner.run(setup.job.arguments)
        #expect(done.status == 0, "\(done.output)")
        #expect(try runner.sql(fk) == "1")
        #expect(try runner.sql("SELECT count(*) FROM information_schema.statistics WHERE table_schema = DATABASE() AND index_name = 'orders_reference_key'") == "1")
    }

    /// A check never moves ahead of a `sql` change's down (the user's SQL may be what makes the rows
    /// fit), and the checks of a Job's first file need no hoisting (they lead the Job already).
    @Test func aCheckNeverMovesAheadOfAUsersSQL() throws {
        let folder = TestPaths.temporaryFolder("hoist-sql")
        defer { try? FileManager.default.removeItem(at: folder) }
        let sqlChange = "    - sql: {name: tidy, phase: contract, up: \"SELECT 1;\", down: \"UPDATE orders SET reference = reference || id WHERE id > 1;\"}\n"
        func job(_ changes: String) throws -> JobUnit {
            let text = Self.yaml("postgresql").components(separatedBy: "  changes:\n")[0] + "  changes:\n" + changes
            try text.write(to: folder.appendingPathComponent("hoist.yaml"), atomically: true, encoding: .utf8)
            try Self.postgresSchema.write(to: folder.appendingPathComponent("hoist.schema.sql"), atomically: true, encoding: .utf8)
            let plan = try SQLGoldenTests.plan(folder.appendingPathComponent("hoist.yaml").path)
            return try #require(JobCatalog(plan).jobs.first { $0.suffix == "rollback-contract" })
        }
        let unique = "    - dropConstraint: {name: orders_reference_key, table: orders}\n"
        let fk = "    - dropConstraint: {name: orders_customer_fk, table: orders}\n"
        // Downs run in reverse: the user's down, then the unique key's: its check stays in its file.
        #expect(try job(unique + sqlChange).arguments.first?.contains("sql_tidy") == true)
        // The unique key's down after the foreign key's, the user's last: hoisted.
        #expect(try job(sqlChange + unique + fk).arguments.first == "checks-rollback-contract.sql")
        // The unique key's down first: nothing to hoist.
        #expect(try job(unique).arguments.first?.contains("orders_reference_key") == true)
    }

    static func shell(_ script: String, _ arguments: [String], env: [String: String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = [script] + arguments
        process.environment = env
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}
