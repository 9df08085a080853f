import Foundation

/// Finds the server and client programs verification needs, without running any of them.
public struct ToolLocator: Sendable {
    public var environment: [String: String]

    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.environment = environment
    }

    private var searchPath: [String] {
        (environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin").split(separator: ":").map(String.init)
    }

    private func executable(_ path: String) -> String? {
        FileManager.default.isExecutableFile(atPath: path) ? path : nil
    }

    /// `name` in PATH, then in `extra` folders.
    public func find(_ name: String, extra: [String] = []) -> String? {
        for folder in searchPath + extra {
            if let path = executable((folder as NSString).appendingPathComponent(name)) { return path }
        }
        return nil
    }

    /// The PostgreSQL bin folder: `CUTOVER_PG_BIN`, the newest `/usr/lib/postgresql/N/bin` (Debian),
    /// or the folder of `initdb` in PATH.
    public func postgresBin() -> String? {
        if let explicit = environment["CUTOVER_PG_BIN"], !explicit.isEmpty { return explicit }
        let root = "/usr/lib/postgresql"
        let versions = ((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? [])
            .compactMap(Int.init).sorted(by: >)
        for version in versions {
            let bin = "\(root)/\(version)/bin"
            if executable("\(bin)/initdb") != nil { return bin }
        }
        if let initdb = find("initdb") { return (initdb as NSString).deletingLastPathComponent }
        return nil
    }

    /// A PostgreSQL program: from the bin folder when there is one, else PATH (clients only need PATH).
    public func postgresTool(_ name: String) -> String? {
        if let bin = postgresBin(), let path = executable("\(bin)/\(name)") { return path }
        return find(name)
    }

    public func mariadbTool(_ name: String) -> String? {
        if let explicit = environment["CUTOVER_MARIADB_BIN"], !explicit.isEmpty,
           let path = executable("\(explicit)/\(name)") { return path }
        return find(name, extra: ["/usr/sbin", "/usr/local/sbin", "/usr/local/mysql/bin"])
    }

    /// The MariaDB command-line client (`mariadb`, or the older `mysql` name).
    public func mariadbClient() -> String? {
        mariadbTool("mariadb") ?? mariadbTool("mysql")
    }
}
