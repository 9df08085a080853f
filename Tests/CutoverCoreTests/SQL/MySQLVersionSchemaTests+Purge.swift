@testable import CutoverCore
@testable import CutoverProof
import Foundation
import Testing

/// Issue #14, user trial: the version databases were dropped by hand per the runbook. Purge drops
/// them now (after the runbook's step after contract points the app at the base database), refuses
/// while a session still uses either, and runs again without harm. On a real MariaDB 10.11.
extension MySQLVersionSchemaTests {
    @Test(.enabled(if: DatabaseHarness.shouldRun(.mysql), unavailable(.mysql)))
    func purgeDropsTheVersionDatabasesOnceNoSessionUsesThem() throws {
        let (server, files, folder) = try Self.rolledOut(rows: 10)
        defer { try? FileManager.default.removeItem(at: folder); _ = try? server.sql(Self.retypeCleanup, database: nil) }
        try Self.runFiles(server, files, [.complete, .contract], down: false)
        let purge = try #require(files.first { $0.path.contains("_purge_drop_version_databases.up.sql") }, "a generated drop of the version databases")
        let exists = "SELECT COUNT(*) FROM information_schema.schemata WHERE schema_name IN ('shop_reviews_old', 'shop_reviews_new');"

        // The new version still connected to its database of views (an idle pooled connection).
        let session = Process()
        session.executableURL = URL(fileURLWithPath: try LocalMariaDBServer.Tools.locate().client)
        session.arguments = ["--no-defaults", "--user=root", "--socket=\(server.socket)", "--database=shop_reviews_new", "--batch", "-e", "SELECT SLEEP(3)"]
        session.standardOutput = FileHandle.nullDevice
        try session.run()
        Thread.sleep(forTimeInterval: 0.5)
        let refused = try server.sql(purge.contents, database: Self.retypeApp)
        #expect(refused.status != 0 && refused.output.contains("sessions still use shop_reviews_old or shop_reviews_new; point the app at the base database first"),
                "refused while a session uses shop_reviews_new: \(refused.output)")
        #expect(try server.sql(exists, database: nil).output == "2", "nothing was dropped")
        session.waitUntilExit()

        for run in 1...2 {
            let dropped = try server.sql(purge.contents, database: Self.retypeApp)
            #expect(dropped.status == 0, "run \(run): \(dropped.output)")
            #expect(try server.sql(exists, database: nil).output == "0", "run \(run): both databases gone")
        }
        // The tables keep every row, with the new version's shape.
        let rows = try server.sql("SELECT COUNT(*), MAX(rating + 0) >= 0 FROM reviews;", database: Self.retypeApp)
        #expect(rows.status == 0 && rows.output.hasPrefix("11\t"), "\(rows.output)")
    }

    /// Purge is the last phase: nothing before it (contract included) drops a version database an app
    /// version still uses, and the rollback of expand drops them too.
    @Test func onlyPurgeAndTheRollbackOfExpandDropTheVersionDatabases() throws {
        let (result, folder) = try Self.check(setting: "")
        defer { try? FileManager.default.removeItem(at: folder) }
        let plan = Compiler().plan(try #require(result.validated))
        #expect(plan.phases.last?.phase == .purge && plan.phases.last?.enabledByDefault == false)
        for step in plan.steps {
            let up = step.up.statements.map(\.text).joined(separator: "\n"), down = step.down.statements.map(\.text).joined(separator: "\n")
            #expect(up.contains("DROP DATABASE") == (step.phase == .purge), "\(step.fileStem)")
            #expect(down.contains("DROP DATABASE") == (step.phase == .expand && step.slug.contains("version_databases")), "\(step.fileStem)")
        }
    }
}
