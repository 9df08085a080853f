/// The syntax tree of a spec: plain values with the marks of their source, Sendable unlike Yams' `Node`.
/// Keys are strings because the spec language has no complex keys; the parser rejects any other key.
public struct SyntaxNode: Sendable {
    public enum ScalarStyle: Sendable, Equatable {
        case plain, singleQuoted, doubleQuoted, literal, folded
    }

    public struct Entry: Sendable {
        public var key: String
        public var keyLocation: SourceLocation
        public var value: SyntaxNode
    }

    public enum Kind: Sendable {
        case scalar(String, ScalarStyle)
        case mapping([Entry])
        case sequence([SyntaxNode])
    }

    public var kind: Kind
    public var location: SourceLocation

    public init(_ kind: Kind, at location: SourceLocation) {
        self.kind = kind
        self.location = location
    }

    /// The scalar's text, or nil for collections.
    public var scalarValue: String? {
        if case .scalar(let value, _) = kind { return value }
        return nil
    }

    /// True for a plain `~`, `null`, `Null`, `NULL` or empty plain scalar: YAML's null.
    public var isNull: Bool {
        if case .scalar(let value, .plain) = kind {
            return value.isEmpty || value == "~" || value == "null" || value == "Null" || value == "NULL"
        }
        return false
    }

    public var entries: [Entry]? {
        if case .mapping(let entries) = kind { return entries }
        return nil
    }

    public var items: [SyntaxNode]? {
        if case .sequence(let items) = kind { return items }
        return nil
    }

    /// The value under `key` in a mapping (first match; duplicates are rejected by the parser).
    public subscript(key: String) -> SyntaxNode? {
        entries?.first { $0.key == key }?.value
    }

    /// The entry under `key`, for diagnostics that point at the key rather than its value.
    public func entry(_ key: String) -> Entry? {
        entries?.first { $0.key == key }
    }

    /// A short name of the node's type for "expected X, found Y" messages.
    public var typeName: String {
        switch kind {
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .scalar(let value, let style):
            if isNull { return "null" }
            if style != .plain { return "a string" }
            if ScalarResolution.bool(value) != nil { return "a boolean" }
            if ScalarResolution.integer(value) != nil { return "an integer" }
            if ScalarResolution.number(value) != nil { return "a number" }
            return "a string"
        }
    }
}
