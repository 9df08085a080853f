/// The IR between the validated spec and every emitter: the phases in order, and the ordered steps,
/// each an up/down pair of SQL statements assigned to a phase. Emitters render this; none of them
/// re-derives ordering or SQL from the spec.
public struct MigrationPlan: Sendable {
    public let spec: MigrationSpec
    /// The base schema the spec was checked against, when `database.schema` was given.
    public let schema: DatabaseSchema?
    public var phases: [PlanPhase]
    public var steps: [PlanStep]
    /// The old and the new version's schema of views (PostgreSQL) or database (MySQL) when the plan creates
    /// them, else nil (`VersionSchemaSelection.schemas`). Computed once: the runbook, the ConfigMap and
    /// rehearse each ask, and each answer lowers the spec's views again.
    public let versionSchemas: (old: String, new: String)?

    public init(spec: MigrationSpec, schema: DatabaseSchema?, phases: [PlanPhase], steps: [PlanStep]) {
        self.spec = spec
        self.schema = schema
        self.phases = phases
        self.steps = steps
        self.versionSchemas = VersionSchemaSelection.schemas(spec: spec, schema: schema)
    }

    public func steps(in phase: Phase) -> [PlanStep] { steps.filter { $0.phase == phase } }
}

public struct PlanPhase: Sendable {
    public var phase: Phase
    public var title: String
    /// What the phase does, in a sentence or two, for the plan README.
    public var summary: String
    public var enabledByDefault: Bool

    public init(phase: Phase, title: String, summary: String, enabledByDefault: Bool) {
        self.phase = phase
        self.title = title
        self.summary = summary
        self.enabledByDefault = enabledByDefault
    }
}

/// Which database a blue-green step runs on.
public enum DatabaseSide: String, Sendable, Codable { case blue, green }

public struct PlanStep: Sendable {
    /// 1-based position in the global order; file names use it (`0003_expand_add_tier`).
    public var number: Int
    public var phase: Phase
    /// Lower-case words joined by '_', unique within the plan, e.g. "add_pricing_tier".
    public var slug: String
    /// One line for humans, e.g. "add column pricing.tier".
    public var title: String
    /// Index into `spec.changes` of the change that produced the step; nil for generated plumbing.
    public var changeIndex: Int?
    public var side: DatabaseSide?
    public var up: SQLScript
    public var down: SQLScript
    /// False when the down cannot restore what the up destroyed (purge).
    public var reversible: Bool
    /// False when the step must run outside a transaction (CREATE INDEX CONCURRENTLY and friends).
    public var transactional: Bool
    /// True for the `sql` escape hatch: cutover did not check this SQL.
    public var unchecked: Bool

    public init(number: Int, phase: Phase, slug: String, title: String, changeIndex: Int?, side: DatabaseSide? = nil,
                up: SQLScript, down: SQLScript, reversible: Bool = true, transactional: Bool = true, unchecked: Bool = false) {
        self.number = number
        self.phase = phase
        self.slug = slug
        self.title = title
        self.changeIndex = changeIndex
        self.side = side
        self.up = up
        self.down = down
        self.reversible = reversible
        self.transactional = transactional
        self.unchecked = unchecked
    }

    /// `NNNN_<phase>_<slug>`, the stem of the step's files.
    public var fileStem: String {
        let number = String(self.number)
        let padded = String(repeating: "0", count: max(0, 4 - number.count)) + number
        return "\(padded)_\(phase.rawValue.replacingDashes())_\(slug)"
    }

    /// Every squawk suppression in the step, for the plan's list of them.
    public var suppressions: [SQLStatement.Suppression] {
        (up.statements + down.statements).flatMap(\.suppressions)
    }
}

/// The statements of one direction of a step. File renderers add headers and timeouts around them.
public struct SQLScript: Sendable {
    public var statements: [SQLStatement]

    public init(_ statements: [SQLStatement]) {
        self.statements = statements
    }
}

public struct SQLStatement: Sendable {
    /// A squawk rule suppressed on this statement, with the reason it is safe by construction.
    public struct Suppression: Sendable, Hashable {
        public var rule: String
        public var reason: String
        /// True when the `-- squawk-ignore` comment sits inside the statement text, above the line squawk
        /// reports (a column of a CREATE TABLE), rather than above the statement.
        public var inline: Bool
        public init(rule: String, reason: String, inline: Bool = false) {
            self.rule = rule
            self.reason = reason
            self.inline = inline
        }
    }

    /// The statement text, without a trailing newline; it ends with ';' (or is a complete block).
    public var text: String
    /// A one-line comment written above the statement, saying why it is there.
    public var comment: String?
    public var suppressions: [Suppression]
    /// What the statement does, as the recipe states it: the planner's facts come from here, never from `text`.
    public var kind: StatementKind

    public init(_ text: String, comment: String? = nil, suppressions: [Suppression] = [], kind: StatementKind = .plain) {
        self.text = text
        self.comment = comment
        self.suppressions = suppressions
        self.kind = kind
    }

    /// A MySQL trigger as a value; its text is written by `StatementRendering` once the planner has ordered it.
    public init(trigger: MySQLTrigger, comment: String? = nil) {
        self.init("", comment: comment, kind: .mysqlTrigger(trigger))
    }

    /// A DDL value; `StatementRendering` writes the engine's statements for it (a comment given here goes above the first).
    public init(_ ddl: DDL, comment: String? = nil) {
        self.init("", comment: comment, kind: .ddl(ddl))
    }

    /// The step holding the statement cannot run in a transaction (CONCURRENTLY, a loop committing per batch).
    public var refusesTransaction: Bool { kind.refusesTransaction(text: text) }
    var addsNotValid: Bool { kind.addsNotValid(text: text) }
    var validatesConstraint: Bool { kind.validates(text: text) }
    /// The table a MySQL ALGORITHM=COPY statement copies, writes blocked meanwhile (nil for any other statement).
    public var copiedTable: String? {
        if case .tableCopy(let table) = kind { return table }
        return nil
    }
}

extension String {
    package func replacingDashes() -> String { String(map { $0 == "-" ? "_" : $0 }) }
}
