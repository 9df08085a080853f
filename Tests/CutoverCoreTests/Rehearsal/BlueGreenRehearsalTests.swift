@testable import CutoverPlan
@testable import CutoverSpec
@testable import CutoverEmit
@testable import CutoverCore
@testable import CutoverProof
import Foundation
import Testing

/// Blue-green rehearsals on two throwaway PostgreSQL servers with the app writing throughout: the
/// shared example must be proven, and the same chart with its fence taken out must not (a pooled
/// connection keeps writing to blue after the switch, and those rows never reach green).
@Suite(.serialized) struct BlueGreenRehearsalTests {
    static func plan(_ name: String) throws -> MigrationPlan {
        let path = TestPaths.examples.appendingPathComponent(name).path
        let compiler = Compiler()
        let result = try compiler.check(fileAt: path)
        let validated = try #require(result.validated, "\(result.diagnostics)")
        return compiler.plan(validated)
    }

    static func rehearse(_ plan: MigrationPlan, rows: Int, filter: (@Sendable ([OutputFile]) -> [OutputFile])? = nil,
                         blueSettings: [String] = [], appSettings: [String] = []) throws -> RehearsalReport? {
        var options = Rehearsal.Options(rows: rows)
        options.outputFilter = filter
        options.blueSettings = blueSettings
        options.appSessionSettings = appSettings
        do {
            return try Rehearsal(plan: plan, options: options).run()
        } catch let VerificationError.noServer(reason) where !DatabaseHarness.required {
            print("skipped: \(reason)")
            return nil
        }
    }

    @Test func exampleWritesThroughTheSwitchAndTheRollback() throws {
        guard let report = try Self.rehearse(try Self.plan("ledger-pg14.yaml"), rows: 2000) else { return }
        #expect(report.proven, "\(report.renderText())")
        #expect(report.checks.contains("after the move to green: every row written on either side is there, no sequence behind blue"), "\(report.checks)")
        #expect(report.checks.contains("after the move to blue: every row written on either side is there, no sequence behind green"), "\(report.checks)")
        #expect(report.checks.contains("re-running the forward stages after the switch: nothing changed"), "\(report.checks)")
        // The app wrote on both sides, and the fence refused some of its writes during the switch.
        let notes = report.sections.flatMap(\.notes)
        #expect(notes.contains { $0.hasPrefix("write pause:") }, "\(notes)")
    }

    @Test func switchWithoutFenceLosesWrites() throws {
        let unfenced: @Sendable ([OutputFile]) -> [OutputFile] = { files in
            files.map { file in
                guard file.path.hasSuffix("chart/templates/job-switchover.yaml") else { return file }
                return OutputFile(path: file.path, contents: file.contents.replacingOccurrences(of: "        - fence:blue:\(JobCatalog.fenceLockSeconds)\n", with: ""))
            }
        }
        let plan = try Self.plan("ledger-pg14.yaml")
        #expect(Compiler().emit(plan).contains { $0.path.hasSuffix("job-switchover.yaml") && $0.contents.contains("- fence:blue:\(JobCatalog.fenceLockSeconds)\n") })
        guard let report = try Self.rehearse(plan, rows: 2000, filter: unfenced) else { return }
        #expect(!report.proven)
        // Either the switch's checksums see blue still changing (the Job fails), or the writes are lost.
        if let refused = report.failures.first(where: { $0.error.contains("ranges differ") }) {
            #expect(refused.job == "ledger-pg14-switchover", "\(refused)")
            return
        }
        let lost = report.failures.first { $0.error.hasPrefix("lost in the move from blue to green") }
        let failure = try #require(lost, "no lost write reported: \(report.renderText())")
        #expect(failure.stage.hasPrefix("forward"))
        #expect(failure.phase == "switchover")
        #expect(failure.job == "ledger-pg14-switchover")
        // Rows the pooled connections wrote to blue after the switch are not on green (or green reused
        // their keys): TrafficReport.lostWrites names them, the seeded rows' fingerprint its range.
        #expect(failure.error.hasSuffix(": missing") || failure.error.hasSuffix(": changed") || failure.error.contains("contents differ"), "\(failure.error)")
    }

