import Foundation
import Testing
@testable import CutoverCore

/// Issue #14 on MySQL: no version schemas (`MySQLVersionSchemas`). The plan has none, the runbook
/// names the retyped columns the new version reads and writes in their old type until contract, an
/// explicit `views` is refused (CUT068); and on a real server, the three facts the decision rests on.
@Suite(.serialized) struct MySQLVersionSchemaTests {
    static let yaml = """
    apiVersion: cutover.dev/v1alpha1
    kind: Migration
    metadata:
      name: reviews
      namespace: shop
    spec:
      database:
        engine: mysql
        version: "8.0"
        cluster: shop-db
        name: shop
        credentialsSecret: shop-db-credentials
        schema: reviews.schema.sql
      app:
        name: webapp
        image: ghcr.io/acme/webapp:v2.3.1
    SETTING  runner:
        tool: mysql
      changes:
        - alterColumn: {table: reviews, column: rating, type: INT}
        - alterColumn: {table: reviews, column: title, type: VARCHAR(200)}
        - renameColumn: {table: reviews, from: body, to: text}

    """
    static let schema = """
    CREATE TABLE reviews (
        id     BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
        rating VARCHAR(10) NOT NULL,
        title  VARCHAR(100) NOT NULL,
        body   TEXT NULL
    ) ENGINE=InnoDB;

    """

    static func check(setting: String) throws -> (result: Compiler.Result, folder: URL) {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cutover-myviews-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try yaml.replacingOccurrences(of: "SETTING", with: setting).write(to: folder.appendingPathComponent("reviews.yaml"), atomically: true, encoding: .utf8)
        try schema.write(to: folder.appendingPathComponent("reviews.schema.sql"), atomically: true, encoding: .utf8)
        return (try Compiler().check(fileAt: folder.appendingPathComponent("reviews.yaml").path), folder)
    }

    /// The default and an explicit `none` plan no version databases and tell the app what it may not
    /// rely on: the retyped `rating` (a hidden copy until contract), not the `title` widened in place.
    @Test(arguments: ["", "    versionSchemas: none\n"])
    func mysqlPlansUseTheTables(setting: String) throws {
        let (result, folder) = try Self.check(setting: setting)
        defer { try? FileManager.default.removeItem(at: folder) }
        let validated = try #require(result.validated, "\(result.diagnostics.map(\.message))")
        #expect(!result.diagnostics.contains { $0.rule == .versionSchemasEngine })
        #expect(!validated.spec.app.versionSchemas)
        let plan = Compiler().plan(validated)
        #expect(!plan.steps.contains { $0.slug.contains("version_schemas") })
        #expect(!plan.steps.flatMap { $0.up.statements + $0.down.statements }.contains { $0.text.contains("CREATE DATABASE") || $0.text.contains("CREATE OR REPLACE") && $0.text.contains("VIEW") })
        #expect(VersionSchemaSelection.schemas(plan) == nil)
        #expect(MySQLVersionSchemas.hiddenCopies(LoweringContext(spec: plan.spec, schema: plan.schema)).map(\.column.value) == ["rating"])
        let files = Compiler().emit(plan)
        #expect(!files.contains { $0.path.contains("version-schemas") })
        let readme = try #require(files.first { $0.path == "README.md" }).contents
        #expect(readme.contains("None on MySQL (`app.versionSchemas: none`, the only choice there)"))
        #expect(readme.contains("`reviews.rating` keeps the old type under the name"))
        #expect(!readme.contains("`reviews.title`"))
        #expect(!readme.contains("PGOPTIONS"))
    }

    /// Asking MySQL for version schemas is refused where it is written.
    @Test func viewsAreRefusedOnMySQL() throws {
        let (result, folder) = try Self.check(setting: "    versionSchemas: views\n")
        defer { try? FileManager.default.removeItem(at: folder) }
        let refused = result.diagnostics.filter { $0.rule == .versionSchemasEngine }
        #expect(refused.count == 1)
        #expect(refused.first?.severity == .error)
        #expect(refused.first.map { "\($0.location.line):\($0.location.column)" } == "17:21")
        #expect(result.validated == nil)
    }

    /// What the decision rests on, on MariaDB 10.11 (MySQL 8 behaves the same): a write through the new
    /// version's view in its own database fires the table's trigger in the table's database, so the
    /// trigger cannot tell the versions apart; the view names the copy column, so contract's swap leaves
    /// it invalid; and it cannot be created again while the swap holds LOCK TABLES.
    @Test(.enabled(if: DatabaseHarness.shouldRun(.mysql), unavailable(.mysql)))
    func mysqlCannotKeepAVersionDatabaseThroughTheSwap() throws {
        let url = try DatabaseHarness.shared.url(.mysql)
        let socket = try #require(URLComponents(string: url)?.queryItems?.first { $0.name == "socket" }?.value)
        func sql(_ input: String, database: String?) throws -> (status: Int32, output: String) {
            let result = try MySQLOrphanCheckTests.client(socket, database: database, input: input)
            return (result.status, result.output.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        let setup = try sql("""
            DROP DATABASE IF EXISTS vs_app_new; DROP DATABASE IF EXISTS vs_app; CREATE DATABASE vs_app; CREATE DATABASE vs_app_new; USE vs_app;
            CREATE TABLE reviews (id BIGINT AUTO_INCREMENT PRIMARY KEY, rating VARCHAR(10) NULL, rating_new INT NULL,
                                  trigger_db VARCHAR(64) NULL, session_db VARCHAR(64) NULL);
            CREATE TRIGGER reviews_ins BEFORE INSERT ON reviews FOR EACH ROW
              SET NEW.trigger_db = DATABASE(),
                  NEW.session_db = (SELECT db FROM information_schema.processlist WHERE id = CONNECTION_ID());
            CREATE ALGORITHM=MERGE SQL SECURITY INVOKER VIEW vs_app_new.reviews AS
              SELECT id, rating_new AS rating, trigger_db, session_db FROM vs_app.reviews;
            """, database: nil)
        #expect(setup.status == 0, "\(setup.output)")
        defer { _ = try? sql("DROP DATABASE IF EXISTS vs_app_new; DROP DATABASE IF EXISTS vs_app;", database: nil) }

        // The new version writes its INT through its view, connected to its own database.
        let write = try sql("INSERT INTO reviews (rating) VALUES (5); SELECT rating, trigger_db, session_db FROM reviews;", database: "vs_app_new")
        #expect(write.status == 0, "\(write.output)")
        #expect(write.output == "5\tvs_app\tvs_app", "the trigger sees only the table's database: \(write.output)")

        // Contract's swap: the view named the copy, which is gone under that name.
        let swap = try sql("""
            LOCK TABLES reviews WRITE;
            ALTER TABLE reviews RENAME COLUMN rating TO rating_retired, RENAME COLUMN rating_new TO rating;
            CREATE OR REPLACE ALGORITHM=MERGE SQL SECURITY INVOKER VIEW vs_app_new.reviews AS SELECT id, rating, trigger_db, session_db FROM vs_app.reviews;
            """, database: "vs_app")
        #expect(swap.status != 0 && swap.output.contains("1192"), "CREATE VIEW under LOCK TABLES: \(swap.output)")
        let read = try sql("SELECT rating FROM reviews;", database: "vs_app_new")
        #expect(read.status != 0 && read.output.contains("1356"), "the new version's view after the swap: \(read.output)")
    }
}
