/// Diagnostic messages: lower case, no trailing period, user values in quotes. Each rule's own messages
/// are typed factories in an `extension Message` in the rule's file (or its check unit's); the ones
/// here are shared by several rules.
public enum Message {
    public static func tooFewItems(_ field: String, minimum: Int) -> String {
        "'\(field)' needs at least \(minimum) item\(minimum == 1 ? "" : "s")"
    }
    public static func outOfRange(_ field: String, value: String, min: String?, max: String?) -> String {
        switch (min, max) {
        case let (min?, max?): return "'\(field)' must be between \(min) and \(max), found \(value)"
        case let (min?, nil): return "'\(field)' must be at least \(min), found \(value)"
        case let (nil, max?): return "'\(field)' must be at most \(max), found \(value)"
        default: return "'\(field)' is out of range: \(value)"
        }
    }
}
