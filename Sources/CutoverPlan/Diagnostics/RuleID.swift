/// The stable id of a rule, `CUTnnn`. Ids never change meaning once released; a retired rule keeps
/// its number reserved. Each rule declares its id in its own file
/// (`extension RuleID { public static let unknownKey = RuleID("CUT010") }`) beside its `Rule` value;
/// the name, severity and documentation are read from there through `RuleRegistry`.
public struct RuleID: RawRepresentable, Hashable, Sendable, Codable, Comparable, CustomStringConvertible {
    public let rawValue: String

    public init(rawValue: String) {
        self.rawValue = rawValue
    }

    init(_ rawValue: String) {
        self.rawValue = rawValue
    }

    /// The rule this id names, with its documentation and examples.
    public var rule: Rule { RuleRegistry.rule(self) }

    /// The kebab-case name shown beside the id in `explain` and SARIF.
    public var name: String { rule.name }

    public var defaultSeverity: Diagnostic.Severity {
        guard let severity = RuleRegistry.severities[self] else { preconditionFailure("rule \(rawValue) is not registered in RuleRegistry") }
        return severity
    }

    public var description: String { rawValue }

    /// Every registered rule's id, in id order.
    public static var allCases: [RuleID] { RuleRegistry.rules.map(\.id) }

    public static func < (lhs: RuleID, rhs: RuleID) -> Bool { lhs.rawValue < rhs.rawValue }
}

extension RuleID {
    /// Finds a rule by id (`CUT010`, case-insensitive) or by name (`unknown-key`).
    public static func lookup(_ text: String) -> RuleID? {
        allCases.first { $0.rawValue.lowercased() == text.lowercased() || $0.name == text.lowercased() }
    }
}