    /// The fence holds against a client that turns read-only off in its own session: a setting is
    /// advisory (`SET default_transaction_read_only = off`; pgjdbc's `setReadOnly(false)` sends
    /// `SET SESSION CHARACTERISTICS AS TRANSACTION READ WRITE`). Every app session here does so when
    /// it connects: a write it lands on blue after the fence is missing on green after the move, or
    /// makes the switch's checks fail. With the fence a role setting only, this is not proven.
    @Test(arguments: ["SET default_transaction_read_only = off", "SET SESSION CHARACTERISTICS AS TRANSACTION READ WRITE"])
    func fenceHoldsAgainstSessionsThatTurnReadOnlyOff(_ statement: String) throws {
        guard let report = try Self.rehearse(try Self.plan("ledger-pg14.yaml"), rows: 2000, appSettings: [statement]) else { return }
        #expect(report.proven, "\(statement): \(report.renderText())")
        #expect(report.checks.contains("after the move to green: every row written on either side is there, no sequence behind blue"), "\(report.checks)")
        // The app did write during the switch, and the fence refused it.
        #expect(report.sections.flatMap(\.notes).contains { $0.hasPrefix("write pause:") }, "\(report.renderText())")
    }

    /// A switchover Job that fails after its fence (here: a step that raises, right before the
    /// marker) lifts the fence again: the app has not moved, and blue would refuse its every write.
    @Test func failedSwitchLiftsTheFence() throws {
        let failing: @Sendable ([OutputFile]) -> [OutputFile] = { files in
            files.map { file in
                if file.path.hasSuffix("chart/templates/configmap-sql-switchover.yaml") {
                    return OutputFile(path: file.path, contents: file.contents.replacingOccurrences(
                        of: "\ndata:\n", with: "\ndata:\n  fail.sql: |\n    DO $$ BEGIN RAISE EXCEPTION 'injected failure after the fence'; END $$;\n"))
                }
                if file.path.hasSuffix("chart/templates/job-switchover.yaml") {
                    return OutputFile(path: file.path, contents: file.contents.replacingOccurrences(
                        of: "        - mark-switched:", with: "        - green:fail.sql\n        - mark-switched:"))
                }
                return file
            }
        }
        let plan = try Self.plan("ledger-pg14.yaml")
        #expect(failing(Compiler().emit(plan)).contains { $0.path.hasSuffix("job-switchover.yaml") && $0.contents.contains("- green:fail.sql\n") })
        guard let report = try Self.rehearse(plan, rows: 300, filter: failing) else { return }
        #expect(!report.proven)
        // (The app's statements the fence refused count as failures too: the app never moved.)
        #expect(report.failures.contains { $0.job == "ledger-pg14-switchover" && $0.error.contains("injected failure") }, "\(report.renderText())")
        #expect(report.checks.contains("after the failed ledger-pg14-switchover: blue, where the app still is, takes its writes"), "\(report.renderText())")
    }

    /// A switchover Job killed at its deadline after its fence lifts the fence: the kubelet sends TERM
    /// to the container's main process only (the runner, `sh`; as PID 1 it ignores TERM without a
    /// trap), and KILL once the grace period is over. Here a step after the fence sleeps past the
    /// Job's deadline (25 s): the runner's TERM trap lets the step's statement end (psql is not
    /// signalled; its transaction commits or rolls back whole), then ends the script, whose EXIT trap
    /// lifts the fence, well within the grace period. Without the trap the runner dies at once
    /// (here, not PID 1) or never (PID 1), and blue, where the app still is, stays fenced.
    @Test func switchKilledAtItsDeadlineLiftsTheFence() throws {
        let slow: @Sendable ([OutputFile]) -> [OutputFile] = { files in
            files.map { file in
                if file.path.hasSuffix("chart/templates/configmap-sql-switchover.yaml") {
                    return OutputFile(path: file.path, contents: file.contents.replacingOccurrences(
                        of: "\ndata:\n", with: "\ndata:\n  slow.sql: |\n    SELECT pg_sleep(35);\n"))
                }
                if file.path.hasSuffix("chart/templates/job-switchover.yaml") {
                    var contents = file.contents.replacingOccurrences(of: "        - fence:blue:\(JobCatalog.fenceLockSeconds)\n", with: "        - fence:blue:\(JobCatalog.fenceLockSeconds)\n        - blue:slow.sql\n")
                    if let deadline = contents.range(of: #"activeDeadlineSeconds: [0-9]+"#, options: .regularExpression) {
                        contents.replaceSubrange(deadline, with: "activeDeadlineSeconds: 25")
                    }
                    return OutputFile(path: file.path, contents: contents)
                }
                return file
            }
        }
        let plan = try Self.plan("ledger-pg14.yaml")
        #expect(slow(Compiler().emit(plan)).contains { $0.path.hasSuffix("job-switchover.yaml") && $0.contents.contains("- blue:slow.sql\n") && $0.contents.contains("activeDeadlineSeconds: 25\n") })
        guard let report = try Self.rehearse(plan, rows: 300, filter: slow) else { return }
        #expect(!report.proven)
        let killed = report.failures.first { $0.job == "ledger-pg14-switchover" && $0.version == nil }
        #expect(killed?.error.contains("activeDeadlineSeconds (25) exceeded") == true, "\(report.renderText())")
        #expect(report.checks.contains("after the failed ledger-pg14-switchover: blue, where the app still is, takes its writes"), "\(report.renderText())")
    }

