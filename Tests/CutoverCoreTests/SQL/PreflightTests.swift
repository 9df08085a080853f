import Foundation
import Testing
@testable import CutoverCore

/// The preflight step reads the catalog and fails, naming what is missing, before any DDL runs.
@Suite struct PreflightTests {
    static let spec = KubernetesFixtures.spec(KubernetesFixtures.expandContractYAML, replacing: [
        ("    - addColumn:\n        table: pricing",
         "    - renameColumn:\n        table: pricing\n        from: plan_code\n        to: code\n    - addColumn:\n        table: pricing"),
    ])

    @Test func requirementsAreWhatExistsBeforeTheMigration() {
        let preflight = Preflight(context: LoweringContext(spec: Self.spec, schema: nil))
        #expect(preflight.requirements.tables == ["pricing"])
        #expect(preflight.requirements.columns.map { "\($0.table).\($0.column)" } == ["pricing.plan_code"])
        #expect(preflight.draft()?.phase == .preflight)
    }

    @Test(.enabled(if: DatabaseHarness.shouldRun(.postgresql), unavailable(.postgresql)))
    func postgresPreflightFailsOnAMissingColumnAndPassesOnTheBase() throws {
        let server = try DatabaseHarness.shared.url(.postgresql)
        try BackfillUnderLoadTests.run(server, ["-c", "DROP DATABASE IF EXISTS preflight_check", "-c", "CREATE DATABASE preflight_check"])
        let url = server.replacingOccurrences(of: "/postgres?", with: "/preflight_check?")
        try BackfillUnderLoadTests.run(url, ["-c", "CREATE TABLE pricing (id bigint PRIMARY KEY)"])
        let draft = try #require(Preflight(context: LoweringContext(spec: Self.spec, schema: nil)).draft())
        let sql = draft.up.map(\.text).joined(separator: "\n")
        #expect(throws: (any Error).self) { try BackfillUnderLoadTests.run(url, ["-c", sql]) }
        do {
            try BackfillUnderLoadTests.run(url, ["-c", sql])
        } catch {
            #expect("\(error)".contains("column pricing.plan_code is missing"), "\(error)")
        }
        try BackfillUnderLoadTests.run(url, ["-c", "ALTER TABLE pricing ADD COLUMN plan_code text"])
        try BackfillUnderLoadTests.run(url, ["-c", sql])
    }
}
