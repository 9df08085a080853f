@testable import CutoverPlan
@testable import CutoverSpec
@testable import CutoverEmit
import Foundation
import Testing

/// #14 trial 14d (my-2d): a type change whose `down` reads `handle`, which a later change renames. The
/// rollback of contract runs the rename's down (giving `handle` back) before the type change's, so the
/// type change's fit check, hoisted into the checks file ahead of both, read a column that did not
/// exist yet (1054). A check that reads a column an earlier file of the Job renames stays in its file.
@Suite struct RefusalHoistingRenameTests {
    @Test func aCheckReadingARenamedColumnStaysBehindTheRename() throws {
        let folder = TestPaths.temporaryFolder("hoist-rename")
        defer { try? FileManager.default.removeItem(at: folder) }
        let yaml = """
        apiVersion: cutover.dev/v1alpha1
        kind: Migration
        metadata:
          name: hr
          namespace: shop
        spec:
          database:
            engine: mysql
            version: "8.0"
            cluster: shop-db
            name: shop
            credentialsSecret: shop-db-credentials
            schema: hr.schema.sql
          app:
            name: webapp
            image: ghcr.io/acme/webapp:v2.3.1
          runner:
            tool: mysql
          changes:
            - alterColumn: {table: accounts, column: seats, type: INT, up: seats, down: "IF(CHAR_LENGTH(handle) > 0, seats, 0)"}
            - renameColumn: {table: accounts, from: handle, to: username}
        """
        let schema = "CREATE TABLE accounts (id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY, handle VARCHAR(40) NOT NULL, seats SMALLINT NOT NULL) ENGINE=InnoDB;"
        try yaml.write(to: folder.appendingPathComponent("hr.yaml"), atomically: true, encoding: .utf8)
        try schema.write(to: folder.appendingPathComponent("hr.schema.sql"), atomically: true, encoding: .utf8)
        let plan = try SQLGoldenTests.plan(folder.appendingPathComponent("hr.yaml").path)
        let job = try #require(JobCatalog(plan).jobs.first { $0.suffix == "rollback-contract" })
        let args = job.arguments.filter { !JobRefusalChecks.isChecksFile($0) }
        let swap = try #require(args.firstIndex { $0.contains("seats") }, "\(args)")
        let rename = try #require(args.firstIndex { $0.contains("handle") || $0.contains("username") }, "\(args)")
        #expect(rename < swap, "the rename's down runs first: \(args)")
        let hoisted = JobRefusalChecks(plan).hoisted(args).flatMap(\.statements)
        #expect(!hoisted.contains { ColumnExpression.uses($0.text, column: "handle", engine: .mysql) },
                "no check reading handle runs before the rename's down: \(hoisted.map(\.text))")
    }
}
