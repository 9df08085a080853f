@testable import CutoverCore
@testable import CutoverEmit
@testable import CutoverPlan
@testable import CutoverSpec
import Foundation
import Testing

/// Issue 13 item 6, step 1 (the naming of relations), on a real server: a plan lowered with
/// `schemaName: app` names every table, index, view and sync function of the spec as `"app"."…"`, so
/// it acts on the tables in `app` even where `search_path` finds a same-named table in `public` first.
/// The base dump is loaded twice, into `app` and into `public` (the decoy); the plan's up steps, then
/// its down steps, run in sessions whose search_path is the default one (`"$user", public`), and
/// `public` must come out untouched while `app` changed. The fixtures' specs are validated with
/// `public` (their dumps name `public.`) and the schema name set before planning (the dump's tables are
/// bare, as the reader gives them with the spec's schema as default).
@Suite(.serialized) struct SchemaQualifiedLoweringTests {
    /// A fixture's plan lowered for `schemaName: app`, and its dump moved into `app` (`public.` becomes
    /// `app.`), read as the schema reader reads it with `app` as the spec's schema.
    static func plan(_ specPath: String) throws -> (plan: MigrationPlan, dump: String, appDump: String) {
        let compiler = Compiler()
        let result = try compiler.check(fileAt: specPath)
        let validated = try #require(result.validated, "\(result.diagnostics)")
        var spec = validated.spec
        spec.database.schemaName = "app"
        let dump = try String(contentsOfFile: specPath.replacingOccurrences(of: ".yaml", with: ".schema.sql"), encoding: .utf8)
        let appDump = dump.replacingOccurrences(of: "public.", with: "app.")
        var bag = DiagnosticBag(file: "schema.sql")
        let schema = SchemaReader(engine: .postgresql, focus: SchemaReader.focus(of: spec), defaultSchema: "app")
            .read(appDump, reportingAt: SourceLocation(line: 1, column: 1), diagnostics: &bag)
        let plan = compiler.plan(ValidatedSpec(spec: spec, schema: schema))
        return (plan, dump, appDump)
    }

    /// One line per column, constraint, index and trigger of the tables of `schema`, and per function and enum type.
    static func shape(_ schema: String) -> String {
        """
        SELECT string_agg(x, E'\\n' ORDER BY x) FROM (
          SELECT c.relname || '.' || a.attname || ' ' || format_type(a.atttypid, a.atttypmod) || CASE WHEN a.attnotnull THEN ' not null' ELSE '' END AS x
            FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
           WHERE n.nspname = '\(schema)' AND c.relkind IN ('r', 'p', 'v') AND a.attnum > 0 AND NOT a.attisdropped
          UNION ALL SELECT c.relname || ' constraint ' || co.conname || ' ' || pg_get_constraintdef(co.oid) || CASE WHEN co.convalidated THEN '' ELSE ' not valid' END
            FROM pg_constraint co JOIN pg_class c ON c.oid = co.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = '\(schema)'
          UNION ALL SELECT 'index ' || c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = '\(schema)' AND c.relkind IN ('i', 'I')
          UNION ALL SELECT 'trigger ' || t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
           WHERE n.nspname = '\(schema)' AND NOT t.tgisinternal
          UNION ALL SELECT 'function ' || p.proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = '\(schema)'
          UNION ALL SELECT 'type ' || t.typname || ' ' || (SELECT string_agg(e.enumlabel, ',' ORDER BY e.enumsortorder) FROM pg_enum e WHERE e.enumtypid = t.oid)
            FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace WHERE n.nspname = '\(schema)' AND t.typtype = 'e'
        ) s
        """
    }

    /// What the user writes bare (raw `sql`, a column type naming an enum, `up`/`down`) resolves through
    /// search_path: those fixtures run in `userWrittenResolvesInTheSpecsSchema`, through the step files.
    static let fixtures = ["pg-catalog-tables", "pg-members-keys", "pg-drop-constraints", "pg-orders-constraints", "pg-dependents",
                           "pg-keys-comments", "pg-partitions", "pg-account-features", "pg-column-kinds",
                           "pg-sessions-types", "pg-subs-textdate", "pg-ref-varchar"]

