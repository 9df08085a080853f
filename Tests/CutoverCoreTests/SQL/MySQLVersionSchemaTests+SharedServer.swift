import Foundation
import Testing
@testable import CutoverPlan
@testable import CutoverSpec
@testable import CutoverEmit
@testable import CutoverProof
@testable import CutoverCore

/// Issue #14, user trial (SHOULD-FIX 1): two environments (staging and prod databases on one shared
/// MySQL server) running the same migration. The version databases were named after the migration
/// only (`reviews_new`), so prod's expand re-pointed staging's views at prod's tables and one's
/// rollback dropped the other's databases. They are named per base database now
/// (`DerivedNames.versionDatabase`), and a Job that meets views over another database under its
/// names refuses before it changes anything. On a real MariaDB 10.11.
extension MySQLVersionSchemaTests {
    static let environments = ["v14s_staging", "v14s_prod"]
    static let sharedCleanup = (environments + ["v14s_other"]).map { "DROP DATABASE IF EXISTS \($0);" }.joined(separator: " ")
        + environments.flatMap { base in ["old", "new"].map { " DROP DATABASE IF EXISTS \(base)_reviews_\($0);" } }.joined()

    /// The SQL files of `yaml` with `database.name` set to `base`.
    static func files(base: String) throws -> [OutputFile] {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cutover-myshared-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let yaml = Self.yaml.replacingOccurrences(of: "SETTING", with: "").replacingOccurrences(of: "    name: shop\n", with: "    name: \(base)\n")
        try yaml.write(to: folder.appendingPathComponent("reviews.yaml"), atomically: true, encoding: .utf8)
        try schema.write(to: folder.appendingPathComponent("reviews.schema.sql"), atomically: true, encoding: .utf8)
        let result = try Compiler().check(fileAt: folder.appendingPathComponent("reviews.yaml").path)
        let plan = Compiler().plan(try #require(result.validated, "\(result.diagnostics.map(\.message))"))
        #expect(plan.spec.database.name == base)
        return Compiler().emit(plan).filter { $0.path.hasPrefix("sql/") }.sorted { $0.path < $1.path }
    }

    static func run(_ server: Server, _ files: [OutputFile], _ phases: [Phase], down: Bool, in database: String) throws -> [(path: String, status: Int32, output: String)] {
        let chosen = files.filter { file in phases.contains { file.path.contains("_\($0.rawValue)_") } && file.path.hasSuffix(down ? ".down.sql" : ".up.sql") }
        var ran: [(path: String, status: Int32, output: String)] = []
        for file in down ? chosen.reversed() : chosen {
            let result = try server.sql(file.contents, database: database)
            ran.append((file.path, result.status, result.output))
            if result.status != 0 { break }
        }
        return ran
    }

    @Test func versionDatabasesAreNamedPerBaseDatabaseWithinTheLimit() throws {
        let names = DerivedNames(names: SQLNames(engine: .mysql), migrationName: "add-rating")
        #expect(names.versionDatabase(base: "staging", new: true) == "staging_add_rating_new")
        #expect(names.versionDatabase(base: "prod", new: false) == "prod_add_rating_old")
        let long = String(repeating: "b", count: 60)
        let new = names.versionDatabase(base: long, new: true), old = names.versionDatabase(base: long, new: false)
        #expect(new.utf8.count <= 64 && old.utf8.count <= 64, "\(new) \(old)")
        #expect(new.hasSuffix("_new") && old.hasSuffix("_old") && new.dropLast(4) == old.dropLast(4), "one hashed stem: \(new) \(old)")
        #expect(new == names.versionDatabase(base: long, new: true), "deterministic")
        #expect(new != names.versionDatabase(base: String(repeating: "b", count: 61), new: true), "another base, another hash")
    }

    @Test(.enabled(if: DatabaseHarness.shouldRun(.mysql), unavailable(.mysql)))
    func twoEnvironmentsOnOneServerKeepTheirOwnVersionDatabases() throws {
        let url = try DatabaseHarness.shared.url(.mysql)
        let server = Server(socket: try #require(URLComponents(string: url)?.queryItems?.first { $0.name == "socket" }?.value))
        _ = try server.sql(Self.sharedCleanup, database: nil)
        defer { _ = try? server.sql(Self.sharedCleanup, database: nil) }
        for base in Self.environments + ["v14s_other"] {
            let setup = try server.sql("CREATE DATABASE \(base); USE \(base);\n" + Self.schema
                                       + "INSERT INTO reviews (rating, title, body) VALUES ('4', 'row of \(base)', 'seeded');", database: nil)
            #expect(setup.status == 0, "\(setup.output)")
        }
        let staging = try Self.files(base: "v14s_staging"), prod = try Self.files(base: "v14s_prod")
        for (base, files) in [("v14s_staging", staging), ("v14s_prod", prod)] {
            for ran in try Self.run(server, files, [.preflight, .expand], down: false, in: base) {
                #expect(ran.status == 0, "\(base) \(ran.path): \(ran.output)")
            }
        }
        // Each environment's new version reads its own base database's rows.
        for base in Self.environments {
            let read = try server.sql("SELECT title FROM reviews;", database: "\(base)_reviews_new")
            #expect(read.status == 0 && read.output == "row of \(base)", "\(base)'s new version through \(base)_reviews_new: \(read.output)")
            let old = try server.sql("SELECT title FROM reviews;", database: "\(base)_reviews_old")
            #expect(old.status == 0 && old.output == "row of \(base)", "\(base)'s old version through \(base)_reviews_old: \(old.output)")
        }

        // prod's files run against another database (its DB_NAME changed by an overlay): refused by
        // preflight and by expand's version-database step (the Job hoists it before every step); prod's views still read prod.
        let preflight = try Self.run(server, prod, [.preflight], down: false, in: "v14s_other")
        #expect(preflight.last?.output.contains("v14s_prod_reviews_old or v14s_prod_reviews_new already holds objects other than views over this database") == true,
                "preflight names the taken databases: \(preflight.map(\.output))")
        let expand = try Self.run(server, prod, [.expand], down: false, in: "v14s_other")
        #expect(expand.last?.status != 0 && expand.last?.output.contains("cutover refused: v14s_prod_reviews_old or v14s_prod_reviews_new holds objects other than views over this database") == true,
                "expand refuses: \(expand.map(\.output))")
        let stillProd = try server.sql("SELECT title FROM reviews;", database: "v14s_prod_reviews_new")
        #expect(stillProd.output == "row of v14s_prod", "prod's views untouched: \(stillProd.output)")
        let rollback = try Self.run(server, prod, [.expand], down: true, in: "v14s_other")
        #expect(rollback.last?.status != 0, "the rollback of expand run against another database refuses too: \(rollback.map(\.output))")

        // prod's rollback of expand drops prod's databases only.
        for ran in try Self.run(server, prod, [.expand], down: true, in: "v14s_prod") {
            #expect(ran.status == 0, "prod rollback \(ran.path): \(ran.output)")
        }
        let left = try server.sql("SELECT GROUP_CONCAT(schema_name ORDER BY schema_name) FROM information_schema.schemata WHERE schema_name LIKE 'v14s\\_%\\_reviews\\_%';", database: nil)
        #expect(left.output == "v14s_staging_reviews_new,v14s_staging_reviews_old", "\(left.output)")
        let stillStaging = try server.sql("SELECT title FROM reviews;", database: "v14s_staging_reviews_new")
        #expect(stillStaging.status == 0 && stillStaging.output == "row of v14s_staging", "\(stillStaging.output)")
    }
}
