@testable import CutoverPlan
@testable import CutoverSpec
import Foundation
import Testing

/// `database.schemaName`: the typed value per engine, CUT103 where the plan cannot honour it (MySQL), and the
/// schema reader keeping other schemas apart with the spec's schema (not a hard-coded `public`) as the
/// one whose tables the changes name bare.
@Suite struct SchemaNameTests {
    func read(_ text: String, defaultSchema: String) -> DatabaseSchema {
        var bag = DiagnosticBag(file: "t.yaml")
        return SchemaReader(engine: .postgresql, defaultSchema: defaultSchema)
            .read(text, reportingAt: SourceLocation(line: 1, column: 1), diagnostics: &bag)
    }

    /// A dump with a same-named table in `public` and in `app`, a view and a trigger on `app.orders`,
    /// and comments on both: which one is `orders` depends on the spec's schema only.
    static let dump = """
        CREATE TABLE public.orders (id bigint NOT NULL, legacy text);
        CREATE TABLE app.orders (id bigint NOT NULL, total numeric NOT NULL);
        CREATE INDEX orders_total_idx ON app.orders USING btree (total);
        CREATE VIEW app.big_orders AS SELECT orders.id, orders.total FROM app.orders WHERE orders.total > 100;
        COMMENT ON TABLE app.orders IS 'app side';
        COMMENT ON TABLE public.orders IS 'public side';

        """

    @Test func theSpecsSchemaIsReadBareAndPublicKeepsItsQualifier() throws {
        let schema = read(Self.dump, defaultSchema: "app")
        let orders = try #require(schema.table("orders"))
        #expect(orders.columns.map(\.name) == ["id", "total"])
        #expect(orders.comment == "'app side'")
        let other = try #require(schema.table("public.orders"))
        #expect(other.columns.map(\.name) == ["id", "legacy"])
        #expect(other.comment == "'public side'")
        #expect(schema.indexes.first { $0.name == "orders_total_idx" }?.table == "orders")
        let view = try #require(schema.dependents.views.first)
        #expect(view.relations.contains("orders"))
        #expect(view.columns.contains(.init(table: "orders", column: "total")))
    }

    @Test func publicStaysTheDefault() throws {
        let schema = read(Self.dump, defaultSchema: "public")
        #expect(try #require(schema.table("orders")).columns.map(\.name) == ["id", "legacy"])
        #expect(try #require(schema.table("app.orders")).columns.map(\.name) == ["id", "total"])
        #expect(schema.indexes.first { $0.name == "orders_total_idx" }?.table == "app.orders")
    }

    /// The focus (which views and triggers get their columns worked out) follows the same default.
    @Test func focusFollowsTheSpecsSchema() throws {
        var bag = DiagnosticBag(file: "t.yaml")
        let schema = SchemaReader(engine: .postgresql, focus: ["orders"], defaultSchema: "app")
            .read(Self.dump, reportingAt: SourceLocation(line: 1, column: 1), diagnostics: &bag)
        let view = try #require(schema.dependents.views.first)
        #expect(view.columns.contains(.init(table: "orders", column: "total")))
    }

