@testable import CutoverCore
@testable import CutoverEmit
@testable import CutoverPlan
@testable import CutoverSpec
import Foundation
import Testing
import Yams

/// Trial 13 (M1–M4) on a real server: fixtures/valid/pg-app-schema with `schemaName: Billing` (mixed
/// case, so a bare name folds to another schema) and decoys in `billing` and `public`. What the
/// generated output hands the app and the operator must reach `"Billing"`: the version-schemas
/// ConfigMap's PGOPTIONS as libpq sends it from a pod's env (the spec's schema quoted, then `public`),
/// the literal the way back out of the Rollout sets, and the README's purge of a kept column.
@Suite(.serialized) struct MixedCaseSchemaTests {
    /// The fixture moved into schema `Billing`: its spec and dump rewritten in `folder`.
    static func plan(in folder: URL) throws -> (plan: MigrationPlan, dump: String) {
        let fixture = TestPaths.fixtures.appendingPathComponent("valid/pg-app-schema.yaml")
        let spec = try String(contentsOf: fixture, encoding: .utf8).replacingOccurrences(of: "schemaName: app", with: "schemaName: Billing")
            .replacingOccurrences(of: "app.", with: "\"Billing\".")
        let dump = try String(contentsOf: fixture.deletingPathExtension().appendingPathExtension("schema.sql"), encoding: .utf8)
            .replacingOccurrences(of: "CREATE SCHEMA app;", with: "CREATE SCHEMA \"Billing\";")
            .replacingOccurrences(of: "app.", with: "\"Billing\".")
        try spec.write(to: folder.appendingPathComponent("pg-app-schema.yaml"), atomically: true, encoding: .utf8)
        try dump.write(to: folder.appendingPathComponent("pg-app-schema.schema.sql"), atomically: true, encoding: .utf8)
        let result = try Compiler().check(fileAt: folder.appendingPathComponent("pg-app-schema.yaml").path)
        let validated = try #require(result.validated, "\(result.diagnostics)")
        return (Compiler().plan(validated), dump)
    }

    /// `psql -c sql` with `PGOPTIONS` in its env, as a pod's libpq reads it.
    static func run(_ url: String, pgOptions: String?, _ sql: String) throws -> String {
        let process = try BackfillUnderLoadTests.psql(url, ["-c", sql])
        var environment = ProcessInfo.processInfo.environment
        environment["PGOPTIONS"] = pgOptions
        process.environment = environment
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        if process.terminationStatus != 0 { throw HarnessError("psql failed: \(text)") }
        return text
    }

    @Test(.enabled(if: DatabaseHarness.shouldRun(.postgresql), unavailable(.postgresql)), .timeLimit(.minutes(3)))
    func theAppsSearchPathReachesAMixedCaseSchemaAndPublic() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cutover-mixed-case-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let (plan, dump) = try Self.plan(in: folder)
        let schemas = try #require(VersionSchemaSelection.schemas(plan))
        let files = Dictionary(Compiler().emit(plan).map { ($0.path, $0.contents) }) { first, _ in first }
        let configMap = try #require(files["manifests/app/configmap-version-schemas.yaml"])
        let data = try #require((try Yams.load(yaml: configMap) as? [String: Any])?["data"] as? [String: String])
        let readme = try #require(files["README.md"])

        // `Billing` holds the tables and `public` the fixture's decoys; `billing` (what `Billing` folds to) one more.
        let db = try RollbackNullTests.postgres("mixed_case_schema", schema: "CREATE SCHEMA \(schemas.new); CREATE SCHEMA \(schemas.old)", folder: folder)
        let file = folder.appendingPathComponent("base.sql")
        try dump.write(to: file, atomically: true, encoding: .utf8)
        try BackfillUnderLoadTests.run(db.url, ["-f", file.path])
        try BackfillUnderLoadTests.run(db.url, ["-c", "CREATE SCHEMA billing", "-c", "CREATE TABLE billing.orders (id bigint)"])

