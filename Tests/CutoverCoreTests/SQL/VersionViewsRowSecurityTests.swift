@testable import CutoverPlan
@testable import CutoverSpec
@testable import CutoverProof
import Foundation
import Testing

/// #14 trial 14j MUST-FIX 1: a PostgreSQL view reads its table with its owner's rights, so through the
/// version schemas' views (and a renameTable's compatibility view) one tenant read and updated another's
/// rows. From 15 on the views take `security_invoker`; on a real server, an app role that is neither
/// the tables' owner nor a superuser sees through every view cutover creates exactly what its policy
/// lets it see on the table.
@Suite(.serialized) struct VersionViewsRowSecurityTests {
    static let yaml = """
    apiVersion: cutover.dev/v1alpha1
    kind: Migration
    metadata:
      name: rls
      namespace: shop
    spec:
      database:
        engine: postgresql
        version: "15"
        cluster: shop-db
        name: rowsec
        credentialsSecret: shop-db-credentials
        schema: xc.schema.sql
      app:
        name: webapp
        image: ghcr.io/acme/webapp:v2.3.1
      runner:
        tool: psql
      changes:
        - renameColumn:
            table: notes
            from: body
            to: content
        - renameTable:
            from: projects
            to: workspaces
    """

    static let schema = """
        CREATE TABLE notes (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, tenant_id integer NOT NULL, body text NOT NULL);
        CREATE TABLE projects (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, tenant_id integer NOT NULL, name text NOT NULL);
        ALTER TABLE notes ENABLE ROW LEVEL SECURITY;
        ALTER TABLE projects ENABLE ROW LEVEL SECURITY;
        CREATE POLICY notes_tenant ON notes USING (tenant_id = current_setting('app.tenant_id')::integer);
        CREATE POLICY projects_tenant ON projects USING (tenant_id = current_setting('app.tenant_id')::integer);
        """

    @Test(.enabled(if: DatabaseHarness.shouldRun(.postgresql), unavailable(.postgresql)))
    func anAppRoleSeesOnlyItsTenantThroughEveryView() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cutover-rls-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let plan = try CrossColumnDownTests.plan(Self.yaml, schema: Self.schema, in: folder)
        let server = try DatabaseHarness.shared.url(.postgresql)
        try BackfillUnderLoadTests.run(server, ["-c", "DROP DATABASE IF EXISTS rowsec", "-c", "CREATE DATABASE rowsec",
                                                "-c", "DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'rls_app') THEN CREATE ROLE rls_app; END IF; END $$"])
        let url = server.replacingOccurrences(of: "/postgres?", with: "/rowsec?")
        try BackfillUnderLoadTests.run(url, ["-c", Self.schema,
                                             "-c", "INSERT INTO notes (tenant_id, body) VALUES (1, 'one'), (2, 'two')",
                                             "-c", "INSERT INTO projects (tenant_id, name) VALUES (1, 'p1'), (2, 'p2')"])
        for step in plan.steps where [.preflight, .expand, .backfill].contains(step.phase) {
            let file = folder.appendingPathComponent("\(step.fileStem).up.sql")
            try (step.up.statements.map(\.text).filter { !$0.isEmpty }.joined(separator: "\n") + "\n").write(to: file, atomically: true, encoding: .utf8)
            try BackfillUnderLoadTests.run(url, ["-f", file.path])
        }
        // The app's role: privileges on the tables (as before the migration) and on the views (as the README asks).
        try BackfillUnderLoadTests.run(url, ["-c", "GRANT USAGE ON SCHEMA rls_old, rls_new TO rls_app",
                                             "-c", "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public, rls_old, rls_new TO rls_app"])
        func asTenant(_ searchPath: String, _ sql: String) throws -> String {
            try BackfillUnderLoadTests.run(url, ["-c", "SET ROLE rls_app; SET app.tenant_id = '1'; SET search_path = \(searchPath); \(sql)"])
        }
        #expect(try asTenant("rls_new, public", "SELECT string_agg(content, ',' ORDER BY id) FROM notes") == "one")
        #expect(try asTenant("rls_old, public", "SELECT string_agg(body, ',' ORDER BY id) FROM notes") == "one")
        #expect(try asTenant("public", "SELECT string_agg(name, ',' ORDER BY id) FROM projects") == "p1", "the compatibility view under the old name")
        let updated = try asTenant("rls_new, public", "WITH u AS (UPDATE notes SET content = 'x' WHERE tenant_id = 2 RETURNING 1) SELECT count(*) FROM u")
        #expect(updated == "0", "tenant 1 updated tenant 2's row through the new version's view")
    }

    @Test func postgres14WithPoliciesIsRefused() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cutover-rls14-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try Self.yaml.replacingOccurrences(of: "version: \"15\"", with: "version: \"14\"")
            .write(to: folder.appendingPathComponent("xc.yaml"), atomically: true, encoding: .utf8)
        try Self.schema.write(to: folder.appendingPathComponent("xc.schema.sql"), atomically: true, encoding: .utf8)
        let result = try CLIRun.run(["validate", folder.appendingPathComponent("xc.yaml").path])
        #expect(result.status == 1)
        #expect(result.stderr.contains("CUT113") && result.stderr.contains("'notes'") && result.stderr.contains("'projects'"), "\(result.stderr)")
    }
}
