import CutoverPlan
import CutoverProof
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The real servers of a test run: one PostgreSQL 15 (wal_level=logical, so blue-green runs too)
/// and one MariaDB, each started once, on first use, in a throwaway folder, and stopped when the
/// test process exits (atexit, and on SIGINT/SIGTERM through cutover's own CleanupRegistry).
/// Tests reach them through `--database-url`, so each test works in scratch databases of its own.
///
/// When a server cannot start: with REQUIRE_DB=1 or CI set the tests that need it FAIL; otherwise
/// they are skipped, and the reason is shown in the skip message.
final class DatabaseHarness: @unchecked Sendable {
    static let shared = DatabaseHarness()

    static var required: Bool {
        let env = ProcessInfo.processInfo.environment
        return env["REQUIRE_DB"] == "1" || !(env["CI"] ?? "").isEmpty
    }

    struct Server {
        var url: String
        var server: DatabaseServer
    }

    private let lock = NSLock()
    private var scratch: ScratchFolder?
    private var results: [MigrationSpec.Engine: Result<Server, Error>] = [:]

    private init() {
        atexit { DatabaseHarness.shared.stopAll() }
    }

    /// The server for `engine`, started on first call; the error says why it is not there.
    func server(_ engine: MigrationSpec.Engine) -> Result<Server, Error> {
        lock.lock(); defer { lock.unlock() }
        if let result = results[engine] { return result }
        let result = Result { try start(engine) }
        results[engine] = result
        return result
    }

    private var green: Result<LocalPostgresServer, Error>?

    /// A second PostgreSQL 15 (wal_level=logical), started on first call: green for the runner tests
    /// that need two sides (a fence on blue that is not one on green, real logical replication).
    func greenPostgres() -> Result<LocalPostgresServer, Error> {
        if case .failure(let error) = server(.postgresql) { return .failure(error) }
        lock.lock(); defer { lock.unlock() }
        if let green { return green }
        let result = Result { () throws -> LocalPostgresServer in
            guard let folder = scratch else { throw HarnessError("no scratch folder for the second PostgreSQL") }
            let server = try LocalPostgresServer(in: folder, name: "pg-green", tools: try .locate(), keep: false)
            try server.start(logical: true)
            return server
        }
        green = result
        return result
    }

    func url(_ engine: MigrationSpec.Engine) throws -> String {
        switch server(engine) {
        case .success(let server): return server.url
        case .failure(let error):
            throw HarnessError("\(engine == .postgresql ? "PostgreSQL" : "MariaDB") is not available for the real-server tests: \(error)")
        }
    }

    /// Whether tests for `engine` should run: the server is up, or it is required (then they fail).
    static func shouldRun(_ engine: MigrationSpec.Engine) -> Bool {
        if required { return true }
        if case .success = shared.server(engine) { return true }
        return false
    }

    private func start(_ engine: MigrationSpec.Engine) throws -> Server {
        CleanupRegistry.shared.installSignalHandlers()
        let folder: ScratchFolder
        if let scratch { folder = scratch } else {
            folder = try ScratchFolder(prefix: "cutover-test-servers")
            scratch = folder
            _ = CleanupRegistry.shared.register("test servers folder") { folder.remove() }
        }
        switch engine {
        case .postgresql:
            let server = try LocalPostgresServer(in: folder, name: "pg", tools: try .locate(), keep: false)
            try server.start(logical: true)
            let socket = server.folder.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? server.folder
            return Server(url: "postgresql://postgres@/postgres?host=\(socket)&port=5432", server: server)
        case .mysql:
            let server = try LocalMariaDBServer(in: folder, tools: try .locate(), keep: false)
            try server.start()
            let socket = "\(server.folder)/mysqld.sock".addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? server.folder
            return Server(url: "mysql://root@/?socket=\(socket)", server: server)
        }
    }

    func stopAll() {
        lock.lock()
        var servers: [DatabaseServer] = results.values.compactMap { try? $0.get().server }
        if let green = try? green?.get() { servers.append(green) }
        let scratch = self.scratch
        lock.unlock()
        for server in servers { server.stop() }
        scratch?.remove()
    }
}

struct HarnessError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Skip message for suites that need a server.
func unavailable(_ engine: MigrationSpec.Engine) -> Comment {
    "\(engine == .postgresql ? "PostgreSQL" : "MariaDB") server binaries are missing or the server did not start; skipped (set REQUIRE_DB=1 to fail instead)"
}