    /// `schemaName` is an identifier like the spec's table names: the SQL quotes it, so `App` is the
    /// schema `"App"`. The reader folds an unquoted name as PostgreSQL does: the dump's `"App".orders`
    /// is the spec's `orders`, and its `App.orders` (the schema `app`) is another table.
    @Test func anUpperCaseSchemaIsTheQuotedName() throws {
        let dump = """
            CREATE TABLE "App".orders (id bigint NOT NULL, total numeric NOT NULL);
            CREATE TABLE App.orders (id bigint NOT NULL, legacy text);
            CREATE VIEW "App".big_orders AS SELECT o.id, o.total FROM "App".orders o WHERE o.total > 100;

            """
        var bag = DiagnosticBag(file: "t.yaml")
        let schema = SchemaReader(engine: .postgresql, focus: ["orders"], defaultSchema: "App")
            .read(dump, reportingAt: SourceLocation(line: 1, column: 1), diagnostics: &bag)
        #expect(try #require(schema.table("orders")).columns.map(\.name) == ["id", "total"])
        #expect(try #require(schema.table("app.orders")).columns.map(\.name) == ["id", "legacy"])
        // The focus folds the names it compares: the view on `"App".orders` is the spec's table's.
        let view = try #require(schema.dependents.views.first)
        #expect(view.columns.contains(.init(table: "orders", column: "total")), "\(view.columns)")
        #expect(SchemaLexer("", mysql: false, defaultSchema: "App").defaultSchemaBytes == Array("app".utf8))
        #expect(PostgreSQLBuilder(context: LoweringContext(spec: SettingsTests.built(database: Snippets.pgDatabase + "    schemaName: App\n"), schema: nil)).t("orders")
                == "\"App\".\"orders\"")
    }

    /// CUT103 refuses no ordinary PostgreSQL schema; MySQL's other database still is.
    @Test func postgresTakesAnySchemaMySQLOnlyItsDatabase() throws {
        let pg = try ValidationHarness.check(Snippets.spec(database: Snippets.pgDatabase + "    schemaName: app\n"))
        #expect(!pg.contains { $0.rule == .schemaName }, "\(pg.map(\.message))")
        let my = try ValidationHarness.check(Snippets.spec(database: Snippets.mysqlDatabase + "    schemaName: sales\n"))
        #expect(my.contains { $0.rule == .schemaName })
    }

    /// CUT103 on PostgreSQL: the system schemas (every `pg_` name, `information_schema`) and the
    /// migration's version schemas (`pricing_tiers_new` / `_old` for `metadata.name: pricing-tiers`) are
    /// refused at the value (user trial 13, M7); a name that only resembles them is taken.
    @Test func postgresRefusesSystemAndVersionSchemas() throws {
        for name in ["pg_catalog", "information_schema", "pg_toast", "pg_temp", "pg_temp_1", "pg_foo", "pricing_tiers_new", "pricing_tiers_old"] {
            let found = try ValidationHarness.check(Snippets.spec(database: Snippets.pgDatabase + "    schemaName: \(name)\n"))
            let hits = found.filter { $0.rule == .schemaName }
            #expect(hits.count == 1, "\(name): \(found.map(\.message))")
            #expect(hits.first?.location.line == 13 && hits.first?.location.column == 17, "\(name)")
        }
        for name in ["PG_catalog", "pgx", "pricing_tiers", "pricing_tiers_newer", "app_new"] {
            let found = try ValidationHarness.check(Snippets.spec(database: Snippets.pgDatabase + "    schemaName: \(name)\n"))
            #expect(!found.contains { $0.rule == .schemaName }, "\(name): \(found.map(\.message))")
        }
    }

    /// CUT041 with a dump whose tables are in another schema than `schemaName` says so: a case
    /// difference (`Billing` against the dump's unquoted, folded `billing.pricing`) names the dump's
    /// schema; tables only in other schemas list them. A dump with tables in the spec's schema adds nothing.
    @Test func unknownTableHintsAtTheSchemaName() throws {
        func messages(_ schemaName: String, _ dump: String) throws -> [String] {
            let spec = Snippets.spec(database: Snippets.pgDatabase + "    schemaName: \(schemaName)\n    schema: schema.sql\n")
            return try ValidationHarness.check(spec, files: ["schema.sql": dump]).filter { $0.rule == .unknownTable }.map(\.message)
        }
        let lower = "CREATE TABLE billing.pricing (id bigint PRIMARY KEY, amount integer NOT NULL);\n"
        let folded = try messages("Billing", lower)
        #expect(!folded.isEmpty && folded.allSatisfy { $0.contains("tables in schema 'billing', and database.schemaName is 'Billing'") && $0.contains("fold to lower case") }, "\(folded)")
        let upper = try messages("PUBLIC", "CREATE TABLE public.pricing (id bigint PRIMARY KEY, amount integer NOT NULL);\n")
        #expect(!upper.isEmpty && upper.allSatisfy { $0.contains("write 'schemaName: public'") }, "\(upper)")
        let elsewhere = try messages("app", lower)
        #expect(!elsewhere.isEmpty && elsewhere.allSatisfy { $0.contains("only in schema 'billing', none in 'app' (database.schemaName)") }, "\(elsewhere)")
        let mixed = try messages("app", lower + "CREATE TABLE app.other (id bigint PRIMARY KEY);\n")
        #expect(!mixed.isEmpty && mixed.allSatisfy { !$0.contains("database.schemaName") }, "\(mixed)")
    }

    /// A `sql` change's up is read with the spec's schema as the default one, as the dump is:
    /// `app.pricing` is the spec's `pricing`, `public.pricing` another table.
    @Test func aSQLChangeIsReadInTheSpecsSchema() throws {
        let spec = """
            apiVersion: cutover.dev/v1alpha1
            kind: Migration
            metadata:
              name: t
              namespace: billing
            spec:
              database:
                engine: postgresql
                version: "15"
                cluster: billing-db
                name: billing
                credentialsSecret: billing-db-credentials
                schemaName: app
                schema: schema.sql
              app:
                name: webapp
                image: ghcr.io/acme/webapp:v2.3.1
              changes:
                - sql:
                    name: reshape
                    up: "ALTER TABLE app.pricing ADD COLUMN tier text; ALTER TABLE public.pricing DROP COLUMN amount;"
                    down: "SELECT 1"
                - dropColumn:
                    table: pricing
                    column: tier
                - dropColumn:
                    table: pricing
                    column: amount
            """
        let schema = """
            CREATE TABLE app.pricing (id bigint PRIMARY KEY, amount integer NOT NULL);
            CREATE TABLE public.pricing (id bigint PRIMARY KEY, amount integer NOT NULL);
            """
        let found = try ValidationHarness.check(spec, files: ["schema.sql": schema])
        #expect(!found.contains { $0.severity == .error }, "\(found.map(\.message))")
    }

    @Test func typedValuePerEngine() {
        #expect(SettingsTests.built(database: Snippets.pgDatabase).database.schemaName == "public")
        #expect(SettingsTests.built(database: Snippets.pgDatabase + "    schemaName: public\n").database.schemaName == "public")
        #expect(SettingsTests.built(database: Snippets.mysqlDatabase).database.schemaName == "billing")
        #expect(SettingsTests.built(database: Snippets.mysqlDatabase + "    schemaName: billing\n").database.schemaName == "billing")
    }
}
