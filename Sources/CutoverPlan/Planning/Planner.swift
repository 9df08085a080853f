/// Lowers a validated spec into phases and ordered steps: each change through the engine's dialect
/// (in spec order, the schema evolving as it goes), blue-green replication plumbing where the strategy
/// needs it, then a stable order by phase (validations at the end of expand) and global numbering
/// with unique, length-capped slugs.
public struct Planner: Planning {
    public init() {}

    public func plan(_ validated: ValidatedSpec) -> MigrationPlan {
        let spec = validated.spec
        let dialect = SQLDialects.dialect(for: spec.database.engine)
        // The changes' lowering is the one validation's rules may already have made (`LoweredSpec`).
        let lowered = validated.lowered
        let base = lowered.base
        var drafts: [StepDraft] = []
        var versionDatabases = false
        if spec.strategy == .blueGreen {
            drafts += dialect.blueGreen(context: base)
        } else {
            drafts += lowered.changeDrafts.joined()
            let views = lowered.postgresVersionViews
            if !views.isEmpty {
                drafts += PostgreSQLVersionSchemas(b: PostgreSQLBuilder(context: base), changes: spec.changes).drafts(views)
            }
            // Present only where they are on and the versions differ, as its drafts need.
            if let versions = lowered.mysqlVersionSchemas {
                drafts += versions.drafts()
                versionDatabases = true
            }
            // Written last, first in the plan: what the other steps run decides the privileges it checks.
            if let preflight = Preflight(context: base, drafts: drafts).draft() { drafts.insert(preflight, at: 0) }
        }
        let phases = PhaseCatalog.phases(for: spec, versionDatabases: versionDatabases)
        let enabled = Set(phases.map(\.phase))
        let ordered = drafts.enumerated()
            .filter { enabled.contains($0.element.phase) }
            .sorted { a, b in
                if a.element.phase != b.element.phase { return a.element.phase < b.element.phase }
                if a.element.rank != b.element.rank { return a.element.rank < b.element.rank }
                return a.offset < b.offset
            }
            .map(\.element)
        let final = spec.database.engine == .mysql ? MySQLTriggerOrder.apply(ordered) : ordered
        return MigrationPlan(spec: spec, schema: validated.schema, phases: phases, steps: Self.number(final))
    }

    /// Numbers the drafts from 1 and gives each a unique slug that keeps `NNNN_<phase>_<slug>` within 100 characters.
    static func number(_ drafts: [StepDraft]) -> [PlanStep] {
        var used: Set<String> = []
        var steps: [PlanStep] = []
        for (offset, draft) in drafts.enumerated() {
            let number = offset + 1
            let digits = max(4, String(number).count)
            let budget = maxStemLength - digits - 1 - draft.phase.rawValue.count - 1
            var slug = SlugBuilder.slug(draft.slug, maxLength: budget)
            if used.contains(slug) {
                var n = 2
                while used.contains(SlugBuilder.suffixed(slug, n, maxLength: budget)) { n += 1 }
                slug = SlugBuilder.suffixed(slug, n, maxLength: budget)
            }
            used.insert(slug)
            let transactional = draft.transactional && Self.fitsOneTransaction(draft.up + draft.down)
            steps.append(PlanStep(number: number, phase: draft.phase, slug: slug, title: draft.title, changeIndex: draft.changeIndex,
                                  side: draft.side, up: SQLScript(draft.up), down: SQLScript(draft.down), reversible: draft.reversible,
                                  transactional: transactional, unchecked: draft.unchecked))
        }
        return steps
    }

    /// Whether a step's statements may share one transaction, from what each statement does: not when one
    /// refuses a transaction block (a CONCURRENTLY build, a loop that commits per batch), nor when a NOT VALID
    /// constraint and its VALIDATE are in the same step (the scan would run under the ADD's ACCESS EXCLUSIVE lock).
    static func fitsOneTransaction(_ statements: [SQLStatement]) -> Bool {
        if statements.contains(where: \.refusesTransaction) { return false }
        return !(statements.contains(where: \.addsNotValid) && statements.contains(where: \.validatesConstraint))
    }

    public static let maxStemLength = 100
}
