@testable import CutoverPlan
@testable import CutoverSpec
@testable import CutoverEmit
import Foundation
import Testing

/// `runner.statementTimeout` reaches MySQL Job sessions (issue 9): every generated MySQL file sets
/// the server's own statement timeout after its lock wait, the variable chosen by the server
/// (MySQL 8: `max_execution_time` in milliseconds, read-only SELECTs only; MariaDB:
/// `max_statement_time` in seconds, every statement outside stored procedures). Played here
/// through the mysql client as the Jobs run the files, on MariaDB 10.11 (the stand-in for MySQL 8).
@Suite struct MySQLStatementTimeoutTests {
    static func spec(timeout milliseconds: Int) -> MigrationSpec {
        var spec = KubernetesFixtures.spec(KubernetesFixtures.expandContractYAML, replacing: [
            ("engine: postgresql", "engine: mysql"), ("operator: zalando", "operator: bitpoke"),
            ("version: \"15\"", "version: \"8.0\""), ("tool: psql", "tool: mysql")])
        spec.runner.statementTimeout = Duration(milliseconds: milliseconds)
        return spec
    }

    @Test func eachServerGetsItsOwnVariable() {
        let settings = SQLFileRenderer.sessionSettings(Self.spec(timeout: 90_000))
        #expect(settings.hasPrefix("SET SESSION lock_wait_timeout = "))
        #expect(settings.contains("'SET SESSION max_statement_time = 90', 'SET SESSION max_execution_time = 90000'"))
        #expect(SQLFileRenderer.sessionSettings(Self.spec(timeout: 1_500)).contains("max_statement_time = 1.500'"))
    }

    @Test(.enabled(if: DatabaseHarness.shouldRun(.mysql), unavailable(.mysql)))
    func mariadbEndsAStatementPastTheTimeout() throws {
        let url = try DatabaseHarness.shared.url(.mysql)
        let socket = try #require(URLComponents(string: url)?.queryItems?.first { $0.name == "socket" }?.value)
        let settings = SQLFileRenderer.sessionSettings(Self.spec(timeout: 1_000))
        let within = try MySQLOrphanCheckTests.client(socket, database: nil, input: settings + "SELECT @@max_statement_time;\nSELECT SLEEP(0.2);\n")
        #expect(within.status == 0, "\(within.output)")
        #expect(within.output.contains("1.000000"), "\(within.output)")
        let beyond = try MySQLOrphanCheckTests.client(socket, database: nil, input: settings + "SELECT SLEEP(3);\n")
        #expect(beyond.status != 0)
        #expect(beyond.output.contains("max_statement_time exceeded"), "\(beyond.output)")
    }
}
