import CutoverPlan
import CutoverEmit
import Foundation

/// `cutover verify`: proves every up/down pair of a plan on a real server.
///
/// For each step of the main sequence, in order: snapshot S0, up, snapshot S1, up again (must equal
/// S1: idempotent), down (must equal S0), down again (must equal S0), up again (must equal S1).
/// Then every down in reverse order back to the base schema, each compared with its step's S0;
/// the first mismatch stops that rollback. An up that fails with an SQL error stops the run: the
/// steps after it are reported as not checked.
///
/// The main sequence is every step that is not irreversible. Irreversible steps (the purge phase,
/// or `reversible == false`) cannot be undone, so they run last: after the rollback every up is
/// applied again (the migrated end state), then each irreversible up runs twice (it must succeed
/// and be idempotent) and its down is never run. The scratch database is thrown away afterwards.
///
/// Blue-green plans run on two databases (see `BlueGreenChecks`): each step on its side (blue when
/// it has none), snapshots cover both sides, and data checks follow the replicate, sequence-sync
/// and reverse-replicate phases.
public final class Verifier {
    public struct Options: Sendable {
        /// A server to use instead of a throwaway one.
        public var databaseURL: String?
        /// Keep the throwaway server's folder (or, with a URL, the scratch databases).
        public var keep: Bool
        public var locator: ToolLocator
        /// Seconds to wait for replicated rows to arrive.
        public var replicationTimeout: Double
        /// Whether a --database-url that is not a Unix socket or loopback address may be used.
        public var allowRemote: Bool

        public init(databaseURL: String? = nil, keep: Bool = false, locator: ToolLocator = ToolLocator(),
                    replicationTimeout: Double = 20, allowRemote: Bool = false) {
            self.databaseURL = databaseURL
            self.keep = keep
            self.locator = locator
            self.replicationTimeout = replicationTimeout
            self.allowRemote = allowRemote
        }
    }

    public let plan: MigrationPlan
    public let options: Options
    /// Receives every result line as soon as it is known (stdout).
    private let emit: (String) -> Void
    /// Receives progress and where things are (stderr).
    private let inform: (String) -> Void

    public init(plan: MigrationPlan, options: Options, emit: @escaping (String) -> Void, inform: @escaping (String) -> Void = { _ in }) {
        self.plan = plan
        self.options = options
        self.emit = emit
        self.inform = inform
    }

    /// The database.schema file, resolved against the spec's folder.
    public var schemaPath: String? {
        guard let schema = plan.spec.database.schema?.value else { return nil }
        let folder = URL(fileURLWithPath: plan.spec.sourcePath).deletingLastPathComponent()
        return folder.appendingPathComponent(schema).standardizedFileURL.path
    }

    public var isBlueGreen: Bool {
        plan.spec.strategy == .blueGreen || plan.steps.contains { $0.side != nil }
    }

    static func isIrreversible(_ step: PlanStep) -> Bool { step.phase == .purge || !step.reversible }

    /// Runs the whole verification. Throws `VerificationError` when it cannot run at all (no server,
    /// the schema does not load); step failures are in the report.
    public func run() throws -> VerificationReport {
        CleanupRegistry.shared.installSignalHandlers()
        let started = Date()
        let environment = try VerificationEnvironment.start(plan: plan, blueGreen: isBlueGreen, options: options, inform: inform)
        if ProcessInfo.processInfo.environment["CUTOVER_VERIFY_TRACE"] == "1" {
            inform("trace: servers and sessions ready after \(Int(Date().timeIntervalSince(started) * 1000)) ms")
        }
        defer { environment.tearDown() }
        if plan.spec.database.engine == .mysql, let databases = VersionSchemaSelection.schemas(plan) {
            try environment.grantVersionDatabases([databases.old, databases.new])
        }
        try writeStepFiles(into: environment.scratch)
        if let schemaPath {
            let standIn = try environment.sessions.first.map { try StandInServer.isMariaDB($0.session) } ?? false
            let base = try BaseSchemaFile.prepare(schemaPath, engine: plan.spec.database.engine, standIn: standIn, into: environment.scratch.file("schema"))
            if base.removed > 0 {
                inform("verify: database.schema loaded without its \(base.removed) \(plan.spec.database.engine == .mysql ? "DEFINER clause" : "OWNER TO/GRANT/REVOKE line")\(base.removed == 1 ? "" : "s") (the scratch owner is unprivileged)")
            }
            if base.mapped > 0 {
                inform("verify: database.schema loaded with its \(base.mapped) MySQL 8 collation name\(base.mapped == 1 ? "" : "s") (utf8mb4_0900_…) as MariaDB's UCA 14 NO PAD equivalents (MariaDB stands in for MySQL 8)")
            }
            for (side, session) in environment.sessions {
                do {
                    try session.apply(file: base.path)
                } catch let failure as SQLFailure {
                    let label = environment.sessions.count > 1 ? " into \(side.rawValue)" : ""
                    throw VerificationError.sqlFailed("cannot load database.schema (\(schemaPath))\(label):\n" + indent(failure.message))
                }
            }
        }
        var run = StepRun(plan: plan, environment: environment, emit: emit, replicationTimeout: options.replicationTimeout)
        return try run.execute()
    }

    private func writeStepFiles(into scratch: ScratchFolder) throws {
        let folder = scratch.file("steps")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        for step in plan.steps {
            for direction in [SQLFileRenderer.Direction.up, .down] {
                let text = SQLFileRenderer.render(step, direction, plan: plan)
                let path = "\(folder)/\(step.fileStem).\(direction.rawValue).sql"
                do {
                    try GeneratedSQLGuard.check(text, engine: plan.spec.database.engine, file: "\(step.fileStem).\(direction.rawValue).sql")
                } catch {
                    throw VerificationError.sqlFailed("\(error)")
                }
                guard FileManager.default.createFile(atPath: path, contents: Data(text.utf8)) else {
                    throw VerificationError.serverFailed("cannot write \(path)")
                }
            }
        }
    }

    static func stepFile(_ scratch: ScratchFolder, _ step: PlanStep, _ direction: SQLFileRenderer.Direction) -> String {
        scratch.file("steps/\(step.fileStem).\(direction.rawValue).sql")
    }
}

func indent(_ text: String, by prefix: String = "  ") -> String {
    text.split(separator: "\n", omittingEmptySubsequences: false).map { prefix + $0 }.joined(separator: "\n")
}
