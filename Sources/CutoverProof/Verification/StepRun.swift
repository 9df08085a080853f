import CutoverPlan
import CutoverEmit
import Foundation

/// The up/up/down/down/up cycle of every step, the rollback to the base, the irreversible steps at
/// the end, and (blue-green) the data checks between phases. See `Verifier` for the contract.
struct StepRun {
    let plan: MigrationPlan
    let environment: VerificationEnvironment
    let emit: (String) -> Void
    let replicationTimeout: Double

    private var report = VerificationReport()
    /// Index into `report.steps` for each step number.
    private var verdictIndex: [Int: Int] = [:]

    init(plan: MigrationPlan, environment: VerificationEnvironment, emit: @escaping (String) -> Void, replicationTimeout: Double) {
        self.plan = plan
        self.environment = environment
        self.emit = emit
        self.replicationTimeout = replicationTimeout
    }

    private func snapshot() throws -> SchemaSnapshot {
        do {
            if environment.isBlueGreen {
                return SchemaSnapshot.combined(try environment.sessions.map { ($0.side.rawValue, try $0.session.snapshot()) })
            }
            var snapshot = try environment.sessions[0].session.snapshot()
            if !environment.versionDatabases.isEmpty {
                // MySQL's version databases live beside the scratch database: their views are part of what
                // the steps change (created in expand, dropped by its down), so they are compared too.
                let names = environment.versionDatabases.map { SQLNames(engine: .mysql).literal($0) }.joined(separator: ", ")
                snapshot.lines += try environment.sessions[0].session.query("""
                    SELECT CONCAT('version database ', schema_name) AS line FROM information_schema.schemata WHERE schema_name IN (\(names))
                    UNION ALL
                    SELECT CONCAT('version view ', table_schema, '.', table_name, ': ', view_definition) FROM information_schema.views WHERE table_schema IN (\(names))
                    ORDER BY line
                    """)
            }
            return snapshot
        } catch let failure as SQLFailure {
            throw VerificationError.sqlFailed("cannot read the schema from the catalog:\n" + indent(failure.message))
        }
    }

    private func file(_ step: PlanStep, _ direction: SQLFileRenderer.Direction) -> String {
        Verifier.stepFile(environment.scratch, step, direction)
    }

    /// Applies one direction of a step on its side; nil on success, else the client's error.
    private func apply(_ step: PlanStep, _ direction: SQLFileRenderer.Direction) -> String? {
        do {
            try environment.session(for: step).apply(file: file(step, direction))
            return nil
        } catch let failure as SQLFailure {
            return failure.message
        } catch {
            return "\(error)"
        }
    }

    private static func milliseconds(since start: Date) -> Int { Int((Date().timeIntervalSince(start) * 1000).rounded()) }

    private static func diff(_ expected: SchemaSnapshot, _ actual: SchemaSnapshot, _ expectedLabel: String, _ actualLabel: String) -> [String] {
        expected.diff(to: actual, expectedLabel: expectedLabel, actualLabel: actualLabel)
    }

    /// The way back's subscription is created disabled (before the switch's fence); the runner's
    /// `enable-subscription`, reverse-replication's last step, starts it. This run does the same once
    /// the phase's steps ran (its data check then sees green's rows reach blue), and undoes it before
    /// the full rollback passes back through them (the schema before them had it disabled).
    private func wayBack(enabled: Bool) {
        let reverse = DerivedNames(names: SQLNames(engine: plan.spec.database.engine), migrationName: plan.spec.name).reverseReplication
        let admin = environment.adminSessions.first { $0.side == .blue }?.session ?? environment.session(for: .blue)
        try? admin.execute("""
            DO $cutover$ BEGIN
              IF EXISTS (SELECT 1 FROM pg_catalog.pg_subscription WHERE subname = '\(reverse)' AND subenabled <> \(enabled)) THEN
                EXECUTE format('ALTER SUBSCRIPTION %I \(enabled ? "ENABLE" : "DISABLE")', '\(reverse)');
              END IF;
            END $cutover$;
            """)
    }

    private mutating func record(_ verdict: StepVerdict, number: Int?) {
        if let number { verdictIndex[number] = report.steps.count }
        report.steps.append(verdict)
        verdict.lines.forEach(emit)
    }