    /// The check after the move compares row contents, not only keys: every row the app wrote keeps
    /// the values it wrote last (`TrafficReport.lostWrites`). Here green's copy of each row the app
    /// inserted has another owner (a step injected in the switchover Job after its mark, before forward
    /// replication stops; green's reverse slot, made before the fence, carries the change back to blue):
    /// every key is there, and the move must still fail.
    @Test func changedRowContentsAreCaught() throws {
        let mangled: @Sendable ([OutputFile]) -> [OutputFile] = { files in
            files.map { file in
                if file.path.hasSuffix("chart/templates/configmap-sql-switchover.yaml") {
                    return OutputFile(path: file.path, contents: file.contents.replacingOccurrences(
                        of: "\ndata:\n", with: "\ndata:\n  mangle.sql: |\n    UPDATE public.accounts SET owner = owner || '-changed' WHERE id > 300;\n"))
                }
                if file.path.hasSuffix("chart/templates/job-switchover.yaml") {
                    return OutputFile(path: file.path, contents: file.contents.replacingOccurrences(
                        of: "        - green:0008_", with: "        - green:mangle.sql\n        - green:0008_"))
                }
                return file
            }
        }
        let plan = try Self.plan("ledger-pg14.yaml")
        #expect(mangled(Compiler().emit(plan)).contains { $0.path.hasSuffix("job-switchover.yaml") && $0.contents.contains("- green:mangle.sql\n") })
        guard let report = try Self.rehearse(plan, rows: 300, filter: mangled) else { return }
        #expect(!report.proven)
        let changed = report.failures.first { $0.error.hasPrefix("lost in the move from blue to green: accounts (id=") && $0.error.hasSuffix(": changed") }
        #expect(changed != nil, "no changed row reported: \(report.renderText())")
    }

    /// The full checksums run before the fence, yet a row green lacks still stops the switch: its
    /// range differs before the fence and, left to the fenced pass, the row counts differ there.
    @Test func rowMissingOnGreenStopsTheSwitch() throws {
        let dropped: @Sendable ([OutputFile]) -> [OutputFile] = { files in
            files.map { file in
                if file.path.hasSuffix("chart/templates/configmap-sql-switchover.yaml") {
                    return OutputFile(path: file.path, contents: file.contents.replacingOccurrences(
                        of: "\ndata:\n", with: "\ndata:\n  drop.sql: |\n    DELETE FROM public.entries WHERE id = 7;\n"))
                }
                if file.path.hasSuffix("chart/templates/job-switchover.yaml") {
                    return OutputFile(path: file.path, contents: file.contents.replacingOccurrences(
                        of: "        - checksum-live:accounts:", with: "        - green:drop.sql\n        - checksum-live:accounts:"))
                }
                return file
            }
        }
        let plan = try Self.plan("ledger-pg14.yaml")
        #expect(dropped(Compiler().emit(plan)).contains { $0.path.hasSuffix("job-switchover.yaml") && $0.contents.contains("- green:drop.sql\n") })
        guard let report = try Self.rehearse(plan, rows: 300, filter: dropped) else { return }
        #expect(!report.proven)
        // The DELETE on green is a transaction blue never had: the gap log (after the live checksums) or
        // the checksums (the range left to the fenced pass) stop the switch, whichever compares first.
        let refused = report.failures.first { $0.job == "ledger-pg14-switchover" && ($0.error.contains("ranges differ") || $0.error.contains("cutover: gap")) }
        #expect(refused != nil, "the switch went through without entries id 7 on green: \(report.renderText())")
        #expect(report.checks.contains("after the failed ledger-pg14-switchover: blue, where the app still is, takes its writes"), "\(report.checks)")
    }

    /// A switch whose replication never ran would move the app to an empty green: the switchover
    /// Job refuses before its fence.
    @Test func switchWithoutReplicationIsRefused() throws {
        let unreplicated: @Sendable ([OutputFile]) -> [OutputFile] = { files in
            files.filter { !$0.path.hasSuffix("chart/templates/job-replicate.yaml") }
        }
        guard let report = try Self.rehearse(try Self.plan("ledger-pg14.yaml"), rows: 500, filter: unreplicated) else { return }
        #expect(!report.proven)
        let first = try #require(report.failures.first, "\(report.renderText())")
        #expect(first.job == "ledger-pg14-switchover" || first.job == "ledger-pg14-verify", "\(first)")
        #expect(report.failures.contains { $0.error.contains("run the replicate phase first") }, "\(report.renderText())")
    }

