/// A step before the planner numbers it: what an operation's lowering returns. The planner orders
/// drafts by phase, then by `rank` (validations at the end of expand), then by the order produced.
public struct StepDraft: Sendable {
    public var phase: Phase
    /// Words for the slug, before sanitising and truncation, e.g. "add_column pricing tier".
    public var slug: String
    public var title: String
    public var changeIndex: Int?
    public var side: DatabaseSide?
    public var up: [SQLStatement]
    public var down: [SQLStatement]
    public var reversible: Bool
    public var transactional: Bool
    public var unchecked: Bool
    /// 0 normally; 1 runs after every rank-0 step of the same phase (VALIDATE CONSTRAINT in expand).
    public var rank: Int

    public init(_ phase: Phase, slug: String, title: String, change: Int?, side: DatabaseSide? = nil,
                up: [SQLStatement], down: [SQLStatement], reversible: Bool = true, transactional: Bool = true,
                unchecked: Bool = false, rank: Int = 0) {
        self.phase = phase
        self.slug = slug
        self.title = title
        self.changeIndex = change
        self.side = side
        self.up = up
        self.down = down
        self.reversible = reversible
        self.transactional = transactional
        self.unchecked = unchecked
        self.rank = rank
    }
}

extension Array where Element == SQLStatement.Suppression {
    /// Shorthand: several rules sharing one reason.
    static func rules(_ rules: [String], _ reason: String) -> [SQLStatement.Suppression] {
        rules.map { SQLStatement.Suppression(rule: $0, reason: reason) }
    }
}

extension SQLStatement {
    /// A comment-only "statement" (rendered as `-- text` lines).
    static func note(_ text: String) -> SQLStatement { SQLStatement("", comment: text) }
}
