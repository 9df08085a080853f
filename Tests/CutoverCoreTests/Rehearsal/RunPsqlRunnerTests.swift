@testable import CutoverProof
import Foundation
import Testing

/// templates/run-psql.sh's blue-green steps run on their own against the test run's PostgreSQL,
/// blue and green both that server (each test in a database of its own), with the Secret files of
/// each side written as a Job mounts them: what the step does when a lookup fails or a slot is not
/// where the switch back needs it, faster than a whole rehearsal gets there.
@Suite(.serialized, .enabled(if: DatabaseHarness.shouldRun(.postgresql), unavailable(.postgresql)))
struct RunPsqlRunnerTests {
    struct Runner {
        let root: URL
        let database: String
        let socket: String
        let bin: String
        /// Green's server when the test has two sides (else blue's: one database is both).
        let greenSocket: String

        init(twoSided: Bool = false) throws {
            guard case .success(let server) = DatabaseHarness.shared.server(.postgresql),
                  let local = server.server as? LocalPostgresServer else {
                throw HarnessError("PostgreSQL is not available for the runner tests")
            }
            socket = local.folder
            if twoSided {
                switch DatabaseHarness.shared.greenPostgres() {
                case .success(let green): greenSocket = green.folder
                case .failure(let error): throw HarnessError("the second PostgreSQL did not start: \(error)")
                }
            } else {
                greenSocket = local.folder
            }
            bin = (local.client as NSString).deletingLastPathComponent
            root = TestPaths.temporaryFolder("run-psql")
            database = "runner_\(UUID().uuidString.prefix(8).lowercased())"
            try FileManager.default.createDirectory(at: root.appendingPathComponent("tmp"), withIntermediateDirectories: true)
            let template = try String(contentsOf: TestPaths.packageRoot.appendingPathComponent("templates/run-psql.sh"), encoding: .utf8)
            // The Job's mount paths, as JobPlayer remaps them.
            let script = template.replacingOccurrences(of: "/tmp/", with: root.path + "/tmp/")
                .replacingOccurrences(of: "/etc/cutover", with: root.path + "/etc/cutover")
            try script.write(to: root.appendingPathComponent("run-psql.sh"), atomically: true, encoding: .utf8)
            for side in ["blue", "blueadmin", "green"] { try secret(side, user: "postgres") }
            _ = try sql("CREATE DATABASE \(database)", database: "postgres")
            if twoSided { _ = try sql("CREATE DATABASE \(database)", database: "postgres", side: "green") }
        }

        var twoSided: Bool { greenSocket != socket }

        /// The Secret of SIDE (`username`, `password`).
        func secret(_ side: String, user: String) throws {
            let folder = root.appendingPathComponent("etc/cutover/\(side)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try user.write(to: folder.appendingPathComponent("username"), atomically: true, encoding: .utf8)
            try "".write(to: folder.appendingPathComponent("password"), atomically: true, encoding: .utf8)
        }

        /// psql as postgres in DATABASE (this test's by default): its output, trimmed.
        func sql(_ text: String, database: String? = nil, side: String = "blue") throws -> String {
            let result = try run(bin + "/psql", ["-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-h", side == "green" ? greenSocket : socket, "-p", "5432", "-U", "postgres",
                                                "-d", database ?? self.database, "-c", text], env: [:])
            guard result.status == 0 else { throw HarnessError("psql failed: \(text): \(result.output)") }
            return result.output.trimmingCharacters(in: .whitespacesAndNewlines)
        }

        /// A file of the Job's SQL ConfigMap (the runner's `SIDE:FILE` steps apply it).
        func sqlFile(_ name: String, _ text: String) throws {
            let folder = root.appendingPathComponent("etc/cutover/sql")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try text.write(to: folder.appendingPathComponent(name), atomically: true, encoding: .utf8)
        }

        /// A run still going: `finish` waits for it.
        final class Started: @unchecked Sendable {
            let process: Process
            let file: URL
            init(process: Process, file: URL) { self.process = process; self.file = file }
            func finish() -> (status: Int32, output: String) {
                process.waitUntilExit()
                return (process.terminationStatus, (try? String(contentsOf: file, encoding: .utf8)) ?? "")
            }
        }

        /// The runner with ARGUMENTS started in the background (its output in a file).
        func start(_ arguments: [String]) throws -> Started {
            let file = root.appendingPathComponent("started-\(UUID().uuidString).log")
            FileManager.default.createFile(atPath: file.path, contents: nil)
            let handle = try FileHandle(forWritingTo: file)
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/bin/sh")
            process.arguments = [root.appendingPathComponent("run-psql.sh").path] + arguments
            process.environment = ["PATH": "\(bin):/usr/bin:/bin", "LC_ALL": "C", "BLUE_HOST": socket, "GREEN_HOST": greenSocket,
                                   "DB_PORT": "5432", "DB_NAME": database]
            process.standardOutput = handle
            process.standardError = handle
            try process.run()
            return Started(process: process, file: file)
        }

        /// The runner with ARGUMENTS, as a Job's container runs it.
        func runner(_ arguments: [String], env: [String: String] = [:]) throws -> (status: Int32, output: String, seconds: Double) {
            let started = Date()
            let result = try run("/bin/sh", [root.appendingPathComponent("run-psql.sh").path] + arguments,
                                 env: ["BLUE_HOST": socket, "GREEN_HOST": greenSocket, "DB_PORT": "5432", "DB_NAME": database].merging(env) { $1 })
            return (result.status, result.output, Date().timeIntervalSince(started))
        }

        func run(_ program: String, _ arguments: [String], env: [String: String]) throws -> (status: Int32, output: String) {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: program)
            process.arguments = arguments
            process.environment = ["PATH": "\(bin):/usr/bin:/bin", "LC_ALL": "C"].merging(env) { $1 }
            let pipe = Pipe()
            process.standardOutput = pipe
            process.standardError = pipe
            try process.run()
            let data = pipe.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            return (process.terminationStatus, String(decoding: data, as: UTF8.self))
        }

        /// Drops the database (its slots and subscriptions first: they would keep it, or the WAL).
        func finish() {
            for side in twoSided ? ["green", "blue"] : ["blue"] {
                if let subs = try? sql("SELECT subname FROM pg_subscription s JOIN pg_database d ON d.oid = s.subdbid WHERE d.datname = '\(database)'", side: side) {
                    for sub in subs.split(separator: "\n") {
                        _ = try? sql("ALTER SUBSCRIPTION \(sub) DISABLE", side: side)
                        _ = try? sql("ALTER SUBSCRIPTION \(sub) SET (slot_name = NONE)", side: side)
                        _ = try? sql("DROP SUBSCRIPTION \(sub)", side: side)
                    }
                }
            }
            for side in twoSided ? ["green", "blue"] : ["blue"] {
                for _ in 0..<50 {
                    let left = (try? sql("SELECT count(*) FROM pg_replication_slots WHERE database = '\(database)' AND active", database: "postgres", side: side)) ?? "0"
                    if left == "0" { break }
                    Thread.sleep(forTimeInterval: 0.1)
                }
                _ = try? sql("SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE database = '\(database)' AND NOT active", database: "postgres", side: side)
                _ = try? sql("DROP DATABASE IF EXISTS \(database) WITH (FORCE)", database: "postgres", side: side)
            }
            try? FileManager.default.removeItem(at: root)
        }
    }