    /// A table created on blue (and green, as a DBA would) after the subscription exists, with a
    /// row: `files` of the Job named `job` gain the two SQL files, run before `before` in its args.
    static func lateTable(job: String, before: String, extra: [String] = []) -> @Sendable ([OutputFile]) -> [OutputFile] {
        { files in
            files.map { file in
                if file.path.hasSuffix("chart/templates/configmap-sql-\(job).yaml") {
                    let sql = "data:\n  late-blue.sql: |\n    CREATE TABLE IF NOT EXISTS public.late_t (id int PRIMARY KEY);\n"
                        // Once only: the same Job runs again after the switch, when blue's fence refuses any write.
                        + "    DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM public.late_t) THEN INSERT INTO public.late_t VALUES (1); END IF; END $$;\n"
                        + "  late-green.sql: |\n    CREATE TABLE IF NOT EXISTS public.late_t (id int PRIMARY KEY);\n"
                    return OutputFile(path: file.path, contents: file.contents.replacingOccurrences(of: "\ndata:\n", with: "\n" + sql))
                }
                if file.path.hasSuffix("chart/templates/job-\(job).yaml") {
                    let steps = (["blue:late-blue.sql", "green:late-green.sql"] + extra + [before]).map { "        - \($0)\n" }.joined()
                    return OutputFile(path: file.path, contents: file.contents.replacingOccurrences(of: "        - \(before)\n", with: steps))
                }
                return file
            }
        }
    }

    /// A table added after replicate is neither published nor subscribed: the switch refuses, naming it,
    /// rather than move the app to a green without it.
    @Test func switchRefusesATableGreenDoesNotHave() throws {
        let plan = try Self.plan("ledger-pg14.yaml")
        let filter = Self.lateTable(job: "verify", before: "wait-synced:blue:green:cutover_ledger_pg14")
        #expect(filter(Compiler().emit(plan)).contains { $0.path.hasSuffix("job-verify.yaml") && $0.contents.contains("- blue:late-blue.sql\n") })
        guard let report = try Self.rehearse(plan, rows: 300, filter: filter) else { return }
        #expect(!report.proven)
        let refused = report.failures.first { $0.error.contains("not in its publication") }
        let failure = try #require(refused, "no refusal: \(report.renderText())")
        #expect(failure.job == "ledger-pg14-switchover", "\(failure)")
        #expect(failure.error.contains("public.late_t"), "\(failure.error)")
    }

    /// The same table, then the replicate Job run again (its publication file, then the refresh):
    /// green copies it, and the switch goes through.
    @Test func replicateAgainCopiesALateTable() throws {
        let plan = try Self.plan("ledger-pg14.yaml")
        let filter = Self.lateTable(job: "replicate", before: "refresh:green:cutover_ledger_pg14",
                                    extra: ["blue:0001_replicate_publication.up.sql", "green:0003_replicate_subscription.up.sql"])
        #expect(filter(Compiler().emit(plan)).contains { $0.path.hasSuffix("job-replicate.yaml") && $0.contents.contains("- green:late-green.sql\n") })
        guard let report = try Self.rehearse(plan, rows: 300, filter: filter) else { return }
        // The table stays on blue after the rollback (no down drops it): the only difference.
        #expect(report.checks.contains("after the move to green: every row written on either side is there, no sequence behind blue"), "\(report.renderText())")
        #expect(!report.failures.isEmpty && report.failures.allSatisfy { $0.stage == "after rollback" && $0.error.contains("late_t") }, "\(report.renderText())")
    }

