@testable import CutoverPlan
@testable import CutoverSpec
@testable import CutoverProof
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// What a spec from an untrusted pull request can do through `cutover verify`: nothing outside its
/// scratch database. Every attack of issue 12 that reaches verify's sessions or servers is here: a
/// sentinel file that must never appear, a table in another database that must survive, a killed
/// run that must leave no server and no folder behind.
@Suite(.serialized) struct VerifyIsolationTests {
    /// A folder anyone can write to (so the servers' users could create the sentinel if they ran
    /// the command), with a spec `hostile-<engine>` whose base schema is `schema`.
    struct Case {
        let folder: URL
        let spec: URL
        var sentinel: String { folder.appendingPathComponent("SENTINEL").path }

        init(_ engine: MigrationSpec.Engine, schema: (String) -> String, up: String? = nil) throws {
            folder = try VerifyCommandTests.shortTemporaryFolder()
            chmod(folder.path, 0o777)
            spec = folder.appendingPathComponent("hostile.yaml")
            let sentinel = folder.appendingPathComponent("SENTINEL").path
            let mysql = engine == .mysql
            let change = up ?? "CREATE TABLE IF NOT EXISTS audit_log (id BIGINT NOT NULL PRIMARY KEY);"
            let yaml = """
            apiVersion: cutover.dev/v1alpha1
            kind: Migration
            metadata:
              name: hostile-\(engine.rawValue)
              namespace: tests
            spec:
              strategy: expand-contract
              database:
                engine: \(engine.rawValue)
                version: "\(mysql ? "8.0" : "15")"
                operator: none
                cluster: accounts-db
                name: accounts
                credentialsSecret: accounts-db-credentials
                schema: base.sql
              app:
                name: accounts-api
                image: ghcr.io/acme/accounts-api:v1.0.0
                replicas: 2
                port: 8080
              changes:
                - sql:
                    name: create-audit-log
                    up: "\(change.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\""))"
                    down: "DROP TABLE IF EXISTS audit_log;"
                    phase: expand

            """
            try yaml.write(to: spec, atomically: true, encoding: .utf8)
            try schema(sentinel).write(to: folder.appendingPathComponent("base.sql"), atomically: true, encoding: .utf8)
        }

        func remove() { try? FileManager.default.removeItem(at: folder) }
        var sentinelExists: Bool { FileManager.default.fileExists(atPath: sentinel) }
    }

    static func verify(_ spec: URL, url: String?, environment: [String: String] = [:]) throws -> CLIRun {
        try VerifyCommandTests.verify(spec, url: url, environment: environment)
    }

    // MARK: host commands

    /// `\!` in a base schema is refused (by validation or by the session, which never runs a client
    /// command), on both engines, with a throwaway server (PostgreSQL) and through --database-url (MariaDB).
    @Test(.enabled(if: DatabaseHarness.shouldRun(.postgresql) && DatabaseHarness.shouldRun(.mysql), unavailable(.postgresql)),
          arguments: [MigrationSpec.Engine.postgresql, .mysql])
    func metaCommandInTheSchemaRunsNothing(_ engine: MigrationSpec.Engine) throws {
        let test = try Case(engine, schema: { "CREATE TABLE t (id INT PRIMARY KEY);\n\\! touch \($0)\nCREATE TABLE u (id INT PRIMARY KEY);\n" })
        defer { test.remove() }
        let url = engine == .mysql ? try DatabaseHarness.shared.url(.mysql) : nil
        let run = try Self.verify(test.spec, url: url, environment: ["TMPDIR": test.folder.path])
        #expect(run.status == 1, "\(run.stdout)\(run.stderr)")
        #expect(run.stderr.contains("base.sql:2"), "\(run.stderr)")
        #expect(!test.sentinelExists, "the meta-command ran")
    }

