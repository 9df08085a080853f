import Yams

/// Building blocks for Kubernetes YAML as Yams nodes, and the one serializer every manifest goes
/// through. Mappings keep the order they are built in; strings that a YAML 1.1 reader would take for
/// something else ("yes", "8080", "0.0005", "on", "") are single-quoted so they stay strings.
public enum ManifestYAML {
    /// A string scalar: plain when that reads back as the same string, single-quoted otherwise, and a
    /// literal block when it spans lines.
    public static func string(_ value: String) -> Node {
        if value.contains("\n") {
            // A literal block keeps lines as they are; a line too long for yamllint's 200 columns goes
            // double-quoted instead, which the serializer folds at spaces. (libyaml itself falls back
            // to double quotes for text a block cannot hold, such as trailing spaces.)
            let longest = value.split(separator: "\n", omittingEmptySubsequences: false).map(\.count).max() ?? 0
            return Node(value, Tag(.str), longest > maxLiteralLineLength ? .doubleQuoted : .literal)
        }
        if needsQuotes(value) { return Node(value, Tag(.str), .singleQuoted) }
        return Node(value, Tag(.str), .any)
    }

    /// Lines longer than this leave literal blocks (the block is indented by up to 40 columns).
    public static let maxLiteralLineLength = 150

    public static func int(_ value: Int) -> Node { Node(String(value), Tag(.int), .plain) }

    public static func bool(_ value: Bool) -> Node { Node(value ? "true" : "false", Tag(.bool), .plain) }

    /// A mapping in the given key order; nil values are left out.
    public static func mapping(_ pairs: [(String, Node?)]) -> Node {
        Node(pairs.compactMap { key, value in value.map { (string(key), $0) } }, Tag(.map), .block)
    }

    /// A mapping of strings, in the given order (callers sort where the source is a dictionary).
    public static func stringMapping(_ pairs: [(key: String, value: String)]) -> Node {
        mapping(pairs.map { ($0.key, string($0.value)) })
    }

    public static func sequence(_ items: [Node]) -> Node { Node(items, Tag(.seq), .block) }

    public static func strings(_ items: [String]) -> Node { sequence(items.map(string)) }

    /// True when a plain scalar would not read back as this string (YAML 1.1 booleans, numbers,
    /// null, timestamps, `<<`, `=`, the single letters y/n) or is empty.
    public static func needsQuotes(_ value: String) -> Bool {
        if value.isEmpty { return true }
        if ["y", "Y", "n", "N"].contains(value) { return true }
        // Yams' own representer single-quotes exactly the strings its resolver would read as non-strings.
        return value.represented().style == .singleQuoted
    }

    /// One YAML document: the header comment line(s), then the node; LF endings and a trailing newline.
    public static func document(_ node: Node, header: String) -> String {
        // Yams only throws for events libyaml rejects; the nodes built here are always well-formed.
        // libyaml breaks a quoted line only at the first space past `width`, so a line can run on by
        // one unbreakable SQL token (a quoted 64-character name with its escapes); 100 keeps even that
        // under yamllint's 200 once Helm indents the chart's ConfigMap.
        let body = (try? Yams.serialize(node: node, indent: 2, width: 100, allowUnicode: true, lineBreak: .ln)) ?? ""
        var text = header + body
        if !text.hasSuffix("\n") { text += "\n" }
        return text
    }

    /// Formats a ratio or a number of seconds without an exponent: 0.0005, 5, 2.5.
    public static func number(_ value: Double) -> String {
        if value == value.rounded(), abs(value) < 1e15 { return String(Int(value)) }
        var text = String(describing: value)
        if text.contains("e") || text.contains("E") {
            text = decimalText(value)
        }
        return text
    }

    private static func decimalText(_ value: Double) -> String {
        // 17 significant digits are enough for any Double; trim the trailing zeros.
        var digits = ""
        var remainder = abs(value)
        let integer = remainder.rounded(.towardZero)
        remainder -= integer
        var fraction = ""
        for _ in 0..<20 {
            remainder *= 10
            let digit = Int(remainder.rounded(.towardZero))
            fraction += String(digit)
            remainder -= Double(digit)
            if remainder <= 1e-18 { break }
        }
        while fraction.hasSuffix("0") { fraction.removeLast() }
        digits = String(Int(integer)) + (fraction.isEmpty ? "" : "." + fraction)
        return (value < 0 ? "-" : "") + digits
    }
}
