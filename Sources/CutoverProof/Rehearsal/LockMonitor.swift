import CutoverPlan
import Foundation

/// Watches, from its own session, the locks that block reads or writes of the database's tables
/// held by the migration Jobs' sessions, polling every `interval`. PostgreSQL: AccessExclusive,
/// Exclusive, Share and ShareRowExclusive relation locks from `pg_locks` joined with
/// `pg_stat_activity`, of the sessions whose `application_name` is the Job's `PGAPPNAME`.
/// MariaDB/MySQL: metadata locks from `information_schema.METADATA_LOCK_INFO` (the
/// `metadata_lock_info` plugin, installed by `prepare()`) in the modes MDL_EXCLUSIVE,
/// MDL_SHARED_NO_READ_WRITE and MDL_SHARED_NO_WRITE, of the Jobs' user. Each hold is attributed
/// to the file the runner was applying when the hold was first seen (from its `cutover: applying`
/// lines), and the longest one per file is kept, with how many sessions waited behind it.
public final class LockMonitor: @unchecked Sendable {
    public struct Hold: Sendable, Codable, Equatable {
        public var file: String
        public var table: String
        public var mode: String
        public var seconds: Double
        /// The most sessions seen waiting for a lock on the table while it was held.
        public var waiters: Int
    }

    private let session: SQLSession
    private let engine: MigrationSpec.Engine
    /// PostgreSQL: the Jobs' application_name; MariaDB: the Jobs' user.
    private let jobSessions: String
    private let database: String
    private var available = true
    private let interval: Double
    private let lock = NSLock()
    private var running = false
    private var thread: Thread?
    private var stopped = DispatchSemaphore(value: 0)
    private var currentFile: String?
    /// (pid, table, mode) → first seen, last seen, file, waiters
    private var open: [String: (first: Date, last: Date, file: String, table: String, mode: String, waiters: Int)] = [:]
    private var longest: [String: Hold] = [:]
    /// Bumped by `drain()`: an answer to a query sent before it describes the previous Job.
    private var epoch = 0
    public private(set) var failure: String?

    public init(session: SQLSession, engine: MigrationSpec.Engine, jobSessions: String, database: String, interval: Double = 0.015) {
        self.session = session
        self.engine = engine
        self.jobSessions = jobSessions
        self.database = database
        self.interval = interval
    }

    /// Makes the lock view available (MariaDB: loads the metadata_lock_info plugin); the reason when it is not.
    public func prepare() -> String? {
        guard engine == .mysql else { return nil }
        _ = try? session.execute("INSTALL SONAME 'metadata_lock_info'")
        do {
            _ = try session.query("SELECT count(*) FROM information_schema.METADATA_LOCK_INFO")
            return nil
        } catch {
            available = false
            return "not available: information_schema.METADATA_LOCK_INFO cannot be read (the metadata_lock_info plugin could not be loaded: \(error)); metadata locks are not measured"
        }
    }

    /// The file a Job's runner is applying now (nil between files and Jobs).
    public func setFile(_ file: String?) {
        lock.lock(); currentFile = file; lock.unlock()
    }

    public func start() {
        lock.lock(); running = true; lock.unlock()
        stopped = DispatchSemaphore(value: 0)
        let thread = Thread { [self] in
            while isRunning {
                poll()
                Thread.sleep(forTimeInterval: interval)
            }
            stopped.signal()
        }
        self.thread = thread
        thread.start()
    }

    private var isRunning: Bool { lock.lock(); defer { lock.unlock() }; return running }

    /// Stops polling and returns the longest hold per file, longest first.
    @discardableResult
    public func stop() -> [Hold] {
        lock.lock(); let wasRunning = running; running = false; lock.unlock()
        if wasRunning { _ = stopped.wait(timeout: .now() + 5) }
        lock.lock(); defer { lock.unlock() }
        for key in open.keys { close(key) }
        return holds
    }

    public var holds: [Hold] {
        longest.values.sorted { ($0.seconds, $0.file) > ($1.seconds, $1.file) }
    }