    /// skip-slot with no slot to move skipped nothing: the switch back must stop there (before
    /// unmark-switched, so its EXIT trap lifts green's fence), not log "nothing to skip" and go on to
    /// enable a subscription that would replay green's own rows, or could not stream at all.
    @Test func skipSlotFailsWithoutTheSlot() throws {
        let runner = try Runner()
        defer { runner.finish() }
        let run = try runner.runner(["skip-slot:blue:\(runner.database)_gone"])
        #expect(run.status != 0, "\(run.output)")
        #expect(run.output.contains("no slot \(runner.database)_gone on blue"), "\(run.output)")
    }

    /// An idle slot moves past every commit made before the step, and a checkpoint follows (the move
    /// is durable only from there: a crash before it would bring the slot back).
    @Test func skipSlotMovesTheSlotAndCheckpoints() throws {
        let runner = try Runner()
        defer { runner.finish() }
        let slot = "\(runner.database)_idle"
        _ = try runner.sql("SELECT pg_create_logical_replication_slot('\(slot)', 'pgoutput')")
        _ = try runner.sql("CREATE TABLE t (id int PRIMARY KEY); INSERT INTO t SELECT generate_series(1, 100)")
        let before = try runner.sql("SELECT pg_current_wal_lsn()")
        let checkpoint = try runner.sql("SELECT checkpoint_lsn FROM pg_control_checkpoint()")
        let run = try runner.runner(["skip-slot:blue:\(slot)"])
        #expect(run.status == 0, "\(run.output)")
        #expect(run.output.contains("slot \(slot) on blue moved to"), "\(run.output)")
        #expect(try runner.sql("SELECT confirmed_flush_lsn >= '\(before)'::pg_lsn FROM pg_replication_slots WHERE slot_name = '\(slot)'") == "t")
        #expect(try runner.sql("SELECT checkpoint_lsn > '\(checkpoint)'::pg_lsn FROM pg_control_checkpoint()") == "t", "no checkpoint after the skip")
    }

    /// unfence retries for UNFENCE_SECONDS, no longer (the switch Jobs' grace period after a TERM holds
    /// it): here blue's admin Secret names a role that cannot log in, and the step gives up after about
    /// 3 s, the fence whole (the role reset and the function's replacement are one transaction).
    @Test func unfenceIsBounded() throws {
        let runner = try Runner()
        defer { runner.finish() }
        let app = "app_\(runner.database)"
        _ = try runner.sql("CREATE ROLE \(app) LOGIN; CREATE TABLE t (id int PRIMARY KEY)")
        defer { _ = try? runner.sql("DROP ROLE IF EXISTS \(app)", database: "postgres") }
        try runner.secret("blue", user: app)
        let fence = try runner.runner(["fence:blue"])
        #expect(fence.status == 0, "\(fence.output)")
        try runner.secret("blueadmin", user: "nobody_\(runner.database)")
        let unfence = try runner.runner(["unfence:blue"], env: ["UNFENCE_SECONDS": "3"])
        #expect(unfence.status != 0, "\(unfence.output)")
        #expect(unfence.seconds < 15, "unfence took \(unfence.seconds) s")
        #expect(try Self.fence(runner, app) == "11", "half a fence left")
        try runner.secret("blueadmin", user: "postgres")
        let lifted = try runner.runner(["unfence:blue"])
        #expect(lifted.status == 0, "\(lifted.output)")
        #expect(try Self.fence(runner, app) == "00")
        #expect(try runner.sql("SELECT count(*) FROM pg_namespace WHERE nspname = 'cutover_fence'") == "0", "nothing held a table: the triggers and the schema go at once")
    }

    /// MUST-FIX 3: one long read on a fenced table (ACCESS SHARE for 30 s) does not keep the side
    /// fenced: unfence replaces the trigger function (no table lock) and resets the role in one
    /// transaction, and a write succeeds right after it; the trigger a DROP TRIGGER could not lock
    /// within 100 ms stays (doing nothing) until drop-lifted-fence (cleanup) finds the table free.
    /// Before, unfence dropped the schema with CASCADE, whose ACCESS EXCLUSIVE waited for the read:
    /// the step failed after UNFENCE_SECONDS and the table still refused every write.
    @Test func unfenceDoesNotWaitForALongRead() throws {
        let runner = try Runner()
        defer { runner.finish() }
        let app = "app_\(runner.database)"
        _ = try runner.sql("CREATE ROLE \(app) LOGIN; CREATE TABLE t (id int PRIMARY KEY); CREATE TABLE u (id int PRIMARY KEY)")
        defer { _ = try? runner.sql("DROP ROLE IF EXISTS \(app)", database: "postgres") }
        try runner.secret("blue", user: app)
        let fence = try runner.runner(["fence:blue"])
        #expect(fence.status == 0, "\(fence.output)")
        #expect(throws: (any Error).self) { try runner.sql("INSERT INTO t VALUES (0)") }
        let holder = Process()
        holder.executableURL = URL(fileURLWithPath: runner.bin + "/psql")
        holder.arguments = ["-X", "-q", "-h", runner.socket, "-p", "5432", "-U", "postgres", "-d", runner.database,
                            "-c", "BEGIN; SELECT count(*) FROM t; SELECT pg_sleep(30); COMMIT;"]
        holder.standardOutput = FileHandle.nullDevice
        holder.standardError = FileHandle.nullDevice
        try holder.run()
        defer { if holder.isRunning { holder.terminate() }; holder.waitUntilExit() }
        var waited = 0
        while try runner.sql("SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation WHERE c.relname = 't' AND l.mode = 'AccessShareLock' AND l.granted AND l.pid <> pg_backend_pid()") == "0" && waited < 100 {
            Thread.sleep(forTimeInterval: 0.1); waited += 1
        }
        let started = Date()
        let unfence = try runner.runner(["unfence:blue"], env: ["UNFENCE_SECONDS": "10"])
        _ = try runner.sql("INSERT INTO t VALUES (1); INSERT INTO u VALUES (1)")
        let writable = Date().timeIntervalSince(started)
        #expect(unfence.status == 0, "\(unfence.output)")
        #expect(writable < 5, "writes accepted again only after \(writable) s")
        #expect(holder.isRunning, "the long read ended before the check")
        #expect(try Self.fence(runner, app) == "00")
        #expect(unfence.output.contains("keep the lifted fence's trigger"), "\(unfence.output)")
        #expect(try runner.sql("SELECT string_agg(tgrelid::regclass::text, ',') FROM pg_trigger WHERE tgname = 'cutover_fence'") == "t", "u was free: its trigger goes at once")
        _ = try runner.sql("SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE query LIKE 'BEGIN; SELECT count(*) FROM t;%' AND datname = current_database()")
        holder.waitUntilExit()
        let later = try runner.runner(["drop-lifted-fence:blue"])
        #expect(later.status == 0, "\(later.output)")
        #expect(try runner.sql("SELECT count(*) FROM pg_trigger WHERE tgname = 'cutover_fence'") == "0")
        #expect(try runner.sql("SELECT count(*) FROM pg_namespace WHERE nspname = 'cutover_fence'") == "0")
        // A fence set again over a lifted one's leftovers refuses at once.
        let again = try runner.runner(["fence:blue"])
        #expect(again.status == 0, "\(again.output)")
        #expect(throws: (any Error).self) { try runner.sql("INSERT INTO t VALUES (2)") }
    }

