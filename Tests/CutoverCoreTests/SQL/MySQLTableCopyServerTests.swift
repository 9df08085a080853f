@testable import CutoverPlan
@testable import CutoverSpec
import Foundation
import Testing

/// On the real server (MariaDB 10.11 standing in for MySQL 8): every statement a recipe marks as a table
/// copy (`StatementKind.tableCopy`, warning CUT073) has no online form — the same statement with
/// ALGORITHM=INPLACE, LOCK=NONE is refused — and the plans of fixtures 174-176 run up and back down with
/// the copies in them. Every other ALTER of those plans runs with the online algorithm it states.
@Suite(.serialized) struct MySQLTableCopyServerTests {
    static let fixtures = ["174-mysql-add-check-table-copy", "175-mysql-rollback-table-copy", "176-mysql-rename-checked-column"]

    @Test(.enabled(if: DatabaseHarness.shouldRun(.mysql), unavailable(.mysql)), arguments: fixtures)
    func markedCopiesHaveNoOnlineFormAndThePlanRuns(_ fixture: String) throws {
        let root = TestPaths.packageRoot.appendingPathComponent("fixtures/invalid")
        let plan = try SQLGoldenTests.plan(root.appendingPathComponent("\(fixture).yaml").path)
        let schema = try String(contentsOf: root.appendingPathComponent("schemas/shop-mysql-checks.sql"), encoding: .utf8)
        let url = try DatabaseHarness.shared.url(.mysql)
        let socket = try #require(URLComponents(string: url)?.queryItems?.first { $0.name == "socket" }?.value)
        func run(_ input: String, database: String? = "table_copy") throws -> (status: Int32, output: String) {
            try MySQLOrphanCheckTests.client(socket, database: database, input: input)
        }
        let reset = try run("DROP DATABASE IF EXISTS table_copy; CREATE DATABASE table_copy; USE table_copy;\n\(schema)\n"
                            + "INSERT INTO customers (email, legacy_code) VALUES ('a@x.io', 'ab'), ('b@x.io', NULL);\n"
                            + "INSERT INTO orders (customer_id, qty, total, note) VALUES (1, 2, 30, 'first'), (2, 5, 70, NULL);\n", database: nil)
        #expect(reset.status == 0, "\(reset.output)")
        var copies = 0
        func apply(_ step: PlanStep, down: Bool) throws {
            let statements = (down ? step.down : step.up).statements
            // Each copy's online form is tried where the step runs it: after the statements before it, in one
            // session (every step is idempotent, so running them again with the whole step below is harmless).
            for (index, statement) in statements.enumerated() where statement.copiedTable != nil {
                copies += 1
                #expect(statement.text.contains("ALGORITHM=COPY, LOCK=SHARED"))
                let before = statements[..<index].map(\.text).filter { !$0.isEmpty }
                let online = try run((before + [statement.text.replacingOccurrences(of: "ALGORITHM=COPY, LOCK=SHARED", with: "ALGORITHM=INPLACE, LOCK=NONE")])
                    .joined(separator: "\n") + "\n")
                #expect(online.status != 0 && online.output.contains("is not supported"),
                        "\(fixture) step \(step.number) \(down ? "down" : "up"): the online form was not refused as unsupported: \(online.output)")
            }
            let result = try run(statements.map(\.text).filter { !$0.isEmpty }.joined(separator: "\n") + "\n")
            #expect(result.status == 0, "\(fixture) step \(step.number) \(down ? "down" : "up") '\(step.title)': \(result.output)")
        }
        for step in plan.steps { try apply(step, down: false) }
        for step in plan.steps.reversed() { try apply(step, down: true) }
        let expected = ["174-mysql-add-check-table-copy": 2, "175-mysql-rollback-table-copy": 5, "176-mysql-rename-checked-column": 5]
        #expect(copies == expected[fixture], "\(fixture): \(copies) table copies")
        let checks = try run("SELECT GROUP_CONCAT(constraint_name ORDER BY constraint_name) FROM information_schema.check_constraints WHERE constraint_schema = 'table_copy';")
        #expect(checks.output.trimmingCharacters(in: .whitespacesAndNewlines) == "customers_legacy_code_len,orders_qty_positive,orders_total_small",
                "\(fixture): the rollback gave every check of the base schema back")
    }
}
