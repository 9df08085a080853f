@testable import CutoverCore
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

        init() throws {
            guard case .success(let server) = DatabaseHarness.shared.server(.postgresql),
                  let local = server.server as? LocalPostgresServer else {
                throw HarnessError("PostgreSQL is not available for the runner tests")
            }
            socket = local.folder
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
        }

        /// The Secret of SIDE (`username`, `password`).
        func secret(_ side: String, user: String) throws {
            let folder = root.appendingPathComponent("etc/cutover/\(side)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try user.write(to: folder.appendingPathComponent("username"), atomically: true, encoding: .utf8)
            try "".write(to: folder.appendingPathComponent("password"), atomically: true, encoding: .utf8)
        }

        /// psql as postgres in DATABASE (this test's by default): its output, trimmed.
        func sql(_ text: String, database: String? = nil) throws -> String {
            let result = try run(bin + "/psql", ["-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-h", socket, "-p", "5432", "-U", "postgres",
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
            process.environment = ["PATH": "\(bin):/usr/bin:/bin", "LC_ALL": "C", "BLUE_HOST": socket, "GREEN_HOST": socket,
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
                                 env: ["BLUE_HOST": socket, "GREEN_HOST": socket, "DB_PORT": "5432", "DB_NAME": database].merging(env) { $1 })
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
            _ = try? sql("SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE database = '\(database)' AND NOT active", database: "postgres")
            if let subs = try? sql("SELECT subname FROM pg_subscription s JOIN pg_database d ON d.oid = s.subdbid WHERE d.datname = '\(database)'") {
                for sub in subs.split(separator: "\n") {
                    _ = try? sql("ALTER SUBSCRIPTION \(sub) DISABLE")
                    _ = try? sql("ALTER SUBSCRIPTION \(sub) SET (slot_name = NONE)")
                    _ = try? sql("DROP SUBSCRIPTION \(sub)")
                }
            }
            _ = try? sql("DROP DATABASE IF EXISTS \(database) WITH (FORCE)", database: "postgres")
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
    /// it), and leaves the fence whole when it cannot lift it: the role reset and the trigger schema's
    /// drop are one transaction. Here a session holds a fenced table for 30 s; the unfence gives up
    /// after about 3 s (30 tries of a 2 s lock wait before) and the app's role is still read-only.
    @Test func unfenceIsBoundedAndAtomic() throws {
        let runner = try Runner()
        defer { runner.finish() }
        let app = "app_\(runner.database)"
        _ = try runner.sql("CREATE ROLE \(app) LOGIN; CREATE TABLE t (id int PRIMARY KEY)")
        defer { _ = try? runner.sql("DROP ROLE IF EXISTS \(app)", database: "postgres") }
        try runner.secret("blue", user: app)
        let fence = try runner.runner(["fence:blue"])
        #expect(fence.status == 0, "\(fence.output)")
        let holder = Process()
        holder.executableURL = URL(fileURLWithPath: runner.bin + "/psql")
        holder.arguments = ["-X", "-q", "-h", runner.socket, "-p", "5432", "-U", "postgres", "-d", runner.database,
                            "-c", "BEGIN; LOCK TABLE t IN ACCESS SHARE MODE; SELECT pg_sleep(30); COMMIT;"]
        holder.standardOutput = FileHandle.nullDevice
        holder.standardError = FileHandle.nullDevice
        try holder.run()
        defer { if holder.isRunning { holder.terminate() }; holder.waitUntilExit() }
        Thread.sleep(forTimeInterval: 1)
        let unfence = try runner.runner(["unfence:blue"], env: ["UNFENCE_SECONDS": "3"])
        #expect(unfence.status != 0, "\(unfence.output)")
        #expect(unfence.seconds < 15, "unfence took \(unfence.seconds) s")
        let setting = try runner.sql("SELECT count(*) FROM pg_db_role_setting s JOIN pg_roles r ON r.oid = s.setrole WHERE r.rolname = '\(app)' AND 'default_transaction_read_only=on' = ANY (s.setconfig)")
        #expect(setting == "1", "the role setting went without the triggers")
        #expect(try runner.sql("SELECT count(*) FROM pg_namespace WHERE nspname = 'cutover_fence'") == "1")
        _ = try runner.sql("SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE query LIKE 'BEGIN; LOCK TABLE t%' AND datname = current_database()")
        holder.waitUntilExit()
        let lifted = try runner.runner(["unfence:blue"])
        #expect(lifted.status == 0, "\(lifted.output)")
        #expect(try runner.sql("SELECT count(*) FROM pg_namespace WHERE nspname = 'cutover_fence'") == "0")
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
    static func fence(_ runner: Runner, _ app: String) throws -> String {
        try runner.sql("""
            SELECT (EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = 'cutover_fence'))::int::text
                   || (EXISTS (SELECT 1 FROM pg_db_role_setting s JOIN pg_roles r ON r.oid = s.setrole
                                WHERE r.rolname = '\(app)' AND 'default_transaction_read_only=on' = ANY (s.setconfig)))::int::text
            """)
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
        let second = try runner.runner(["unless-switched:green:\(sub)"])
        #expect(second.status == 0, "\(second.output)")
        #expect(second.output.contains("now this run's"), "\(second.output)")
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
    /// switch's next run, which takes that fence over and lifts it should it fail too.
    @Test func switchResumesAfterItsFence() throws {
        let runner = try Runner()
        defer { runner.finish() }
        let (app, sub) = try Self.switchState(runner)
        defer { _ = try? runner.sql("DROP ROLE IF EXISTS \(app)", database: "postgres") }
        let killed = try runner.runner(["fence:blue"])
        #expect(killed.status == 0, "\(killed.output)")
        let again = try runner.runner(["unless-switched:green:\(sub)", "blue:fail.sql"])
        #expect(again.status != 0, "\(again.output)")
        #expect(again.output.contains("now this run's"), "\(again.output)")
        #expect(again.output.contains("lifted the fence there"), "\(again.output)")
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
}