    mutating func execute() throws -> VerificationReport {
        let reversible = plan.steps.filter { !Verifier.isIrreversible($0) && (environment.isBlueGreen || $0.side == nil) }
        let irreversible = plan.steps.filter { Verifier.isIrreversible($0) && (environment.isBlueGreen || $0.side == nil) }
        let skippedSides = plan.steps.filter { !environment.isBlueGreen && $0.side != nil }
        if !skippedSides.isEmpty {
            emit("note: \(skippedSides.count) step(s) with a blue/green side not run (single-database run)")
        }
        if reversible.isEmpty && irreversible.isEmpty {
            emit("note: the plan has no SQL steps")
        }

        var checks = BlueGreenChecks(environment: environment, timeout: replicationTimeout)
        var baseline: [Int: (s0: SchemaSnapshot, s1: SchemaSnapshot)] = [:]
        var halted: String?
        for (position, step) in reversible.enumerated() {
            if let reason = halted {
                var verdict = StepVerdict(name: step.fileStem)
                verdict.fail("not checked (\(reason))")
                record(verdict, number: step.number)
                continue
            }
            let (verdict, snapshots, stop) = try cycle(step)
            record(verdict, number: step.number)
            if let snapshots { baseline[step.number] = snapshots }
            if stop { halted = "\(step.fileStem) failed"; continue }
            // Blue-green data checks when a phase that moves data ends.
            let next = position + 1 < reversible.count ? reversible[position + 1].phase : nil
            if environment.isBlueGreen, next != step.phase, step.phase == .reverseReplicate { wayBack(enabled: true) }
            if environment.isBlueGreen, next != step.phase, let check = checks.after(phase: step.phase) {
                report.checks.append(check)
                check.lines.forEach(emit)
            }
        }

        // Every down in reverse order, back to the base schema.
        if halted == nil && !reversible.isEmpty {
            let start = Date()
            var reached = true
            let lastReverse = reversible.last { $0.phase == .reverseReplicate }?.number
            for step in reversible.reversed() {
                if environment.isBlueGreen, step.number == lastReverse { wayBack(enabled: false) }
                guard reached, let expected = baseline[step.number] else {
                    note(step.number, "the full rollback did not reach this step")
                    continue
                }
                if let error = apply(step, .down) {
                    rollbackFailure(step, "the full rollback: down failed", details: error.split(separator: "\n").map(String.init))
                    reached = false
                    continue
                }
                let now = try snapshot()
                if now != expected.s0 {
                    rollbackFailure(step, "the full rollback did not restore the schema before this step",
                                    details: Self.diff(expected.s0, now, "before \(step.fileStem)", "after the rollback through it"))
                    reached = false
                }
            }
            emit("rollback: \(reversible.count) down\(reversible.count == 1 ? "" : "s") in reverse order, \(reached ? "back to the base schema" : "stopped at a mismatch") (\(Self.milliseconds(since: start)) ms)")

            // Irreversible steps run last, on the migrated end state, and never come back.
            if !reached {
                for step in irreversible {
                    var verdict = StepVerdict(name: step.fileStem)
                    verdict.fail("not checked (the rollback failed)")
                    record(verdict, number: step.number)
                }
            } else if !irreversible.isEmpty {
                var forward: String?
                for step in reversible {
                    if let error = apply(step, .up) { forward = "\(step.fileStem): \(error)"; break }
                }
                for step in irreversible {
                    var verdict = StepVerdict(name: step.fileStem)
                    let started = Date()
                    if let forward {
                        verdict.fail("not checked (re-applying the ups before it failed)", details: [forward])
                    } else {
                        verdict = irreversibleCheck(step, verdict)
                    }
                    verdict.milliseconds = Self.milliseconds(since: started)
                    record(verdict, number: step.number)
                }
            }
        }
        if halted != nil || reversible.isEmpty {
            for step in irreversible {
                var verdict = StepVerdict(name: step.fileStem)
                if halted != nil { verdict.fail("not checked (\(halted!))") } else { verdict = irreversibleCheck(step, verdict) }
                record(verdict, number: step.number)
            }
        }
        emit(report.summary)
        return report
    }

