@testable import CutoverPlan
@testable import CutoverSpec
@testable import CutoverProof
import Foundation
import Testing

/// #14 trial 14d on PostgreSQL: the rollback of a dropped CHECK re-added it NOT VALID with a warning where
/// rows the new version wrote break it, and PostgreSQL enforces a NOT VALID check on every UPDATE, so the
/// old version could not update those rows. Refused before anything changes instead (a refusal check, run
/// by the Job ahead of its steps), as on MySQL; once the rows pass, the check comes back VALID.
@Suite(.serialized) struct DropCheckRollbackTests {
    static let yaml = """
    apiVersion: cutover.dev/v1alpha1
    kind: Migration
    metadata:
      name: dck
      namespace: shop
    spec:
      database:
        engine: postgresql
        version: "15"
        cluster: shop-db
        name: dropcheck
        credentialsSecret: shop-db-credentials
        schema: dck.schema.sql
      app:
        name: webapp
        image: ghcr.io/acme/webapp:v2.3.1
      runner:
        tool: psql
      changes:
        - dropConstraint: {name: subs_code_check, table: subs}
    """
    static let schema = "CREATE TABLE subs (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, code text NOT NULL, CONSTRAINT subs_code_check CHECK (code ~ '^[a-z]+$'));"

    @Test(.enabled(if: DatabaseHarness.shouldRun(.postgresql), unavailable(.postgresql)))
    func refusesBeforeReaddingTheCheck() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cutover-dck-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try Self.yaml.write(to: folder.appendingPathComponent("dck.yaml"), atomically: true, encoding: .utf8)
        try Self.schema.write(to: folder.appendingPathComponent("dck.schema.sql"), atomically: true, encoding: .utf8)
        let plan = try SQLGoldenTests.plan(folder.appendingPathComponent("dck.yaml").path)
        let step = try #require(plan.steps.first { $0.slug.hasPrefix("drop_") })
        #expect(step.down.statements.first?.kind == .refusalCheck, "the Job runs the refusal before any step of the rollback")
        let server = try DatabaseHarness.shared.url(.postgresql)
        try BackfillUnderLoadTests.run(server, ["-c", "DROP DATABASE IF EXISTS dropcheck", "-c", "CREATE DATABASE dropcheck"])
        let url = server.replacingOccurrences(of: "/postgres?", with: "/dropcheck?")
        try BackfillUnderLoadTests.run(url, ["-c", Self.schema, "-c", "INSERT INTO subs (code) VALUES ('abc')"])
        func run(_ down: Bool) throws {
            let file = folder.appendingPathComponent("\(step.fileStem).\(down ? "down" : "up").sql")
            try ((down ? step.down : step.up).statements.map(\.text).filter { !$0.isEmpty }.joined(separator: "\n") + "\n").write(to: file, atomically: true, encoding: .utf8)
            try BackfillUnderLoadTests.run(url, ["-f", file.path])
        }
        try run(false)
        try BackfillUnderLoadTests.run(url, ["-c", "INSERT INTO subs (code) VALUES ('B-12')"])
        do {
            try run(true)
            Issue.record("the rollback re-added the check over a row that breaks it")
        } catch {
            #expect("\(error)".contains("cutover rollback refused: subs holds rows the new app version wrote that check subs_code_check forbids"), "\(error)")
        }
        let count = "SELECT count(*) FROM pg_constraint WHERE conname = 'subs_code_check'"
        #expect(try BackfillUnderLoadTests.run(url, ["-c", count]) == "0", "nothing changed")
        try BackfillUnderLoadTests.run(url, ["-c", "UPDATE subs SET code = 'b' WHERE code = 'B-12'"])
        try run(true)
        #expect(try BackfillUnderLoadTests.run(url, ["-c", "SELECT convalidated FROM pg_constraint WHERE conname = 'subs_code_check'"]) == "t")
    }
}