    /// Blue's admin Secret may hold a role with REPLICATION that is no superuser: the preflight finds
    /// out before anything changes that it may not CHECKPOINT (skip-slot's durability in the
    /// switchback, once the app is on green), and passes once it is a member of pg_checkpoint.
    @Test func preflightRefusesAnAdminThatCannotCheckpoint() throws {
        let runner = try Runner()
        defer { runner.finish() }
        let admin = "repl_\(runner.database)"
        _ = try runner.sql("CREATE ROLE \(admin) LOGIN REPLICATION")
        defer { _ = try? runner.sql("DROP ROLE IF EXISTS \(admin)", database: "postgres") }
        try runner.secret("blueadmin", user: admin)
        let refused = try runner.runner(["preflight:blue:\(runner.database)_slot"])
        #expect(refused.status != 0, "\(refused.output)")
        #expect(refused.output.contains("may not run CHECKPOINT"), "\(refused.output)")
        _ = try runner.sql("GRANT pg_checkpoint TO \(admin)")
        // sre10e S2: on PostgreSQL 15 only a superuser creates a subscription (the way back's, on blue,
        // in the switch): refused here, not after the copy. Before, this preflight passed.
        let subscribe = try runner.runner(["preflight:blue:\(runner.database)_slot"])
        #expect(subscribe.status != 0, "\(subscribe.output)")
        #expect(!subscribe.output.contains("may not run CHECKPOINT"), "\(subscribe.output)")
        #expect(subscribe.output.contains("may not create the way back's subscription on blue (CREATE SUBSCRIPTION)"), "\(subscribe.output)")
        _ = try runner.sql("ALTER ROLE \(admin) SUPERUSER")
        let passed = try runner.runner(["preflight:blue:\(runner.database)_slot"])
        #expect(passed.status == 0, "\(passed.output)")
    }

    /// if-switched reads a lookup that failed (green not reachable with its Secret) as no marker:
    /// the step fails; it must never pass as if the switch had completed.
    @Test func ifSwitchedFailsWhenTheLookupFails() throws {
        let runner = try Runner()
        defer { runner.finish() }
        try runner.secret("green", user: "nobody_\(runner.database)")
        let run = try runner.runner(["if-switched:green:\(runner.database)_sub"])
        #expect(run.status != 0, "\(run.output)")
    }

    /// unless-switched with the subscription there and no marker asks whether blue carries an earlier
    /// run's fence: a failed lookup is no answer to go on with (the Job would adopt a fence it cannot see).
    @Test func unlessSwitchedFailsWhenBlueCannotBeAsked() throws {
        let runner = try Runner()
        defer { runner.finish() }
        let sub = "\(runner.database)_sub"
        _ = try runner.sql("CREATE SUBSCRIPTION \(sub) CONNECTION 'dbname=\(runner.database)' PUBLICATION nothing WITH (connect = false)")
        try runner.secret("blueadmin", user: "nobody_\(runner.database)")
        let run = try runner.runner(["unless-switched:green:\(sub)"])
        #expect(run.status != 0, "\(run.output)")
        #expect(!run.output.contains("carries the fence of an earlier run"), "\(run.output)")
    }

    /// while-switched with the subscription there and no marker asks whether blue is fenced (a
    /// committed switchback to complete): a failed lookup must fail the Job, not commit it.
    @Test func whileSwitchedFailsWhenBlueCannotBeAsked() throws {
        let runner = try Runner()
        defer { runner.finish() }
        let sub = "\(runner.database)_sub"
        _ = try runner.sql("CREATE SUBSCRIPTION \(sub) CONNECTION 'dbname=\(runner.database)' PUBLICATION nothing WITH (connect = false)")
        try runner.secret("blueadmin", user: "nobody_\(runner.database)")
        let run = try runner.runner(["while-switched:green:\(sub)"])
        #expect(run.status != 0, "\(run.output)")
        #expect(!run.output.contains("completing a switchback"), "\(run.output)")
    }
}

/// The fence's owner, the switchback's own state, the idle-slot check and the preflight's grant
/// check: each runs templates/run-psql.sh itself against PostgreSQL 15, blue and green one database
/// (a fence on one is a fence on the other; the steps read the state they need from either).
extension RunPsqlRunnerTests {
    /// The app's role (blue's Secret), a keyed table and the forward subscription (never connected,
    /// disabled, no marker): the state the switch Jobs look at. Returns the subscription's name.
    static func switchState(_ runner: Runner) throws -> (app: String, sub: String) {
        let app = "app_\(runner.database)"
        let sub = "\(runner.database)_sub"
        _ = try runner.sql("CREATE ROLE \(app) LOGIN; CREATE TABLE t (id int PRIMARY KEY)")
        try runner.secret("blue", user: app)
        _ = try runner.sql("CREATE SUBSCRIPTION \(sub) CONNECTION 'dbname=\(runner.database)' PUBLICATION nothing WITH (connect = false)")
        try runner.sqlFile("fail.sql", "SELECT 1 / 0;")
        try runner.sqlFile("slow-fail.sql", "SELECT pg_sleep(4); SELECT 1 / 0;")
        return (app, sub)
    }

    /// 1 when the test database carries the fence's schema and the app role's read-only setting.
    static func fence(_ runner: Runner, _ app: String, side: String = "blue") throws -> String {
        try runner.sql("""
            SELECT (EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = 'cutover_fence'
                            AND coalesce(obj_description(oid, 'pg_namespace'), '') <> 'cutover fence, lifted'))::int::text
                   || (EXISTS (SELECT 1 FROM pg_db_role_setting s JOIN pg_roles r ON r.oid = s.setrole
                                WHERE r.rolname = '\(app)' AND 'default_transaction_read_only=on' = ANY (s.setconfig)))::int::text
            """, side: side)
    }

    /// M2: a run of the switch that fenced blue and is still ending (a pod Helm's before-hook-creation
    /// deleted, a replacement's predecessor) while another run took its fence over must not lift it on
    /// its way out: the other run goes on behind that fence.
    @Test func trapLeavesAFenceAnotherRunTookOver() throws {
        let runner = try Runner()
        defer { runner.finish() }
        let (app, sub) = try Self.switchState(runner)
        defer { _ = try? runner.sql("DROP ROLE IF EXISTS \(app)", database: "postgres") }
        let first = try runner.start(["fence:blue", "blue:slow-fail.sql"])
        var waited = 0
        while try runner.sql("SELECT count(*) FROM pg_trigger WHERE tgname = 'cutover_fence'") == "0" && waited < 100 {
            Thread.sleep(forTimeInterval: 0.1); waited += 1
        }
        // The second run takes the fence over (lifted at once: no marker, the app never left blue, M5)
        // and fences blue again as its own.
        let second = try runner.runner(["unless-switched:green:\(sub)", "fence:blue"])
        #expect(second.status == 0, "\(second.output)")
        #expect(second.output.contains("taken over and lifted"), "\(second.output)")
        let ended = first.finish()
        #expect(ended.status != 0, "\(ended.output)")
        #expect(ended.output.contains("another run's now"), "\(ended.output)")
        #expect(try Self.fence(runner, app) == "11", "the first run lifted the fence the second run took over")
    }

