/// Whether the MySQL server a check runs on is MariaDB standing in for MySQL 8 (this machine's
/// 10.11), so that MySQL-8-only names in the user's own schema file can be loaded.
enum StandInServer {
    static func isMariaDB(_ session: SQLSession) throws -> Bool {
        try session.query("SELECT VERSION()").first?.contains("MariaDB") ?? false
    }
}