    /// `COPY … TO PROGRAM` in a DO block: the schema runs as a role that is no superuser and not in
    /// pg_execute_server_program, so the server refuses it.
    @Test(.enabled(if: DatabaseHarness.shouldRun(.postgresql), unavailable(.postgresql)), arguments: [false, true])
    func copyToProgramIsRefused(throughURL: Bool) throws {
        let test = try Case(.postgresql, schema: {
            "CREATE TABLE t (id int);\nDO $do$ BEGIN EXECUTE $x$COPY (SELECT 1) TO PROGRAM 'touch \($0)'$x$; END $do$;\n"
        })
        defer { test.remove() }
        let url = throughURL ? try DatabaseHarness.shared.url(.postgresql) : nil
        let run = try Self.verify(test.spec, url: url, environment: ["TMPDIR": test.folder.path])
        #expect(run.status == 1, "\(run.stdout)\(run.stderr)")
        #expect(run.stderr.contains("pg_execute_server_program") || run.stderr.contains("superuser"), "\(run.stderr)")
        #expect(!test.sentinelExists, "COPY TO PROGRAM ran")
    }

    /// The schema's role: not a superuser, no server-file roles, owner of the scratch database.
    @Test(.enabled(if: DatabaseHarness.shouldRun(.postgresql), unavailable(.postgresql)))
    func postgresSchemaRunsAsAnUnprivilegedOwner() throws {
        let test = try Case(.postgresql, schema: { _ in
            """
            CREATE TABLE t (id int);
            DO $do$ BEGIN
              IF (SELECT rolsuper OR rolcreaterole OR rolcreatedb OR rolreplication FROM pg_roles WHERE rolname = current_user) THEN RAISE EXCEPTION 'privileged role'; END IF;
              IF pg_has_role(current_user, 'pg_execute_server_program', 'USAGE') OR pg_has_role(current_user, 'pg_read_server_files', 'USAGE')
                 OR pg_has_role(current_user, 'pg_write_server_files', 'USAGE') THEN RAISE EXCEPTION 'server file roles'; END IF;
              IF (SELECT datdba::regrole::text FROM pg_database WHERE datname = current_database()) <> current_user THEN RAISE EXCEPTION 'not the owner'; END IF;
            END $do$;
            CREATE INDEX CONCURRENTLY t_id ON t (id);

            """
        })
        defer { test.remove() }
        let run = try Self.verify(test.spec, url: try DatabaseHarness.shared.url(.postgresql))
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
    }

    /// `SELECT … INTO OUTFILE`: no FILE privilege for the schema's user, and secure_file_priv is an
    /// empty private folder on the throwaway server.
    @Test(.enabled(if: DatabaseHarness.shouldRun(.mysql), unavailable(.mysql)))
    func intoOutfileIsRefused() throws {
        let test = try Case(.mysql, schema: { "CREATE TABLE t (id INT PRIMARY KEY);\nSELECT 1 INTO OUTFILE '\($0)';\n" })
        defer { test.remove() }
        let run = try Self.verify(test.spec, url: nil, environment: ["TMPDIR": test.folder.path])
        #expect(run.status == 1, "\(run.stdout)\(run.stderr)")
        #expect(run.stderr.contains("FILE privilege"), "\(run.stderr)")
        #expect(!test.sentinelExists, "INTO OUTFILE wrote the file")
    }