    @Test(.enabled(if: DatabaseHarness.shouldRun(.postgresql), unavailable(.postgresql)), .timeLimit(.minutes(5)), arguments: fixtures)
    func upAndDownActOnTheSpecsSchemaOnly(_ fixture: String) throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        let (plan, dump, appDump) = try Self.plan(root.appendingPathComponent("fixtures/valid/\(fixture).yaml").path)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cutover-qualified-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let name = "qualified_" + fixture.replacingOccurrences(of: "-", with: "_")
        // Through files, as a dump may hold psql meta-commands (\\restrict).
        let appFile = folder.appendingPathComponent("app.sql"), publicFile = folder.appendingPathComponent("public.sql")
        try ("CREATE SCHEMA app;\nSET search_path = app;\n" + appDump).write(to: appFile, atomically: true, encoding: .utf8)
        try ("SET search_path = public;\n" + dump).write(to: publicFile, atomically: true, encoding: .utf8)
        let db = try RollbackNullTests.postgres(name, schema: "SELECT 1", folder: folder)
        try BackfillUnderLoadTests.run(db.url, ["-f", appFile.path])
        try BackfillUnderLoadTests.run(db.url, ["-f", publicFile.path])
        let base = try BackfillUnderLoadTests.run(db.url, ["-c", Self.shape("app")])
        let decoy = try BackfillUnderLoadTests.run(db.url, ["-c", Self.shape("public")])
        #expect(base.replacingOccurrences(of: "app.", with: "") == decoy, "the dump loads the same into both schemas")

