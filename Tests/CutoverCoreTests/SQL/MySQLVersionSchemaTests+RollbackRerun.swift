import Foundation
import Testing
@testable import CutoverPlan
@testable import CutoverSpec
@testable import CutoverEmit
@testable import CutoverProof
@testable import CutoverCore

/// Issue #14, user trial (SHOULD-FIX 3): a MySQL rollback that stopped half way (killed, or a step
/// failed) must run again from its first file, as the Job re-runs it, and complete. For each rollback
/// Job (contract, complete, backfill, expand, in the runbook's order) and each k: its first k down
/// files ran, then the whole Job runs again; it must complete, and at the end the schema equals the
/// base (tables, columns, indexes; no trigger, no version database left). The generated files of
/// `MySQLVersionSchemaTests.yaml` (a type change through a hidden copy, one in place, a rename, a
/// dropped column, the version databases), on a real MariaDB 10.11.
extension MySQLVersionSchemaTests {
    static let shape = """
        SELECT table_name, column_name, column_type, is_nullable, IFNULL(column_default, '-'), extra FROM information_schema.columns
          WHERE table_schema = DATABASE() AND table_name NOT LIKE '\\_cutover%' AND column_name NOT LIKE '\\_cutover%' ORDER BY 1, 2;
        SELECT table_name, index_name, column_name, non_unique, seq_in_index FROM information_schema.statistics
          WHERE table_schema = DATABASE() AND table_name NOT LIKE '\\_cutover%' ORDER BY 1, 2, 5;
        SELECT COUNT(*) FROM information_schema.triggers WHERE trigger_schema = DATABASE();
        SELECT COUNT(*) FROM information_schema.schemata WHERE schema_name IN ('shop_reviews_old', 'shop_reviews_new');
        SELECT COUNT(*), SUM(rating = '4') FROM reviews;
        """

    @Test(.enabled(if: DatabaseHarness.shouldRun(.mysql), unavailable(.mysql)))
    func everyRollbackRunsAgainAfterStoppingAfterAnyStep() throws {
        let (server, files, folder) = try Self.rolledOut(rows: 20)
        defer { try? FileManager.default.removeItem(at: folder); _ = try? server.sql(Self.retypeCleanup, database: nil) }
        // The base shape, from a database loaded with the schema and the same rows.
        _ = try server.sql("DROP DATABASE IF EXISTS myrerun_base; CREATE DATABASE myrerun_base; USE myrerun_base;\n" + Self.schema
                           + "INSERT INTO reviews (rating, title, body) VALUES ('007', 'padded', 'kept as written');\n"
                           + "INSERT INTO reviews (rating, title, body) SELECT seq, CONCAT('seed ', seq), 'seeded' FROM seq_1_to_20;", database: nil)
        defer { _ = try? server.sql("DROP DATABASE IF EXISTS myrerun_base;", database: nil) }
        let base = try server.sql(Self.shape.replacingOccurrences(of: "IN ('shop_reviews_old', 'shop_reviews_new')", with: "IN ('none')"), database: "myrerun_base").output
        try Self.runFiles(server, files, [.complete, .contract], down: false)

        func downs(_ phase: Phase) -> [OutputFile] {
            files.filter { $0.path.contains("_\(phase.rawValue)_") && $0.path.hasSuffix(".down.sql") }.reversed()
        }
        func ups(_ phase: Phase) -> [OutputFile] {
            files.filter { $0.path.contains("_\(phase.rawValue)_") && $0.path.hasSuffix(".up.sql") }
        }
        func run(_ chosen: [OutputFile], _ what: String) throws {
            for file in chosen {
                let ran = try server.sql(file.contents, database: Self.retypeApp)
                #expect(ran.status == 0, "\(what): \(file.path): \(ran.output)")
                if ran.status != 0 { throw HarnessError("\(what) failed") }
            }
        }
        var runs = 0
        for phase in [Phase.contract, .complete, .backfill, .expand] {
            let jobs = downs(phase)
            for k in 1...max(1, jobs.count) where !jobs.isEmpty {
                try run(Array(jobs.prefix(k)), "\(phase) rollback, first \(k) files")
                try run(jobs, "\(phase) rollback again after \(k) files")
                runs += 1
                // Forward again to where this rollback starts, for the next k (not after the last one).
                if k < jobs.count { try run(ups(phase), "\(phase) forward again after \(k)") }
            }
        }
        #expect(runs >= 8, "every down file of every rollback Job: \(runs)")
        let after = try server.sql(Self.shape, database: Self.retypeApp).output
        #expect(after == base, "the schema after the re-run rollbacks:\n\(after)\nbase:\n\(base)")
    }
}
