import CutoverPlan
import CutoverEmit
import CutoverCore
import Foundation
import Yams
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `cutover rehearse`: plays a migration's generated output as the cluster would, on throwaway
/// servers, with the app's traffic running, and reports whether zero downtime held.
///
/// The delivery sequence (which `helm` invocation with which `--set` switches, where the Rollout
/// starts and where the runbook waits for it to be promoted) is `plan.json`'s `delivery`; each stage's
/// chart is rendered with `helm template`, its Jobs are read back and run locally in Helm's order by
/// `JobPlayer`, and a `LockMonitor` watches the tables meanwhile. Nothing here re-derives a step
/// from the plan: the Jobs' own commands, scripts and SQL run.
///
/// Which app versions serve follows the delivery data: before the stage that starts the rollout only
/// the old one; from the moment that stage applies the Rollout (after its `pre-*` hooks) until a
/// stage that waits for promotion, both; afterwards only the new one. Rolling back is the same with
/// the versions swapped. A stage that no rollback stage undoes (purge, cleanup) is not played, so
/// the rehearsal can roll back from the end.
public final class Rehearsal {
    public struct Options: Sendable {
        public var rows: Int
        public var keep: Bool
        public var databaseURL: String?
        public var locator: ToolLocator
        /// Print a line per stage to stderr (on a terminal).
        public var progress: Bool
        /// How long the paced traffic would serve after each Job and after a rollout starts; it
        /// sets how many statements meet each state (`dwellStatements`).
        public var dwell: Double = 0.25
        /// Statements each serving version sends after each Job and after a rollout starts, so each
        /// state the schema passes through meets every version serving then (in a cluster minutes
        /// pass there). They are sent unpaced, since no Job runs meanwhile: as many as the paced
        /// traffic (about 100 a second) sent in `dwell`, in a fraction of it.
        public var dwellStatements: Int { max(1, Int(dwell * 100)) }
        /// The longest a dwell waits for those statements (a version whose statements wait on locks).
        public var dwellTimeout: Double { max(2, dwell * 8) }
        /// The runbook's way of applying the output: the chart with helm, or `manifests/` folders
        /// with kubectl or Argo CD.
        public var delivery: RehearsalDelivery
        /// Play the output already generated in this folder (`DIR/<name>/`, as committed) instead of
        /// a fresh one; its Jobs must run exactly what cutover generates for the spec.
        public var generated: String?
        /// The app's own statements per version, sent while that version serves.
        public var scripts: [AppVersion: TrafficScript] = [:]
        /// Tests only: changes the generated output before it is played (a must-fail case that no
        /// spec can express, e.g. a switch without its fence).
        var outputFilter: (@Sendable ([OutputFile]) -> [OutputFile])?
        /// Tests only: postgresql.conf lines appended for blue-green's blue server (a must-fail case of
        /// the preflight, e.g. `wal_level = replica`).
        var blueSettings: [String] = []
        /// Tests only: blue-green, statements each app session sends when it connects (a driver that
        /// turns read-only off: the fence must hold against it).
        var appSessionSettings: [String] = []
        /// `--database-url`: the scratch database the rehearsal creates there, chosen before the plan is
        /// made again under that name (`run`).
        var scratchDatabase: String?

        public init(rows: Int = 100_000, keep: Bool = false, databaseURL: String? = nil,
                    locator: ToolLocator = ToolLocator(), progress: Bool = false, delivery: RehearsalDelivery = .helm,
                    generated: String? = nil) {
            self.rows = rows
            self.keep = keep
            self.databaseURL = databaseURL
            self.locator = locator
            self.progress = progress
            self.delivery = delivery
            self.generated = generated
        }
    }

    public let plan: MigrationPlan
    public let options: Options
    private let inform: (String) -> Void
    private let started = Date()

    public init(plan: MigrationPlan, options: Options, inform: @escaping (String) -> Void = { _ in }) {
        self.plan = plan
        self.options = options
        self.inform = inform
    }

    public var schemaPath: String? {
        guard let schema = plan.spec.database.schema?.value else { return nil }
        let folder = URL(fileURLWithPath: plan.spec.sourcePath).deletingLastPathComponent()
        return folder.appendingPathComponent(schema).standardizedFileURL.path
    }

    struct PlannedStage {
        var direction: String
        var index: Int
        var stage: DeliveryPlan.Stage
        var values: [String: String]
        var release: RenderedRelease
        /// The moments of the stage in the order the delivery tool reaches them.
        var steps: [DeliveryStep]
        /// The version a rollout in this stage brings: new going forward, old rolling back.
        var target: AppVersion
    }

    /// Throws `VerificationError` when it cannot run at all (no helm, no server, the schema does not
    /// load); what the migration does wrong is in the report.
    public func run() throws -> RehearsalReport {
        CleanupRegistry.shared.installSignalHandlers()
        // On a given server the Jobs run against a scratch database, not `database.name`: what the plan
        // names after the base database (MySQL's version databases `<base>_<migration>_new/_old`,
        // which share the server's namespace) is named after the scratch database instead, so the
        // rehearsal never creates, grants or drops the real ones of the spec's database on that server
        // (a staging server where the migration runs for real). `--generated` plays the files as
        // written: its names stay (and the rehearsal's refusal of foreign version databases holds).
        if options.databaseURL != nil, options.scratchDatabase == nil, options.generated == nil {
            var next = options
            let scratch = RehearsalEnvironment.scratchDatabaseName()
            next.scratchDatabase = scratch
            var spec = plan.spec
            spec.database.name = scratch
            return try Rehearsal(plan: Compiler().plan(ValidatedSpec(spec: spec, schema: plan.schema)), options: next, inform: inform).run()
        }
        let spec = plan.spec
        var report = RehearsalReport(spec: spec.name, engine: spec.database.engine.rawValue, strategy: spec.strategy.rawValue,
                                     rows: options.rows)
        report.delivery = options.delivery.rawValue
        // Where the time goes (report.timings): each part measured where it runs.
        func timed<T>(_ name: String, _ body: () throws -> T) rethrows -> T {
            let start = Date()
            defer { report.time(name, Date().timeIntervalSince(start)) }
            return try body()
        }
        let renderer: StageRenderer = options.delivery == .helm ? .helm(try HelmTemplate.locate(options.locator))
            : .kustomize(try KustomizeBuild.locate(options.locator))
        let blueGreen = spec.strategy == .blueGreen
        if blueGreen && spec.database.engine != .postgresql {
            throw VerificationError.noServer("blue-green rehearsal needs PostgreSQL (logical replication)")
        }
        // The Jobs' image carries the migration tool; here it must be installed (psql comes with the server).
        let tool = spec.runner.tool.rawValue
        if tool != "psql" && tool != "mysql" && options.locator.find(tool) == nil {
            throw VerificationError.noServer("the Jobs run \(tool) (runner.tool), which is not installed here; install it or rehearse with runner.tool psql")
        }
        if schemaPath == nil, let missing = spec.firstTableWithoutBase {
            // Without the base schema the servers hold nothing the changes act on: preflight (or, in
            // blue-green, the first checksum) would fail on an empty database, which proves nothing.
            throw VerificationError.noServer("the spec has no database.schema, so the servers would start empty and \(missing) would not exist; add database.schema (a `pg_dump --schema-only` or `mysqldump --no-data` file of the base) to rehearse")
        }
        // The same guard as generate: no generated file may carry a client command to the Jobs' psql/mysql.
        try Compiler().checkGeneratedSQL(plan)
        var played: String?
        if let generated = options.generated {
            let given = (generated as NSString).appendingPathComponent(spec.name)
            played = given
            guard case .kustomize = renderer else {
                throw VerificationError.noServer("--generated plays manifests/ folders: give --delivery kubectl or argocd")
            }
            var folder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: "\(given)/manifests", isDirectory: &folder), folder.boolValue else {
                throw VerificationError.noServer("--generated: \(given)/manifests/ is not a folder; write it with `cutover generate SPEC -o \(generated)`")
            }
            report.checks.append("output: \(given) (its Jobs checked against a fresh generation)")
        }
        // The servers start while the output is generated and rendered.
        let environment = try RehearsalEnvironment.start(plan: plan, options: options, inform: inform)
        defer { environment.tearDown() }