    /// The rollback failed a step its cycle already printed: one more FAIL line for it, and the
    /// problem joins the step's verdict (so it counts once in the summary).
    private mutating func rollbackFailure(_ step: PlanStep, _ problem: String, details: [String]) {
        emit("FAIL \(step.fileStem) (rollback): \(problem)")
        details.forEach { emit("    " + $0) }
        guard let index = verdictIndex[step.number] else { return }
        report.steps[index].problems.append(problem)
    }

    private mutating func note(_ number: Int, _ text: String) {
        guard let index = verdictIndex[number] else { return }
        report.steps[index].notes.append(text)
    }

    /// An irreversible up: it must succeed twice and leave the same schema; its down is not run.
    private func irreversibleCheck(_ step: PlanStep, _ start: StepVerdict) -> StepVerdict {
        var verdict = start
        verdict.notes.append("irreversible: up run twice on the migrated schema, down not run")
        if let error = apply(step, .up) {
            verdict.fail("up failed", details: error.split(separator: "\n").map(String.init))
            return verdict
        }
        guard let first = try? snapshot() else { verdict.fail("cannot read the schema"); return verdict }
        if let error = apply(step, .up) {
            verdict.fail("up is not idempotent: the second run failed", details: error.split(separator: "\n").map(String.init))
            return verdict
        }
        guard let second = try? snapshot() else { verdict.fail("cannot read the schema"); return verdict }
        if second != first {
            verdict.fail("the second up changed the schema", details: Self.diff(first, second, "after the up", "after the second up"))
        }
        return verdict
    }

    /// Generated expand and contract steps exist to change the schema: one that changes nothing on a
    /// fresh base was written for objects the base does not have, and its guards made it a silent no-op.
    /// Hand-written `sql` steps and the data and check phases may legitimately change no DDL.
    static func mustChangeSchema(_ step: PlanStep) -> Bool {
        !step.unchecked && (step.phase == .expand || step.phase == .contract)
    }

    /// S0, up, S1, up (= S1), down (= S0), down (= S0), up (= S1). Returns the verdict, the two
    /// snapshots for the rollback, and whether the run must stop (the first up failed).
    private func cycle(_ step: PlanStep) throws -> (StepVerdict, (s0: SchemaSnapshot, s1: SchemaSnapshot)?, Bool) {
        var verdict = StepVerdict(name: step.fileStem)
        let start = Date()
        func lines(_ text: String) -> [String] { text.split(separator: "\n").map(String.init) }
        func finish(_ v: StepVerdict) -> StepVerdict {
            var v = v
            v.milliseconds = Self.milliseconds(since: start)
            return v
        }

        let s0 = try snapshot()
        if let error = apply(step, .up) {
            verdict.fail("up failed", details: lines(error))
            return (finish(verdict), nil, true)
        }
        let s1 = try snapshot()
        if s1 == s0 && Self.mustChangeSchema(step) {
            verdict.fail("up changed nothing on the base schema: what it changes is not there (a name the base schema does not have?)")
        }

        if let error = apply(step, .up) {
            verdict.fail("up is not idempotent: the second run failed", details: lines(error))
        } else {
            let again = try snapshot()
            if again != s1 {
                verdict.fail("up is not idempotent: the second run changed the schema",
                             details: Self.diff(s1, again, "after the up", "after the second up"))
            }
        }

        if let error = apply(step, .down) {
            verdict.fail("down failed", details: lines(error))
            return (finish(verdict), (s0, s1), false)
        }
        let afterDown = try snapshot()
        if afterDown != s0 {
            verdict.fail("down did not restore the schema before the up",
                         details: Self.diff(s0, afterDown, "before the up", "after the down"))
        }

        if let error = apply(step, .down) {
            verdict.fail("down is not idempotent: the second run failed", details: lines(error))
        } else {
            let again = try snapshot()
            if again != afterDown {
                verdict.fail("down is not idempotent: the second run changed the schema",
                             details: Self.diff(afterDown, again, "after the down", "after the second down"))
            }
        }

        if let error = apply(step, .up) {
            verdict.fail("up failed after its down", details: lines(error))
            return (finish(verdict), (s0, s1), true)
        }
        let reapplied = try snapshot()
        if reapplied != s1 {
            verdict.fail("up after the down differs from the first up",
                         details: Self.diff(s1, reapplied, "after the first up", "after up, down, down, up"))
        }
        return (finish(verdict), (s0, s1), false)
    }
}
