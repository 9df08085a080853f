/// A type a setting can hold: read from its node of a shape-checked tree, and spelt for the docs and
/// the JSON Schema, so a default is written once as a value and its words follow from it.
public protocol SettingValue: Sendable {
    /// The value of `node`, or nil when it is not one (the shape checker reported that already).
    static func read(_ node: SyntaxNode) -> Self?
    /// How docs/spec.md and the JSON Schema spell the value.
    var settingText: String { get }
}

extension SettingValue {
    /// The node's scalar text; nil for a YAML null, which means the same as an absent key.
    static func scalar(_ node: SyntaxNode) -> String? {
        node.isNull ? nil : node.scalarValue
    }
}

extension Int: SettingValue {
    public static func read(_ node: SyntaxNode) -> Int? { scalar(node).flatMap(ScalarResolution.integer) }
    public var settingText: String { String(self) }
}

extension Double: SettingValue {
    public static func read(_ node: SyntaxNode) -> Double? { scalar(node).flatMap(ScalarResolution.number) }
    /// Whole numbers without a fraction: `1`, not `1.0`.
    public var settingText: String { self == rounded() && abs(self) < 1e15 ? String(Int(self)) : String(self) }
}

extension Bool: SettingValue {
    public static func read(_ node: SyntaxNode) -> Bool? { scalar(node).flatMap(ScalarResolution.bool) }
    public var settingText: String { String(self) }
}

extension String: SettingValue {
    public static func read(_ node: SyntaxNode) -> String? { scalar(node) }
    public var settingText: String { self }
}

extension Duration: SettingValue {
    public static func read(_ node: SyntaxNode) -> Duration? { scalar(node).flatMap(Duration.parse) }
    public var settingText: String { text }
}

/// A closed set spelt by its raw values (`expand-contract`, `psql`); SQL keywords (`no action`,
/// `btree`) are read in any letter case, as the server reads them.
public protocol KeywordSettingValue: SettingValue, RawRepresentable where RawValue == String {}

extension KeywordSettingValue {
    public static func read(_ node: SyntaxNode) -> Self? { scalar(node).flatMap { Self(rawValue: Shape.keywordValue($0)) } }
    public var settingText: String { rawValue }
}

/// A closed set whose values are matched exactly, as the shape checker's `.choice` does.
public protocol ChoiceSettingValue: SettingValue, RawRepresentable where RawValue == String {}

extension ChoiceSettingValue {
    public static func read(_ node: SyntaxNode) -> Self? { scalar(node).flatMap(Self.init(rawValue:)) }
    public var settingText: String { rawValue }
}

extension MigrationSpec.Strategy: ChoiceSettingValue {}
extension MigrationSpec.DatabaseOperator: ChoiceSettingValue {}
extension MigrationSpec.RunnerTool: ChoiceSettingValue {}
extension MigrationSpec.DatabaseIsolation: ChoiceSettingValue {}
extension ReferentialAction: KeywordSettingValue {}

extension MigrationSpec.Resources: SettingValue {
    public static func read(_ node: SyntaxNode) -> MigrationSpec.Resources? {
        MigrationSpec.Resources(requests: amounts(node["requests"]), limits: amounts(node["limits"]))
    }

    /// `requests 100m/128Mi, limits 1/512Mi`: CPU and memory, as the defaults are given.
    public var settingText: String {
        "requests \(requests["cpu"] ?? "-")/\(requests["memory"] ?? "-"), limits \(limits["cpu"] ?? "-")/\(limits["memory"] ?? "-")"
    }

    private static func amounts(_ node: SyntaxNode?) -> [String: String] {
        let pairs = (node?.entries ?? []).compactMap { entry in entry.value.scalarValue.map { (entry.key, $0) } }
        return Dictionary(pairs, uniquingKeysWith: { first, _ in first })
    }
}