    /// M2: a run whose fence another run took over stops before it marks the switch: the mark is
    /// the other run's to write.
    @Test func markNeedsTheRunsOwnFence() throws {
        let runner = try Runner()
        defer { runner.finish() }
        let (app, sub) = try Self.switchState(runner)
        defer { _ = try? runner.sql("DROP ROLE IF EXISTS \(app)", database: "postgres") }
        try runner.sqlFile("take-over.sql", "COMMENT ON SCHEMA cutover_fence IS 'cutover fence, owner another-pod/1/x';")
        let run = try runner.runner(["fence:blue", "blueadmin:take-over.sql", "mark-switched:green:\(sub)"])
        #expect(run.status != 0, "\(run.output)")
        #expect(run.output.contains("is not this run's"), "\(run.output)")
        #expect(try runner.sql("SELECT coalesce(obj_description(oid, 'pg_subscription'), '') FROM pg_subscription WHERE subname = '\(sub)'") == "")
        #expect(try Self.fence(runner, app) == "11", "the fence another run owns was lifted")
    }

    /// M4: blue fenced and no marker is a switch stopped before its mark (the app never left blue):
    /// the switchback lifts that fence and ends, it does not "complete a committed switchback" (whose
    /// failure would keep blue fenced with the app on it).
    @Test func switchbackLiftsTheFenceOfAnInterruptedSwitch() throws {
        let runner = try Runner()
        defer { runner.finish() }
        let (app, sub) = try Self.switchState(runner)
        defer { _ = try? runner.sql("DROP ROLE IF EXISTS \(app)", database: "postgres") }
        let killed = try runner.runner(["fence:blue"])  // a switch run that stopped here without its EXIT trap
        #expect(killed.status == 0, "\(killed.output)")
        let back = try runner.runner(["while-switched:green:\(sub)", "blue:fail.sql"])
        #expect(back.status == 0, "\(back.output)")
        #expect(back.output.contains("stopped before it completed"), "\(back.output)")
        #expect(try Self.fence(runner, app) == "00", "blue, where the app is, still refuses writes")
    }

    /// M4: past the switchback's point of no return (its own marker), a failure keeps both fences, a
    /// re-run completes it and ends with no marker; a re-run after that changes nothing.
    @Test func switchbackResumesPastItsPointOfNoReturn() throws {
        let runner = try Runner()
        defer { runner.finish() }
        let (app, sub) = try Self.switchState(runner)
        defer { _ = try? runner.sql("DROP ROLE IF EXISTS \(app)", database: "postgres") }
        let committed = try runner.runner(["fence:green", "mark-switching-back:green:\(sub)", "blue:fail.sql"])
        #expect(committed.status != 0, "\(committed.output)")
        #expect(try Self.fence(runner, app) == "11", "a committed switchback lifted a fence")
        let failed = try runner.runner(["while-switched:green:\(sub)", "blue:fail.sql"])
        #expect(failed.status != 0, "\(failed.output)")
        #expect(failed.output.contains("completing it"), "\(failed.output)")
        #expect(try Self.fence(runner, app) == "11", "a committed switchback lifted a fence")
        let resumed = try runner.runner(["while-switched:green:\(sub)", "fence:green", "mark-switching-back:green:\(sub)",
                                         "unfence:blue", "unmark-switched:green:\(sub)"])
        #expect(resumed.status == 0, "\(resumed.output)")
        #expect(try runner.sql("SELECT coalesce(obj_description(oid, 'pg_subscription'), '') FROM pg_subscription WHERE subname = '\(sub)'") == "")
        let again = try runner.runner(["while-switched:green:\(sub)", "blue:fail.sql"])
        #expect(again.status == 0, "\(again.output)")
        #expect(again.output.contains("nothing to switch back"), "\(again.output)")
    }

    /// M4: the switch, run while a switchback is past its point of no return, refuses and keeps every
    /// fence: adopting blue's fence as its own and lifting it on a failure would put the app's writes
    /// on blue while green still has the last of them to send.
    @Test func switchRefusesAHalfDoneSwitchback() throws {
        let runner = try Runner()
        defer { runner.finish() }
        let (app, sub) = try Self.switchState(runner)
        defer { _ = try? runner.sql("DROP ROLE IF EXISTS \(app)", database: "postgres") }
        let committed = try runner.runner(["fence:green", "mark-switching-back:green:\(sub)"])
        #expect(committed.status == 0, "\(committed.output)")
        let switchAgain = try runner.runner(["unless-switched:green:\(sub)", "blue:fail.sql"])
        #expect(switchAgain.status != 0, "\(switchAgain.output)")
        #expect(switchAgain.output.contains("passed its point of no return"), "\(switchAgain.output)")
        #expect(try Self.fence(runner, app) == "11", "the switch lifted the fence of a committed switchback")
    }

    /// M4, the other direction: a switch stopped after its fence (no marker) is resumed by the
    /// switch's next run, which takes that fence over and lifts it at once (M5): failing later, it
    /// leaves blue unfenced.
    @Test func switchResumesAfterItsFence() throws {
        let runner = try Runner()
        defer { runner.finish() }
        let (app, sub) = try Self.switchState(runner)
        defer { _ = try? runner.sql("DROP ROLE IF EXISTS \(app)", database: "postgres") }
        let killed = try runner.runner(["fence:blue"])
        #expect(killed.status == 0, "\(killed.output)")
        let again = try runner.runner(["unless-switched:green:\(sub)", "blue:fail.sql"])
        #expect(again.status != 0, "\(again.output)")
        #expect(again.output.contains("taken over and lifted"), "\(again.output)")
        #expect(try Self.fence(runner, app) == "00")
    }

    /// S5: an idle slot whose subscription is enabled is no direction out of use: its worker cannot
    /// stream (here it cannot connect). check-lag gives it MAX seconds, then fails; disabled, it passes.
    @Test func checkLagFailsAnIdleSlotOfAnEnabledSubscription() throws {
        let runner = try Runner()
        defer { runner.finish() }
        let slot = "\(runner.database)_fwd"
        _ = try runner.sql("SELECT pg_create_logical_replication_slot('\(slot)', 'pgoutput')")
        _ = try runner.sql("CREATE SUBSCRIPTION \(slot) CONNECTION 'host=/nonexistent dbname=\(runner.database)' PUBLICATION nothing WITH (connect = false)")
        let disabled = try runner.runner(["check-lag:blue:\(slot):1"])
        #expect(disabled.status == 0, "\(disabled.output)")
        #expect(disabled.output.contains("is disabled"), "\(disabled.output)")
        _ = try runner.sql("ALTER SUBSCRIPTION \(slot) ENABLE")
        let enabled = try runner.runner(["check-lag:blue:\(slot):1"])
        #expect(enabled.status != 0, "\(enabled.output)")
        #expect(enabled.output.contains("its worker is not running"), "\(enabled.output)")
        _ = try runner.sql("ALTER SUBSCRIPTION \(slot) DISABLE")
    }

