/// One setting of the spec language, declared once: its name, shape (type and checks), default and
/// meaning. `SpecShape` lists its `field` (so the shape checker, the JSON Schema that `cutover schema`
/// prints and docs/spec.md see it), and `SpecBuilder` reads its typed value with `value(in:)`, so the
/// default the docs state is the default the spec gets. Declarations are in `Settings`.
public struct Setting<Value: SettingValue>: Sendable {
    public enum Default: Sendable {
        /// One value; the docs spell it with `settingText`.
        case value(Value)
        /// One value per engine, spelt `5432 (postgresql), 3306 (mysql)`.
        case perEngine(postgresql: Value, mysql: Value)
        /// Computed by `SpecBuilder` from other settings; the words say how.
        case derived(String)
    }

    public let name: String
    public let shape: Shape
    public let required: Bool
    public let defaultValue: Default?
    public let summary: String
    public let example: String?

    public init(_ name: String, _ shape: Shape, required: Bool = false, default defaultValue: Default? = nil,
                _ summary: String, example: String? = nil) {
        self.name = name
        self.shape = shape
        self.required = required
        self.defaultValue = defaultValue
        self.summary = summary
        self.example = example
    }

    /// The setting as the shape checker, the JSON Schema and docs/spec.md see it.
    public var field: Field {
        Field(name, shape, required: required, default: defaultText, summary, example: example)
    }

    /// The default in words; nil when there is none.
    public var defaultText: String? {
        switch defaultValue {
        case .value(let value)?: return value.settingText
        case .perEngine(let postgresql, let mysql)?: return "\(postgresql.settingText) (postgresql), \(mysql.settingText) (mysql)"
        case .derived(let words)?: return words
        case nil: return nil
        }
    }

    /// The value given in `parent`, or nil when it is absent, null or not of the type.
    public func read(in parent: SyntaxNode?) -> Value? {
        parent?[name].flatMap(Value.read)
    }

    /// The value given in `parent`, else the default. Only for a setting with one default value.
    public func value(in parent: SyntaxNode?) -> Value {
        guard case .value(let fallback)? = defaultValue else { preconditionFailure("setting '\(name)' has no single default") }
        return read(in: parent) ?? fallback
    }

    /// The value given in `parent`, else the engine's default. Only for a per-engine setting.
    public func value(in parent: SyntaxNode?, engine: MigrationSpec.Engine) -> Value {
        guard case .perEngine(let postgresql, let mysql)? = defaultValue else { preconditionFailure("setting '\(name)' has no per-engine default") }
        return read(in: parent) ?? (engine == .postgresql ? postgresql : mysql)
    }

    /// The single default value.
    public var fallback: Value {
        guard case .value(let fallback)? = defaultValue else { preconditionFailure("setting '\(name)' has no single default") }
        return fallback
    }
}
