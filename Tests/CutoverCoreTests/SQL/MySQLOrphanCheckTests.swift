@testable import CutoverPlan
@testable import CutoverSpec
@testable import CutoverProof
import Foundation
import Testing

/// MySQL adds a foreign key in place without checking existing rows; verify's orphan check must
/// fail on a row that points at no parent, and pass (leaving no routine behind) once it is gone.
@Suite struct MySQLOrphanCheckTests {
    static func client(_ socket: String, database: String?, input: String) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try LocalMariaDBServer.Tools.locate().client)
        process.arguments = ["--no-defaults", "--user=root", "--socket=\(socket)", "--batch", "--skip-column-names"] + (database.map { ["--database=\($0)"] } ?? [])
        let stdin = Pipe(), output = Pipe()
        process.standardInput = stdin
        process.standardOutput = output
        process.standardError = output
        try process.run()
        stdin.fileHandleForWriting.write(Data(input.utf8))
        try stdin.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    @Test(.enabled(if: DatabaseHarness.shouldRun(.mysql), unavailable(.mysql)))
    func orphanCheckFailsOnOrphansAndPassesWithout() throws {
        let url = try DatabaseHarness.shared.url(.mysql)
        let socket = try #require(URLComponents(string: url)?.queryItems?.first { $0.name == "socket" }?.value)
        let setup = """
            DROP DATABASE IF EXISTS orphan_check; CREATE DATABASE orphan_check; USE orphan_check;
            CREATE TABLE customers (id BIGINT PRIMARY KEY);
            CREATE TABLE orders (id BIGINT PRIMARY KEY, customer_id BIGINT);
            INSERT INTO customers VALUES (1); INSERT INTO orders VALUES (1, 1), (2, NULL), (3, 42);
            """
        #expect(try Self.client(socket, database: nil, input: setup).status == 0)
        let spec = KubernetesFixtures.spec(KubernetesFixtures.expandContractYAML, replacing: [("engine: postgresql", "engine: mysql"), ("operator: zalando", "operator: bitpoke"), ("version: \"15\"", "version: \"8.0\""), ("tool: psql", "tool: mysql")])
        let step = AddForeignKey.orphanCheck("orders", "orders_customer_fk", ["customer_id"], "customers", ["id"], change: 0,
                                              MySQLBuilder(context: LoweringContext(spec: spec, schema: nil)))
        #expect(step.phase == .verify)
        let sql = step.up.map(\.text).joined(separator: "\n") + "\n"
        let failed = try Self.client(socket, database: "orphan_check", input: sql)
        #expect(failed.status != 0)
        #expect(failed.output.contains("orphan rows in orders for foreign key orders_customer_fk"), "\(failed.output)")
        #expect(try Self.client(socket, database: "orphan_check", input: "DELETE FROM orders WHERE id = 3;").status == 0)
        #expect(try Self.client(socket, database: "orphan_check", input: sql).status == 0)
        let routines = try Self.client(socket, database: nil,
                                       input: "SELECT count(*) FROM information_schema.routines WHERE routine_schema = 'orphan_check';")
        #expect(routines.output.trimmingCharacters(in: .whitespacesAndNewlines) == "0")
    }
}
