import CutoverPlan
import Foundation

/// Which server `verify` and `rehearse` work on, decided before anything is created so that a
/// missing server is one clear error and leaves no litter: the one behind `--database-url`, or a
/// throwaway PostgreSQL or MariaDB server whose binaries were found here.
enum ServerChoice {
    case external(ExternalServer)
    case postgres(LocalPostgresServer.Tools)
    case mariadb(LocalMariaDBServer.Tools)

    static func locate(engine: MigrationSpec.Engine, databaseURL: String?, locator: ToolLocator) throws -> ServerChoice {
        if let url = databaseURL {
            let external = try ExternalServer(url: url, locator: locator)
            guard external.engine == engine else {
                throw VerificationError.badURL("the spec's engine is \(engine.rawValue) but the URL is for \(external.engine.rawValue)")
            }
            return .external(external)
        }
        do {
            switch engine {
            case .postgresql: return .postgres(try LocalPostgresServer.Tools.locate(locator))
            case .mysql: return .mariadb(try LocalMariaDBServer.Tools.locate(locator))
            }
        } catch let VerificationError.noServer(reason) {
            let scheme = engine == .postgresql ? "postgresql://user:password@host:5432/postgres" : "mysql://user:password@host:3306/"
            throw VerificationError.noServer("cannot start a throwaway \(engine == .postgresql ? "PostgreSQL" : "MariaDB") server: \(reason).\n"
                + "Install the server binaries, or pass --database-url \(scheme) to use a running server.")
        }
    }

    /// Runs two throwing jobs at the same time (two servers' initdb and start) and returns both
    /// results, or the first error.
    static func together<A, B>(_ first: @escaping () throws -> A, _ second: @escaping () throws -> B) throws -> (A, B) {
        let lock = NSLock()
        nonisolated(unsafe) var secondResult: Result<B, Error>?
        let group = DispatchGroup()
        group.enter()
        nonisolated(unsafe) let job = second
        DispatchQueue.global().async {
            let result = Result { try job() }
            lock.lock(); secondResult = result; lock.unlock()
            group.leave()
        }
        let a = Result { try first() }
        group.wait()
        lock.lock(); defer { lock.unlock() }
        return (try a.get(), try secondResult!.get())
    }
}
