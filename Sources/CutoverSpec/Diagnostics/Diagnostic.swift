/// One finding about a user's input: a stable rule id, a severity, a message and where it is.
public struct Diagnostic: Sendable, Hashable, Codable {
    public enum Severity: String, Sendable, Codable, Comparable {
        case error, warning, note

        private var rank: Int {
            switch self {
            case .error: return 0
            case .warning: return 1
            case .note: return 2
            }
        }

        public static func < (lhs: Severity, rhs: Severity) -> Bool { lhs.rank < rhs.rank }
    }

    public var rule: RuleID
    public var severity: Severity
    public var message: String
    public var file: String
    public var location: SourceLocation

    /// Without a severity, the rule's default from the spec's own rules (`SpecRules`); a rule declared
    /// above Validation is reported through a `DiagnosticBag`, which holds the whole table.
    public init(_ rule: RuleID, _ severity: Severity? = nil, _ message: String, file: String, at location: SourceLocation) {
        self.rule = rule
        self.severity = severity ?? SpecRules.table.severity(rule)
        self.message = message
        self.file = file
        self.location = location
    }

    /// Sorted by file, line, column, then severity and id so output order never depends on rule order.
    public static func sorted(_ diagnostics: [Diagnostic]) -> [Diagnostic] {
        diagnostics.sorted {
            ($0.file, $0.location.line, $0.location.column, $0.severity, $0.rule.rawValue, $0.message)
                < ($1.file, $1.location.line, $1.location.column, $1.severity, $1.rule.rawValue, $1.message)
        }
    }
}

private func < (
    lhs: (String, Int, Int, Diagnostic.Severity, String, String),
    rhs: (String, Int, Int, Diagnostic.Severity, String, String)
) -> Bool {
    if lhs.0 != rhs.0 { return lhs.0 < rhs.0 }
    if lhs.1 != rhs.1 { return lhs.1 < rhs.1 }
    if lhs.2 != rhs.2 { return lhs.2 < rhs.2 }
    if lhs.3 != rhs.3 { return lhs.3 < rhs.3 }
    if lhs.4 != rhs.4 { return lhs.4 < rhs.4 }
    return lhs.5 < rhs.5
}