    /// Without the skips of the forward slot (switchback's, the only ones: the slot, created again at the
    /// switchback's start, takes green's writes until green's fence), the forward subscription the switchback
    /// enables again replays green's own rows to green: a duplicate key it retries forever, its slot
    /// stuck, every Job green. The rehearsal's check after the stage names it.
    @Test func switchbackWithoutSlotSkipIsCaught() throws {
        let unskipped: @Sendable ([OutputFile]) -> [OutputFile] = { files in
            files.map { file in
                guard file.path.hasSuffix("chart/templates/job-switchback.yaml") else { return file }
                return OutputFile(path: file.path, contents: file.contents.replacingOccurrences(of: "        - skip-slot:blue:cutover_ledger_pg14\n", with: ""))
            }
        }
        let plan = try Self.plan("ledger-pg14.yaml")
        #expect(Compiler().emit(plan).contains { $0.path.hasSuffix("job-switchback.yaml") && $0.contents.contains("- skip-slot:blue:cutover_ledger_pg14\n") })
        guard let report = try Self.rehearse(plan, rows: 500, filter: unskipped) else { return }
        #expect(!report.proven)
        // The switchback enables the forward subscription itself: the next Job waiting on it (replicate,
        // post-upgrade) sees its apply fail; the check after the stage names the duplicate key.
        let failing = report.failures.first { $0.error.contains("subscription cutover_ledger_pg14 on green fails to apply changes") }
        #expect(failing != nil, "not caught by the Jobs: \(report.renderText())")
        if let stuck = report.failures.first(where: { $0.error.hasPrefix("replication stuck: subscription cutover_ledger_pg14 on green") }) {
            #expect(stuck.error.contains("duplicate key"), "\(stuck.error)")
        }
    }

    /// While the app is on green, blue keeps no forward slot: idle (its subscription disabled since the
    /// switch) it would hold every WAL segment blue writes until the switchback. Here the switchback's
    /// first step fails when blue, still fenced (the app on green), has the slot; the switchback
    /// creates it again and the way back loses nothing (the rehearsal proves it).
    @Test func forwardSlotIsGoneWhileOnGreen() throws {
        let check: @Sendable ([OutputFile]) -> [OutputFile] = { files in
            files.map { file in
                if file.path.hasSuffix("chart/templates/configmap-sql-switchback.yaml") {
                    return OutputFile(path: file.path, contents: file.contents.replacingOccurrences(of: "\ndata:\n", with: """

                        data:
                          no-forward-slot.sql: |
                            DO $$ BEGIN IF EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = 'cutover_fence') AND EXISTS (SELECT 1 FROM pg_replication_slots WHERE slot_name = 'cutover_ledger_pg14') THEN RAISE EXCEPTION 'forward slot kept on blue while the app is on green'; END IF; END $$;

                        """))
                }
                if file.path.hasSuffix("chart/templates/job-switchback.yaml") {
                    return OutputFile(path: file.path, contents: file.contents
                        .replacingOccurrences(of: "        - while-switched:green:cutover_ledger_pg14\n", with: "        - blueadmin:no-forward-slot.sql\n        - while-switched:green:cutover_ledger_pg14\n"))
                }
                return file
            }
        }
        let plan = try Self.plan("ledger-pg14.yaml")
        #expect(check(Compiler().emit(plan)).contains { $0.path.hasSuffix("job-switchback.yaml") && $0.contents.contains("- blueadmin:no-forward-slot.sql\n") })
        guard let report = try Self.rehearse(plan, rows: 300, filter: check) else { return }
        #expect(!report.failures.contains { $0.error.contains("forward slot kept on blue") }, "\(report.renderText())")
        #expect(report.proven, "\(report.renderText())")
    }

