@testable import CutoverPlan
@testable import CutoverSpec
import Foundation
import Testing

/// Validation and Planning name an undeclared primary key through one function (`ObjectNames`), so they
/// agree even where PostgreSQL's own rule and cutover's differ: a table name of 59 bytes or more, whose
/// `<table>_pkey` no longer fits 63 bytes (cutover's DDL names the key explicitly, cut with a hash).
@Suite struct SharedSchemaNamesTests {
    static let longTable = String(repeating: "t", count: 60)

    func spec(_ changes: String) -> String {
        """
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
          app:
            name: webapp
            image: ghcr.io/acme/webapp:v2.3.1
          changes:
        \(changes)
        """
    }

    @Test func validationAndPlanningNameALongPrimaryKeyAlike() throws {
        let planned = ObjectNames(engine: .postgresql).primaryKey(table: Self.longTable)
        #expect(planned.utf8.count <= 63)
        #expect(planned != ImplicitNames.postgres(Self.longTable, [], "pkey"))
        let create = "    - createTable: {name: \(Self.longTable), columns: [{name: id, type: bigint}], primaryKey: [id]}"
        let validated = try ValidationHarness.check(spec(create))
        #expect(validated.filter { $0.severity == .error }.isEmpty)
        // Validation: an index under that exact name clashes with the key (it would not if Validation named it the server's way).
        let clash = try ValidationHarness.check(spec(create + "\n    - createIndex: {name: \(planned), table: \(Self.longTable), columns: [id]}"))
        #expect(clash.filter { $0.severity != .note }.map(\.rule.rawValue) == ["CUT044"])
        // Planning: the evolving schema holds the key under the same name, which the CREATE TABLE writes.
        let plan = try PlanningHarness.plan(spec(create))
        var context = LoweringContext(spec: plan.spec, schema: nil)
        for change in plan.spec.changes { context.apply(change.operation) }
        #expect(context.schema.constraints.first { $0.kind == .primaryKey }?.name == planned)
        #expect(plan.steps.contains { $0.up.statements.contains { $0.text.contains("CONSTRAINT \"\(planned)\" PRIMARY KEY") } })
    }
}