    /// S7: the role a Secret names may have lost EXECUTE on pg_logical_emit_message (revoked from
    /// PUBLIC): every catch-up of the switch needs it; the preflight says so before anything changes.
    @Test func preflightRefusesARoleThatCannotEmitTheCatchUpMessage() throws {
        let runner = try Runner()
        defer { runner.finish() }
        let app = "app_\(runner.database)"
        _ = try runner.sql("CREATE ROLE \(app) LOGIN")
        defer { _ = try? runner.sql("DROP ROLE IF EXISTS \(app)", database: "postgres") }
        try runner.secret("blue", user: app)
        let passed = try runner.runner(["preflight:blue:\(runner.database)_slot"])
        #expect(passed.status == 0, "\(passed.output)")
        _ = try runner.sql("REVOKE EXECUTE ON FUNCTION pg_catalog.pg_logical_emit_message(boolean, text, text) FROM PUBLIC")
        let refused = try runner.runner(["preflight:blue:\(runner.database)_slot"])
        #expect(refused.status != 0, "\(refused.output)")
        #expect(refused.output.contains("may not execute pg_logical_emit_message"), "\(refused.output)")
        _ = try runner.sql("GRANT EXECUTE ON FUNCTION pg_catalog.pg_logical_emit_message(boolean, text, text) TO \(app)")
        let granted = try runner.runner(["preflight:blue:\(runner.database)_slot"])
        #expect(granted.status == 0, "\(granted.output)")
    }

    /// Two sides, real logical replication between them: the app's role on both (blue's Secret names
    /// it), a keyed table on both with a row, blue's publication of every table and green's
    /// subscription streaming from it (slot and subscription named alike, as the Jobs name them),
    /// the copy done. Returns the app's role and the subscription.
    static func replicated(_ runner: Runner) throws -> (app: String, sub: String) {
        let app = "app_\(runner.database)"
        let sub = "\(runner.database)_fwd"
        for side in ["blue", "green"] {
            _ = try runner.sql("CREATE ROLE \(app) LOGIN", database: "postgres", side: side)
            _ = try runner.sql("CREATE TABLE t (id int PRIMARY KEY, note text)", side: side)
        }
        try runner.secret("blue", user: app)
        _ = try runner.sql("INSERT INTO t VALUES (1, 'before the switch'); CREATE PUBLICATION \(sub) FOR ALL TABLES")
        _ = try runner.sql("CREATE SUBSCRIPTION \(sub) CONNECTION 'host=\(runner.socket) port=5432 dbname=\(runner.database) user=postgres' PUBLICATION \(sub)", side: "green")
        let synced = try runner.runner(["wait-synced:blue:green:\(sub)"])
        guard synced.status == 0 else { throw HarnessError("replication did not start: \(synced.output)") }
        try runner.sqlFile("fail.sql", "SELECT 1 / 0;")
        return (app, sub)
    }

    static func dropRoles(_ runner: Runner, _ app: String) {
        for side in ["blue", "green"] { _ = try? runner.sql("DROP ROLE IF EXISTS \(app)", database: "postgres", side: side) }
    }

    static func marker(_ runner: Runner, _ sub: String) throws -> String {
        try runner.sql("SELECT coalesce(obj_description(oid, 'pg_subscription'), 'none') FROM pg_subscription WHERE subname = '\(sub)'", side: "green")
    }

    /// The switchover Job's steps (no checksum tables here), as JobCatalog lists them.
    static func switchover(_ sub: String) -> [String] {
        ["unless-switched:green:\(sub)", "wait-synced:blue:green:\(sub)", "same-tables:blue:green:\(sub)", "unfence:green", "fence:blue",
         "wait-synced:blue:green:\(sub)", "same-tables:blue:green:\(sub)", "sync-sequences:blue:green", "mark-switched:green:\(sub)"]
    }

    /// MUST-FIX 1: a switch killed right after its mark committed (blue fenced, marked, forward
    /// replication still on: reverse-replication never ran), then blue unfenced by hand: the app
    /// writes on blue again. Running the switch again must fence blue again and carry that write to
    /// green; before, unless-switched trusted the marker and ended the Job at once, blue taking writes
    /// that reverse-replication (which disables the forward subscription next) would then cut off.
    @Test func switchAgainAfterAHandUnfenceUnderTheMarkerFencesBlue() throws {
        let runner = try Runner(twoSided: true)
        defer { runner.finish() }
        let (app, sub) = try Self.replicated(runner)
        defer { Self.dropRoles(runner, app) }
        let killed = try runner.runner(["fence:blue", "mark-switched:green:\(sub)"])
        #expect(killed.status == 0, "\(killed.output)")
        _ = try runner.sql("DROP SCHEMA cutover_fence CASCADE; ALTER ROLE \(app) RESET default_transaction_read_only")
        _ = try runner.sql("INSERT INTO t VALUES (42, 'after the hand unfence')")
        let again = try runner.runner(Self.switchover(sub))
        #expect(again.status == 0, "\(again.output)")
        #expect(!again.output.contains("nothing to do"), "\(again.output)")
        #expect(try Self.fence(runner, app) == "11", "blue takes writes under the switch's marker: \(again.output)")
        #expect(try runner.sql("SELECT note FROM t WHERE id = 42", side: "green") == "after the hand unfence")
        #expect(try Self.marker(runner, sub) == "cutover: switched from blue to green")
    }

    /// MUST-FIX 1: the same hand unfence after reverse-replication disabled the forward subscription
    /// (the app belongs on green): the switch, run again, fences blue again and ends.
    @Test func switchAgainAfterTheWayBackFencesBlueAgain() throws {
        let runner = try Runner(twoSided: true)
        defer { runner.finish() }
        let (app, sub) = try Self.replicated(runner)
        defer { Self.dropRoles(runner, app) }
        #expect(try runner.runner(Self.switchover(sub)).status == 0)
        _ = try runner.sql("ALTER SUBSCRIPTION \(sub) DISABLE", side: "green")
        _ = try runner.sql("DROP SCHEMA cutover_fence CASCADE; ALTER ROLE \(app) RESET default_transaction_read_only")
        let again = try runner.runner(Self.switchover(sub) + ["blue:fail.sql"])
        #expect(again.status == 0, "\(again.output)")
        #expect(again.output.contains("fenced again"), "\(again.output)")
        #expect(try Self.fence(runner, app) == "11", "blue takes writes with the app on green")
        #expect(try runner.sql("SELECT subenabled FROM pg_subscription WHERE subname = '\(sub)'", side: "green") == "f", "forward replication came back")
    }

    /// MUST-FIX 1: a switchback killed after fence:green (before its point of no return, so no EXIT
    /// trap lifted it), then the switch run again (staying on green): green must take the app's
    /// writes. Before, unless-switched saw the switch's marker and ended, green still fenced.
    @Test func switchAgainAfterAKilledSwitchbackLiftsGreensFence() throws {
        let runner = try Runner(twoSided: true)
        defer { runner.finish() }
        let (app, sub) = try Self.replicated(runner)
        defer { Self.dropRoles(runner, app) }
        #expect(try runner.runner(Self.switchover(sub)).status == 0)
        _ = try runner.sql("ALTER SUBSCRIPTION \(sub) DISABLE", side: "green")
        let killed = try runner.runner(["fence:green"])
        #expect(killed.status == 0, "\(killed.output)")
        #expect(try Self.fence(runner, app, side: "green") == "11")
        let again = try runner.runner(Self.switchover(sub) + ["blue:fail.sql"])
        #expect(again.status == 0, "\(again.output)")
        #expect(try Self.fence(runner, app, side: "green") == "00", "green, where the app is, refuses its writes: \(again.output)")
        _ = try runner.sql("INSERT INTO t VALUES (7, 'on green')", side: "green")
        #expect(try Self.fence(runner, app) == "11", "blue lost its fence")
        #expect(try Self.marker(runner, sub) == "cutover: switched from blue to green")
    }