    /// The app writes on blue once the switchback unfenced it, before drop-reverse runs (post-upgrade): that
    /// write must reach green. Here the switchback's last step writes a row on blue as the app's role
    /// (synchronous_commit on: the WAL position a later skip reads is past it), drop-reverse's last steps
    /// wait for green to apply blue's WAL and fail unless the row is there (then delete it on blue, which
    /// streams too; once rollback-replicate dropped the forward subscription there is nothing to check).
    /// When drop-reverse skipped the forward slot (the order before), green looked caught up and missed
    /// the row: this test fails there (the check's Job fails).
    @Test func blueWriteAfterSwitchbackReachesGreen() throws {
        let late: @Sendable ([OutputFile]) -> [OutputFile] = { files in
            files.map { file in
                if file.path.hasSuffix("chart/templates/configmap-sql-switchback.yaml") {
                    return OutputFile(path: file.path, contents: file.contents.replacingOccurrences(of: "\ndata:\n", with: """

                        data:
                          late-write.sql: |
                            SET synchronous_commit = on;
                            INSERT INTO accounts (owner, balance) VALUES ('cutover-late-write', 7);

                        """))
                }
                if file.path.hasSuffix("chart/templates/job-switchback.yaml") {
                    return OutputFile(path: file.path, contents: file.contents
                        .replacingOccurrences(of: "        - unfence:blue\n", with: "        - unfence:blue\n        - blue:late-write.sql\n"))
                }
                if file.path.hasSuffix("chart/templates/configmap-sql-drop-reverse.yaml") {
                    return OutputFile(path: file.path, contents: file.contents.replacingOccurrences(of: "\ndata:\n", with: """

                        data:
                          late-check.sql: |
                            DO $$ BEGIN IF EXISTS (SELECT 1 FROM pg_subscription WHERE subname = 'cutover_ledger_pg14') AND NOT EXISTS (SELECT 1 FROM accounts WHERE owner = 'cutover-late-write') THEN RAISE EXCEPTION 'late write on blue missing on green'; END IF; END $$;
                          late-forget.sql: |
                            DELETE FROM accounts WHERE owner = 'cutover-late-write';

                        """))
                }
                if file.path.hasSuffix("chart/templates/job-drop-reverse.yaml") {
                    return OutputFile(path: file.path, contents: file.contents
                        .replacingOccurrences(of: "        env:\n", with: "        - wait-synced:blue:green:cutover_ledger_pg14\n        - green:late-check.sql\n        - blue:late-forget.sql\n        - wait-synced:blue:green:cutover_ledger_pg14\n        env:\n"))
                }
                return file
            }
        }
        let plan = try Self.plan("ledger-pg14.yaml")
        #expect(late(Compiler().emit(plan)).contains { $0.path.hasSuffix("job-switchback.yaml") && $0.contents.contains("- unfence:blue\n        - blue:late-write.sql\n") })
        #expect(late(Compiler().emit(plan)).contains { $0.path.hasSuffix("job-drop-reverse.yaml") && $0.contents.contains("- green:late-check.sql\n") })
        guard let report = try Self.rehearse(plan, rows: 300, filter: late) else { return }
        #expect(!report.failures.contains { $0.error.contains("late write on blue missing on green") }, "\(report.renderText())")
        #expect(report.proven, "\(report.renderText())")
    }

    /// A DBA pauses the forward subscription before the switch: no switch happened, so the switchover
    /// Job must not end early as if it had (no fence, no catch-up): it fails, saying why.
    @Test func pausedSubscriptionIsNoSwitch() throws {
        let paused: @Sendable ([OutputFile]) -> [OutputFile] = { files in
            files.map { file in
                if file.path.hasSuffix("chart/templates/configmap-sql-switchover.yaml") {
                    return OutputFile(path: file.path, contents: file.contents.replacingOccurrences(
                        of: "\ndata:\n", with: "\ndata:\n  pause.sql: |\n    ALTER SUBSCRIPTION cutover_ledger_pg14 DISABLE;\n"))
                }
                if file.path.hasSuffix("chart/templates/job-switchover.yaml") {
                    return OutputFile(path: file.path, contents: file.contents.replacingOccurrences(
                        of: "        - unless-switched:", with: "        - green:pause.sql\n        - unless-switched:"))
                }
                return file
            }
        }
        let plan = try Self.plan("ledger-pg14.yaml")
        #expect(paused(Compiler().emit(plan)).contains { $0.path.hasSuffix("job-switchover.yaml") && $0.contents.contains("- green:pause.sql\n") })
        guard let report = try Self.rehearse(plan, rows: 300, filter: paused) else { return }
        #expect(!report.proven)
        let first = try #require(report.failures.first, "\(report.renderText())")
        #expect(first.job == "ledger-pg14-switchover", "\(first)")
        #expect(first.error.contains("is disabled, and no switch completed"), "\(first.error)")
    }

    /// Blue with wal_level=replica: the preflight Job, the first hook, fails saying so, before
    /// anything is created (without it, the replicate Job would fail after the publication exists).
    @Test func preflightRefusesBlueWithoutLogicalWAL() throws {
        let plan = try Self.plan("ledger-pg14.yaml")
        #expect(Compiler().emit(plan).contains { $0.path.hasSuffix("chart/templates/job-preflight.yaml") && $0.contents.contains("- preflight:blue:cutover_ledger_pg14\n") })
        guard let report = try Self.rehearse(plan, rows: 100, blueSettings: ["wal_level = replica"]) else { return }
        #expect(!report.proven)
        let first = try #require(report.failures.first, "\(report.renderText())")
        #expect(first.job == "ledger-pg14-preflight", "\(first)")
        #expect(first.error.contains("wal_level is replica"), "\(first.error)")
    }

