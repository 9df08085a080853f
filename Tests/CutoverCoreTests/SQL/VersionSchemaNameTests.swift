@testable import CutoverPlan
@testable import CutoverSpec
import Testing

/// PostgreSQL refuses schema names that start with `pg_`: a migration named `pg-…` must still get
/// version schemas the server accepts (found by rehearsing fixtures/broken/pg-rehearse-kubectl-contract-at-once).
struct VersionSchemaNameTests {
    @Test(arguments: ["pg-orders", "PG-orders", "orders", "pgorders"])
    func versionSchemasNeverStartWithPg(_ name: String) {
        let derived = DerivedNames(names: SQLNames(engine: .postgresql), migrationName: name)
        for new in [false, true] {
            let schema = derived.versionSchema(new: new)
            #expect(!schema.lowercased().hasPrefix("pg_"), "\(schema)")
            #expect(schema.hasSuffix(new ? "_new" : "_old"))
        }
        #expect(derived.versionSchema(new: true) != derived.versionSchema(new: false))
    }
}
