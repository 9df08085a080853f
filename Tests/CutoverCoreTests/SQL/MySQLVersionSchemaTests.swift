@testable import CutoverPlan
@testable import CutoverSpec
@testable import CutoverCore
import Foundation
import Testing

/// Issue #14 on MySQL: a database of views per app version (`MySQLVersionSchemas`), the default; `none`
/// opts out; `views` without a base schema is refused (CUT068). On a real server, the generated files
/// carry both versions from expand to the rollback, and the facts behind the retyped-column fallback.
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
        - dropColumn: {table: reviews, column: legacy}

    """
    static let schema = """
    CREATE TABLE reviews (
        id     BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
        rating VARCHAR(10) NOT NULL,
        title  VARCHAR(100) NOT NULL,
        body   TEXT NULL,
        legacy TEXT NULL
    ) ENGINE=InnoDB;

    """

    static func check(setting: String) throws -> (result: Compiler.Result, folder: URL) {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cutover-myviews-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try yaml.replacingOccurrences(of: "SETTING", with: setting).write(to: folder.appendingPathComponent("reviews.yaml"), atomically: true, encoding: .utf8)
        try schema.write(to: folder.appendingPathComponent("reviews.schema.sql"), atomically: true, encoding: .utf8)
        return (try Compiler().check(fileAt: folder.appendingPathComponent("reviews.yaml").path), folder)
    }

    /// The default plans a database of views per version: every table in each version's shape, the
    /// renamed `body` as `text` for the new one, the dropped `legacy` hidden from it (a view naming it
    /// would be invalid once contract quarantines it), the retyped `rating` as its hidden copy under its
    /// own name (the new type from expand on; contract's swap re-points the view at `rating` itself).
    @Test func mysqlPlansVersionDatabasesByDefault() throws {
        let (result, folder) = try Self.check(setting: "")
        defer { try? FileManager.default.removeItem(at: folder) }
        let validated = try #require(result.validated, "\(result.diagnostics.map(\.message))")
        #expect(validated.spec.app.versionSchemas)
        let plan = Compiler().plan(validated)
        let step = try #require(plan.steps.first { $0.slug.contains("create_version_databases") })
        #expect(step.phase == .expand)
        #expect(plan.steps.last { $0.phase == .expand }?.slug == step.slug, "created last in expand, after every column it shows")
        let up = step.up.statements.map(\.text).joined(separator: "\n")
        #expect(up.contains("CREATE DATABASE IF NOT EXISTS `shop_reviews_old`;"))
        #expect(up.contains("CREATE DATABASE IF NOT EXISTS `shop_reviews_new`;"))
        #expect(up.contains("VIEW `shop_reviews_old`.`reviews` AS SELECT `id`, `rating`, `title`, `body`, `legacy` FROM `"))
        #expect(up.contains("VIEW `shop_reviews_new`.`reviews` AS SELECT `id`, `_cutover_reviews_rating_new` AS `rating`, `title`, `text` FROM `"), "the dropped column hidden, the copy as rating: \(up)")
        #expect(up.contains("ALGORITHM=MERGE SQL SECURITY INVOKER"))
        #expect(!up.contains("VIEW `shop_reviews_old`.`reviews` AS SELECT `id`, `_cutover_"), "the old version's view names no hidden copy")
        let swap = try #require(plan.steps.first { $0.slug.contains("rating_swap") })
        let swapUp = swap.up.statements.map(\.text).joined(separator: "\n")
        #expect(swapUp.contains("LOCK TABLES `shop_reviews_new`.`reviews` WRITE;") && !swapUp.contains("LOCK TABLES `reviews`"), "the lock is taken on the view: \(swapUp)")
        #expect(swapUp.contains("SELECT 'cutover-concurrent' AS cutover_marker;"))
        let swapComments = swap.up.statements.compactMap(\.comment).joined(separator: "\n")
        #expect(swapComments.contains("cutover-concurrent: SET @cutover_ddl = CONCAT('CREATE OR REPLACE ALGORITHM=MERGE SQL SECURITY INVOKER VIEW `shop_reviews_new`.`reviews` AS SELECT `id`, `rating`, `title`, `text` FROM `'"), "\(swapComments)")
        let down = step.down.statements.map(\.text).joined(separator: "\n")
        #expect(down.contains("DROP VIEW IF EXISTS `shop_reviews_new`.`reviews`;") && down.contains("DROP DATABASE IF EXISTS `shop_reviews_old`"))
        #expect(!plan.steps.contains { $0.phase == .contract && $0.slug.contains("version") }, "contract leaves them: the new version still reads through them")
        #expect(VersionSchemaSelection.schemas(plan).map { [$0.old, $0.new] } == ["shop_reviews_old", "shop_reviews_new"])
        let files = Compiler().emit(plan)
        let configMap = try #require(files.first { $0.path.hasSuffix("configmap-version-schemas.yaml") && $0.path.hasPrefix("manifests/") }).contents
        #expect(configMap.contains("base.database: shop") && configMap.contains("new.database: shop_reviews_new") && configMap.contains("old.database: shop_reviews_old"))
        let readme = try #require(files.first { $0.path == "README.md" }).contents
        #expect(readme.contains("Expand creates a database of views per app version: `shop_reviews_old`"))
        #expect(readme.contains("Retyped columns are in the new type in `shop_reviews_new` from expand on: its view shows `reviews.rating` as the hidden copy"))
        #expect(readme.contains("GRANT SELECT, INSERT, UPDATE, DELETE ON `shop\\_reviews\\_new`.* TO '<app user>'@'%';"))
        #expect(readme.contains("\"name\":\"MYSQL_DATABASE\",\"value\":null,\"valueFrom\":{\"configMapKeyRef\":{\"name\":\"reviews-version-schemas\",\"key\":\"new.database\""))
        #expect(readme.contains("{\"name\":\"MYSQL_DATABASE\",\"value\":\"shop\",\"valueFrom\":null}"), "the revert and the step after contract point the app at the base database")
        #expect(!readme.contains("PGOPTIONS"))
    }

    /// `none` keeps the tables for both versions and says what the new version may not rely on.
    @Test func noneOptsOut() throws {
        let (result, folder) = try Self.check(setting: "    versionSchemas: none\n")
        defer { try? FileManager.default.removeItem(at: folder) }
        let validated = try #require(result.validated, "\(result.diagnostics.map(\.message))")
        #expect(!validated.spec.app.versionSchemas)
        let plan = Compiler().plan(validated)
        #expect(!plan.steps.flatMap { $0.up.statements + $0.down.statements }.contains { $0.text.contains("CREATE DATABASE") || $0.text.contains("VIEW") })
        #expect(VersionSchemaSelection.schemas(plan) == nil)
        let files = Compiler().emit(plan)
        #expect(!files.contains { $0.path.contains("version-schemas") })
        let readme = try #require(files.first { $0.path == "README.md" }).contents
        #expect(readme.contains("Off (`app.versionSchemas: none`, or no `database.schema`)"))
        #expect(readme.contains("`reviews.rating` keeps the old type under the name"))
        #expect(!readme.contains("MYSQL_DATABASE"))
    }

    /// An explicit `views` is accepted with `database.schema` (it was refused on MySQL before), and
    /// refused without one where it is written: the databases need every table, which only the base
    /// schema lists (CUT068).
    @Test func viewsNeedABaseSchema() throws {
        let (accepted, acceptedFolder) = try Self.check(setting: "    versionSchemas: views\n")
        defer { try? FileManager.default.removeItem(at: acceptedFolder) }
        #expect(accepted.diagnostics.filter { $0.severity == .error }.isEmpty, "\(accepted.diagnostics.map(\.message))")
        #expect(accepted.validated?.spec.app.versionSchemas == true)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cutover-myviews-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let yaml = Self.yaml.replacingOccurrences(of: "SETTING", with: "    versionSchemas: views\n")
            .replacingOccurrences(of: "    schema: reviews.schema.sql\n", with: "")
        try yaml.write(to: folder.appendingPathComponent("reviews.yaml"), atomically: true, encoding: .utf8)
        let result = try Compiler().check(fileAt: folder.appendingPathComponent("reviews.yaml").path)
        let refused = result.diagnostics.filter { $0.rule == .versionSchemasEngine }
        #expect(refused.count == 1)
        #expect(refused.first?.severity == .error)
        #expect(refused.first.map { "\($0.location.line):\($0.location.column)" } == "16:21")
        #expect(result.validated == nil)
    }

    /// On a real server, the generated files themselves: both versions read and write through their
    /// own database of views from expand on (the new one under the renamed column, the old one under
    /// the base names, the sync triggers filling the other); the new version's statements keep working
    /// through contract (its view names only columns contract keeps, and shows `rating` as INT after
    /// the swap, and hides the dropped `legacy`, which contract quarantines) and through the rollback of
    /// contract; the rollback of expand drops both databases.
    /// Without version databases the first `USE shop_reviews_new` fails.
    @Test(.enabled(if: DatabaseHarness.shouldRun(.mysql), unavailable(.mysql)))
    func bothVersionsGoThroughTheirDatabasesFromExpandToTheRollback() throws {
        let url = try DatabaseHarness.shared.url(.mysql)
        let socket = try #require(URLComponents(string: url)?.queryItems?.first { $0.name == "socket" }?.value)
        func sql(_ input: String, database: String?) throws -> (status: Int32, output: String) {
            let result = try MySQLOrphanCheckTests.client(socket, database: database, input: input)
            return (result.status, result.output.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        let (result, folder) = try Self.check(setting: "")
        defer { try? FileManager.default.removeItem(at: folder) }
        let plan = Compiler().plan(try #require(result.validated))
        let files = Compiler().emit(plan).filter { $0.path.hasPrefix("sql/") }.sorted { $0.path < $1.path }
        func run(_ phases: [Phase], down: Bool) throws {
            let chosen = files.filter { file in phases.contains { file.path.contains("_\($0.rawValue)_") } && file.path.hasSuffix(down ? ".down.sql" : ".up.sql") }
            for file in down ? chosen.reversed() : chosen {
                let ran = try sql(file.contents, database: "myviews_app")
                #expect(ran.status == 0, "\(file.path): \(ran.output)")
            }
        }
        let cleanup = "DROP DATABASE IF EXISTS myviews_app; DROP DATABASE IF EXISTS shop_reviews_old; DROP DATABASE IF EXISTS shop_reviews_new;"
        let setup = try sql(cleanup + " CREATE DATABASE myviews_app; USE myviews_app;\n" + Self.schema
                            + "INSERT INTO reviews (rating, title, body) VALUES ('4', 'seed', 'seeded');", database: nil)
        #expect(setup.status == 0, "\(setup.output)")
        defer { _ = try? sql(cleanup, database: nil) }

        try run([.preflight, .expand, .backfill], down: false)
        let new = try sql("INSERT INTO reviews (rating, title, text) VALUES ('5', 'new', 'from new'); SELECT COUNT(*) FROM reviews WHERE text IS NOT NULL;", database: "shop_reviews_new")
        #expect(new.status == 0 && new.output == "2", "the new version through shop_reviews_new: \(new.output)")
        let old = try sql("INSERT INTO reviews (rating, title, body) VALUES ('3', 'old', 'from old'); SELECT body FROM reviews WHERE title = 'new';", database: "shop_reviews_old")
        #expect(old.status == 0 && old.output == "from new", "the old version through shop_reviews_old sees the new version's row: \(old.output)")
        let synced = try sql("SELECT text FROM reviews WHERE title = 'old';", database: "shop_reviews_new")
        #expect(synced.output == "from old")
        let hidden = try sql("SELECT body FROM reviews;", database: "shop_reviews_new")
        #expect(hidden.status != 0 && hidden.output.contains("1054"), "the renamed column's old name is not in the new version's shape: \(hidden.output)")

        try run([.complete, .contract], down: false)
        let after = try sql("""
            INSERT INTO reviews (rating, title, text) VALUES (6, 'after', 'after contract');
            SELECT data_type FROM information_schema.columns WHERE table_schema = 'shop_reviews_new' AND table_name = 'reviews' AND column_name = 'rating';
            SELECT COUNT(*) FROM reviews;
            """, database: "shop_reviews_new")
        #expect(after.status == 0 && after.output == "int\n4", "the new version after contract, rating now INT: \(after.output)")

        try run([.complete, .contract], down: true)
        let back = try sql("UPDATE reviews SET text = 'edited' WHERE title = 'after'; SELECT COUNT(*) FROM reviews;", database: "shop_reviews_new")
        #expect(back.status == 0 && back.output == "4", "the new version after the rollback of contract: \(back.output)")
        try run([.backfill, .expand], down: true)
        let gone = try sql("SELECT COUNT(*) FROM information_schema.schemata WHERE schema_name IN ('shop_reviews_old', 'shop_reviews_new');", database: nil)
        #expect(gone.output == "0", "the rollback of expand drops both databases: \(gone.output)")
    }

    /// Why a retyped column keeps its old type in the new version's view until contract (MariaDB 10.11):
    /// a write through the new version's view fires the table's trigger in the table's database, so the
    /// trigger cannot tell the versions apart; a view of the copy column is invalid after contract's
    /// swap; and it cannot be created again while the swap holds LOCK TABLES.
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