    /// MUST-FIX 1, the switchback: under the marker with blue unfenced by hand and forward replication
    /// still on, the app never left blue: the switchback removes the marker and ends (it must not
    /// fence green, re-create slots and sync sequences as if coming back from green).
    @Test func switchbackAfterAHandUnfenceBeforeTheWayBackEnds() throws {
        let runner = try Runner(twoSided: true)
        defer { runner.finish() }
        let (app, sub) = try Self.replicated(runner)
        defer { Self.dropRoles(runner, app) }
        #expect(try runner.runner(["fence:blue", "mark-switched:green:\(sub)"]).status == 0)
        _ = try runner.sql("DROP SCHEMA cutover_fence CASCADE; ALTER ROLE \(app) RESET default_transaction_read_only")
        let back = try runner.runner(["while-switched:green:\(sub)", "blue:fail.sql"])
        #expect(back.status == 0, "\(back.output)")
        #expect(back.output.contains("the app never left blue"), "\(back.output)")
        #expect(try Self.marker(runner, sub) == "none")
        #expect(try Self.fence(runner, app) == "00")
    }

    /// SHOULD-FIX: the EXIT trap reads the marker before it lifts blue's fence. Here another run
    /// marked the switch complete after this run fenced blue (the marker written directly), then this
    /// run fails: blue must stay fenced (the app belongs on green). Before, the trap lifted it.
    @Test func trapKeepsBluesFenceUnderTheMarker() throws {
        let runner = try Runner()
        defer { runner.finish() }
        let (app, sub) = try Self.switchState(runner)
        defer { _ = try? runner.sql("DROP ROLE IF EXISTS \(app)", database: "postgres") }
        try runner.sqlFile("mark.sql", "COMMENT ON SUBSCRIPTION \(sub) IS 'cutover: switched from blue to green';")
        let run = try runner.runner(["unless-switched:green:\(sub)", "fence:blue", "green:mark.sql", "blue:fail.sql"])
        #expect(run.status != 0, "\(run.output)")
        #expect(run.output.contains("the fence stays"), "\(run.output)")
        #expect(try Self.fence(runner, app) == "11", "the trap lifted blue's fence under the switch's marker")
    }

    /// SHOULD-FIX: check-lag with no slot while its subscription is enabled fails (nothing streams, the
    /// subscriber applies none of the side's writes); disabled or gone, that direction is not in use.
    @Test func checkLagFailsAMissingSlotOfAnEnabledSubscription() throws {
        let runner = try Runner()
        defer { runner.finish() }
        let slot = "\(runner.database)_gone"
        _ = try runner.sql("CREATE SUBSCRIPTION \(slot) CONNECTION 'host=/nonexistent dbname=\(runner.database)' PUBLICATION nothing WITH (connect = false)")
        let disabled = try runner.runner(["check-lag:blue:\(slot):1"])
        #expect(disabled.status == 0, "\(disabled.output)")
        _ = try runner.sql("ALTER SUBSCRIPTION \(slot) ENABLE")
        defer { _ = try? runner.sql("ALTER SUBSCRIPTION \(slot) DISABLE") }
        let enabled = try runner.runner(["check-lag:blue:\(slot):1"])
        #expect(enabled.status != 0, "\(enabled.output)")
        #expect(enabled.output.contains("no slot \(slot) on blue, but subscription"), "\(enabled.output)")
    }

    /// SHOULD-FIX: rollback-replicate (which drops the forward subscription, the marker with it) refuses
    /// under the switch's marker; cleanup's guard passes there with blue fenced, refuses it unfenced.
    @Test func replicationDropsAreGuardedByTheMarker() throws {
        let runner = try Runner()
        defer { runner.finish() }
        let (app, sub) = try Self.switchState(runner)
        defer { _ = try? runner.sql("DROP ROLE IF EXISTS \(app)", database: "postgres") }
        #expect(try runner.runner(["unless-switching:green:\(sub):refuse"]).status == 0)
        _ = try runner.sql("COMMENT ON SUBSCRIPTION \(sub) IS 'cutover: switched from blue to green'")
        let rollback = try runner.runner(["unless-switching:green:\(sub):refuse", "green:fail.sql"])
        #expect(rollback.status != 0 && rollback.output.contains("switch back first"), "\(rollback.output)")
        let unfenced = try runner.runner(["unless-switching:green:\(sub):switched-ok", "green:fail.sql"])
        #expect(unfenced.status != 0 && unfenced.output.contains("blue is not fenced"), "\(unfenced.output)")
        #expect(try runner.runner(["fence:blue"]).status == 0)
        let cleanup = try runner.runner(["unless-switching:green:\(sub):switched-ok"])
        #expect(cleanup.status == 0, "\(cleanup.output)")
    }

    /// SHOULD-FIX: a switchback that fails before its point of no return (here right after green's
    /// fence) leaves the app on green: its EXIT trap lifts green's fence and drops the forward slot it
    /// created again on blue, which, idle with its subscription disabled, would hold blue's WAL.
    @Test func failedSwitchbackDropsTheSlotItCreatedAgain() throws {
        let runner = try Runner(twoSided: true)
        defer { runner.finish() }
        let (app, sub) = try Self.replicated(runner)
        defer { Self.dropRoles(runner, app) }
        #expect(try runner.runner(Self.switchover(sub)).status == 0)
        _ = try runner.sql("ALTER SUBSCRIPTION \(sub) DISABLE", side: "green")
        var waited = 0
        while try runner.sql("SELECT count(*) FROM pg_replication_slots WHERE slot_name = '\(sub)' AND active") != "0" && waited < 100 {
            Thread.sleep(forTimeInterval: 0.1); waited += 1
        }
        _ = try runner.sql("SELECT pg_drop_replication_slot('\(sub)')")
        try runner.sqlFile("slot.sql", "SELECT pg_create_logical_replication_slot('\(sub)', 'pgoutput');")
        let back = try runner.runner(["while-switched:green:\(sub)", "blueadmin:slot.sql", "fence:green", "blue:fail.sql"])
        #expect(back.status != 0, "\(back.output)")
        #expect(try runner.sql("SELECT count(*) FROM pg_replication_slots WHERE slot_name = '\(sub)'") == "0", "the idle forward slot stayed on blue: \(back.output)")
        #expect(try Self.fence(runner, app, side: "green") == "00", "\(back.output)")
        #expect(try Self.fence(runner, app) == "11")
    }

    /// MUST-FIX 1, the runbook: its unfence by hand (the switchover section's lines, run as pasted,
    /// with the URLs it names) reads the marker on green first. Under the switch's marker (a Job killed
    /// at mark-switched) blue stays fenced; with none (a switch stopped before its mark) the fence is
    /// lifted, and blue takes writes. Before, the runbook's command lifted it whatever the marker said.
    @Test func runbookUnfenceReadsTheMarkerFirst() throws {
        let runner = try Runner(twoSided: true)
        defer { runner.finish() }
        let (app, sub) = try Self.replicated(runner)
        defer { Self.dropRoles(runner, app) }
        let readme = try PlanReadmeTests.readme("ledger-pg14.yaml").replacingOccurrences(of: "cutover_ledger_pg14", with: sub)
        let lines = readme.split(separator: "\n").map(String.init)
        let marker = try #require(lines.first { $0.hasPrefix("marker=\"$(psql \"${GREEN_URL:?") })
        let unfence = try #require(lines.first { $0.hasPrefix("[ \"$marker\" = none ] && psql \"${BLUE_ADMIN_URL:?") })
        func url(_ socket: String) -> String {
            "postgresql://postgres@/\(runner.database)?host=\(socket.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? socket)&port=5432"
        }
        func paste() throws -> String {
            try runner.run("/bin/sh", ["-c", marker + "\n" + unfence + "\ntrue"],
                           env: ["GREEN_URL": url(runner.greenSocket), "BLUE_ADMIN_URL": url(runner.socket), "APP_ROLE": app]).output
        }
        #expect(try runner.runner(["fence:blue", "mark-switched:green:\(sub)"]).status == 0)
        let marked = try paste()
        #expect(marked.contains("marker: cutover: switched from blue to green"), "\(marked)")
        #expect(try Self.fence(runner, app) == "11", "the runbook lifted blue's fence under the switch's marker: \(marked)")
        #expect(try runner.runner(["unmark-switched:green:\(sub)"]).status == 0)
        let unmarked = try paste()
        #expect(unmarked.contains("marker: none"), "\(unmarked)")
        #expect(try Self.fence(runner, app) == "00", "\(unmarked)")
        _ = try runner.sql("INSERT INTO t VALUES (9, 'after the unfence by hand')")
    }

