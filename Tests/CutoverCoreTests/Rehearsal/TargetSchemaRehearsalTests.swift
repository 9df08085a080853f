@testable import CutoverPlan
@testable import CutoverSpec
@testable import CutoverEmit
@testable import CutoverCore
@testable import CutoverProof
import Foundation
import Testing

/// `cutover rehearse` holds the schema after the last forward stage (contract) against the spec's
/// target, Validation's model of the base schema with the changes applied (issue #14). A user index
/// left on a quarantined column and a column contract forgot to quarantine must make it NOT PROVEN
/// with a line naming the object; the comparison itself is checked without a server on made-up catalogs.
@Suite(.serialized) struct TargetSchemaRehearsalTests {
    static func plan(_ path: String) throws -> MigrationPlan {
        let compiler = Compiler()
        let result = try compiler.check(fileAt: path)
        let validated = try #require(result.validated, "\(result.diagnostics)")
        return compiler.plan(validated)
    }

    @Test func aUserIndexOnAQuarantinedColumnAfterContractFails() throws {
        guard let outcome = try RehearseCommandTests.rehearse("pg-rehearse-index-on-quarantined-column.yaml", rows: 300) else { return }
        #expect(outcome.run.status == 1)
        let failure = try #require(outcome.failures.first, "\(outcome.run.stdout)")
        #expect(outcome.failures.count == 1, "\(outcome.failures)")
        #expect((failure["error"] as? String ?? "").contains(
            "index orders_big_qty_idx on orders: names the quarantined column _cutover_pg_rehearse_index_on_quarantined_column_qty after contract"), "\(failure)")
        #expect((failure["stage"] as? String ?? "").hasPrefix("forward "), "\(failure)")
    }

    /// The valid fixture's contract, edited so it leaves customers.legacy_flag under its name (MariaDB).
    @Test func aColumnContractForgotFails() throws {
        let plan = try Self.plan(TestPaths.fixtures.appendingPathComponent("valid/mysql-orders-constraints.yaml").path)
        // The quarantine runs only while the column is there (`IF(COUNT(*) > 0, 'ALTER TABLE …', 'DO 0')`):
        // asked about another column, the contract Job succeeds and leaves legacy_flag as it was.
        let guardLine = "column_name = 'legacy_flag')"
        let isContract: @Sendable (OutputFile) -> Bool = { $0.path.hasSuffix("configmap-sql-contract.yaml") }
        let filter: @Sendable ([OutputFile]) -> [OutputFile] = { files in
            files.map { file in
                guard isContract(file) else { return file }
                var file = file
                file.contents = file.contents.replacingOccurrences(of: guardLine, with: "column_name = 'kept_by_the_test')")
                return file
            }
        }
        #expect(Compiler().emit(plan).contains { isContract($0) && $0.contents.contains(guardLine) }, "the contract no longer quarantines this way: update the test")
        guard let report = try BlueGreenRehearsalTests.rehearse(plan, rows: 300, filter: filter) else { return }
        #expect(!report.proven)
        let lines = report.failures.map(\.error)
        #expect(lines.contains { $0.contains("column customers.legacy_flag: not expected (the spec's target has no such column), found it") }, "\(lines)")
        #expect(report.checks.contains { $0.hasPrefix("schema after the last forward stage: 1 difference(s) from the spec's target") }, "\(report.checks)")
    }

    @Test func anExampleIsTheTargetAfterContract() throws {
        let plan = try Self.plan(TestPaths.fixtures.appendingPathComponent("valid/mysql-orders-constraints.yaml").path)
        guard let report = try BlueGreenRehearsalTests.rehearse(plan, rows: 300) else { return }
        #expect(report.proven, "\(report.renderText())")
        #expect(report.checks.contains { $0.hasPrefix("schema after the last forward stage: the spec's target (4 table(s)") }, "\(report.checks)")
    }

    // MARK: the comparison, on made-up catalogs

    static func check() throws -> TargetSchemaCheck {
        TargetSchemaCheck(plan: try plan(TestPaths.fixtures.appendingPathComponent("broken/pg-rehearse-index-on-quarantined-column.yaml").path))
    }

    /// The catalog the fixture's target means: orders (id, status, qty bigint) and its primary key.
    static func live() -> TargetSchemaCheck.Live {
        var live = TargetSchemaCheck.Live()
        live.tables = ["orders"]
        live.columns["orders"] = [("id", "bigint", false), ("status", "text", false), ("qty", "bigint", false),
                                  ("_cutover_m_qty", "integer", false)]
        live.indexes["orders"] = [.init(name: "orders_pkey", unique: true, primary: true, keys: ["id"], predicate: nil,
                                        definition: "CREATE UNIQUE INDEX orders_pkey ON public.orders USING btree (id)"),
                                  .init(name: "orders_big_qty_idx", unique: false, primary: false, keys: ["status"], predicate: "qty > 100",
                                        definition: "CREATE INDEX orders_big_qty_idx ON public.orders USING btree (status) WHERE (qty > 100)")]
        return live
    }

    static let types = ["bigint": "bigint", "text": "text", "integer": "integer"]

    @Test func theTargetCatalogPasses() throws {
        let check = try Self.check()
        // The fixture's `sql` change creates the index; the model learns it from its SQL.
        let outcome = check.compare(Self.live(), types: Self.types)
        #expect(outcome.problems.isEmpty, "\(outcome.problems)")
        #expect(outcome.compared.tables == 1 && outcome.compared.columns == 3)
    }

    @Test func eachDifferenceIsNamedWithExpectedAndFound() throws {
        let check = try Self.check()
        var live = Self.live()
        live.columns["orders"] = [("id", "bigint", false), ("status", "text", true), ("qty", "integer", false), ("extra", "text", true)]
        live.indexes["orders"]?[0].keys = ["status"]
        live.indexes["orders"]?.append(.init(name: "orders_status_idx", unique: false, primary: false, keys: ["status"], predicate: nil,
                                             definition: "CREATE INDEX orders_status_idx ON public.orders USING btree (status)"))
        live.tables.append("stray")
        let problems = check.compare(live, types: Self.types).problems
        for expected in ["column orders.status: expected NOT NULL, found NULL allowed",
                         "column orders.qty: expected type bigint (the spec's bigint), found integer",
                         "column orders.extra: not expected (the spec's target has no such column), found it",
                         "primary key orders_pkey on orders: expected on (id), found on (status)",
                         "index orders_status_idx on orders: not expected",
                         "table stray: not expected"] {
            #expect(problems.contains { $0.hasPrefix(expected) }, "\(expected) in \(problems)")
        }
        var gone = Self.live()
        gone.columns["orders"]?.removeAll { $0.name == "qty" }
        gone.indexes["orders"]?.removeAll { $0.name == "orders_big_qty_idx" }
        let missing = check.compare(gone, types: Self.types).problems
        #expect(missing.contains { $0.hasPrefix("column orders.qty: expected, found no such column") }, "\(missing)")
        #expect(missing.contains { $0.hasPrefix("index orders_big_qty_idx on orders: expected") }, "\(missing)")
    }

    /// A createTable's partitions are compared by name on their partitioned table (issue 13 audit: they
    /// were skipped, "the model does not list a createTable's partitions"): one missing or one too many
    /// is a problem; the declared ones are neither skipped nor unexpected tables.
    @Test func aCreateTablesPartitionsAreCompared() throws {
        let check = TargetSchemaCheck(plan: try Self.plan(TestPaths.fixtures.appendingPathComponent("valid/pg-partitions.yaml").path))
        #expect(check.target.createdPartitions["events"] == ["events_2025", "events_2026", "events_other"])
        var live = TargetSchemaCheck.Live()
        live.tables = check.target.tables.map(\.name)
        for (table, partitions) in check.target.createdPartitions {
            live.tables += partitions
            live.partitions.formUnion(partitions)
            live.partitionsOf[table] = partitions
        }
        let whole = check.compare(live, types: [:])
        #expect(!whole.problems.contains { $0.hasPrefix("partitions of") || $0.contains("not expected (the spec's target has no such table)") }, "\(whole.problems)")
        #expect(!whole.skipped.contains { $0.contains("does not list a createTable's partitions") }, "\(whole.skipped)")
        var short = live
        short.tables.removeAll { $0 == "events_other" }
        short.partitions.remove("events_other")
        short.partitionsOf["events"] = ["events_2025", "events_2026"]
        short.tables.append("events_2024")
        short.partitions.insert("events_2024")
        short.partitionsOf["events"]?.append("events_2024")
        let problems = check.compare(short, types: [:]).problems
        #expect(problems.contains("partitions of events: expected events_2025, events_2026, events_other (its createTable lists them), found events_2024, events_2025, events_2026"), "\(problems)")
        #expect(problems.contains { $0.hasPrefix("table events_2024: not expected") }, "\(problems)")
    }

    @Test func quarantinedNamesAreFoundAsWholeIdentifiers() {
        #expect(ColumnKind.mentions("WHERE (_cutover_m_qty > 100)", "_cutover_m_qty"))
        #expect(!ColumnKind.mentions("WHERE (_cutover_m_qty_new > 100)", "_cutover_m_qty"))
        #expect(ColumnKind.mentions("CHECK ((\"_cutover_m_qty\" > 0))", "_cutover_m_qty"))
        #expect(!ColumnKind.mentions("WHERE (note <> '_cutover_m_qty')", "_cutover_m_qty"), "inside a string literal")
        // A quote inside a quoted identifier starts no string literal (SRE review 26).
        #expect(ColumnKind.mentions("CHECK ((\"it's\" > 0) AND (_cutover_m_qty > 0))", "_cutover_m_qty"))
        #expect(ColumnKind.mentions("CHECK ((note <> 'it''s') AND (_cutover_m_qty > 0))", "_cutover_m_qty"))
    }
}
