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

    /// CUT103 refuses no PostgreSQL schema any more; MySQL's other database still is.
    @Test func postgresTakesAnySchemaMySQLOnlyItsDatabase() throws {
        let pg = try ValidationHarness.check(Snippets.spec(database: Snippets.pgDatabase + "    schemaName: app\n"))
        #expect(!pg.contains { $0.rule == .schemaName }, "\(pg.map(\.message))")
        let my = try ValidationHarness.check(Snippets.spec(database: Snippets.mysqlDatabase + "    schemaName: sales\n"))
        #expect(my.contains { $0.rule == .schemaName })
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