        // The generated output, as `generate` writes it.
        let output = environment.scratch.file("output")
        let generating = Date()
        for file in (options.outputFilter ?? { $0 })(Compiler().emit(plan)) {
            let path = "\(output)/\(file.path)"
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            guard FileManager.default.createFile(atPath: path, contents: Data(file.contents.utf8)) else {
                throw VerificationError.system("write \(path)", errno)
            }
        }
        report.time("generate output", Date().timeIntervalSince(generating))
        let stages = try timed("render stages (\(options.delivery == .helm ? "helm template" : "kustomize build"))") { try planStages(renderer: renderer, output: played ?? output, report: &report) }
        if options.generated != nil, case .kustomize(let kustomize) = renderer {
            try Self.checkSameJobs(stages.map(\.release), against: output, kustomize: kustomize)
        }

        try timed("server start (beyond generate and render)") { try environment.ready() }
        if let databases = VersionSchemaSelection.schemas(plan), spec.database.engine == .mysql {
            // What the plan README asks the DBA to grant before expand.
            try environment.grantVersionDatabases([databases.old, databases.new])
        }
        let app = try environment.appSession()
        defer { app.close() }
        if let schemaPath {
            do {
                let base = try loadableSchema(schemaPath, environment.scratch, app)
                if base.mapped > 0 {
                    report.checks.append("schema load: \(base.mapped) MySQL 8 collation name\(base.mapped == 1 ? "" : "s") (utf8mb4_0900_…) loaded as MariaDB's UCA 14 NO PAD equivalents (MariaDB stands in for MySQL 8)")
                }
                try timed("schema load") { try app.apply(file: base.path) }
            } catch let failure as SQLFailure {
                throw VerificationError.sqlFailed("cannot load database.schema (\(schemaPath)):\n" + indent(failure.message))
            }
        }
        let base = try app.snapshot()

        let appName = stages.lazy.flatMap { $0.release.jobs }.compactMap { $0.containers.first?.value("PGAPPNAME") }.first ?? "cutover"
        let monitorSession = try environment.adminSession()
        defer { monitorSession.close() }
        let monitor = LockMonitor(session: monitorSession, engine: spec.database.engine,
                                  jobSessions: spec.database.engine == .postgresql ? appName : environment.role,
                                  database: environment.database)
        if let problem = timed("lock monitor start", { monitor.prepare() }) { report.checks.append("lock monitor: \(problem)") }
        monitor.start()
        defer { monitor.stop() }

