@testable import CutoverPlan
@testable import CutoverEmit
@testable import CutoverCore
@testable import CutoverProof
import Foundation
import Testing

/// A migration that only creates tables (issue 13 audit MUST-FIX 1): both versions still send
/// statements, so the proof holds their traffic (before, neither did and the rehearsal was NOT PROVEN
/// with "its traffic could not be derived"). Only a base schema without tables leaves the old version
/// silent, and the report says so. Real servers; skipped without them unless REQUIRE_DB=1.
@Suite(.serialized) struct CreateOnlyRehearsalTests {
    /// What `version` sent in the forward stage numbered `stage`.
    static func sent(_ report: RehearsalReport, _ version: AppVersion, forward stage: String) -> Int {
        report.sections.filter { $0.direction == "forward" && $0.title == stage }.flatMap(\.traffic)
            .filter { $0.version == version }.reduce(0) { $0 + $1.sent }
    }

    /// parcels references shipments, which no change touches: the old version works on shipments,
    /// seeded, and the new version inserts parcels pointing at seeded shipments.
    @Test func bothVersionsSendWhenANewTableReferencesAnUntouchedOne() throws {
        let plan = try TargetSchemaRehearsalTests.plan(TestPaths.fixtures.appendingPathComponent("valid/pg-create-only.yaml").path)
        guard let report = try BlueGreenRehearsalTests.rehearse(plan, rows: 500) else { return }
        #expect(report.proven, "\(report.renderText())")
        #expect(Self.sent(report, .old, forward: "1") > 0, "\(report.renderText())")
        #expect(Self.sent(report, .new, forward: "1") > 0, "\(report.renderText())")
        #expect(report.checks.contains { $0.hasPrefix("seed: 500 rows into shipments") }, "\(report.checks)")
    }

    /// No table in the base schema: the old version has nothing to work on; the pass says why.
    @Test func aBaseSchemaWithoutTablesIsNamedAsTheReason() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cutover-create-only-\(getpid())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try "-- nothing yet\n".write(to: folder.appendingPathComponent("empty.sql"), atomically: true, encoding: .utf8)
        let spec = try String(contentsOf: TestPaths.fixtures.appendingPathComponent("valid/pg-create-only.yaml"), encoding: .utf8)
            .replacingOccurrences(of: "pg-create-only.schema.sql", with: "empty.sql")
            .replacingOccurrences(of: "references: {table: shipments, onDelete: cascade}", with: "comment: no parent yet")
        let head = spec.components(separatedBy: "    - createIndex:")[0]
        let path = folder.appendingPathComponent("spec.yaml")
        try head.write(to: path, atomically: true, encoding: .utf8)
        guard let report = try BlueGreenRehearsalTests.rehearse(try TargetSchemaRehearsalTests.plan(path.path), rows: 200) else { return }
        #expect(report.proven, "\(report.renderText())")
        #expect(report.checks.contains("traffic: the old version sends no statement: the base schema (database.schema) has no table"), "\(report.checks)")
        #expect(Self.sent(report, .new, forward: "1") > 0, "\(report.renderText())")
    }
}
