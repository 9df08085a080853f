@testable import CutoverPlan
@testable import CutoverSpec
@testable import CutoverProof
import Testing

/// The guard that keeps a rehearsal from passing without a version's statements: a version that
/// served while the rehearsal let it send, and sent nothing, fails the stage, naming why its traffic
/// could not be derived; only a version that knows no table by the spec may stay silent.
@Suite struct SilentVersionTests {
    static func spec(_ changes: String) -> MigrationSpec {
        KubernetesFixtures.spec("""
            apiVersion: cutover.dev/v1alpha1
            kind: Migration
            metadata: {name: silent, namespace: shop}
            spec:
              database: {engine: postgresql, version: "15", cluster: shop-db, name: shop, credentialsSecret: shop-db-credentials}
              app: {name: web, image: "ghcr.io/acme/web:v2"}
              changes:
            \(changes)
            """)
    }

    static let users = AppShape(tables: [TableShape(name: "users", columns: [TrafficPureTests.column("id", "bigint")], primaryKey: ["id"],
                                                    uniques: [], foreignKeys: [], checks: [])])
    static let rename = spec("    - renameColumn: {table: users, from: email, to: mail}")

    @Test func aNewShapeWithoutTablesIsUnderivedWhileTheSchemaHasSome() {
        let (underived, silent) = Rehearsal.emptyShapes(old: Self.users, new: AppShape(tables: []), schemaTables: ["users"], spec: Self.rename)
        #expect(silent.isEmpty)
        #expect(underived[.old] == nil)
        #expect(underived[.new] == "its shape, read from the catalog after the forward Jobs, has no table while database.schema has 1 it should know (users)")
    }

    @Test func aShapeOnlyInternalTablesIsEmpty() {
        let internalOnly = AppShape(tables: [TableShape(name: "_cutover_state", columns: [], primaryKey: [], uniques: [], foreignKeys: [], checks: [])])
        let (underived, _) = Rehearsal.emptyShapes(old: internalOnly, new: Self.users, schemaTables: ["users"], spec: Self.rename)
        #expect(underived[.old]?.hasPrefix("its shape, read from the catalog, has no table") == true)
    }

    @Test func aVersionThatKnowsNoTableBySpecMayStaySilent() {
        let drop = Self.spec("    - dropTable: {name: users}")
        let (underived, silent) = Rehearsal.emptyShapes(old: Self.users, new: AppShape(tables: []), schemaTables: ["users"], spec: drop)
        #expect(underived.isEmpty)
        #expect(silent == [.new])
        let (_, noBase) = Rehearsal.emptyShapes(old: AppShape(tables: []), new: Self.users, schemaTables: [], spec: Self.rename)
        #expect(noBase == [.old])
    }

    /// A migration that only creates tables touches none the old version has: it still serves while
    /// the Jobs run, on the tables the new ones reference, else on every base table (issue 13 audit: it
    /// sent nothing). Only a base schema without tables leaves it none.
    @Test func theOldVersionOfACreateOnlyMigrationStillHasTables() {
        func table(_ name: String, references: [String] = []) -> TableShape {
            TableShape(name: name, columns: [TrafficPureTests.column("id", "bigint")] + references.map { TrafficPureTests.column("\($0)_id", "bigint") },
                       primaryKey: ["id"], uniques: [],
                       foreignKeys: references.map { ForeignKeyShape(columns: ["\($0)_id"], referencedTable: $0, referencedColumns: ["id"]) }, checks: [])
        }
        let base = AppShape(tables: [table("customers"), table("orders", references: ["customers"]), table("shipments")])
        let new = AppShape(tables: base.tables + [table("parcels", references: ["shipments"]), table("notes")])
        let parents = AppTrafficDriver.referencedBaseTables(of: ["parcels", "notes"], in: new, base: base)
        #expect(parents == ["shipments"])
        #expect(AppTrafficDriver.oldVersionTables(shape: base, touched: ["parcels", "notes"], parents: parents) == ["shipments"])
        #expect(AppTrafficDriver.oldVersionTables(shape: base, touched: ["notes"], parents: []) == ["customers", "orders", "shipments"])
        #expect(AppTrafficDriver.oldVersionTables(shape: base, touched: ["orders", "parcels"], parents: parents) == ["orders"])
        #expect(AppTrafficDriver.oldVersionTables(shape: AppShape(tables: []), touched: ["notes"], parents: []).isEmpty)
    }

    @Test func aVersionThatDwelledAndSentNothingFailsTheStage() {
        let traffic = [RehearsalReport.VersionLine(version: .old, sent: 120, failed: 0), RehearsalReport.VersionLine(version: .new, sent: 0, failed: 0)]
        let failures = Rehearsal.silentVersions(traffic, dwelled: [.old, .new], mayBeSilent: [], underived: [.new: "its shape has no table"], stage: "forward 1")
        #expect(failures.map(\.0) == [.new])
        #expect(failures.first?.1 == "new version sent no statements in stage forward 1: its traffic could not be derived (its shape has no table)")
        let plain = Rehearsal.silentVersions(traffic, dwelled: [.new], mayBeSilent: [], underived: [:], stage: "rollback 2")
        #expect(plain.first?.1 == "new version sent no statements in stage rollback 2: its traffic could not be derived (no statement of it reached the server)")
    }

    @Test func aVersionStoppedBeforeAnyDwellOrAllowedSilenceDoesNotFail() {
        let traffic = [RehearsalReport.VersionLine(version: .old, sent: 0, failed: 0), RehearsalReport.VersionLine(version: .new, sent: 40, failed: 0)]
        // Stopped at the promotion wait, before any Job let it send.
        #expect(Rehearsal.silentVersions(traffic, dwelled: [.new], mayBeSilent: [], underived: [:], stage: "forward 2").isEmpty)
        #expect(Rehearsal.silentVersions(traffic, dwelled: [.old, .new], mayBeSilent: [.old], underived: [:], stage: "forward 2").isEmpty)
        // Counts of a version split over a stage (stopped, then started again) add up.
        let split = traffic + [RehearsalReport.VersionLine(version: .old, sent: 3, failed: 3)]
        #expect(Rehearsal.silentVersions(split, dwelled: [.old, .new], mayBeSilent: [], underived: [:], stage: "forward 2").isEmpty)
    }
}