        // M2, M3: each version's PGOPTIONS, from the ConfigMap as the pods get it.
        let current = "SELECT array_to_string(current_schemas(false), ',')"
        for (version, schema) in [("new", schemas.new), ("old", schemas.old)] {
            let options = try #require(data["\(version).PGOPTIONS"])
            #expect(try Self.run(db.url, pgOptions: options, current) == "\(schema),Billing,public", "\(version).PGOPTIONS: \(options)")
            #expect(data["\(version).search_path"] == String(options.dropFirst("-c search_path=".count)))
        }
        // M4: the literal leaving the Rollout sets (the ConfigMap is gone by then).
        let base = VersionSchemaSelection.pgOptions(base: plan.spec.database.schemaName)
        #expect(try Self.run(db.url, pgOptions: base, current) == "Billing,public")
        let leaving = try #require(readme.components(separatedBy: "## Leaving the Rollout").dropFirst().first)
        let patch = VersionSchemaSelection.patch(plan.spec, deployment: plan.spec.app.name, image: nil, version: "base")
        #expect(patch.contains(#""value":"-c search_path=\"Billing\",public","valueFrom":null"#), "\(patch)")
        #expect(leaving.contains(patch + "\nkubectl rollout status deployment/"), "the leave commands set the literal")
        #expect(leaving.range(of: patch)!.lowerBound > leaving.range(of: "--replicas 0")!.lowerBound
                && leaving.range(of: patch)!.lowerBound < leaving.range(of: "helm uninstall")!.lowerBound,
                "after the Rollout is scaled to 0 (its template is the Deployment's), before the ConfigMap goes")

        // M1: the README's purge of a kept column, run as written with the default search_path, drops it in `Billing` only.
        let quarantine = try #require(RollbackQuarantine(plan).columns.first)
        let purge = try #require(readme.split(separator: "\n").first { $0.contains("DROP COLUMN IF EXISTS \"\(quarantine.quarantine)\"") })
        let sql = String(purge.split(separator: " -c '", maxSplits: 1)[1].dropLast()).replacingOccurrences(of: "'\\''", with: "'")
        for schema in ["Billing", "billing", "public"] {
            try BackfillUnderLoadTests.run(db.url, ["-c", "ALTER TABLE \"\(schema)\".\"\(quarantine.table)\" ADD COLUMN \"\(quarantine.quarantine)\" text"])
        }
        try BackfillUnderLoadTests.run(db.url, ["-c", sql])
        let left = try BackfillUnderLoadTests.run(db.url, ["-c", """
            SELECT string_agg(table_schema, ',' ORDER BY table_schema) FROM information_schema.columns
             WHERE table_name = '\(quarantine.table)' AND column_name = '\(quarantine.quarantine)'
            """])
        #expect(left == "billing,public", "\(sql)")
    }

    /// rehearse's traffic connects with the rendered ConfigMap's PGOPTIONS: proven as generated, and not
    /// proven once the ConfigMap names the schema bare (the server folds it to `billing`), as it did before.
    @Test(.enabled(if: DatabaseHarness.shouldRun(.postgresql), unavailable(.postgresql)), .timeLimit(.minutes(5)))
    func rehearseProvesTheConfigMapsText() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cutover-mixed-case-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let (plan, _) = try Self.plan(in: folder)
        guard let report = try BlueGreenRehearsalTests.rehearse(plan, rows: 200) else { return }
        #expect(report.proven, "\(report.renderText())")
        let bare: @Sendable ([OutputFile]) -> [OutputFile] = { files in
            files.map { file in
                guard file.path.hasSuffix("configmap-version-schemas.yaml") else { return file }
                var file = file
                file.contents = file.contents.replacingOccurrences(of: "\"Billing\",public", with: "Billing")
                return file
            }
        }
        #expect(bare(Compiler().emit(plan)).contains { $0.path.hasSuffix("configmap-version-schemas.yaml") && $0.contents.contains("_new,Billing\n") })
        guard let folded = try BlueGreenRehearsalTests.rehearse(plan, rows: 200, filter: bare) else { return }
        #expect(!folded.proven)
    }

    /// CUT115 and the README name the sequence's table as the server reads a regclass argument: the
    /// spec's schema, quoted where it would fold.
    @Test func identityAdviceQualifiesTheTable() {
        #expect(Message.identityDropIds("id", table: "invoice_lines", schema: "billing").contains("pg_get_serial_sequence('billing.invoice_lines', 'id')"))
        #expect(Message.identityDropIds("id", table: "invoice_lines", schema: "Billing").contains("pg_get_serial_sequence('\"Billing\".invoice_lines', 'id')"))
        #expect(Message.identityDropIds("id", table: "Lines", schema: "public").contains("pg_get_serial_sequence('public.\"Lines\"', 'id')"))
    }
}