    /// `drop-forward.sql`: the forward subscription dropped as cleanup drops it (detached from its slot first).
    static func dropForward(_ runner: Runner, _ sub: String) throws {
        try runner.sqlFile("drop-forward.sql", """
            DO $$ BEGIN
              IF EXISTS (SELECT 1 FROM pg_subscription WHERE subname = '\(sub)') THEN
                ALTER SUBSCRIPTION \(sub) DISABLE;
                ALTER SUBSCRIPTION \(sub) SET (slot_name = NONE);
              END IF;
            END $$;
            DROP SUBSCRIPTION IF EXISTS \(sub);
            """)
    }

    /// Issue #10 M2: after cleanup, `switchover.to=green` stays in the release's values, so every
    /// `helm upgrade --reuse-values` (a re-run of the cleanup command among them) runs the
    /// reverse-replication Job again. Its first step must end it (success, nothing changed): the
    /// forward subscription is gone and blue fenced. Before, if-switched read "gone" as "not
    /// switched" and failed the upgrade.
    @Test func reverseReplicationAfterCleanupChangesNothing() throws {
        let runner = try Runner(twoSided: true)
        defer { runner.finish() }
        let (app, sub) = try Self.replicated(runner)
        defer { Self.dropRoles(runner, app) }
        #expect(try runner.runner(Self.switchover(sub)).status == 0)
        try Self.dropForward(runner, sub)
        let cleanup = try runner.runner(["unless-switching:green:\(sub):switched-ok", "green:drop-forward.sql"])
        #expect(cleanup.status == 0, "\(cleanup.output)")
        let again = try runner.runner(["if-switched:green:\(sub)", "green:fail.sql"])
        #expect(again.status == 0, "\(again.output)")
        #expect(again.output.contains("switched over and cleaned up: nothing to do"), "\(again.output)")
        #expect(try Self.fence(runner, app) == "11", "blue lost its fence")
        #expect(try Self.fence(runner, app, side: "green") == "00")
    }

    /// Issue #10 M3: a switch killed outright after fencing blue (no marker, no EXIT trap), then
    /// rollback-replicate or cleanup: their first step must refuse, before the forward subscription
    /// goes. Before, it let "no marker, blue fenced" through: the subscription dropped, unless-switched
    /// then read "cleaned up", while-switched "no way back", and blue stayed fenced with the app on it.
    @Test func replicationDropsRefuseAStoppedSwitchsFence() throws {
        let runner = try Runner()
        defer { runner.finish() }
        let (app, sub) = try Self.switchState(runner)
        defer { _ = try? runner.sql("DROP ROLE IF EXISTS \(app)", database: "postgres") }
        #expect(try runner.runner(["fence:blue"]).status == 0)  // a switch killed here
        try Self.dropForward(runner, sub)
        for guardStep in ["unless-switching:green:\(sub):refuse", "unless-switching:green:\(sub):switched-ok"] {
            let run = try runner.runner([guardStep, "green:drop-forward.sql"])
            #expect(run.status != 0, "\(run.output)")
            #expect(run.output.contains("a switch stopped after its fence: run the switchover again, or set switchover.to=blue, which lifts the fence"), "\(run.output)")
        }
        #expect(try runner.sql("SELECT count(*) FROM pg_subscription WHERE subname = '\(sub)'") == "1", "the forward subscription was dropped")
        #expect(try Self.fence(runner, app) == "11")
        // The way out the message names: the switchback lifts the fence; then the drops may run.
        let back = try runner.runner(["while-switched:green:\(sub)"])
        #expect(back.status == 0, "\(back.output)")
        let rollback = try runner.runner(["unless-switching:green:\(sub):refuse", "green:drop-forward.sql"])
        #expect(rollback.status == 0, "\(rollback.output)")
    }

    /// A switch that marked itself but whose way back was never set up (reverse-replication failed
    /// before it disabled forward replication, or never ran): blue is fenced, the Service never moved,
    /// so every write of the app fails. Switching back, which the runbook offers, lifts blue's fence;
    /// before, the switchback refused for want of the reverse subscription and blue stayed fenced.
    @Test func switchBackBeforeTheWayBackWasSetUpLiftsBluesFence() throws {
        let runner = try Runner()
        defer { runner.finish() }
        let (app, sub) = try Self.switchState(runner)
        defer { _ = try? runner.sql("DROP ROLE IF EXISTS \(app)", database: "postgres") }
        _ = try runner.sql("ALTER SUBSCRIPTION \(sub) ENABLE")
        #expect(try runner.runner(["fence:blue", "mark-switched:green:\(sub)"]).status == 0)
        #expect(try Self.fence(runner, app) == "11")
        let back = try runner.runner(Self.switchback(sub, "\(sub)_rev"))
        #expect(back.status == 0, "\(back.output)")
        #expect(back.output.contains("the way back was never set up and the app never left blue"), "\(back.output)")
        #expect(try Self.fence(runner, app) == "00")
        let again = try runner.runner(["while-switched:green:\(sub)"])
        #expect(again.status == 0 && again.output.contains("not switched to green"), "\(again.output)")
    }

    /// The way back as reverse-replication sets it up after the switch: the forward subscription
    /// disabled, green's reverse publication and slot, blue's reverse subscription (no copy). Returns
    /// the reverse subscription's name; `drop-reverse.sql` drops it as cleanup's first drop does.
    static func wayBack(_ runner: Runner, _ sub: String) throws -> String {
        let rev = "\(sub)_rev"
        _ = try runner.sql("ALTER SUBSCRIPTION \(sub) DISABLE", side: "green")
        _ = try runner.sql("CREATE PUBLICATION \(rev) FOR ALL TABLES", side: "green")
        _ = try runner.sql("SELECT pg_create_logical_replication_slot('\(rev)', 'pgoutput')", side: "green")
        _ = try runner.sql("CREATE SUBSCRIPTION \(rev) CONNECTION 'host=\(runner.greenSocket) port=5432 dbname=\(runner.database) user=postgres' PUBLICATION \(rev) WITH (create_slot = false, slot_name = '\(rev)', copy_data = false)")
        try runner.sqlFile("drop-reverse.sql", """
            DO $$ BEGIN
              IF EXISTS (SELECT 1 FROM pg_subscription WHERE subname = '\(rev)') THEN
                ALTER SUBSCRIPTION \(rev) DISABLE;
                ALTER SUBSCRIPTION \(rev) SET (slot_name = NONE);
              END IF;
            END $$;
            DROP SUBSCRIPTION IF EXISTS \(rev);
            """)
        return rev
    }

