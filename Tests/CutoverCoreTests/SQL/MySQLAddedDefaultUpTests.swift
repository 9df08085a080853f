@testable import CutoverPlan
@testable import CutoverSpec
@testable import CutoverEmit
@testable import CutoverCore
import Foundation
import Testing

/// Issue #14, trial 14e on MySQL: an added NOT NULL column with a default and an `up`. The table gets
/// the default only in complete; until then the fill triggers give `up` to every NULL. A view has no
/// column defaults and a trigger cannot tell which database the writer selected, so the new version's
/// insert that leaves the column out gets `up` of its row, not the default, with version databases and
/// without: what warning CUT104 says, measured here on a real MariaDB 10.11 with the generated files.
@Suite(.serialized) struct MySQLAddedDefaultUpTests {
    static func spec(_ versionSchemas: String) -> String {
        """
        apiVersion: cutover.dev/v1alpha1
        kind: Migration
        metadata:
          name: units
          namespace: shop
        spec:
          database:
            engine: mysql
            version: "8.0"
            cluster: shop-db
            name: myunits
            credentialsSecret: shop-db
            schema: items.schema.sql
          app:
            name: webapp
            image: ghcr.io/acme/webapp:v2.3.1
            versionSchemas: \(versionSchemas)
          runner:
            tool: mysql
          changes:
            - addColumn:
                table: items
                column: {name: unit, type: varchar(8), nullable: false, default: "'pcs'"}
                up: "CASE WHEN weight_g IS NOT NULL THEN 'g' ELSE 'pcs' END"

        """
    }
    static let schema = "CREATE TABLE items (id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY, sku VARCHAR(32) NOT NULL, weight_g INT NULL) ENGINE=InnoDB;\n"
    static let base = "myunits_app"

    /// The plan README's version-schema section, which lists what the new version may not rely on,
    /// names the column in both modes.
    @Test(arguments: ["views", "none"])
    func theReadmeSaysToWriteTheColumn(_ versionSchemas: String) throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cutover-myunits-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try Self.spec(versionSchemas).write(to: folder.appendingPathComponent("items.yaml"), atomically: true, encoding: .utf8)
        try Self.schema.write(to: folder.appendingPathComponent("items.schema.sql"), atomically: true, encoding: .utf8)
        let result = try Compiler().check(fileAt: folder.appendingPathComponent("items.yaml").path)
        let plan = Compiler().plan(try #require(result.validated, "\(result.diagnostics)"))
        let readme = try #require(Compiler().emit(plan).first { $0.path == "README.md" }?.contents)
        let section = try #require(readme.components(separatedBy: "## App version schemas\n\n").dropFirst().first?.components(separatedBy: "\n## ").first)
        #expect(section.contains("`items.unit`") && section.contains("gets `up` of its row") && section.contains("(warning CUT104)"), "\(section)")
        #expect(section.contains("Write it explicitly in the new version's inserts until contract."))
    }

    @Test(.enabled(if: DatabaseHarness.shouldRun(.mysql), unavailable(.mysql)), arguments: ["views", "none"])
    func theNewVersionsInsertThatLeavesTheColumnOutGetsUpUntilComplete(_ versionSchemas: String) throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cutover-myunits-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try Self.spec(versionSchemas).write(to: folder.appendingPathComponent("items.yaml"), atomically: true, encoding: .utf8)
        try Self.schema.write(to: folder.appendingPathComponent("items.schema.sql"), atomically: true, encoding: .utf8)
        let result = try Compiler().check(fileAt: folder.appendingPathComponent("items.yaml").path)
        // Warned, at the change, in both modes.
        #expect(result.diagnostics.filter { $0.rule == .addedDefaultUp }.map { "\($0.location.line):\($0.location.column)" } == ["21:7"])
        let plan = Compiler().plan(try #require(result.validated, "\(result.diagnostics)"))
        let databases = VersionSchemaSelection.schemas(plan)
        #expect((databases != nil) == (versionSchemas == "views"))
        let files = Compiler().emit(plan).filter { $0.path.hasPrefix("sql/") }.sorted { $0.path < $1.path }

        let url = try DatabaseHarness.shared.url(.mysql)
        let server = MySQLVersionSchemaTests.Server(socket: try #require(URLComponents(string: url)?.queryItems?.first { $0.name == "socket" }?.value))
        let cleanup = "DROP DATABASE IF EXISTS \(Self.base);" + (databases.map { " DROP DATABASE IF EXISTS \($0.old); DROP DATABASE IF EXISTS \($0.new);" } ?? "")
        defer { _ = try? server.sql(cleanup, database: nil) }
        let setup = try server.sql(cleanup + " CREATE DATABASE \(Self.base); USE \(Self.base);\n" + Self.schema
                                   + "INSERT INTO items (sku, weight_g) VALUES ('seeded', 100);", database: nil)
        #expect(setup.status == 0, "\(setup.output)")
        func run(_ phases: [Phase]) throws {
            for file in files where phases.contains(where: { file.path.contains("_\($0.rawValue)_") }) && file.path.hasSuffix(".up.sql") {
                let ran = try server.sql(file.contents, database: Self.base)
                #expect(ran.status == 0, "\(file.path): \(ran.output)")
            }
        }
        // The new version's database (the base database itself without version databases).
        let new = databases?.new ?? Self.base
        func insert(_ sku: String, _ columns: String, _ values: String, in database: String) throws -> String {
            let ran = try server.sql("INSERT INTO items (sku, \(columns)) VALUES ('\(sku)', \(values)); SELECT unit FROM items WHERE sku = '\(sku)';", database: database)
            #expect(ran.status == 0, "\(ran.output)")
            return ran.output
        }

        try run([.preflight, .expand, .backfill])
        // Both versions serve: the new version's insert that leaves unit out gets up ('g' with a
        // weight), not its default 'pcs'; written explicitly, it keeps what it wrote; the old version's
        // insert gets up, as it must.
        #expect(try insert("new-default", "weight_g", "250", in: new) == "g")
        #expect(try insert("new-explicit", "weight_g, unit", "250, 'pcs'", in: new) == "pcs")
        #expect(try insert("old", "weight_g", "250", in: Self.base) == "g")
        #expect(try server.sql("SELECT unit FROM items WHERE sku = 'seeded'", database: Self.base).output == "g")

        try run([.complete])
        // Complete sets the default: an insert that leaves unit out gets it from then on.
        #expect(try insert("new-after-complete", "weight_g", "250", in: new) == "pcs")
    }
}