    /// A table without a key and an unlogged one created on blue before the release: the preflight
    /// Job names both and fails before anything changes.
    @Test func preflightRefusesTablesReplicationCannotCarry() throws {
        let tables: @Sendable ([OutputFile]) -> [OutputFile] = { files in
            files.map { file in
                if file.path.hasSuffix("chart/templates/configmap-sql-preflight.yaml") {
                    return OutputFile(path: file.path, contents: file.contents.replacingOccurrences(
                        of: "\ndata:\n", with: "\ndata:\n  tables.sql: |\n    CREATE TABLE IF NOT EXISTS public.audit_log (at timestamptz, what text);\n"
                            + "    CREATE UNLOGGED TABLE IF NOT EXISTS public.scratch (id int PRIMARY KEY);\n"))
                }
                if file.path.hasSuffix("chart/templates/job-preflight.yaml") {
                    return OutputFile(path: file.path, contents: file.contents.replacingOccurrences(
                        of: "        - preflight:blue:", with: "        - blue:tables.sql\n        - preflight:blue:"))
                }
                return file
            }
        }
        let plan = try Self.plan("ledger-pg14.yaml")
        #expect(tables(Compiler().emit(plan)).contains { $0.path.hasSuffix("job-preflight.yaml") && $0.contents.contains("- blue:tables.sql\n") })
        guard let report = try Self.rehearse(plan, rows: 100, filter: tables) else { return }
        #expect(!report.proven)
        let first = try #require(report.failures.first, "\(report.renderText())")
        #expect(first.job == "ledger-pg14-preflight", "\(first)")
        #expect(first.error.contains("public.audit_log has no primary key nor replica identity") || first.error.contains("audit_log has no primary key"), "\(first.error)")
        #expect(first.error.contains("scratch is UNLOGGED"), "\(first.error)")
    }

    /// Blue's schema uses extensions (citext, pg_trgm) and grants a read-only role (a table grant and
    /// default privileges): the schema load creates both extensions on green at blue's version, the
    /// role (NOLOGIN) and the grants, checked on green by a file the replicate Job runs first.
    @Test func schemaLoadCarriesExtensionsAndGrants() throws {
        let extras: @Sendable ([OutputFile]) -> [OutputFile] = { files in
            files.map { file in
                if file.path.hasSuffix("chart/templates/configmap-sql-preflight.yaml") {
                    return OutputFile(path: file.path, contents: file.contents.replacingOccurrences(of: "\ndata:\n", with: """

                        data:
                          extras-admin.sql: |
                            DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'reader') THEN CREATE ROLE reader NOLOGIN; END IF; END $$;
                            CREATE EXTENSION IF NOT EXISTS citext;
                            CREATE EXTENSION IF NOT EXISTS pg_trgm;
                          extras.sql: |
                            CREATE TABLE IF NOT EXISTS public.tags (id int PRIMARY KEY, name citext NOT NULL, label text NOT NULL);
                            CREATE INDEX IF NOT EXISTS tags_label_trgm ON public.tags USING gin (label gin_trgm_ops);
                            GRANT SELECT ON public.tags TO reader;
                            ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON TABLES TO reader;

                        """))
                }
                if file.path.hasSuffix("chart/templates/job-preflight.yaml") {
                    return OutputFile(path: file.path, contents: file.contents.replacingOccurrences(
                        of: "        - preflight:blue:", with: "        - blueadmin:extras-admin.sql\n        - blue:extras.sql\n        - preflight:blue:"))
                }
                if file.path.hasSuffix("chart/templates/configmap-sql-replicate.yaml") {
                    return OutputFile(path: file.path, contents: file.contents.replacingOccurrences(of: "\ndata:\n", with: """

                        data:
                          check-green.sql: |
                            DO $$ BEGIN
                              IF (SELECT extversion FROM pg_extension WHERE extname = 'citext') IS DISTINCT FROM '1.6' THEN RAISE EXCEPTION 'check: citext 1.6 missing on green'; END IF;
                              IF NOT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm') THEN RAISE EXCEPTION 'check: pg_trgm missing on green'; END IF;
                              IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'reader' AND NOT rolcanlogin) THEN RAISE EXCEPTION 'check: role reader missing on green'; END IF;
                              IF NOT has_table_privilege('reader', 'public.tags', 'SELECT') THEN RAISE EXCEPTION 'check: reader may not read tags on green'; END IF;
                              IF NOT EXISTS (SELECT 1 FROM pg_default_acl d WHERE array_to_string(d.defaclacl, ',') LIKE '%reader=r/%') THEN RAISE EXCEPTION 'check: default privileges for reader missing on green'; END IF;
                            END $$;

                        """))
                }
                if file.path.hasSuffix("chart/templates/job-replicate.yaml") {
                    return OutputFile(path: file.path, contents: file.contents.replacingOccurrences(
                        of: "        - blueadmin:0001_", with: "        - green:check-green.sql\n        - blueadmin:0001_"))
                }
                return file
            }
        }
        let plan = try Self.plan("ledger-pg14.yaml")
        let emitted = extras(Compiler().emit(plan))
        #expect(emitted.contains { $0.path.hasSuffix("job-preflight.yaml") && $0.contents.contains("- blue:extras.sql\n") })
        #expect(emitted.contains { $0.path.hasSuffix("job-replicate.yaml") && $0.contents.contains("- green:check-green.sql\n") })
        guard let report = try Self.rehearse(plan, rows: 100, filter: extras) else { return }
        // The table stays on blue after the rollback (no down drops it): the only failure allowed.
        #expect(report.failures.allSatisfy { $0.stage == "after rollback" }, "\(report.renderText())")
        #expect(report.checks.contains("after the move to green: every row written on either side is there, no sequence behind blue"), "\(report.renderText())")
    }

