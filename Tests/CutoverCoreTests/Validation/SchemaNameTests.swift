@testable import CutoverPlan
@testable import CutoverSpec
import Foundation
import Testing

/// `database.schemaName`: the typed value per engine, CUT103 where the plan cannot honour it, and the
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

    @Test func typedValuePerEngine() {
        #expect(SettingsTests.built(database: Snippets.pgDatabase).database.schemaName == "public")
        #expect(SettingsTests.built(database: Snippets.pgDatabase + "    schemaName: public\n").database.schemaName == "public")
        #expect(SettingsTests.built(database: Snippets.mysqlDatabase).database.schemaName == "billing")
        #expect(SettingsTests.built(database: Snippets.mysqlDatabase + "    schemaName: billing\n").database.schemaName == "billing")
    }
}