        let steps = plan.steps.filter { $0.phase != .purge }
        try db.apply(steps, false)
        #expect(try BackfillUnderLoadTests.run(db.url, ["-c", Self.shape("public")]) == decoy, "the up steps left public alone")
        #expect(try BackfillUnderLoadTests.run(db.url, ["-c", Self.shape("app")]) != base, "the up steps changed app")
        try db.apply(steps, true)
        #expect(try BackfillUnderLoadTests.run(db.url, ["-c", Self.shape("public")]) == decoy, "the down steps left public alone")
    }

    /// Fixtures whose user-written SQL names the spec's objects bare: pg-billing-invoices (raw `sql`),
    /// pg-enum-types (an addColumn of the new enum type), pg-plan-enum-text (`down` casts to the enum).
    /// Run as the Jobs run them, each step file whole (`SQLFileRenderer`), whose session settings put
    /// the spec's schema first on search_path; `public` (the decoy) still comes out untouched.
    static let userWritten = ["pg-billing-invoices", "pg-enum-types", "pg-plan-enum-text"]

    @Test(.enabled(if: DatabaseHarness.shouldRun(.postgresql), unavailable(.postgresql)), .timeLimit(.minutes(5)), arguments: userWritten)
    func userWrittenResolvesInTheSpecsSchema(_ fixture: String) throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        let (plan, dump, appDump) = try Self.plan(root.appendingPathComponent("fixtures/valid/\(fixture).yaml").path)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cutover-qualified-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let appFile = folder.appendingPathComponent("app.sql"), publicFile = folder.appendingPathComponent("public.sql")
        try ("CREATE SCHEMA app;\nSET search_path = app;\n" + appDump).write(to: appFile, atomically: true, encoding: .utf8)
        try ("SET search_path = public;\n" + dump).write(to: publicFile, atomically: true, encoding: .utf8)
        let db = try RollbackNullTests.postgres("qualified_user_" + fixture.replacingOccurrences(of: "-", with: "_"), schema: "SELECT 1", folder: folder)
        try BackfillUnderLoadTests.run(db.url, ["-f", appFile.path])
        try BackfillUnderLoadTests.run(db.url, ["-f", publicFile.path])
        let base = try BackfillUnderLoadTests.run(db.url, ["-c", Self.shape("app")])
        let decoy = try BackfillUnderLoadTests.run(db.url, ["-c", Self.shape("public")])
        func apply(_ steps: [PlanStep], _ direction: SQLFileRenderer.Direction) throws {
            for step in direction == .down ? steps.reversed() : steps {
                let file = folder.appendingPathComponent("\(step.fileStem).\(direction.rawValue).sql")
                try SQLFileRenderer.render(step, direction, plan: plan).write(to: file, atomically: true, encoding: .utf8)
                try BackfillUnderLoadTests.run(db.url, ["-f", file.path])
            }
        }
        let steps = plan.steps.filter { $0.phase != .purge }
        try apply(steps, .up)
        #expect(try BackfillUnderLoadTests.run(db.url, ["-c", Self.shape("public")]) == decoy, "the up steps left public alone")
        #expect(try BackfillUnderLoadTests.run(db.url, ["-c", Self.shape("app")]) != base, "the up steps changed app")
        try apply(steps, .down)
        #expect(try BackfillUnderLoadTests.run(db.url, ["-c", Self.shape("public")]) == decoy, "the down steps left public alone")
    }

    /// A sync trigger function evaluates the spec's `up` when a row is written, under the writing
    /// session's search_path unless its CREATE FUNCTION pins one (user trial 13, M5): after expand, a
    /// cron or DBA session with the default path (`"$user", public`) inserting into `app.invoices`
    /// resolved `'draft'::invoice_status` to the decoy `public.invoice_status` ("invalid input value
    /// for enum"). The function's `SET search_path = "app", public` makes it read `app`'s type.
    @Test(.enabled(if: DatabaseHarness.shouldRun(.postgresql), unavailable(.postgresql)), .timeLimit(.minutes(5)))
    func syncTriggerResolvesTheSpecsSchemaUnderAnyWritersSearchPath() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cutover-qualified-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let spec = """
            apiVersion: cutover.dev/v1alpha1
            kind: Migration
            metadata:
              name: invoices-prev-status
              namespace: billing
            spec:
              database:
                engine: postgresql
                version: "15"
                cluster: billing-db
                name: billing
                credentialsSecret: billing-db-credentials
                schema: invoices.schema.sql
              app:
                name: billing-api
                image: ghcr.io/acme/billing-api:v4.2.0
                versionSchemas: none
              changes:
                - addColumn:
                    table: invoices
                    column: {name: prev_status, type: invoice_status, nullable: false}
                    up: "'draft'::invoice_status"

            """
        let dump = "CREATE TYPE invoice_status AS ENUM ('draft', 'sent');\nCREATE TABLE invoices (id bigint PRIMARY KEY, status invoice_status NOT NULL);\n"
        try spec.write(to: folder.appendingPathComponent("invoices.yaml"), atomically: true, encoding: .utf8)
        try dump.write(to: folder.appendingPathComponent("invoices.schema.sql"), atomically: true, encoding: .utf8)
        let (plan, _, appDump) = try Self.plan(folder.appendingPathComponent("invoices.yaml").path)
        let db = try RollbackNullTests.postgres("qualified_trigger_path", schema: "SELECT 1", folder: folder)
        try BackfillUnderLoadTests.run(db.url, ["-c", "CREATE SCHEMA app; SET search_path = app; " + appDump])
        // The decoy: a same-named type in public without the label the `up` casts.
        try BackfillUnderLoadTests.run(db.url, ["-c", "CREATE TYPE public.invoice_status AS ENUM ('paid'); CREATE TABLE public.invoices (id bigint PRIMARY KEY, status public.invoice_status NOT NULL);"])
        for step in plan.steps where step.phase == .expand {
            let file = folder.appendingPathComponent("\(step.fileStem).up.sql")
            try SQLFileRenderer.render(step, .up, plan: plan).write(to: file, atomically: true, encoding: .utf8)
            try BackfillUnderLoadTests.run(db.url, ["-f", file.path])
        }
        #expect(plan.steps.flatMap(\.up.statements).contains { $0.text.contains("SET search_path = \"app\", public AS $fn$") })
        // A session with the default search_path, as a cron job or a DBA writes.
        try BackfillUnderLoadTests.run(db.url, ["-c", "INSERT INTO app.invoices (id, status) VALUES (1, 'sent')"])
        #expect(try BackfillUnderLoadTests.run(db.url, ["-c", "SELECT prev_status::text FROM app.invoices WHERE id = 1"]) == "draft")
    }

    /// addEnumValue's rollback rebuilds the type and re-sets each column default, whose cast pg_get_expr
    /// prints relative to search_path (`'pending'::app.order_status_cutover_old` under the default one,
    /// with `public.order_status` a decoy): the default must name the rebuilt `app.order_status` under
    /// the default search_path as under the step files' (`"app", public`). Replacing the bare old name
    /// by `"app"."order_status"` gave `app."app"."order_status"`, which the server refuses.
    @Test(.enabled(if: DatabaseHarness.shouldRun(.postgresql), unavailable(.postgresql)), .timeLimit(.minutes(5)), arguments: [false, true])
    func addEnumValueRollbackResetsTheDefaultUnderAnySearchPath(_ stepFiles: Bool) throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        let (plan, dump, appDump) = try Self.plan(root.appendingPathComponent("fixtures/valid/pg-enum-types.yaml").path)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cutover-qualified-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let appFile = folder.appendingPathComponent("app.sql"), publicFile = folder.appendingPathComponent("public.sql")
        try ("CREATE SCHEMA app;\nSET search_path = app;\n" + appDump).write(to: appFile, atomically: true, encoding: .utf8)
        try ("SET search_path = public;\n" + dump).write(to: publicFile, atomically: true, encoding: .utf8)
        let db = try RollbackNullTests.postgres("qualified_enum_default_\(stepFiles)", schema: "SELECT 1", folder: folder)
        try BackfillUnderLoadTests.run(db.url, ["-f", appFile.path])
        try BackfillUnderLoadTests.run(db.url, ["-f", publicFile.path])
        let decoy = try BackfillUnderLoadTests.run(db.url, ["-c", Self.shape("public")])
        let steps = plan.steps.filter { $0.fileStem.contains("add_enum_value_order_status") }
        #expect(steps.count == 2)
        if stepFiles {
            for (step, direction) in steps.map({ ($0, SQLFileRenderer.Direction.up) }) + steps.reversed().map({ ($0, .down) }) {
                let file = folder.appendingPathComponent("\(step.fileStem).\(direction.rawValue).sql")
                try SQLFileRenderer.render(step, direction, plan: plan).write(to: file, atomically: true, encoding: .utf8)
                try BackfillUnderLoadTests.run(db.url, ["-f", file.path])
            }
        } else {
            try db.apply(steps, false)
            try db.apply(steps, true)
        }
        let state = try BackfillUnderLoadTests.run(db.url, ["-c", """
            SELECT pg_get_expr(d.adbin, d.adrelid) || ' ' || (SELECT string_agg(enumlabel, ',' ORDER BY enumsortorder) FROM pg_enum WHERE enumtypid = 'app.order_status'::regtype)
              FROM pg_attrdef d JOIN pg_attribute a ON a.attrelid = d.adrelid AND a.attnum = d.adnum
             WHERE d.adrelid = 'app.orders'::regclass AND a.attname = 'status'
            """])
        #expect(state == "'pending'::app.order_status pending,paid,shipped")
        #expect(try BackfillUnderLoadTests.run(db.url, ["-c", Self.shape("public")]) == decoy, "public left alone")
    }

    /// The preflight checks the spec's schema (exists, takes CREATE), not search_path's first one, since
    /// that is where the statements create; with `public` it keeps checking `current_schema()`.
    @Test func preflightChecksTheSpecsSchema() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        let path = root.appendingPathComponent("fixtures/valid/pg-catalog-tables.yaml").path
        func preflight(_ plan: MigrationPlan) -> String {
            plan.steps.filter { $0.phase == .preflight }.flatMap(\.up.statements).map(\.text).joined(separator: "\n")
        }
        let app = preflight(try Self.plan(path).plan)
        #expect(app.contains("pg_catalog.to_regnamespace('\"app\"') IS NULL"))
        #expect(app.contains("pg_catalog.has_schema_privilege('app', 'CREATE')"))
        #expect(!app.contains("current_schema()"))
        let validated = try #require(try Compiler().check(fileAt: path).validated)
        let base = preflight(Compiler().plan(validated))
        #expect(base.contains("pg_catalog.has_schema_privilege(current_schema(), 'CREATE')"))
        #expect(VersionSchemaSelection.searchPath("orders_new", base: "app") == "orders_new,\"app\",public")
    }
}