        let clientBin = spec.database.engine == .postgresql ? options.locator.postgresBin()
            : (environment.server.client as NSString).deletingLastPathComponent
        var context = JobPlayer.Context(
            overrides: ["DB_HOST": environment.host, "BLUE_HOST": environment.host, "GREEN_HOST": environment.greenHost,
                        "DB_PORT": String(environment.port), "DB_NAME": environment.database],
            extra: environment.jobEnvironment,
            secret: ["username": environment.role, "password": environment.password],
            path: clientBin.map { [$0] } ?? [],
            setpriv: geteuid() == 0 ? options.locator.find("setpriv", extra: ["/usr/bin", "/bin"]) : nil)
        // Zalando names the Secret of a cluster's superuser `postgres.<cluster>.credentials…`: a Job
        // that mounts it logs in as the superuser (blue-green: green's, to create the subscription).
        for job in stages.flatMap({ $0.release.jobs }) {
            for case let .secret(name, _, _) in job.volumes.values where name.hasPrefix("postgres.") {
                context.secretsByName[name] = ["username": "postgres", "password": environment.password]
            }
        }
        if geteuid() == 0 && context.setpriv == nil {
            throw VerificationError.noServer("running as root: setpriv (util-linux) is needed to run the Jobs as their runAsUser")
        }
        let jobsFolder = environment.scratch.file("jobs")
        try FileManager.default.createDirectory(atPath: jobsFolder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o711])
        let player = JobPlayer(context: context, folder: jobsFolder) { file in monitor.setFile(file) }

        let traffic: TrafficDriver
        /// MySQL: the version databases each version's traffic connects to (`MySQLVersionSchemas`).
        var versionDatabases: (old: String, new: String)?
        // How the old version's sessions connect once a rollback's revert patch starts its pods (PostgreSQL's PGOPTIONS).
        var revertedOldConnect: (() throws -> SQLSession)?
        var underived: [AppVersion: String] = [:]
        var mayBeSilent: Set<AppVersion> = []
        // Blue-green: the app follows the switchover Service (see BlueGreenRehearsal).
        let switching = blueGreen ? BlueGreenRehearsal(spec: spec, environment: environment) : nil
        if let switching, options.rows > 0 {
            traffic = try timed("traffic setup") { try switching.traffic(app: app, rows: options.rows, settings: options.appSessionSettings) }
        } else if options.rows > 0 {
            let shapeStarted = Date()
            let newShape = try shapeAfterMigration(stages: stages, environment: environment, context: context, report: &report)
            report.time("new version's shape (forward Jobs on an empty database)", Date().timeIntervalSince(shapeStarted))
            let oldShape = try CatalogShapeReader.read(engine: spec.database.engine, session: app, tables: nil)
            // A version whose shape has no table sends no statement: the proof would pass without it.
            (underived, mayBeSilent) = Self.emptyShapes(old: oldShape, new: newShape, schemaTables: Set(plan.schema?.tables.map(\.name) ?? []), spec: spec)
            // A version without any table is not proven by silence: the report says why it sent nothing.
            for version in [AppVersion.old, .new] where mayBeSilent.contains(version) {
                report.checks.append("traffic: the \(version.rawValue) version sends no statement: "
                    + (version == .old ? "the base schema (database.schema) has no table" : "the schema after the forward Jobs has no table"))
            }
            var touched = AppTrafficDriver.namedTables(spec)
            for table in oldShape.excludingInternal().tables where newShape.excludingInternal().table(table.name) != table { touched.insert(table.name) }
            for table in newShape.excludingInternal().tables where oldShape.table(table.name) == nil { touched.insert(table.name) }
            let connection = environment.trafficConnection
            let driver = AppTrafficDriver(engine: spec.database.engine, oldShape: oldShape, newShape: newShape.keepingConstraints(of: oldShape, tableRenames: AppTrafficDriver.tableRenames(spec), columnRenames: AppTrafficDriver.renames(spec), engine: spec.database.engine), touched: touched, rows: options.rows,
                                          lockTimeout: "\(spec.runner.lockTimeout.milliseconds)ms", expectations: AppTrafficDriver.expectations(spec, context: LoweringContext(spec: spec, schema: plan.schema)), renames: AppTrafficDriver.renames(spec),
                                          tableRenames: AppTrafficDriver.tableRenames(spec),
                                          scripts: options.scripts, session: app, connect: { try environment.session(connection) })
            // Each version's traffic selects its schema as the runbook's patches set the pods' env: the old
            // version's pods predate the migration and keep the base tables until a rollback's revert
            // patch starts new ones, which select its schema of views (PostgreSQL) or the base database
            // (MySQL); the new version's pods select its own from their first on.
            let lowering = LoweringContext(spec: spec, schema: plan.schema)
            // A plan whose version schemas would hold no view (a migration that only creates tables) makes
            // neither them nor their ConfigMap: both versions then stay on the base tables.
            if PostgreSQLVersionSchemas.enabled(lowering), VersionSchemaSelection.schemas(plan) != nil {
                let derived = lowering.derived
                // The PGOPTIONS values the pods get: read from the rendered version-schemas ConfigMap, so
                // the traffic proves the text the runbook's patches hand the app (trial 13 M2), not a copy.
                let pgOptions = try Self.versionSchemaOptions(stages.map(\.release), spec: spec)
                driver.versionConnect[.new] = { [connection] in try environment.session(connection, pgOptions: pgOptions.new) }
                revertedOldConnect = { [connection] in try environment.session(connection, pgOptions: pgOptions.old) }
                report.checks.append("traffic: the new version through its schema of views (\(derived.versionSchema(new: true))); the old version on the base tables "
                    + "until a rollback reverts it, then through its schema of views (\(derived.versionSchema(new: false))), as the runbook's patches set the pods' PGOPTIONS")
            } else if spec.database.engine == .mysql, let databases = VersionSchemaSelection.schemas(plan) {
                // The new version's sessions connect to its database of views, as the runbook's MYSQL_DATABASE does.
                versionDatabases = databases
                report.checks.append("traffic: the new version through its database of views (\(databases.new)); the old version through the base database, "
                    + "where its pods stay and where the runbook's revert points them")
            }
            if case let shared = SharedRetypedColumns.of(lowering), !shared.isEmpty {
                // No version schemas, MySQL's databases of views (the two-way sync writes `down` into the
                // old column), or a type changed in place, whose rollback narrows it: the new version
                // writes values the old type holds until contract (and its rollback).
                driver.sharedRetyped = shared
                let names = shared.columns.keys.sorted().flatMap { table in shared.columns[table]!.sorted().map { "\(table).\($0)" } }.joined(separator: ", ")
                report.checks.append(PostgreSQLVersionSchemas.enabled(lowering)
                    ? "traffic: the new version writes \(names) with values both the old and the new type hold: a column changed in place is the same column for both versions, "
                        + "whose rollback narrows it back; a rewritten one is the copy in the new type through its schema of views, which the two-way sync trigger converts into the old column while the old version serves"
                    : versionDatabases != nil
                    ? "traffic: the new version reads and writes \(names) in the new type through its database of views (the hidden copy under the final name); it writes values both the old and the new type hold, which the two-way sync copies into the old column while the old version serves"
                    : "traffic: both versions through the tables (no version schemas): the new version writes \(names) with values both the old and the new type hold")
            }
            for change in spec.changes {
                if let rename = change.operation.unit(RenameEnumValue.self) {
                    driver.avoidedEnumLabels[rename.enumType.value, default: []].formUnion([rename.from.value, rename.to.value])
                }
                if let add = change.operation.unit(AddEnumValue.self) { driver.avoidedEnumLabels[add.enumType.value, default: []].insert(add.value.value) }
            }
            if !driver.avoidedEnumLabels.isEmpty {
                let labels = driver.avoidedEnumLabels.keys.sorted().map { "\($0) (\(driver.avoidedEnumLabels[$0]!.sorted().joined(separator: ", ")))" }.joined(separator: ", ")
                report.checks.append("traffic: the new version writes no enum label the migration adds or renames, as the plan README says (a rollback refuses rows that hold an added one; a renamed one exists under neither name through the rollout): \(labels)")
            }
            for change in spec.changes {
                guard let drop = change.operation.unit(SetIdentity.self), drop.identity.value == "none" else { continue }
                let owner = [spec.database.schemaName, drop.table.value].map(TrafficSQL(.postgresql).identifier).joined(separator: ".")
                driver.drawnIds[drop.table.value, default: [:]][drop.column.value] = owner
            }
            if !driver.drawnIds.isEmpty {
                let columns = driver.drawnIds.keys.sorted().flatMap { t in driver.drawnIds[t]!.keys.sorted().map { "\(t).\($0)" } }.joined(separator: ", ")
                report.checks.append("traffic: the new version takes the ids it sends for \(columns) from the identity's sequence until contract drops it, then past the table's largest, as CUT115 says it must (an id of its own may be one the sequence hands the old version later)")
            }
            if let versionDatabases { Self.connectToVersionDatabases(driver, new: versionDatabases.new, environment: environment) }
            traffic = driver
        } else {
            traffic = NoTraffic()
        }
        let seedStarted = Date()
        let seeded = try traffic.seed()
        report.time("seed", Date().timeIntervalSince(seedStarted))
        report.checks.append("seed: " + seeded)
        try timed("fingerprint of the seeded rows") { try traffic.fingerprint() }
        let lockLimit = Double(spec.runner.lockTimeout.milliseconds) / 1000

        // What ran when, to name the phase and Job a failed statement of the app met.
        var timeline: [(start: Double, end: Double, phase: String, job: String?)] = []
        blueGreenSwitching = switching
        defer { blueGreenSwitching = nil }
        var replicationState: [String]?
        var serving: [AppVersion] = [.old]
        traffic.start(.old)
        // The versions that served while a dwell let them send: each must have sent statements in that stage.
        var dwelled: Set<AppVersion> = []
        func dwellServing() {
            if options.dwellStatements > 0 { dwelled.formUnion(serving) }
            traffic.dwell(statements: options.dwellStatements, timeout: options.dwellTimeout)
        }
        var jobIndex = 0
        var rollbackWarnings: [RollbackWarning] = []
        var stopped = false
        // Jobs created by an earlier kubectl apply or Argo CD sync.
        var applied: Set<String> = []
        for planned in stages {
            if stopped { break }
            let stageStarted = Date()
            if let revertedOldConnect, let driver = traffic as? AppTrafficDriver {
                // Old pods a rollback starts come from the reverted template; those of a forward stage are the first ones.
                driver.versionConnect[.old] = planned.direction == "forward" ? nil : revertedOldConnect
            }
            dwelled = []
            let title = planned.stage.phases.joined(separator: "+")
            var section = RehearsalReport.Section(title: "\(planned.index + 1)", direction: planned.direction, phases: planned.stage.phases,
                                                  values: planned.values, folder: planned.stage.kustomize)
            if options.progress { inform("rehearse: \(planned.direction) stage \(planned.index + 1) (\(title)) …") }
            section.serving.append(serving.map(\.rawValue).joined(separator: "+"))
            if let switching, planned.direction == "rerun", replicationState == nil { replicationState = try switching.replicationState() }
            // A stage that starts the rollout and waits for its promotion (the runbook reverts the app's
            // image, waits, then applies it): the target version starts before its Jobs and is promoted.
            if planned.stage.startsRollout && planned.stage.waitsForPromotion && !serving.contains(planned.target) {
                serving.append(planned.target)
                traffic.start(planned.target)
                timeline.append((Date().timeIntervalSince1970, Date().timeIntervalSince1970, "rollout", nil))
                section.serving.append(serving.map(\.rawValue).joined(separator: "+"))
                section.notes.append("the app was rolled to the \(planned.target.rawValue) version before this stage")
                if options.rows > 0 { timed("dwell (unpaced traffic after a Job or rollout)") { dwellServing() } }
            }
            if planned.stage.waitsForPromotion && serving.count > 1 {
                // The runbook waits until the Rollout is fully promoted: the previous version stops serving.
                let promoted = planned.direction == "forward" ? AppVersion.new : .old
                for version in serving where version != promoted {
                    collect(traffic.stop(version), version: version, timeline: timeline, into: &section, report: &report)
                }
                serving = [promoted]
                section.notes.append("waited for the Rollout to be promoted: only the \(promoted.rawValue) version serves")
                section.serving.append(promoted.rawValue)
            }
            func play(_ jobs: [RenderedJob], hook: String) throws -> Bool {
                _ = monitor.drain()
                let jobStarted = Date().timeIntervalSince1970
                let indexes = jobs.indices.map { jobIndex + 1 + $0 }
                jobIndex += jobs.count
                let runs = try timed("jobs") { try Self.playTogether(jobs, indexes: indexes, player: player, configMaps: planned.release.configMaps) }
                let holds = monitor.drain()
                var ok = true
                for (job, run) in zip(jobs, runs) {
                    timeline.append((jobStarted, jobStarted + run.seconds, job.component, job.name))
                    // Jobs run together share the monitor: a hold belongs to the Job whose files name it,
                    // and one no Job's files name to the first, so that no hold goes unreported.
                    let own = jobs.count == 1 ? holds : holds.filter { hold in
                        planned.release.files(of: job).contains(hold.file)
                            || (job == jobs[0] && !jobs.contains { planned.release.files(of: $0).contains(hold.file) })
                    }
                    section.jobs.append(.init(name: job.name, hook: hook, attempts: run.attempts, succeeded: run.succeeded,
                                              seconds: run.seconds, longestLock: own.first, failedAtOnce: run.failedAtOnce))
                    if options.progress { inform("rehearse:   job \(job.name) \(run.succeeded ? "ok" : "FAILED") in \(RehearsalReport.seconds(run.seconds))") }
                    for hold in own where hold.seconds > lockLimit {
                        report.failures.append(.init(stage: "\(planned.direction) \(planned.index + 1)", phase: job.component, job: job.name,
                                                     file: hold.file, version: nil, statement: nil,
                                                     error: "held \(hold.mode) lock on \(hold.table) for \(RehearsalReport.seconds(hold.seconds)), over the spec's lockTimeout \(RehearsalReport.seconds(lockLimit))\(hold.waiters > 0 ? "; \(hold.waiters) sessions waited" : "")"))
                    }
                    // A rollback that kept the new version's NULL rows says so: a documented outcome, listed, not a failure.
                    for warning in RollbackWarning.parse(run.output) where !rollbackWarnings.contains(warning) {
                        rollbackWarnings.append(warning)
                        let said = run.output.split(separator: "\n").lazy
                            .compactMap { line in line.range(of: RollbackWarning.marker + "\(warning.table).\(warning.column) keeps ").map { line[$0.lowerBound...] } }
                            .first
                        report.warnings.append("job \(job.name): " + (said.map(String.init) ?? RollbackWarning.marker + "\(warning.table).\(warning.column)"))
                    }
                    if !run.succeeded {
                        report.failures.append(.init(stage: "\(planned.direction) \(planned.index + 1)", phase: job.component, job: job.name,
                                                     file: run.lastFile, version: nil, statement: nil,
                                                     error: Self.errorLines(run.output), at: jobStarted + run.seconds))
                        ok = false
                    }
                }
                // (Re-runs after the switch change no schema state for the app to meet.)
                if ok && options.rows > 0 && planned.direction != "rerun" { timed("dwell (unpaced traffic after a Job or rollout)") { dwellServing() } }
                return ok
            }
            var ok = true
            var moved: (from: DatabaseSide, to: DatabaseSide, sequences: [String: Int64])?
            for step in planned.steps where ok {
                switch step {
                case .services:
                    // Blue-green: the plain objects applied, the switchover Service among them; when it
                    // now selects the other side, the app moves there.
                    guard let switching, let side = switching.serviceSide(planned.release), side != switching.side else { continue }
                    let from = switching.side
                    let sequences = try switching.sequences(on: from)
                    switching.side = side
                    var tallies: [(AppVersion, TrafficTally)] = []
                    for version in serving { tallies.append((version, traffic.move(version, overlap: options.rows > 0 ? options.dwell * 2 : 0))) }
                    let now = Date().timeIntervalSince1970
                    switching.addPauseWindow(start: stageStarted.timeIntervalSince1970, end: now)
                    timeline.append((now, now, "switchover", nil))
                    for (version, tally) in tallies { collect(tally, version: version, timeline: timeline, into: &section, report: &report) }
                    section.notes.append("the Service \(spec.switchover?.service ?? "") now selects \(side.rawValue): the app's pods restart there; their pooled connections to \(from.rawValue) kept writing \(RehearsalReport.seconds(options.dwell * 2)) longer")
                    moved = (from, side, sequences)
                case .jobs(let jobs, let hook):
                    let fresh = jobs.filter { job in
                        // kubectl apply (and Argo CD for a Job that is no hook) leaves an existing Job
                        // alone: one applied by an earlier stage does not run again.
                        guard options.delivery != .helm, !job.isArgoHook || options.delivery == .kubectl, applied.contains(job.name) else { return true }
                        section.notes.append("Job \(job.name) exists from an earlier stage: \(options.delivery.rawValue) leaves it alone, it does not run again")
                        return false
                    }
                    if options.delivery != .helm { for job in fresh where !job.isArgoHook || options.delivery == .kubectl { applied.insert(job.name) } }
                    if !fresh.isEmpty { ok = try play(fresh, hook: hook) }
                case .promotion:
                    if serving.count > 1 {
                        for version in serving where version != planned.target {
                            collect(traffic.stop(version), version: version, timeline: timeline, into: &section, report: &report)
                        }
                        serving = [planned.target]
                        section.notes.append("Argo CD waited for the Rollout to be Healthy before PostSync: only the \(planned.target.rawValue) version serves")
                        section.serving.append(planned.target.rawValue)
                    }
                case .rollout:
                    guard planned.stage.startsRollout && !serving.contains(planned.target) else { continue }
                    serving.append(planned.target)
                    traffic.start(planned.target)
                    timeline.append((Date().timeIntervalSince1970, Date().timeIntervalSince1970, "rollout", nil))
                    section.serving.append(serving.map(\.rawValue).joined(separator: "+"))
                    section.notes.append("Rollout \(planned.release.rollouts.joined(separator: ", ")) applied: the \(planned.target.rawValue) version starts serving")
                    if options.rows > 0 { timed("dwell (unpaced traffic after a Job or rollout)") { dwellServing() } }
                    if planned.target == .new {
                        let problems = try timed("completeness check") { try traffic.checkCompleteness() }
                        report.checks.append(problems.isEmpty ? "completeness when the new version starts: ok" : "completeness when the new version starts: \(problems.count) problem(s)")
                        for problem in problems {
                            report.failures.append(.init(stage: "\(planned.direction) \(planned.index + 1)", phase: "rollout", job: nil, file: nil,
                                                         version: .new, statement: nil, error: "incomplete data when the new version starts: \(problem)"))
                        }
                        if let versionDatabases {
                            for problem in try retypedTypes(versionDatabases.new, environment: environment, report: &report) {
                                report.failures.append(.init(stage: "\(planned.direction) \(planned.index + 1)", phase: "rollout", job: nil, file: nil,
                                                             version: .new, statement: nil, error: problem))
                            }
                        }
                    }
                }
            }
            // Per stage counts: stop and restart each serving version's traffic.
            for version in serving {
                collect(timed("traffic stop") { traffic.stop(version) }, version: version, timeline: timeline, into: &section, report: &report)
            }
            let stageName = "\(planned.direction) \(planned.index + 1)"
            for (version, error) in Self.silentVersions(section.traffic, dwelled: dwelled, mayBeSilent: mayBeSilent, underived: underived, stage: stageName) {
                report.failures.append(.init(stage: stageName, phase: nil, job: nil, file: nil, version: version, statement: nil, error: error))
            }
            let switchChecks = Date()
            defer { if switching != nil { report.time("blue-green checks (rows moved, replication health)", Date().timeIntervalSince(switchChecks)) } }
            if let switching {
                let pause = switching.takePaused()
                if pause.count > 0 {
                    section.notes.append("write pause: \(pause.count) statement(s) refused while the app's writes were fenced, the first \(RehearsalReport.seconds(pause.seconds)) before the app moved")
                }
                if let moved {
                    let switchJob = planned.steps.flatMap(\.jobs).first { $0.component == "switchover" || $0.component == "switchback" }
                    let lost = try switching.missingRows(on: moved.to, traffic: traffic)
                    let behind = try switching.sequencesBehind(on: moved.to, before: moved.sequences)
                    report.checks.append("after the move to \(moved.to.rawValue): " + (lost.isEmpty ? "every row written on either side is there" : "\(lost.count) table(s) miss rows")
                                         + (behind.isEmpty ? ", no sequence behind \(moved.from.rawValue)" : ", \(behind.count) sequence(s) behind"))
                    for problem in lost + behind {
                        report.failures.append(.init(stage: "\(planned.direction) \(planned.index + 1)", phase: switchJob?.component ?? "switchover", job: switchJob?.name,
                                                     file: nil, version: nil, statement: nil, error: "lost in the move from \(moved.from.rawValue) to \(moved.to.rawValue): \(problem)"))
                    }
                }
                // A switch Job that failed before the app moved must not leave the app's side fenced:
                // every write of the app would fail there until someone acts.
                if !ok, moved == nil, let job = report.failures.last(where: { $0.job != nil })?.job,
                   job.hasSuffix("-switchover") || job.hasSuffix("-switchback") {
                    let fence = try switching.fence(on: switching.side)
                    report.checks.append("after the failed \(job): " + (fence.isEmpty ? "\(switching.side.rawValue), where the app still is, takes its writes" : "\(switching.side.rawValue) is left fenced"))
                    if !fence.isEmpty {
                        report.failures.append(.init(stage: "\(planned.direction) \(planned.index + 1)", phase: nil, job: job, file: nil, version: nil, statement: nil,
                                                     error: "the failed Job left \(switching.side.rawValue) fenced (\(fence.joined(separator: "; "))): the app, still there, cannot write"))
                    }
                }
                // After every stage, whatever the Jobs said: each enabled subscription still applies.
                if ok {
                    let stuck = try switching.replicationHealth()
                    report.checks.append("after \(planned.direction) stage \(planned.index + 1): " + (stuck.isEmpty ? "every enabled subscription applies and its slot advances" : "\(stuck.count) subscription(s) stuck"))
                    for problem in stuck {
                        report.failures.append(.init(stage: "\(planned.direction) \(planned.index + 1)", phase: nil, job: nil, file: nil, version: nil, statement: nil,
                                                     error: "replication stuck: \(problem)"))
                    }
                    if !stuck.isEmpty { ok = false }
                }
                if ok, planned.direction == "rerun", let before = replicationState,
                   stages.last(where: { $0.direction == "rerun" })?.index == planned.index {
                    let after = try switching.replicationState()
                    let changed = Array(Set(before).symmetricDifference(after)).sorted()
                    report.checks.append("re-running the forward stages after the switch: " + (changed.isEmpty ? "nothing changed" : "\(changed.count) change(s)"))
                    if !changed.isEmpty {
                        report.failures.append(.init(stage: "\(planned.direction) \(planned.index + 1)", phase: nil, job: nil, file: nil, version: nil, statement: nil,
                                                     error: "re-running the forward stages after the switch changed the replication state:\n" + changed.map { "  " + ($0.hasPrefix("blue") || $0.hasPrefix("green") ? (before.contains($0) ? "gone: " : "new: ") + $0 : $0) }.joined(separator: "\n")))
                    }
                }
            }
            // The last forward stage played (contract; purge and cleanup are not): the tables must be
            // what the spec means, before any rollback (issue #14).
            if ok, planned.direction == "forward", planned.index == stages.filter({ $0.direction == "forward" }).count - 1 {
                let checkStarted = Date()
                try checkTargetSchema(session: app, blueGreen: blueGreen, stage: "\(planned.direction) \(planned.index + 1)", report: &report)
                report.time("target schema check (after the last forward stage)", Date().timeIntervalSince(checkStarted))
            }
            if ok { for version in serving { traffic.start(version) } }
            section.seconds = Date().timeIntervalSince(stageStarted)
            report.sections.append(section)
            if !ok { stopped = true }
            // The rollback starts from the end: the new version fully promoted.
            if ok, planned.direction == "forward", planned.index == stages.filter({ $0.direction == "forward" }).count - 1, serving != [.new] {
                for version in serving where version != .new { _ = traffic.stop(version) }
                serving = serving.contains(.new) ? [.new] : serving
            }
        }
        for version in serving { _ = traffic.stop(version) }
        monitor.stop()
        if let failure = monitor.failure { report.checks.append("lock monitor: \(failure)") }

        let checksStarted = Date()
        if !stopped {
            // Blue-green: the fence ended this session; the next call reconnects.
            if blueGreen { _ = try? app.query("SELECT 1") }
            // Expand's rollback keeps the columns expand added, under their quarantine names.
            let quarantine = RollbackQuarantine(plan)
            let (withoutColumns, kept) = QuarantinedColumns(quarantine: quarantine).removing(from: try app.snapshot(), base: base)
            if !kept.isEmpty {
                report.checks.append("columns expand added, kept by the rollback: \(kept.joined(separator: ", "))")
            }
            let (final, keptEnums) = KeptEnumLabels(plan).removing(from: withoutColumns, base: base, keptColumns: !kept.isEmpty)
            if let keptEnums { report.checks.append("kept by the rollback: \(keptEnums)") }
            if final == base {
                report.checks.append("schema after the rollback: equal to the base schema" + (kept.isEmpty ? "" : " besides the kept columns"))
            } else if KeptNullRows(warnings: rollbackWarnings).explains(base: base, final: final) {
                let columns = rollbackWarnings.map { "\($0.table).\($0.column)" }.joined(separator: ", ")
                report.checks.append("schema after the rollback: equal to the base schema except NOT NULL on \(columns), kept nullable for the new version's rows (see warnings)")
            } else {
                report.failures.append(.init(stage: "after rollback", phase: nil, job: nil, file: nil, version: nil, statement: nil,
                                             error: "the schema after the rollback differs from the base schema:\n" + base.diff(to: final, expectedLabel: "base", actualLabel: "after rollback").joined(separator: "\n")))
            }
            let lost = try traffic.lostRows()
            report.checks.append(lost.isEmpty ? "rows: none lost or changed" : "rows: \(lost.count) range(s) lost or changed")
            for line in lost {
                report.failures.append(.init(stage: "after rollback", phase: nil, job: nil, file: nil, version: nil, statement: nil, error: "rows lost or changed: \(line)"))
            }
            let dropped = try traffic.lostQuarantinedWrites(quarantine)
            if !quarantine.columns.isEmpty {
                report.checks.append(dropped.isEmpty ? "values written into added columns: kept under their quarantine names" : "values written into added columns: \(dropped.count) lost")
            }
            for line in dropped {
                report.failures.append(.init(stage: "after rollback", phase: nil, job: nil, file: nil, version: nil, statement: nil, error: "lost by the rollback: \(line)"))
            }
        }
        report.time("checks after the rollback (schema, rows)", Date().timeIntervalSince(checksStarted))
        // In the order they happened: a statement that failed during a Job comes before a later Job's failure.
        report.failures = report.failures.enumerated().sorted { ($0.element.at, $0.offset) < ($1.element.at, $1.offset) }.map(\.element)
        // The servers stop here (not in the deferred teardown) so the report holds that time too.
        app.close()
        monitorSession.close()
        timed("server stop") { environment.tearDown() }
        report.seconds = Date().timeIntervalSince(started)
        return report
    }

    /// Set while a blue-green rehearsal runs: `collect` leaves the fence's write pause out of the failures.
    private var blueGreenSwitching: BlueGreenRehearsal?

    private func collect(_ tally: TrafficTally, version: AppVersion, timeline: [(start: Double, end: Double, phase: String, job: String?)],
                         into section: inout RehearsalReport.Section, report: inout RehearsalReport) {
        // The Job running when the statement failed, else the last event before it.
        func place(_ at: Double) -> (phase: String?, job: String?, during: Bool) {
            if let running = timeline.last(where: { $0.start <= at && at <= $0.end && $0.job != nil }) { return (running.phase, running.job, true) }
            if let before = timeline.last(where: { $0.end <= at }) { return (before.phase, before.job, false) }
            return (nil, nil, false)
        }
        if let index = section.traffic.firstIndex(where: { $0.version == version }) {
            section.traffic[index].sent += tally.sent
            section.traffic[index].failed += tally.failed
        } else {
            section.traffic.append(.init(version: version, sent: tally.sent, failed: tally.failed))
        }
        // One failure per distinct server error and version: the first statement that got it, and how many did.
        var seen: [String: Int] = [:]
        for failure in tally.failures {
            if let switching = blueGreenSwitching, switching.isPause(failure) { continue }
            let lines = failure.error.split(separator: "\n").map(String.init)
            // The server's message line (the mariadb client echoes the statement before it).
            let error = lines.first { $0.contains("ERROR") } ?? lines.first ?? failure.error
            seen[error, default: 0] += 1
            if seen[error] == 1 {
                let where_ = place(failure.at)
                let context = where_.job.map { where_.during ? "while Job \($0) ran" : "after Job \($0)" } ?? (where_.phase == "rollout" ? "after the rollout started" : "before any Job")
                report.failures.append(.init(stage: "\(section.direction) \(section.title)", phase: where_.phase, job: where_.job, file: nil,
                                             version: version, statement: failure.statement, error: failure.error + "\n(\(context))",
                                             at: failure.at))
            }
        }
        for (error, count) in seen where count > 1 {
            if let index = report.failures.lastIndex(where: { $0.version == version && $0.error.contains(error) }) {
                report.failures[index].error += "\n(\(count) statements of the \(version.rawValue) version failed like this in this stage)"
            }
        }
    }

    /// A stage's phases, or what a stage without Jobs changes (its `--set` switches other than the phase
    /// and rollback ones: the app's move to the base database after contract, `app.versionSchema=base`).
    static func describe(_ stage: DeliveryPlan.Stage) -> String {
        guard stage.phases.isEmpty else { return stage.phases.joined(separator: ", ") }
        let values: [String: String] = stage.set ?? [:]
        var shown: [String] = []
        for key in values.keys.sorted() where !key.hasPrefix("phases.") && !key.hasPrefix("rollback.") {
            shown.append(key + "=" + (values[key] ?? ""))
        }
        guard !shown.isEmpty else { return "no Jobs" }
        return "no Jobs: " + shown.joined(separator: " ") + (values["app.versionSchema"] == "base" ? ", the new version moves to the base database" : "")
    }

    /// The runner's error lines (the server's message), without its progress lines.
    static func errorLines(_ output: String) -> String {
        let lines = output.split(separator: "\n").map(String.init)
        let errors = lines.filter { !$0.hasPrefix("cutover: applying") && !$0.hasPrefix("--- pod failed") }
        // The preflight lists its problems on the lines after its ERROR line ("  - column ..."): they say
        // what failed (the column, the expression, a failing key), so they are kept; a retried Job's
        // repeats of the same lines are shown once.
        // MySQL's preflight (and a rollback's refusal) prints each problem as a one-row result under the
        // header `cutover preflight problem` (`cutover rollback refused`), before the ERROR line: listed
        // after it the same way.
        var picked: [String] = []
        var listed: [String] = []
        for (index, line) in errors.enumerated() {
            let isError = line.contains("ERROR") || line.contains("FATAL") || line.contains("error") || line.contains("exceeded")
            let isListed = line.hasPrefix("  - ") && errors[..<index].contains { $0.contains("cutover preflight") }
            if index > 0, ["cutover preflight problem", "cutover rollback refused"].contains(errors[index - 1]) {
                if !listed.contains("  - " + line) { listed.append("  - " + line) }
                continue
            }
            if (isError || isListed) && !picked.contains(line) { picked.append(line) }
        }
        if !listed.isEmpty {
            let at = picked.firstIndex { $0.contains("cutover preflight") || $0.contains("cutover rollback refused") }.map { $0 + 1 } ?? picked.count
            picked.insert(contentsOf: listed, at: at)
        }
        let chosen = picked.isEmpty ? Array(errors.suffix(6)) : Array(picked.prefix(12))
        return chosen.isEmpty ? "the Job failed without output" : chosen.map(Self.shortenPaths).joined(separator: "\n")
    }

    /// psql prefixes errors with the script's full local path; the Job's own name for it is enough.
    static func shortenPaths(_ line: String) -> String {
        guard let regex = try? NSRegularExpression(pattern: #"psql:/[^:]*/etc/cutover/"#) else { return line }
        return regex.stringByReplacingMatches(in: line, range: NSRange(line.startIndex..., in: line), withTemplate: "psql:/etc/cutover/")
    }

    /// Renders every stage that will be played, before any server starts: a chart or kustomization
    /// that does not render is found in a second.
    private func planStages(renderer: StageRenderer, output: String, report: inout RehearsalReport) throws -> [PlannedStage] {
        let delivery = DeliveryPlan(plan: plan)
        var sequence = options.delivery == .helm ? delivery.helm : delivery.manifests
        if options.delivery == .argocd { sequence.forward = try Self.argoSyncs(sequence.forward, output: output) }
        let rolledBack = Set(sequence.rollback.flatMap(\.phases))
        // Forward stages after the last one a rollback stage undoes (purge, cleanup) cannot be
        // rolled back from; the rehearsal stops before them.
        let lastUndone = sequence.forward.lastIndex { $0.phases.contains(where: rolledBack.contains) } ?? 0
        var values: [String: String] = [:]
        // Each stage's values follow from the ones before it; the renders themselves are independent
        // child processes, run a few at a time below (on this 2-core machine 9 helm renders took
        // 1.0-1.6 s one after another).
        var pending: [(stage: DeliveryPlan.Stage, index: Int, direction: String, target: AppVersion, values: [String: String], action: RenderedRelease.Action)] = []
        func add(_ stage: DeliveryPlan.Stage, index: Int, direction: String, target: AppVersion) throws {
            let action: RenderedRelease.Action = pending.isEmpty ? .install : .upgrade
            switch renderer {
            case .helm:
                if stage.reuseValues != true { values = [:] }
                for (key, value) in stage.set ?? [:] { values[key] = value }
            case .kustomize:
                guard let folder = stage.kustomize, Self.isInside(folder) else {
                    throw VerificationError.sqlFailed("delivery stage \(stage.phases.joined(separator: "+")) names no manifests folder inside the output")
                }
            }
            pending.append((stage, index, direction, target, options.delivery == .helm ? values : [:], action))
        }
        var index = 0
        for (position, stage) in sequence.forward.enumerated() {
            guard position <= lastUndone else {
                report.checks.append("not played: forward stage \(position + 1) (\(Self.describe(stage))), which no rollback stage undoes"
                                     + (stage.phases.isEmpty && stage.set?["app.versionSchema"] == "base"
                                        ? ": the rollback is rehearsed from contract, while the new version still reads through its database of views; "
                                          + "after this move it reads the base tables, which contract's rollback gives the old shape again under its pods"
                                        : ""))
                continue
            }
            try add(stage, index: index, direction: "forward", target: .new)
            index += 1
        }
        // Blue-green: once switched, every forward stage is played again (with the values Helm then
        // holds) and must change nothing.
        if plan.spec.strategy == .blueGreen {
            let played = pending.filter { $0.direction == "forward" }.map(\.stage)
            for (position, stage) in played.enumerated() {
                var again = stage
                again.startsRollout = false
                again.waitsForPromotion = false
                try add(again, index: index + position, direction: "rerun", target: .new)
            }
        }
        for (position, stage) in sequence.rollback.enumerated() {
            try add(stage, index: position, direction: "rollback", target: .old)
        }
        let chart = "\(output)/chart", release = plan.spec.name, namespace = plan.spec.metadata.namespace
        let inputs = pending.map { (values: $0.values, folder: $0.stage.kustomize ?? "") }
        nonisolated(unsafe) let renderer = renderer
        let rendered = Self.concurrently(inputs.count) { position -> Result<String, Error> in
            Result {
                switch renderer {
                case .helm(let helm):
                    return try helm.render(chart: chart, release: release, namespace: namespace, values: inputs[position].values)
                case .kustomize(let kustomize):
                    return try kustomize.render(folder: "\(output)/\(inputs[position].folder)")
                }
            }
        }
        var stages: [PlannedStage] = []
        for (item, yaml) in zip(pending, rendered) {
            let release = try RenderedRelease(yaml: yaml.get())
            stages.append(PlannedStage(direction: item.direction, index: item.index, stage: item.stage, values: item.values,
                                       release: release, steps: options.delivery.steps(release, action: item.action), target: item.target))
        }
        return stages
    }

    /// `body(0..<count)` on up to 4 threads at once, results in order (child processes that mostly wait).
    static func concurrently<T>(_ count: Int, _ body: @escaping @Sendable (Int) -> T) -> [T] {
        let lock = NSLock()
        nonisolated(unsafe) var results = [T?](repeating: nil, count: count)
        nonisolated(unsafe) var next = 0
        let group = DispatchGroup()
        for _ in 0..<min(4, count) {
            group.enter()
            Thread {
                while true {
                    lock.lock()
                    let position = next
                    next += 1
                    lock.unlock()
                    guard position < count else { break }
                    let result = body(position)
                    lock.lock(); results[position] = result; lock.unlock()
                }
                group.leave()
            }.start()
        }
        group.wait()
        return results.map { $0! }
    }

    /// database.schema as the unprivileged scratch owner can load it (see `BaseSchemaFile`).
    private func loadableSchema(_ path: String, _ scratch: ScratchFolder, _ session: SQLSession) throws -> (path: String, removed: Int, mapped: Int) {
        let standIn = plan.spec.database.engine == .mysql ? try StandInServer.isMariaDB(session) : false
        return try BaseSchemaFile.prepare(path, engine: plan.spec.database.engine, standIn: standIn, into: scratch.file("schema"))
    }

    /// Argo CD syncs `manifests/` (its kustomization lists the forward folders up to the app's) as
    /// one operation; every later folder is a sync of its own.
    static func argoSyncs(_ forward: [DeliveryPlan.Stage], output: String) throws -> [DeliveryPlan.Stage] {
        let root: String
        do { root = try BoundedFile.text("\(output)/manifests/kustomization.yaml", limit: 1 << 20) } catch let error as CutoverError {
            throw VerificationError.sqlFailed("Argo CD syncs manifests/: \(error)")
        }
        let listed = Set(((try Yams.load(yaml: root) as? [String: Any])?["resources"] as? [Any] ?? []).map { "manifests/\($0)" })
        let synced = forward.prefix { $0.kustomize.map(listed.contains) ?? false }
        guard !synced.isEmpty else { return forward }
        let sync = DeliveryPlan.Stage(phases: synced.flatMap(\.phases), kustomize: "manifests/",
                                      startsRollout: synced.contains(where: \.startsRollout), waitsForPromotion: synced.first?.waitsForPromotion ?? false)
        return [sync] + forward.dropFirst(synced.count)
    }

    /// A folder given with `--generated` is input like the spec: it may change when a Job starts
    /// (kustomizations, waves, hooks), never what a Job runs. Every Job and every ConfigMap it
    /// mounts must equal, by name, one of the fresh output's `manifests/` folders.
    static func checkSameJobs(_ releases: [RenderedRelease], against fresh: String, kustomize: KustomizeBuild) throws {
        var jobs: [String: RenderedJob] = [:]
        var configMaps: [String: [String: String]] = [:]
        let folders = (try? FileManager.default.contentsOfDirectory(atPath: "\(fresh)/manifests")) ?? []
        for folder in folders.sorted() where FileManager.default.fileExists(atPath: "\(fresh)/manifests/\(folder)/kustomization.yaml") {
            let release = try RenderedRelease(yaml: kustomize.render(folder: "\(fresh)/manifests/\(folder)"))
            for job in release.jobs { jobs[job.name] = job }
            configMaps.merge(release.configMaps) { first, _ in first }
        }
        for release in releases {
            for job in release.jobs {
                guard let known = jobs[job.name], job.runsTheSame(as: known) else {
                    throw VerificationError.sqlFailed("Job \(job.name) in the --generated folder is not one cutover generates for this spec (or runs something else): only when Jobs start may differ; regenerate the folder")
                }
                for case let .configMap(name, _) in job.volumes.values where release.configMaps[name] != configMaps[name] {
                    throw VerificationError.sqlFailed("ConfigMap \(name) in the --generated folder differs from what cutover generates for this spec: regenerate the folder")
                }
            }
        }
    }

    /// Versions whose shape has no table: `underived` with why, when the base schema has tables the
    /// version should know; `mayBeSilent` when it knows none by the spec (no base table for the old
    /// version; the spec drops every one for the new), so that sending nothing is right.
    static func emptyShapes(old: AppShape, new: AppShape, schemaTables: Set<String>, spec: MigrationSpec)
        -> (underived: [AppVersion: String], mayBeSilent: Set<AppVersion>) {
        let dropped = Set(spec.changes.compactMap { $0.operation.unit(DropTable.self)?.name.value })
        var underived: [AppVersion: String] = [:]
        var silent: Set<AppVersion> = []
        for (version, shape) in [(AppVersion.old, old), (.new, new)] where shape.excludingInternal().tables.isEmpty {
            let expected = version == .old ? schemaTables : schemaTables.subtracting(dropped)
            if expected.isEmpty {
                silent.insert(version)
            } else {
                let names = expected.sorted().prefix(3).joined(separator: ", ") + (expected.count > 3 ? ", …" : "")
                underived[version] = "its shape, read from the catalog\(version == .new ? " after the forward Jobs" : ""), has no table while database.schema has \(expected.count) it should know (\(names))"
            }
        }
        return (underived, silent)
    }

    /// The failures of a stage's versions that served while a dwell let them send (`dwelled`) and
    /// sent no statement: a proof without their statements proves nothing about them.
    static func silentVersions(_ traffic: [RehearsalReport.VersionLine], dwelled: Set<AppVersion>, mayBeSilent: Set<AppVersion>,
                               underived: [AppVersion: String], stage: String) -> [(AppVersion, String)] {
        [AppVersion.old, .new].compactMap { (version: AppVersion) -> (AppVersion, String)? in
            let sent: Int = traffic.filter { $0.version == version }.reduce(0) { $0 + $1.sent }
            guard dwelled.contains(version), !mayBeSilent.contains(version), sent == 0 else { return nil }
            return (version, "\(version.rawValue) version sent no statements in stage \(stage): its traffic could not be derived (\(underived[version] ?? "no statement of it reached the server"))")
        }
    }

    /// A relative path that stays inside the output folder.
    static func isInside(_ path: String) -> Bool {
        !path.hasPrefix("/") && !path.split(separator: "/").contains("..") && !path.isEmpty
    }

    /// Plays Jobs that start at the same moment, each on its own thread, and waits for all of them.
    static func playTogether(_ jobs: [RenderedJob], indexes: [Int], player: JobPlayer,
                             configMaps: [String: [String: String]]) throws -> [JobPlayer.Run] {
        if jobs.count == 1 { return [try player.play(jobs[0], configMaps: configMaps, index: indexes[0])] }
        let lock = NSLock()
        nonisolated(unsafe) var results: [Int: Result<JobPlayer.Run, Error>] = [:]
        let group = DispatchGroup()
        for (position, job) in jobs.enumerated() {
            group.enter()
            Thread {
                let result = Result { try player.play(job, configMaps: configMaps, index: indexes[position]) }
                lock.lock(); results[position] = result; lock.unlock()
                group.leave()
            }.start()
        }
        group.wait()
        return try jobs.indices.map { try results[$0]!.get() }
    }

    /// MySQL's version databases (issue #14): when the new version starts, its view must show each
    /// retyped column that goes through a hidden copy in the copy's (new) type under the column's
    /// name, while the base column keeps the old type for the old version. Read from the catalog
    /// through the new version's own database, as the app's driver would see the result set's type.
    private func retypedTypes(_ database: String, environment: RehearsalEnvironment, report: inout RehearsalReport) throws -> [String] {
        let context = LoweringContext(spec: plan.spec, schema: plan.schema)
        guard let versions = MySQLVersionSchemas.of(context) else { return [] }
        let copies = versions.retypedCopies()
        guard !copies.isEmpty else { return [] }
        let session = try environment.appSession(database: database)
        defer { session.close() }
        let names = SQLNames(engine: .mysql)
        func type(_ schema: String, _ table: String, _ column: String) throws -> String? {
            try session.query("SELECT column_type FROM information_schema.columns WHERE table_schema = \(schema) AND table_name = \(names.literal(table)) AND column_name = \(names.literal(column))").first
        }
        var problems: [String] = []
        var seen: [String] = []
        for table in copies.keys.sorted() {
            for (column, copy) in copies[table]!.sorted(by: { $0.key < $1.key }) {
                let shown = try type("DATABASE()", table, column)
                let copyType = try type(names.literal(environment.database), table, copy)
                let oldType = try type(names.literal(environment.database), table, column)
                if shown == nil || shown != copyType || shown == oldType {
                    problems.append("the new version's view \(database).\(table) shows \(column) as \(shown ?? "nothing"), not the new type \(copyType ?? "?") (the old column is \(oldType ?? "?"))")
                } else {
                    seen.append("\(table).\(column) \(shown!) (old \(oldType ?? "?"))")
                }
            }
        }
        if !seen.isEmpty { report.checks.append("retyped columns in the new version's database of views when it starts: " + seen.joined(separator: ", ")) }
        return problems
    }

    /// The `new.PGOPTIONS` and `old.PGOPTIONS` values of the rendered version-schemas ConfigMap
    /// (`VersionSchemaSelection.configMapKey`), which the app's pods read through the runbook's patches.
    static func versionSchemaOptions(_ releases: [RenderedRelease], spec: MigrationSpec) throws -> (new: String, old: String) {
        let name = VersionSchemaSelection.configMapName(spec)
        let data = releases.lazy.compactMap { $0.configMaps[name] }.first ?? [:]
        guard let new = data[VersionSchemaSelection.configMapKey(spec, version: "new")],
              let old = data[VersionSchemaSelection.configMapKey(spec, version: "old")] else {
            throw VerificationError.sqlFailed("the rendered output has no ConfigMap \(name) with new.PGOPTIONS and old.PGOPTIONS, which the app's pods read")
        }
        return (new, old)
    }

    /// How each version's traffic connects on MySQL with version databases: the new version to its
    /// database (it serves only once expand created it, until the rollback of expand, which runs when
    /// only the old version serves); the old version stays on the base database throughout (its pods
    /// predate expand, and the runbook's revert points it there: the rollback of expand drops the
    /// version databases, and a connection does not fall through).
    static func connectToVersionDatabases(_ driver: AppTrafficDriver, new database: String, environment: RehearsalEnvironment) {
        let base = environment.trafficConnection
        var connection = base
        connection.database = database
        driver.versionConnect[.new] = { [connection] in try environment.session(connection) }
        driver.versionConnect[.old] = { try environment.session(base) }
    }

    /// The new version's shape: every forward stage's Jobs played, in order, on a second database
    /// loaded with the base schema, then its catalog read (quarantined `_cutover` names are dropped
    /// by the traffic). A Job that fails here fails in the real pass too; the shape is then what
    /// the Jobs before it left.
    private func shapeAfterMigration(stages: [PlannedStage], environment: RehearsalEnvironment, context: JobPlayer.Context,
                                     report: inout RehearsalReport) throws -> AppShape {
        let name = String((environment.database + "_shape").prefix(63))
        try environment.createSideDatabase(name)
        defer {
            environment.dropSideDatabase(name)
            // MySQL version databases the pass's expand created, with views of the side database's tables.
            if let databases = VersionSchemaSelection.schemas(plan), plan.spec.database.engine == .mysql {
                for database in [databases.old, databases.new] { environment.dropSideDatabase(database) }
            }
        }
        let session = try environment.appSession(database: name)
        defer { session.close() }
        if let schemaPath { try session.apply(file: loadableSchema(schemaPath, environment.scratch, session).path) }
        var side = context
        side.overrides["DB_NAME"] = name
        let folder = environment.scratch.file("shape-jobs")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o711])
        let player = JobPlayer(context: side, folder: folder) { _ in }
        var index = 0
        outer: for planned in stages where planned.direction == "forward" {
            for job in planned.steps.flatMap(\.jobs) {
                index += 1
                let run = try player.play(job, configMaps: planned.release.configMaps, index: index)
                if !run.succeeded {
                    report.checks.append("new version's shape: taken after Job \(job.name) failed in the pre-pass")
                    break outer
                }
            }
        }
        return try CatalogShapeReader.read(engine: plan.spec.database.engine, session: session, tables: nil)
    }
}

