import CutoverPlan

/// What the rehearsal asks of the app's traffic: seed the touched tables, let a version of the app
/// send statements while it serves, check that the data the new version reads is complete, and
/// compare the rows before and after. `AppTrafficDriver` is the real one; a rehearsal without
/// traffic (`--rows 0`) uses `NoTraffic`.
protocol TrafficDriver: AnyObject {
    /// Seeds the tables; returns one line for the report.
    func seed() throws -> String
    func start(_ version: AppVersion)
    /// Lets every serving version send `statements` more (unpaced: no Job runs meanwhile), within
    /// `timeout` seconds: the statements that meet the state a Job or a rollout left.
    func dwell(statements: Int, timeout: Double)
    func stop(_ version: AppVersion) -> TrafficTally
    /// Problems found when the new version starts serving (rows it would read incomplete).
    func checkCompleteness() throws -> [String]
    /// Remembers the rows that must survive (after seeding, and at the end of each version's writes).
    func fingerprint() throws
    /// Rows lost or changed since `fingerprint()`, counting only rows that should survive.
    func lostRows() throws -> [String]
    /// Blue-green: `version` starts again where its connections now go, while its current run keeps
    /// its connections for `overlap` seconds (a pool's connections outlive the switch), then stops.
    func move(_ version: AppVersion, overlap: Double) -> TrafficTally
    /// Rows the app wrote and kept that `session` does not have.
    func missingRows(on session: SQLSession) throws -> [String]
    /// Values the app wrote into columns expand added that the rollback did not keep under their quarantine names.
    func lostQuarantinedWrites(_ quarantine: RollbackQuarantine) throws -> [String]
}

extension TrafficDriver {
    func move(_ version: AppVersion, overlap: Double) -> TrafficTally {
        let tally = stop(version)
        start(version)
        return tally
    }

    func missingRows(on session: SQLSession) throws -> [String] { [] }

    func lostQuarantinedWrites(_ quarantine: RollbackQuarantine) throws -> [String] { [] }
}

public enum AppVersion: String, Sendable, Codable, CaseIterable { case old, new }

public struct TrafficTally: Sendable, Codable, Equatable {
    public struct Failure: Sendable, Codable, Equatable {
        public var statement: String
        public var error: String
        /// When the statement failed (seconds since 1970), to place it among the Jobs.
        public var at: Double
    }
    public var sent = 0
    public var failed = 0
    public var failures: [Failure] = []

    public init(sent: Int = 0, failed: Int = 0, failures: [Failure] = []) {
        self.sent = sent
        self.failed = failed
        self.failures = failures
    }
}

final class NoTraffic: TrafficDriver {
    func seed() throws -> String { "nothing seeded, no traffic" }
    func start(_ version: AppVersion) {}
    func dwell(statements: Int, timeout: Double) {}
    func stop(_ version: AppVersion) -> TrafficTally { TrafficTally() }
    func checkCompleteness() throws -> [String] { [] }
    func fingerprint() throws {}
    func lostRows() throws -> [String] { [] }
}
