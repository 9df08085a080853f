/// The stable id of a rule, `CUTnnn`. Ids never change meaning once released; a retired rule keeps
/// its number reserved. Each rule declares its id in its own file
/// (`extension RuleID { public static let unknownKey = RuleID("CUT010") }`) beside its `Rule` value;
/// the name, severity and documentation are read from there through `RuleRegistry` (above Validation:
/// `rule`, `name`, `defaultSeverity`, `allCases`, `lookup` are declared beside it).
public struct RuleID: RawRepresentable, Hashable, Sendable, Codable, Comparable, CustomStringConvertible {
    public let rawValue: String

    public init(rawValue: String) {
        self.rawValue = rawValue
    }

    package init(_ rawValue: String) {
        self.rawValue = rawValue
    }

    public var description: String { rawValue }

    public static func < (lhs: RuleID, rhs: RuleID) -> Bool { lhs.rawValue < rhs.rawValue }
}
