/// How plain scalars read as booleans and numbers: YAML 1.2's core schema, which is what editors and the
/// JSON Schema assume; YAML 1.1's `yes`/`no`/`on`/`off` stay strings (and are flagged where a boolean is due).
public enum ScalarResolution {
    public static func bool(_ text: String) -> Bool? {
        switch text {
        case "true", "True", "TRUE": return true
        case "false", "False", "FALSE": return false
        default: return nil
        }
    }

    public static func integer(_ text: String) -> Int? {
        guard !text.isEmpty, text.count <= 19 else { return nil }
        var digits = Substring(text)
        if digits.first == "+" || digits.first == "-" { digits = digits.dropFirst() }
        guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        return Int(text.hasPrefix("+") ? String(text.dropFirst()) : text)
    }

    public static func number(_ text: String) -> Double? {
        if let int = integer(text) { return Double(int) }
        guard !text.isEmpty, text.count <= 64 else { return nil }
        let allowed = Set("0123456789+-.eE")
        guard text.allSatisfy({ allowed.contains($0) }), text.contains(where: { $0.isNumber }) else { return nil }
        guard let value = Double(text), value.isFinite else { return nil }
        return value
    }
}