    /// The switchback Job's steps up to its marker's removal (no slot steps here), as JobCatalog lists them.
    static func switchback(_ sub: String, _ rev: String) -> [String] {
        ["while-switched:green:\(sub)", "wait-synced:green:blue:\(rev)", "fence:green", "wait-synced:green:blue:\(rev)",
         "mark-switching-back:green:\(sub)", "sync-sequences:green:blue", "unfence:blue", "unmark-switched:green:\(sub)"]
    }

    /// Issue #10 M1: cleanup stopped right after dropping blue's reverse subscription (its first drop),
    /// the app writes on green, then a switchback: it must refuse (cleanup's marker: no way back), blue
    /// stays fenced and green takes writes. Before, the switchback read the switch's marker, found no
    /// reverse subscription "nothing to wait for", and unfenced blue without green's write. Cleanup run
    /// again completes, and the switch's Jobs then change nothing.
    @Test func switchbackRefusedOnceCleanupStarted() throws {
        let runner = try Runner(twoSided: true)
        defer { runner.finish() }
        let (app, sub) = try Self.replicated(runner)
        defer { Self.dropRoles(runner, app) }
        #expect(try runner.runner(Self.switchover(sub)).status == 0)
        let rev = try Self.wayBack(runner, sub)
        let stopped = try runner.runner(["unless-switching:green:\(sub):switched-ok", "blueadmin:drop-reverse.sql", "green:fail.sql"])
        #expect(stopped.status != 0, "\(stopped.output)")
        _ = try runner.sql("INSERT INTO t VALUES (5, 'on green after cleanup began')", side: "green")
        let back = try runner.runner(Self.switchback(sub, rev))
        #expect(back.status != 0, "\(back.output)")
        #expect(back.output.contains("no way back: cleanup started"), "\(back.output)")
        #expect(try Self.fence(runner, app) == "11", "blue took the app back without green's writes: \(back.output)")
        #expect(try Self.fence(runner, app, side: "green") == "00", "\(back.output)")
        #expect(try runner.sql("SELECT count(*) FROM t WHERE id = 5", side: "green") == "1")
        #expect(try Self.marker(runner, sub) == "cutover: cleaning up after the switch from blue to green")
        // The switch's Jobs (a `helm upgrade --reuse-values`) read it as switched, and change nothing.
        let switchAgain = try runner.runner(Self.switchover(sub) + ["blue:fail.sql"])
        #expect(switchAgain.status == 0 && switchAgain.output.contains("nothing to do"), "\(switchAgain.output)")
        let reverseAgain = try runner.runner(["if-switched:green:\(sub)", "green:fail.sql"])
        #expect(reverseAgain.status == 0, "\(reverseAgain.output)")
        let rollback = try runner.runner(["unless-switching:green:\(sub):refuse", "green:fail.sql"])
        #expect(rollback.status != 0 && rollback.output.contains("run cleanup again"), "\(rollback.output)")
        // Cleanup again completes.
        try Self.dropForward(runner, sub)
        let cleanup = try runner.runner(["unless-switching:green:\(sub):switched-ok", "blueadmin:drop-reverse.sql", "green:drop-forward.sql"])
        #expect(cleanup.status == 0, "\(cleanup.output)")
        #expect(try Self.fence(runner, app) == "11")
    }

    /// Issue #10 M1 (a): the reverse subscription gone without cleanup's marker (dropped by hand, or by
    /// a cleanup of an earlier version): the switchback stops before anything changes, blue fenced.
    @Test func switchbackNeedsTheWayBack() throws {
        let runner = try Runner(twoSided: true)
        defer { runner.finish() }
        let (app, sub) = try Self.replicated(runner)
        defer { Self.dropRoles(runner, app) }
        #expect(try runner.runner(Self.switchover(sub)).status == 0)
        let rev = try Self.wayBack(runner, sub)
        #expect(try runner.runner(["blueadmin:drop-reverse.sql"]).status == 0)
        _ = try runner.sql("INSERT INTO t VALUES (6, 'on green after the hand drop')", side: "green")
        let back = try runner.runner(Self.switchback(sub, rev))
        #expect(back.status != 0, "\(back.output)")
        #expect(back.output.contains("no subscription \(rev) on blue"), "\(back.output)")
        #expect(try Self.fence(runner, app) == "11", "blue took the app back without green's writes: \(back.output)")
        #expect(try Self.fence(runner, app, side: "green") == "00", "\(back.output)")
        #expect(try Self.marker(runner, sub) == "cutover: switched from blue to green")
    }

    /// Issue #10 M1 (a): green's reverse slot gone while blue's reverse subscription is still enabled
    /// (it streams nothing): the switchback stops at its first wait, before anything changes. Before,
    /// the wait polled a slot that would never confirm (here bounded by WAIT_ATTEMPTS).
    @Test func switchbackNeedsTheReverseSlot() throws {
        let runner = try Runner(twoSided: true)
        defer { runner.finish() }
        let (app, sub) = try Self.replicated(runner)
        defer { Self.dropRoles(runner, app) }
        #expect(try runner.runner(Self.switchover(sub)).status == 0)
        let rev = try Self.wayBack(runner, sub)
        _ = try runner.sql("ALTER SUBSCRIPTION \(rev) DISABLE")
        var waited = 0
        while try runner.sql("SELECT count(*) FROM pg_replication_slots WHERE slot_name = '\(rev)' AND active", side: "green") != "0" && waited < 100 {
            Thread.sleep(forTimeInterval: 0.1); waited += 1
        }
        _ = try runner.sql("SELECT pg_drop_replication_slot('\(rev)')", side: "green")
        _ = try runner.sql("ALTER SUBSCRIPTION \(rev) ENABLE")
        let back = try runner.runner(Self.switchback(sub, rev), env: ["WAIT_ATTEMPTS": "10"])
        #expect(back.status != 0, "\(back.output)")
        #expect(back.output.contains("no slot \(rev) on green"), "\(back.output)")
        #expect(try Self.fence(runner, app) == "11", "\(back.output)")
        #expect(try Self.fence(runner, app, side: "green") == "00", "\(back.output)")
    }

    /// Issue #10 M1: a cleanup that started while a switchback was on its way (its marker written
    /// after while-switched read the switch's) wins: mark-switching-back reads the marker again and
    /// stops before the switchback's point of no return, and its trap lifts green's fence.
    @Test func markSwitchingBackYieldsToCleanup() throws {
        let runner = try Runner()
        defer { runner.finish() }
        let (app, sub) = try Self.switchState(runner)
        defer { _ = try? runner.sql("DROP ROLE IF EXISTS \(app)", database: "postgres") }
        try runner.sqlFile("cleanup-mark.sql", "COMMENT ON SUBSCRIPTION \(sub) IS 'cutover: cleaning up after the switch from blue to green';")
        let run = try runner.runner(["fence:green", "green:cleanup-mark.sql", "mark-switching-back:green:\(sub)"])
        #expect(run.status != 0, "\(run.output)")
        #expect(run.output.contains("cleanup started, there is no way back"), "\(run.output)")
        #expect(try Self.marker(runner, sub) == "cutover: cleaning up after the switch from blue to green")
    }
}