    /// The longest hold recorded for `file`, if any.
    public func hold(for file: String) -> Hold? {
        lock.lock(); defer { lock.unlock() }
        return longest[file]
    }

    /// Takes and clears the holds recorded so far (per Job: called when the Job's processes are
    /// gone, so holds still open were released after the last poll that saw them).
    public func drain() -> [Hold] {
        lock.lock(); defer { lock.unlock() }
        for key in open.keys { close(key) }
        epoch += 1
        let now = holds
        longest = [:]
        return now
    }

    static func mariadbQuery(user: String, database: String) -> String {
        let schema = "'" + database.doublingScalars("'") + "'"
        return """
        SELECT CONCAT_WS('|', m.THREAD_ID, m.TABLE_NAME, m.LOCK_MODE, \
        (SELECT count(*) FROM information_schema.PROCESSLIST w WHERE w.STATE LIKE 'Waiting for table metadata lock%' AND w.DB = m.TABLE_SCHEMA)) \
        FROM information_schema.METADATA_LOCK_INFO m JOIN information_schema.PROCESSLIST p ON p.ID = m.THREAD_ID \
        WHERE m.TABLE_SCHEMA = \(schema) AND m.TABLE_NAME <> '' \
        AND m.LOCK_MODE IN ('MDL_EXCLUSIVE', 'MDL_SHARED_NO_READ_WRITE', 'MDL_SHARED_NO_WRITE') \
        AND p.USER = '\(user.doublingScalars("'"))' AND p.ID <> CONNECTION_ID()
        """
    }

    static func query(applicationName: String) -> String {
        """
        SELECT l.pid || '|' || c.relname || '|' || l.mode || '|' || \
        (SELECT count(*) FROM pg_locks w WHERE w.relation = l.relation AND NOT w.granted) \
        FROM pg_locks l JOIN pg_class c ON c.oid = l.relation JOIN pg_stat_activity a ON a.pid = l.pid \
        WHERE l.locktype = 'relation' AND l.granted AND c.relkind IN ('r', 'p') \
        AND c.relnamespace NOT IN ('pg_catalog'::regnamespace, 'information_schema'::regnamespace) \
        AND l.mode IN ('AccessExclusiveLock', 'ExclusiveLock', 'ShareLock', 'ShareRowExclusiveLock') \
        AND a.application_name = \(PostgresIdentifier.literal(applicationName)) AND l.pid <> pg_backend_pid()
        """
    }

    private func poll() {
        guard available else { return }
        lock.lock(); let asked = epoch; lock.unlock()
        let rows: [String]
        do {
            rows = try session.query(engine == .postgresql ? Self.query(applicationName: jobSessions)
                                     : Self.mariadbQuery(user: jobSessions, database: database))
        } catch {
            lock.lock(); failure = "\(error)"; lock.unlock()
            return
        }
        let now = Date()
        lock.lock(); defer { lock.unlock() }
        guard asked == epoch else { return }
        var seen: Set<String> = []
        for row in rows {
            let parts = row.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
            guard parts.count == 4 else { continue }
            let key = parts[0] + "|" + parts[1] + "|" + parts[2]
            seen.insert(key)
            let waiters = Int(parts[3]) ?? 0
            if var entry = open[key] {
                entry.last = now
                entry.waiters = max(entry.waiters, waiters)
                open[key] = entry
            } else {
                open[key] = (now, now, currentFile ?? "(between files)", parts[1], parts[2].replacingOccurrences(of: "Lock", with: "").replacingOccurrences(of: "MDL_", with: ""), waiters)
            }
        }
        for key in open.keys where !seen.contains(key) { close(key, at: now) }
    }

    /// Ends a hold: it lasted at least from first to last sighting, at most until now (the poll that missed it).
    private func close(_ key: String, at end: Date? = nil) {
        guard let entry = open.removeValue(forKey: key) else { return }
        let seconds = max(entry.last.timeIntervalSince(entry.first), 0)
        let hold = Hold(file: entry.file, table: entry.table, mode: entry.mode, seconds: seconds, waiters: entry.waiters)
        if let previous = longest[entry.file], previous.seconds >= seconds { return }
        longest[entry.file] = hold
    }
}