    /// The analysis' measurement (the runner's `check-lag`, which the AnalysisTemplate's job metric
    /// runs) on real servers, as the role the analysis Job mounts for blue (the app's, no
    /// pg_read_all_stats): within the limit once replicate streamed (the replicate Job's last step
    /// here); in the verify Job, with green's apply slowed (a trigger enabled ALWAYS that sleeps 4 s
    /// per row) and a row written on blue, over 2 s: the Job fails naming the slot. (Read from
    /// pg_stat_replication's replay_lag, the app's role saw NULL, a lag of 0, and passed.)
    @Test func analysisMeasuresLogicalLagOfTheSlot() throws {
        let plan = try Self.plan("ledger-pg14.yaml")
        let template = try #require(Compiler().emit(plan).first { $0.path.hasSuffix("chart/templates/analysistemplate.yaml") })
        #expect(template.contents.contains("- check-lag:blue:cutover_ledger_pg14:2\n") && template.contents.contains("- check-lag:green:cutover_ledger_pg14_reverse:2\n"))
        let measured: @Sendable ([OutputFile]) -> [OutputFile] = { files in
            files.map { file in
                if file.path.hasSuffix("chart/templates/job-replicate.yaml") {
                    return OutputFile(path: file.path, contents: file.contents.replacingOccurrences(
                        of: "        - wait-synced:blue:green:cutover_ledger_pg14\n",
                        with: "        - wait-synced:blue:green:cutover_ledger_pg14\n        - check-lag:blue:cutover_ledger_pg14:2\n        - check-lag:green:cutover_ledger_pg14_reverse:2\n"))
                }
                if file.path.hasSuffix("chart/templates/configmap-sql-verify.yaml") {
                    return OutputFile(path: file.path, contents: file.contents.replacingOccurrences(of: "\ndata:\n", with: """

                        data:
                          slow-apply.sql: |
                            CREATE FUNCTION cutover_slow() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_sleep(4); RETURN NEW; END $$;
                            CREATE TRIGGER cutover_slow BEFORE INSERT OR UPDATE ON accounts FOR EACH ROW EXECUTE PROCEDURE cutover_slow();
                            ALTER TABLE accounts ENABLE ALWAYS TRIGGER cutover_slow;
                          lag-write.sql: |
                            INSERT INTO accounts (owner, balance) VALUES ('cutover-lag', 1);

                        """))
                }
                if file.path.hasSuffix("chart/templates/job-verify.yaml") {
                    // One attempt: a retry would wait for green's slowed apply (and its own output).
                    var contents = file.contents.replacingOccurrences(
                        of: "        - wait-synced:blue:green:cutover_ledger_pg14\n",
                        with: "        - wait-synced:blue:green:cutover_ledger_pg14\n        - green:slow-apply.sql\n        - blue:lag-write.sql\n        - check-lag:blue:cutover_ledger_pg14:2\n")
                    if let retries = contents.range(of: #"backoffLimit: [0-9]+"#, options: .regularExpression) {
                        contents.replaceSubrange(retries, with: "backoffLimit: 0")
                    }
                    return OutputFile(path: file.path, contents: contents)
                }
                return file
            }
        }
        #expect(measured(Compiler().emit(plan)).contains { $0.path.hasSuffix("job-verify.yaml") && $0.contents.contains("- blue:lag-write.sql\n        - check-lag:blue:cutover_ledger_pg14:2\n") })
        guard let report = try Self.rehearse(plan, rows: 100, filter: measured) else { return }
        #expect(!report.proven)
        let first = try #require(report.failures.first, "\(report.renderText())")
        #expect(first.job == "ledger-pg14-verify", "\(first)")
        #expect(first.error.contains("logical replication through slot cutover_ledger_pg14 on blue lags"), "\(first.error)")
    }
}
