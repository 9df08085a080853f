import CutoverPlan
import CutoverEmit
import Foundation
import Testing

/// `cutover rehearse` end to end on the must-fail fixtures: each must exit 1 naming the stage, the
/// Job or the app version, and the statement. These start their own throwaway PostgreSQL server
/// and need helm (kubectl for --delivery kubectl|argocd); without them the tests are skipped, unless REQUIRE_DB=1 (or CI), where they fail.
@Suite(.serialized) struct RehearseCommandTests {
    struct Outcome {
        var run: CLIRun
        var report: [String: Any]
        var failures: [[String: Any]] { report["failures"] as? [[String: Any]] ?? [] }
    }

    static func broken(_ name: String) -> String { TestPaths.fixtures.appendingPathComponent("broken/\(name)").path }

    /// Refused before any report: exit 1, the reason on standard error, nothing on standard output.
    static func expectRefused(_ run: CLIRun, saying reason: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) {
        #expect(run.status == 1, sourceLocation: sourceLocation)
        #expect(run.stderr.contains(reason), "\(run.stderr)", sourceLocation: sourceLocation)
        #expect(run.stdout.isEmpty, sourceLocation: sourceLocation)
    }

    static func rehearse(_ fixture: String, rows: Int, extra: [String] = []) throws -> Outcome? {
        let path = Self.broken(fixture)
        let run = try CLIRun.run(["rehearse", "--format", "json", "--rows", String(rows)] + extra + [path])
        guard let object = try? JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any] else {
            if !DatabaseHarness.required && (run.stderr.contains("cannot start a throwaway") || run.stderr.contains("no helm was found") || run.stderr.contains("no kubectl was found")) {
                return nil
            }
            Issue.record("rehearse \(fixture) printed no report (exit \(run.status)):\n\(run.stderr)")
            return nil
        }
        return Outcome(run: run, report: object)
    }

    @Test func lockHeldLongerThanLockTimeoutFails() throws {
        guard let outcome = try Self.rehearse("pg-rehearse-lock-scan.yaml", rows: 0) else { return }
        #expect(outcome.run.status == 1)
        let first = try #require(outcome.failures.first)
        #expect(first["job"] as? String == "pg-rehearse-lock-scan-expand")
        #expect(first["phase"] as? String == "expand")
        #expect(first["file"] as? String == "0001_expand_sql_hold_accounts.up.sql")
        #expect((first["error"] as? String ?? "").contains("AccessExclusive lock on accounts"))
        #expect((first["stage"] as? String ?? "").hasPrefix("forward 1"))
    }

    @Test func metadataLockHeldLongerThanLockTimeoutFailsOnMariaDB() throws {
        guard let outcome = try Self.rehearse("mysql-rehearse-lock-scan.yaml", rows: 500) else { return }
        #expect(outcome.run.status == 1)
        // The old version's traffic on accounts may time out waiting for the same lock and be listed first.
        let held = outcome.failures.first { $0["file"] as? String == "0001_expand_sql_hold_accounts.up.sql" }
        let first = try #require(held, "no failure names the file: \(outcome.failures)")
        #expect(first["job"] as? String == "mysql-rehearse-lock-scan-expand")
        #expect((first["error"] as? String ?? "").contains("SHARED_NO_READ_WRITE lock on accounts"))
    }

    @Test func droppingAColumnTheOldVersionWritesFails() throws {
        guard let outcome = try Self.rehearse("pg-rehearse-drop-written-column.yaml", rows: 2000) else { return }
        #expect(outcome.run.status == 1)
        let old = outcome.failures.first { $0["version"] as? String == "old" }
        let failure = try #require(old, "no statement of the old version failed: \(outcome.failures)")
        #expect((failure["stage"] as? String ?? "").hasPrefix("forward 1"))
        #expect(failure["phase"] as? String == "expand")
        #expect(failure["job"] as? String == "pg-rehearse-drop-written-column-expand")
        #expect((failure["statement"] as? String ?? "").contains("nickname"))
        #expect((failure["error"] as? String ?? "").contains("nickname"))
    }

    @Test func notNullWhileTheOldVersionServesFails() throws {
        guard let outcome = try Self.rehearse("pg-rehearse-not-null-early.yaml", rows: 2000) else { return }
        #expect(outcome.run.status == 1)
        let old = outcome.failures.first { $0["version"] as? String == "old" && ($0["statement"] as? String ?? "").hasPrefix("INSERT") }
        let failure = try #require(old, "no INSERT of the old version failed: \(outcome.failures)")
        #expect((failure["stage"] as? String ?? "").hasPrefix("forward 1"))
        #expect(failure["phase"] as? String == "expand")
        #expect((failure["error"] as? String ?? "").contains("null value in column \"region\""))
    }

    /// A migration that only creates a table still proves the old version: its traffic runs on the
    /// table the new one references (it sent nothing before, issue 13 audit), so expand's trigger that
    /// refuses inserts into that table fails the old version's INSERTs, named with the trigger's error.
    @Test func aCreateOnlyMigrationStillSendsTheOldVersionsTraffic() throws {
        guard let outcome = try Self.rehearse("pg-rehearse-create-only-refuses-parent.yaml", rows: 500) else { return }
        #expect(outcome.run.status == 1)
        let old = outcome.failures.first { $0["version"] as? String == "old" && ($0["statement"] as? String ?? "").hasPrefix("INSERT") }
        let failure = try #require(old, "no INSERT of the old version failed: \(outcome.failures)")
        #expect((failure["stage"] as? String ?? "").hasPrefix("forward 1"))
        #expect((failure["statement"] as? String ?? "").contains("accounts"))
        #expect((failure["error"] as? String ?? "").contains("accounts are read-only"))
    }

    /// The kubectl must-fail case: the fixture's output with its expand folder's kustomization
    /// replaced (it lists ../contract/ too). kubectl creates both Jobs at once, so the contract
    /// quarantines nickname while the old version still writes it.
    static func generatedWithContractInExpand() throws -> URL {
        let folder = TestPaths.temporaryFolder("kubectl-at-once")
        let spec = Self.broken("pg-rehearse-kubectl-contract-at-once.yaml")
        let generate = try CLIRun.run(["generate", spec, "-o", folder.path])
        #expect(generate.status == 0, "\(generate.stderr)")
        let kustomization = folder.appendingPathComponent("pg-rehearse-kubectl-contract-at-once/manifests/expand/kustomization.yaml")
        try FileManager.default.removeItem(at: kustomization)
        try FileManager.default.copyItem(at: TestPaths.fixtures.appendingPathComponent("broken/pg-rehearse-kubectl-contract-at-once.kustomization.yaml"),
                                         to: kustomization)
        return folder
    }

    @Test func kubectlStartsEveryJobOfAFolderAtOnce() throws {
        let folder = try Self.generatedWithContractInExpand()
        defer { try? FileManager.default.removeItem(at: folder) }
        guard let outcome = try Self.rehearse("pg-rehearse-kubectl-contract-at-once.yaml", rows: 2000,
                                              extra: ["--delivery", "kubectl", "--generated", folder.path]) else { return }
        #expect(outcome.run.status == 1)
        #expect(outcome.report["delivery"] as? String == "kubectl")
        let first = try #require(outcome.failures.first)
        #expect(first["stage"] as? String == "forward 2")
        #expect(first["version"] as? String == "old")
        #expect((first["error"] as? String ?? "").contains("nickname"))
        let expand = (outcome.report["sections"] as? [[String: Any]] ?? []).first { $0["folder"] as? String == "manifests/expand/" }
        let jobs = (expand?["jobs"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
        #expect(Set(jobs) == ["pg-rehearse-kubectl-contract-at-once-contract", "pg-rehearse-kubectl-contract-at-once-expand"])
    }

    @Test func theSameOutputAsGeneratedPassesWithKubectlAndArgoCD() throws {
        for delivery in ["kubectl", "argocd"] {
            guard let outcome = try Self.rehearse("pg-rehearse-kubectl-contract-at-once.yaml", rows: 500, extra: ["--delivery", delivery]) else { return }
            #expect(outcome.run.status == 0, "\(delivery): \(outcome.failures)")
            #expect(outcome.report["proven"] as? Bool == true)
        }
    }

    @Test func generatedFolderMayNotChangeWhatAJobRuns() throws {
        let folder = try Self.generatedWithContractInExpand()
        defer { try? FileManager.default.removeItem(at: folder) }
        let job = folder.appendingPathComponent("pg-rehearse-kubectl-contract-at-once/manifests/contract/job-contract.yaml")
        let text = try String(contentsOf: job, encoding: .utf8)
        try text.replacingOccurrences(of: "/bin/sh", with: "/bin/bash").write(to: job, atomically: true, encoding: .utf8)
        let path = Self.broken("pg-rehearse-kubectl-contract-at-once.yaml")
        let run = try CLIRun.run(["rehearse", "--rows", "0", "--delivery", "kubectl", "--generated", folder.path, path])
        if !DatabaseHarness.required && run.stderr.contains("cannot start a throwaway") { return }
        Self.expectRefused(run, saying: "Job pg-rehearse-kubectl-contract-at-once-contract in the --generated folder is not one cutover generates")
    }

    @Test func aMissingGeneratedFolderIsRefusedBeforeAnyServerStarts() throws {
        let run = try CLIRun.run(["rehearse", "--delivery", "argocd", "--generated", "/nonexistent", Self.broken("pg-rehearse-kubectl-contract-at-once.yaml")])
        Self.expectRefused(run, saying: "--generated: /nonexistent/pg-rehearse-kubectl-contract-at-once/manifests/ is not a folder")
        #expect(run.seconds < 5)
    }

    @Test func generatedNeedsManifestsDelivery() throws {
        let run = try CLIRun.run(["rehearse", "--generated", "/tmp", "x.yaml"])
        #expect(run.status == 64)
        #expect(run.stderr.contains("--delivery kubectl or argocd"))
    }

    @Test func theAppsOwnStatementsFailWhereTheyWouldFail() throws {
        let old = Self.broken("pg-rehearse-traffic-old-reads-new-column.sql")
        guard let outcome = try Self.rehearse("pg-rehearse-kubectl-contract-at-once.yaml", rows: 500, extra: ["--traffic-old", old]) else { return }
        #expect(outcome.run.status == 1)
        let first = try #require(outcome.failures.first)
        #expect(first["version"] as? String == "old")
        #expect((first["stage"] as? String ?? "").hasPrefix("forward 1"))
        #expect((first["statement"] as? String ?? "").contains("SELECT display_name FROM accounts WHERE id = 2;"))
        #expect((first["statement"] as? String ?? "").contains("pg-rehearse-traffic-old-reads-new-column.sql:6"))
        #expect((first["error"] as? String ?? "").contains("column \"display_name\" does not exist"))
    }

    /// A MySQL numeric widening (DECIMAL(5,2) → DECIMAL(9,2), SMALLINT → INT) on a table with data:
    /// the new version reads and writes the new type through its database of views from the rollout on
    /// (checked in the catalog when it starts), and its derived traffic writes values both types hold,
    /// as the plan README tells the app (the two-way sync writes them into the old column while the
    /// old version serves, and the rollback of contract refuses others). An app statement that breaks
    /// that rule still fails, naming the new version.
    @Test func mysqlNumericWideningPassesAndAWideValueBeforeContractFails() throws {
        let spec = TestPaths.fixtures.appendingPathComponent("valid/mysql-prices-widening.yaml").path
        let passing = try CLIRun.run(["rehearse", "--format", "json", "--rows", "2000", spec])
        guard let report = try? JSONSerialization.jsonObject(with: Data(passing.stdout.utf8)) as? [String: Any] else {
            if !DatabaseHarness.required && passing.stderr.contains("cannot start a throwaway") { return }
            Issue.record("rehearse printed no report (exit \(passing.status)):\n\(passing.stderr)")
            return
        }
        #expect(passing.status == 0, "\(report["failures"] ?? "")")
        let checks = report["checks"] as? [String] ?? []
        #expect(checks.contains { $0.contains("reads and writes products.price, products.stock in the new type through its database of views") }, "\(checks)")
        #expect(checks.contains { $0.contains("products.price decimal(9,2) (old decimal(5,2)), products.stock int(11) (old smallint(6))") }, "\(checks)")

        let wide = Self.broken("mysql-rehearse-wide-value-early.sql")
        let failing = try CLIRun.run(["rehearse", "--format", "json", "--rows", "2000", "--traffic-new", wide, spec])
        let object = try #require(try? JSONSerialization.jsonObject(with: Data(failing.stdout.utf8)) as? [String: Any], "\(failing.stderr)")
        #expect(failing.status == 1)
        let failures = object["failures"] as? [[String: Any]] ?? []
        let first = try #require(failures.first, "no failure reported")
        #expect(first["version"] as? String == "new")
        #expect((first["stage"] as? String ?? "").hasPrefix("forward 1"))
        #expect((first["statement"] as? String ?? "").contains("mysql-rehearse-wide-value-early.sql:9"))
        #expect((first["error"] as? String ?? "").contains("Out of range value for column 'price'"))
    }

    /// MySQL version databases (`MySQLVersionSchemas`): the example's rehearsal says the new version went
    /// through its own database (the old one through the base database, where its pods stay) and passes; the new version's own statement naming the renamed
    /// column's old name then fails from the rollout on (in `shop_orders_customer_ref_new` it is
    /// `customer_id`), where through the base tables it worked until contract.
    @Test func mysqlTrafficGoesThroughTheVersionDatabases() throws {
        let spec = TestPaths.examples.appendingPathComponent("orders-customer-ref.yaml").path
        let passing = try CLIRun.run(["rehearse", "--format", "json", "--rows", "2000", spec])
        guard let report = try? JSONSerialization.jsonObject(with: Data(passing.stdout.utf8)) as? [String: Any] else {
            if !DatabaseHarness.required && passing.stderr.contains("cannot start a throwaway") { return }
            Issue.record("rehearse printed no report (exit \(passing.status)):\n\(passing.stderr)")
            return
        }
        #expect(passing.status == 0, "\(report["failures"] ?? "")")
        #expect((report["checks"] as? [String] ?? []).contains { $0.hasPrefix("traffic: the new version through its database of views (shop_orders_customer_ref_new)") })

        let script = Self.broken("mysql-rehearse-traffic-new-reads-old-column.sql")
        let failing = try CLIRun.run(["rehearse", "--format", "json", "--rows", "2000", "--traffic-new", script, spec])
        let object = try #require(try? JSONSerialization.jsonObject(with: Data(failing.stdout.utf8)) as? [String: Any], "\(failing.stderr)")
        #expect(failing.status == 1)
        let first = try #require((object["failures"] as? [[String: Any]] ?? []).first, "no failure reported")
        #expect(first["version"] as? String == "new")
        #expect((first["stage"] as? String ?? "").hasPrefix("forward 1"), "\(first)")
        #expect((first["statement"] as? String ?? "").contains("mysql-rehearse-traffic-new-reads-old-column.sql:7"))
        #expect((first["error"] as? String ?? "").contains("Unknown column 'cust_id'"))
    }

    /// A pg_dump schema starts with `set_config('search_path', '', false)`: the new version's shape
    /// was read in the session that loaded it, saw no table, and the new version sent nothing (its
    /// `--traffic-new` file neither) while the run said PROVEN. Both with and without version schemas.
    @Test(arguments: ["", ", versionSchemas: none"])
    func aPgDumpSchemaStillLetsTheNewVersionSend(_ versionSchemas: String) throws {
        let folder = TestPaths.temporaryFolder("dump-search-path")
        defer { try? FileManager.default.removeItem(at: folder) }
        try """
            SELECT pg_catalog.set_config('search_path', '', false);
            CREATE TABLE public.users (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, email text NOT NULL);

            """.write(to: folder.appendingPathComponent("schema.sql"), atomically: true, encoding: .utf8)
        try """
            apiVersion: cutover.dev/v1alpha1
            kind: Migration
            metadata: {name: dump-search-path, namespace: shop}
            spec:
              database: {engine: postgresql, version: "15", cluster: shop-db, name: shop, credentialsSecret: shop-db-credentials, schema: schema.sql}
              app: {name: web, image: "ghcr.io/acme/web:v2"\(versionSchemas)}
              changes:
                - renameColumn: {table: users, from: email, to: mail}

            """.write(to: folder.appendingPathComponent("spec.yaml"), atomically: true, encoding: .utf8)
        let bad = folder.appendingPathComponent("bad-new.sql").path
        try "SELECT no_such_column FROM users;\n".write(toFile: bad, atomically: true, encoding: .utf8)
        let spec = folder.appendingPathComponent("spec.yaml").path

        let good = try CLIRun.run(["rehearse", "--format", "json", "--rows", "300", spec])
        guard let report = try? JSONSerialization.jsonObject(with: Data(good.stdout.utf8)) as? [String: Any] else {
            if !DatabaseHarness.required && (good.stderr.contains("cannot start a throwaway") || good.stderr.contains("no helm was found")) { return }
            Issue.record("rehearse printed no report (exit \(good.status)):\n\(good.stderr)")
            return
        }
        #expect(good.status == 0, "\(good.stdout)")
        let sections = report["sections"] as? [[String: Any]] ?? []
        let newSent = sections.flatMap { $0["traffic"] as? [[String: Any]] ?? [] }
            .filter { $0["version"] as? String == "new" }.map { $0["sent"] as? Int ?? 0 }
        #expect(!newSent.isEmpty && newSent.allSatisfy { $0 > 0 }, "new version's statements per stage: \(newSent)")

        let run = try CLIRun.run(["rehearse", "--format", "json", "--rows", "300", "--traffic-new", bad, spec])
        #expect(run.status == 1, "\(run.stdout)")
        let failures = ((try? JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])?["failures"] as? [[String: Any]]) ?? []
        let first = try #require(failures.first, "\(run.stdout)\(run.stderr)")
        #expect(first["version"] as? String == "new")
        #expect((first["statement"] as? String ?? "").contains("SELECT no_such_column FROM users;"))
        #expect((first["error"] as? String ?? "").contains("column \"no_such_column\" does not exist"))
    }

    @Test func aTrafficFileWithAClientCommandIsRefusedBeforeAnythingRuns() throws {
        let folder = TestPaths.temporaryFolder("traffic-refused")
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("new.sql").path
        try "SELECT 1;\n\\! touch /tmp/owned\n".write(toFile: file, atomically: true, encoding: .utf8)
        let spec = Self.broken("pg-rehearse-kubectl-contract-at-once.yaml")
        let run = try CLIRun.run(["rehearse", "--traffic-new", file, spec])
        Self.expectRefused(run, saying: "new.sql:2:1: error: client command")
    }

    /// Blue-green with an UNLOGGED table the app writes: its rows would never reach green. The
    /// preflight Job, the first hook, refuses it before anything changes, named with the table (the
    /// replicate Job's own refusal stays behind it).
    @Test func blueGreenWithAnUnloggedTableFails() throws {
        guard let outcome = try Self.rehearse("pg-rehearse-bluegreen-unlogged.yaml", rows: 500) else { return }
        #expect(outcome.run.status == 1)
        let first = try #require(outcome.failures.first)
        #expect((first["stage"] as? String ?? "").hasPrefix("forward 1"))
        #expect(first["phase"] as? String == "preflight")
        #expect(first["job"] as? String == "pg-rehearse-bluegreen-unlogged-preflight")
        #expect((first["error"] as? String ?? "").contains("sessions is UNLOGGED"), "\(first)")
    }

    @Test func missingHelmIsAClearError() throws {
        let path = Self.broken("pg-rehearse-lock-scan.yaml")
        let run = try CLIRun.run(["rehearse", "--rows", "0", path], environment: ["CUTOVER_HELM": "/nonexistent/helm"])
        Self.expectRefused(run, saying: "CUTOVER_HELM=/nonexistent/helm is not an executable")
    }

    /// A spec without database.schema would start empty servers, where every change fails on a missing
    /// table: refused up front, naming the first table and what to add, for both strategies.
    @Test(arguments: ["base-blue-green.yaml": "table accounts (verify.checksum.tables)", "base-pg.yaml": "table pricing would not exist"])
    func specWithoutBaseSchemaIsRefused(_ fixture: String, _ named: String) throws {
        let path = TestPaths.fixtures.appendingPathComponent("valid-encoding/\(fixture)").path
        let run = try CLIRun.run(["rehearse", "--rows", "0", path])
        Self.expectRefused(run, saying: named)
        #expect(run.stderr.contains("add database.schema"), "\(run.stderr)")
    }

    @Test func usageErrorExits64() throws {
        let run = try CLIRun.run(["rehearse", "--rows", "-1", "x.yaml"])
        #expect(run.status == 64)
    }
}