extension AppVersion {
    var other: AppVersion { self == .old ? .new : .old }
}

extension Rehearsal {
    /// Holds the live tables after the last forward stage against the spec's target (`TargetSchemaCheck`):
    /// a mismatch is a failure naming the object, expected and found; what the model cannot say is listed as skipped.
    func checkTargetSchema(session: SQLSession, blueGreen: Bool, stage: String, report: inout RehearsalReport) throws {
        guard !blueGreen else {
            report.checks.append("schema after the last forward stage: not compared with the spec's target (blue-green: the new side is another server)")
            return
        }
        let check = TargetSchemaCheck(plan: plan)
        let outcome: TargetSchemaCheck.Outcome
        do {
            outcome = try check.run(session)
        } catch let failure as SQLFailure {
            report.checks.append("schema after the last forward stage: not compared with the spec's target (the catalog could not be read: \(failure.message.prefix(200)))")
            return
        }
        let counted = "\(outcome.compared.tables) table(s), \(outcome.compared.columns) column(s), \(outcome.compared.indexes) index(es) compared"
        let skipped = outcome.skipped.isEmpty ? "" : "; skipped (the spec's model cannot say): " + outcome.skipped.joined(separator: "; ")
        report.checks.append("schema after the last forward stage: " + (outcome.problems.isEmpty ? "the spec's target" : "\(outcome.problems.count) difference(s) from the spec's target") + " (\(counted)\(skipped))")
        for problem in outcome.problems {
            report.failures.append(.init(stage: stage, phase: nil, job: nil, file: nil, version: nil, statement: nil,
                                         error: "the schema after the last forward stage differs from the spec's target: " + problem))
        }
    }
}
