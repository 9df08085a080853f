/// The preflight step of expand-contract: before any DDL, check that the server is at least the
/// version the spec names, that every table and column the migration touches is as the base schema
/// says (present; its type, nullability and, where the spec changes it, default), and that the Jobs'
/// role has the privileges their statements need. It only reads the catalog. Every problem is listed,
/// then it fails, so the preflight Job fails and (as a pre-install/pre-upgrade hook, or PreSync) stops
/// the release.
///
/// The Job runs again on every Argo CD sync of `manifests/` and every re-run of the first `helm
/// upgrade`: it accepts the schema at the base, after expand or complete, or part-way through one
/// of them, says which, refuses after contract (the stage's expand would create again what
/// contract removed) and fails on anything else (`PreflightExpectations`, `PreflightBoundary`).
struct Preflight {
    var context: LoweringContext
    var expectations: PreflightExpectations

    /// `context` is the base (before any change); `drafts` every other step of the plan: what the Jobs
    /// run decides which privileges are checked and which columns complete makes NOT NULL.
    init(context: LoweringContext, drafts: [StepDraft] = []) {
        self.context = context
        self.expectations = PreflightExpectations(context: context, drafts: drafts)
    }

    /// Tables and columns that exist before the migration and that it touches, in spec order.
    var requirements: (tables: [String], columns: [(table: String, column: String)]) {
        (expectations.tables.map(\.name), expectations.columns.filter(\.inBase).map { ($0.table, $0.name) })
    }

    var majorVersion: Int { Int(context.spec.database.version.prefix { $0.isNumber }) ?? 0 }

    /// The oldest PostgreSQL the generated SQL runs on: 15 where it creates views for an app version
    /// `WITH (security_invoker = true)` (a server of 14 would fail expand, not the preflight; trial 14k);
    /// else 14 where it uses CREATE OR REPLACE TRIGGER (written for 14 and later); else the spec's version.
    var postgresMinimum: Int {
        if context.createsAppVersionViews && context.postgresInvokerViews { return 15 }
        return majorVersion >= 14 ? 14 : majorVersion
    }

    func draft() -> StepDraft? {
        // Nothing the migration relies on exists before it (only new tables, or raw SQL): no step.
        guard context.spec.strategy == .expandContract, !expectations.tables.isEmpty || !expectations.columns.isEmpty else { return nil }
        let up = context.engine == .postgresql
            ? PreflightPostgreSQL(b: PostgreSQLBuilder(context: context), expectations: expectations, major: majorVersion, minimum: postgresMinimum).statements()
            : PreflightMySQL(b: MySQLBuilder(context: context), expectations: expectations, major: majorVersion).statements()
        let down: [SQLStatement] = context.engine == .postgresql
            ? [.note("Nothing to undo: the preflight only reads the catalog.")]
            : [.note("Nothing to undo: the preflight only reads the catalog."), SQLStatement("DO 0;")]
        // The runbook says what the step reads: where expressions are fit-checked, every row of those tables.
        let fits = PreflightUpFit(context: context).checks.map { "\($0.table).\($0.column)" }
        let title = "check the server version, the tables and columns the migration relies on, and the privileges its Jobs need"
            + (fits.isEmpty ? "" : "; and that every existing row converts as the sync triggers and the backfill will (\(fits.joined(separator: ", ")))")
        return StepDraft(.preflight, slug: "check server and base schema", title: title,
                         change: nil, up: up, down: down, transactional: false)
    }

    /// A type written as the base schema or the spec writes it, labelled for a message.
    static func describe(_ types: [String], inBase: Bool) -> String {
        types.enumerated().map { i, type in
            type + (i == 0 && inBase ? " (base schema)" : " (spec)")
        }.joined(separator: " or ")
    }
}
