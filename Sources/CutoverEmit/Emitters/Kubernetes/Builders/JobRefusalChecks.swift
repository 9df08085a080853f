import CutoverPlan

/// The refusal checks of a Job, run before its first step changes anything. A rollback Job runs
/// several downs in order, and some downs start with a check that refuses the rollback (a value the
/// old type cannot take, rows that repeat a unique key the down brings back, rows a check forbids).
/// Each check leads its own file, but when it belongs to a later down the earlier downs of the Job
/// have already run when it refuses: the Job fails half way. So the Job first runs one more file,
/// `checks-<job>.sql`, holding the `refusalCheck` statements (typed by the recipes, never found in
/// the text) of every file but its first, in the Job's order; the order of the changes is unchanged.
///
/// The checks stay in their own files too: a down file is complete on its own (golang-migrate, or a
/// DBA running one down by hand), and there it looks again right before its change. Each check is
/// read-only (a scan), so a Job pays one more read per hoisted check.
///
/// A check is never moved ahead of a `sql` change's down: that is the user's SQL, which may be what
/// makes the rows fit the later down (the checks after it stay where they are, in their files).
/// Cutover's own downs of other changes touch other objects, so what a hoisted check reads (the rows
/// the new app version wrote, the catalog entries of its own change) is what it would read in place.
/// Flyway's forward Jobs are left alone: `flyway migrate` runs its own versions, and no up holds a
/// refusal check (the checks belong to downs, which every tool runs with the client).
public struct JobRefusalChecks: Sendable {
    public var plan: MigrationPlan
    /// ConfigMap file name to step index and direction.
    private let files: [String: (Int, SQLFileRenderer.Direction)]

    public init(_ plan: MigrationPlan) {
        self.plan = plan
        var files: [String: (Int, SQLFileRenderer.Direction)] = [:]
        for (index, step) in plan.steps.enumerated() {
            for direction in [SQLFileRenderer.Direction.up, .down] { files[JobCatalog.fileName(step, direction)] = (index, direction) }
        }
        self.files = files
    }

    public static func fileName(_ suffix: String) -> String { "checks-\(suffix).sql" }

    public static func isChecksFile(_ name: String) -> Bool { name.hasPrefix("checks-") && name.hasSuffix(".sql") }

    /// The checks to run first, by the file they come from, for a Job with `arguments` (without a
    /// checks file of its own): empty when no file after the first holds one.
    public func hoisted(_ arguments: [String]) -> [(file: String, statements: [SQLStatement])] {
        var out: [(file: String, statements: [SQLStatement])] = []
        // Column names an earlier file of the Job renames (a rename's down gives the old name back): a
        // check that reads one would read it before that rename ran, where the column has the other
        // name (#14 trial 14d: a `down` reading `handle`, renamed by a later change, failed the checks
        // file of contract's rollback with 1054). The hoisting stops at such a check.
        var renamed: [String] = []
        for (position, argument) in arguments.enumerated() {
            let file = argument.hasPrefix(JobCatalog.oneTransactionPrefix) ? String(argument.dropFirst(JobCatalog.oneTransactionPrefix.count)) : argument
            guard let (index, direction) = files[file] else { continue }
            let step = plan.steps[index]
            if step.unchecked { break }
            let checks = (direction == .up ? step.up : step.down).statements.filter { $0.kind == .refusalCheck }
            if position > 0 && checks.contains(where: { check in
                renamed.contains { ColumnExpression.uses(check.text, column: $0, engine: plan.spec.database.engine) }
            }) { break }
            if let change = step.changeIndex, change < plan.spec.changes.count,
               let rename = plan.spec.changes[change].operation.unit(RenameColumn.self) {
                renamed += [rename.from.value, rename.to.value]
            }
            guard position > 0 else { continue }
            if !checks.isEmpty { out.append((file, checks)) }
        }
        return out
    }

    /// The Job's arguments with its checks file first, when it has checks to hoist.
    func arguments(_ arguments: [String], suffix: String) -> [String] {
        hoisted(arguments).isEmpty ? arguments : [Self.fileName(suffix)] + arguments
    }

    /// The checks file of `job` (its first argument), or nil when the Job has none.
    public func file(for job: JobUnit) -> KeyValue? {
        guard let name = job.arguments.first, name == Self.fileName(job.suffix) else { return nil }
        let groups = hoisted(Array(job.arguments.dropFirst()))
        guard !groups.isEmpty else { return nil }
        var out = GeneratedHeader.sql(plan.spec)
        out += "-- Job \(job.suffix): the refusal checks of its later steps, run before its first step changes anything\n"
        out += "-- (each stays in its own file too, where it looks again right before its change).\n"
        out += SQLFileRenderer.sessionSettings(plan.spec)
        for group in groups {
            out += "-- from \(group.file):\n"
            for statement in group.statements { SQLFileRenderer.render(statement, into: &out) }
        }
        return KeyValue(name, out)
    }
}
