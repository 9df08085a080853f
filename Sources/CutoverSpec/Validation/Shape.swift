/// The spec language described as data. One description drives the structural checker, the JSON Schema
/// that `cutover schema` prints and the field reference in docs/spec.md, so the three cannot drift.
public indirect enum Shape: Sendable {
    case object(ObjectShape)
    case list(Shape, minItems: Int)
    case text(TextFormat)
    case integer(min: Int?, max: Int?, rule: RuleID)
    case number(min: Double?, max: Double?, rule: RuleID)
    case boolean
    case choice([String])
    /// SQL keywords (`no action`, `btree`): one of `values` in any letter case, read in lower case, as
    /// the server reads them (`onDelete: CASCADE` means what `cascade` means).
    case keyword([String])
    /// A mapping with exactly one key out of `fields` (operations, canary steps).
    case oneKey(name: String, fields: [Field])
    /// A mapping from free-form keys to values of one shape (labels, resource amounts).
    case dictionary(key: TextFormat, value: Shape)
    /// A string in `format`, or a mapping of `object`'s shape (an index key: `email` or `{expression: …}`).
    case textOrObject(TextFormat, ObjectShape)
}

public struct ObjectShape: Sendable {
    /// What the user calls this object in messages: "column", "database", "addColumn".
    public var name: String
    public var summary: String
    public var fields: [Field]

    public init(_ name: String, _ summary: String, _ fields: [Field]) {
        self.name = name
        self.summary = summary
        self.fields = fields
    }

    public func field(_ name: String) -> Field? { fields.first { $0.name == name } }
}

public struct Field: Sendable {
    public var name: String
    public var shape: Shape
    public var required: Bool
    /// The default in words for the docs and JSON Schema; nil when there is none.
    public var defaultText: String?
    public var summary: String
    public var example: String?

    public init(_ name: String, _ shape: Shape, required: Bool = false, default defaultText: String? = nil,
                _ summary: String, example: String? = nil) {
        self.name = name
        self.shape = shape
        self.required = required
        self.defaultText = defaultText
        self.summary = summary
        self.example = example
    }
}

extension Shape {
    /// A keyword as the spec reader compares it: lower case, runs of blanks as one space.
    public static func keywordValue(_ text: String) -> String {
        text.lowercased().split(whereSeparator: { $0 == " " || $0 == "\t" }).joined(separator: " ")
    }

    /// `no action` as an ECMA-262 pattern that matches it in any case: `[nN][oO] [aA][cC]…`.
    package static func caseInsensitivePattern(_ value: String) -> String {
        value.map { character -> String in
            let lower = character.lowercased(), upper = character.uppercased()
            return lower == upper ? String(character) : "[\(lower)\(upper)]"
        }.joined()
    }
}