    /// Even the admin account cannot write outside MariaDB's empty secure_file_priv folder, and
    /// neither server runs as root.
    @Test(.enabled(if: DatabaseHarness.shouldRun(.postgresql) && DatabaseHarness.shouldRun(.mysql), unavailable(.mysql)))
    func serversAreConfinedEvenForTheAdmin() throws {
        guard case .success(let mariadb) = DatabaseHarness.shared.server(.mysql),
              case .success(let postgres) = DatabaseHarness.shared.server(.postgresql) else {
            throw HarnessError("the servers are not available")
        }
        let folder = try VerifyCommandTests.shortTemporaryFolder()
        chmod(folder.path, 0o777)
        defer { try? FileManager.default.removeItem(at: folder) }
        let sentinel = folder.appendingPathComponent("SENTINEL").path
        let admin = try mariadb.server.session(database: "")
        defer { admin.close() }
        do {
            try admin.execute("SELECT 1 INTO OUTFILE '\(sentinel)'")
            Issue.record("INTO OUTFILE succeeded")
        } catch let failure as SQLFailure {
            #expect(failure.message.contains("secure-file-priv"), "\(failure.message)")
        }
        #expect(!FileManager.default.fileExists(atPath: sentinel))
        for (server, pidFile) in [(mariadb.server, "mysqld.pid"), (postgres.server, "data/postmaster.pid")] {
            let folder = (server as? LocalMariaDBServer)?.folder ?? (server as? LocalPostgresServer)?.folder ?? ""
            let text = try String(contentsOfFile: "\(folder)/\(pidFile)", encoding: .utf8)
            let pid = text.split(separator: "\n").first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
            let status = try String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)
            let uid = status.split(separator: "\n").first { $0.hasPrefix("Uid:") }?.split(separator: "\t").dropFirst().first.map(String.init)
            #expect(uid != nil && uid != "0", "\(server.summary) runs as uid \(uid ?? "?")")
        }
    }

    // MARK: other databases

    /// `\connect victim` then DROP TABLE: a syntax error, and the victim's table survives.
    @Test(.enabled(if: DatabaseHarness.shouldRun(.postgresql), unavailable(.postgresql)))
    func connectCannotLeaveTheScratchDatabase() throws {
        guard case .success(let harness) = DatabaseHarness.shared.server(.postgresql) else {
            throw HarnessError("PostgreSQL is not available")
        }
        let admin = try harness.server.session(database: "postgres")
        defer { admin.close() }
        try admin.execute("DROP DATABASE IF EXISTS victim_pg")
        try admin.execute("CREATE DATABASE victim_pg")
        defer { try? admin.execute("DROP DATABASE IF EXISTS victim_pg") }
        let victim = try harness.server.session(database: "victim_pg")
        try victim.execute("CREATE TABLE precious (id int)")
        victim.close()
        let test = try Case(.postgresql, schema: { _ in "\\connect victim_pg\nDROP TABLE precious;\nCREATE TABLE t (id int);\n" })
        defer { test.remove() }
        let run = try Self.verify(test.spec, url: harness.url)
        #expect(run.status == 1, "\(run.stdout)\(run.stderr)")
        let check = try harness.server.session(database: "victim_pg")
        defer { check.close() }
        #expect(try check.query("SELECT count(*) FROM pg_class WHERE relname = 'precious'") == ["1"])
    }

    /// `USE victim` and `victim.precious`: the schema's user has no rights outside the scratch database.
    @Test(.enabled(if: DatabaseHarness.shouldRun(.mysql), unavailable(.mysql)),
          arguments: ["USE victim_my;\nDROP TABLE precious;\n", "DROP TABLE victim_my.precious;\n", "CREATE TABLE victim_my.planted (id INT);\n"])
    func otherDatabasesAreOutOfReach(_ attack: String) throws {
        guard case .success(let harness) = DatabaseHarness.shared.server(.mysql) else {
            throw HarnessError("MariaDB is not available")
        }
        let admin = try harness.server.session(database: "")
        defer { admin.close() }
        try admin.execute("DROP DATABASE IF EXISTS victim_my")
        try admin.execute("CREATE DATABASE victim_my")
        defer { try? admin.execute("DROP DATABASE IF EXISTS victim_my") }
        try admin.execute("CREATE TABLE victim_my.precious (id INT PRIMARY KEY)")
        let test = try Case(.mysql, schema: { _ in "CREATE TABLE t (id INT PRIMARY KEY);\n" + attack })
        defer { test.remove() }
        let run = try Self.verify(test.spec, url: harness.url)
        #expect(run.status == 1, "\(run.stdout)\(run.stderr)")
        // USE is a client command: validate refuses it (CUT027) before verify creates anything; the
        // rest the server denies.
        let refusedByValidate = run.stderr.contains("[CUT027]")
        #expect(run.stderr.contains("denied") || refusedByValidate, "\(run.stderr)")
        #expect(try admin.query("SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = 'victim_my'") == ["precious"])
        if refusedByValidate {
            #expect(!run.stderr.contains("creates and then drops the database"), "\(run.stderr)")
            return
        }
        // verify said what it would create and drop, and dropped it.
        let announced = run.stderr.split(separator: "\n").first { $0.contains("creates and then drops the database") }
        let user = announced.flatMap { $0.split(separator: " ").last.map(String.init) } ?? ""
        #expect(user.hasPrefix("cutover_verify_"), "\(run.stderr)")
        #expect(try admin.query("SELECT COUNT(*) FROM mysql.user WHERE User = '\(user)'") == ["0"])
        #expect(try admin.query("SELECT COUNT(*) FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = '\(user)'") == ["0"])
    }

    /// --database-url with an admin that is no superuser (CREATEROLE, CREATEDB) is enough, and a
    /// missing right is a clear error that leaves nothing behind.
    @Test(.enabled(if: DatabaseHarness.shouldRun(.postgresql), unavailable(.postgresql)), arguments: [true, false])
    func postgresAdminNeedsNoSuperuser(canCreateRoles: Bool) throws {
        guard case .success(let harness) = DatabaseHarness.shared.server(.postgresql) else {
            throw HarnessError("PostgreSQL is not available")
        }
        let name = "ns_admin_\(UUID().uuidString.prefix(8).lowercased())"
        let admin = try harness.server.session(database: "postgres")
        defer { admin.close() }
        try admin.execute("CREATE ROLE \(name) LOGIN CREATEDB\(canCreateRoles ? " CREATEROLE" : "")")
        defer { try? admin.execute("DROP ROLE IF EXISTS \(name)") }
        let url = harness.url.replacingOccurrences(of: "postgresql://postgres@", with: "postgresql://\(name)@")
        let run = try Self.verify(TestPaths.examples.appendingPathComponent("pricing-tiers.yaml"), url: url)
        if canCreateRoles {
            #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        } else {
            #expect(run.status == 1, "\(run.stdout)\(run.stderr)")
            #expect(run.stderr.contains("error: cannot prepare the scratch database and its owner: ERROR:  permission denied to create role"), "\(run.stderr)")
        }
        let announced = run.stderr.split(separator: "\n").first { $0.contains("creates and then drops the database") }
        let role = announced.flatMap { $0.split(separator: " ").last.map(String.init) } ?? ""
        #expect(role.hasPrefix("cutover_verify_"), "\(run.stderr)")
        #expect(try admin.query("SELECT count(*) FROM pg_roles WHERE rolname = '\(role)'") == ["0"])
        #expect(try admin.query("SELECT count(*) FROM pg_database WHERE datname = '\(role)'") == ["0"])
    }

    /// A server that is not on this machine needs --allow-remote; nothing is contacted without it.
    @Test func remoteServerNeedsTheFlag() throws {
        let test = try Case(.postgresql, schema: { _ in "CREATE TABLE t (id int);\n" })
        defer { test.remove() }
        let run = try Self.verify(test.spec, url: "postgresql://someone@192.0.2.10:5432/postgres")
        #expect(run.status == 1, "\(run.stdout)\(run.stderr)")
        #expect(run.stderr.contains("--allow-remote"), "\(run.stderr)")
        #expect(run.seconds < 10)
    }

    @Test func localURLsAreLocal() throws {
        for url in ["postgresql://u@/db?host=/tmp/x", "postgresql://u@localhost/db", "postgresql://u@127.0.0.1:5433/db",
                    "postgresql://u@[::1]/db", "mysql://root@/?socket=/tmp/m.sock", "mysql://root@127.0.0.1/"] {
            #expect(try ConnectionParameters.parse(url).isLocal, "\(url)")
        }
        for url in ["postgresql://u@db.example.com/db", "mysql://root@10.0.0.5/", "postgresql://u@192.0.2.10/db"] {
            #expect(try !ConnectionParameters.parse(url).isLocal, "\(url)")
        }
    }

    // MARK: hangs

    /// An unterminated quote in a MySQL sql change: the server rejects the statement at once.
    @Test(.enabled(if: DatabaseHarness.shouldRun(.mysql), unavailable(.mysql)))
    func unterminatedQuoteFailsFast() throws {
        let test = try Case(.mysql, schema: { _ in "CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(10));\n" },
                            up: "INSERT INTO t VALUES (1, 'abc);")
        defer { test.remove() }
        let run = try Self.verify(test.spec, url: try DatabaseHarness.shared.url(.mysql))
        #expect(run.status == 1, "\(run.stdout)\(run.stderr)")
        #expect(run.seconds < 30, "took \(run.seconds) s")
    }

    // MARK: leftovers

    /// SIGKILL mid-run: the servers die with cutover (parent-death signal); the next run removes
    /// the killed run's folder.
    @Test(.enabled(if: DatabaseHarness.shouldRun(.postgresql) && DatabaseHarness.shouldRun(.mysql), unavailable(.postgresql)),
          arguments: [MigrationSpec.Engine.postgresql, .mysql])
    func sigkillLeavesNothingAfterTheNextRun(_ engine: MigrationSpec.Engine) throws {
        let tmp = try VerifyCommandTests.shortTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: tmp) }
        let spec = TestPaths.examples.appendingPathComponent(engine == .postgresql ? "pricing-tiers.yaml" : "orders-customer-ref.yaml")
        let process = Process()
        process.executableURL = TestPaths.binary
        process.arguments = ["verify", spec.path]
        var env = ProcessInfo.processInfo.environment
        env["TMPDIR"] = tmp.path
        process.environment = env
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        // Wait until the server runs (its pid file holds a live pid), then SIGKILL cutover.
        var server: pid_t = 0
        let deadline = Date().addingTimeInterval(60)
        while server == 0 && Date() < deadline && process.isRunning {
            if let folder = try? FileManager.default.contentsOfDirectory(atPath: tmp.path).first {
                let pidFile = engine == .postgresql ? "\(tmp.path)/\(folder)/pg/data/postmaster.pid" : "\(tmp.path)/\(folder)/mariadb/mysqld.pid"
                if let text = try? String(contentsOfFile: pidFile, encoding: .utf8),
                   let first = text.split(separator: "\n").first, let pid = pid_t(first.trimmingCharacters(in: .whitespaces)), pid > 0 {
                    server = pid
                    break
                }
            }
            usleep(20_000)
        }
        try #require(server > 0, "the server never started")
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        let gone = Date().addingTimeInterval(10)
        while !ProcessState.isGone(server) && Date() < gone { usleep(50_000) }
        #expect(ProcessState.isGone(server), "server \(server) still runs 10 s after SIGKILL")
        let left = try FileManager.default.contentsOfDirectory(atPath: tmp.path)
        #expect(left.count == 1, "\(left)")

        let next = try CLIRun.run(["verify", spec.path], environment: ["TMPDIR": tmp.path])
        #expect(next.status == 0, "\(next.stdout)\(next.stderr)")
        let after = try FileManager.default.contentsOfDirectory(atPath: tmp.path)
        #expect(after.isEmpty, "left behind: \(after)")
    }

    /// SIGKILL of a --database-url run: its scratch database and role stay on the server; the next
    /// run on the same server drops them (and only names of verify's own form), then the folder.
    @Test(.enabled(if: DatabaseHarness.shouldRun(.postgresql), unavailable(.postgresql)))
    func sigkillOnADatabaseURLIsCleanedByTheNextRun() throws {
        guard case .success(let harness) = DatabaseHarness.shared.server(.postgresql) else {
            throw HarnessError("PostgreSQL is not available")
        }
        let tmp = try VerifyCommandTests.shortTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: tmp) }
        let spec = TestPaths.examples.appendingPathComponent("pricing-tiers.yaml")
        let process = Process()
        process.executableURL = TestPaths.binary
        process.arguments = ["verify", spec.path, "--database-url", harness.url]
        var env = ProcessInfo.processInfo.environment
        env["TMPDIR"] = tmp.path
        process.environment = env
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let admin = try harness.server.session(database: "postgres")
        defer { admin.close() }
        var note: ExternalLeftovers.Note?
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline && process.isRunning {
            if let folder = try? FileManager.default.contentsOfDirectory(atPath: tmp.path).first,
               let text = try? String(contentsOfFile: "\(tmp.path)/\(folder)/external-databases", encoding: .utf8),
               let parsed = ExternalLeftovers.parse(text), let database = parsed.databases.first,
               (try? admin.query("SELECT count(*) FROM pg_database WHERE datname = '\(database)'")) == ["1"] {
                note = parsed
                break
            }
            usleep(20_000)
        }
        let left = try #require(note, "the run never created its database")
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(try admin.query("SELECT count(*) FROM pg_roles WHERE rolname = '\(left.owner)'") == ["1"])

        let next = try CLIRun.run(["verify", spec.path, "--database-url", harness.url], environment: ["TMPDIR": tmp.path])
        #expect(next.status == 0, "\(next.stdout)\(next.stderr)")
        #expect(next.stderr.contains("dropping what a killed verify run left: \(left.databases[0])"), "\(next.stderr)")
        #expect(try admin.query("SELECT count(*) FROM pg_database WHERE datname = '\(left.databases[0])'") == ["0"])
        #expect(try admin.query("SELECT count(*) FROM pg_roles WHERE rolname = '\(left.owner)'") == ["0"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: tmp.path).isEmpty)
    }

    @Test func leftoverNotesNameOnlyVerifysOwnObjects() {
        #expect(ExternalLeftovers.parse("server postgresql /tmp/x 5432\nowner cutover_verify_0123456789 localhost\ndatabase cutover_verify_0123456789_blue\n") != nil)
        #expect(ExternalLeftovers.parse("server postgresql /tmp/x 5432\nowner cutover_verify_0123456789 localhost\ndatabase production\n") == nil)
        #expect(ExternalLeftovers.parse("server postgresql /tmp/x 5432\nowner postgres localhost\ndatabase cutover_verify_0123456789\n") == nil)
        #expect(ExternalLeftovers.parse("server mysql - -\nowner cutover_verify_0123456789 evil.example\n") == nil)
    }

    /// A folder with a live owner, without a marker, or of another prefix is never swept.
    @Test func sweepRemovesOnlyDeadOwnersFolders() throws {
        let base = try VerifyCommandTests.shortTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: base) }
        func make(_ name: String, marker: String?) throws -> String {
            let path = base.appendingPathComponent(name).path
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
            if let marker { try marker.write(toFile: "\(path)/.cutover-owner", atomically: true, encoding: .utf8) }
            return path
        }
        let live = try make("cutover-verify-aaaaaa", marker: "\(getpid()) \(ScratchFolder.startTime(getpid()) ?? 0)\n")
        let dead = try make("cutover-verify-bbbbbb", marker: "999999999 1\n")
        let reused = try make("cutover-verify-cccccc", marker: "\(getpid()) 1\n")
        let unmarked = try make("cutover-verify-dddddd", marker: nil)
        let other = try make("something-eeeeee", marker: "999999999 1\n")
        ScratchFolder.sweep(base.path, prefix: "cutover-verify")
        #expect(FileManager.default.fileExists(atPath: live))
        #expect(!FileManager.default.fileExists(atPath: dead))
        #expect(!FileManager.default.fileExists(atPath: reused))
        #expect(FileManager.default.fileExists(atPath: unmarked))
        #expect(FileManager.default.fileExists(atPath: other))
    }
}
