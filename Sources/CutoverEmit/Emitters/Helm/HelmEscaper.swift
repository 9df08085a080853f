import Foundation
import Yams

/// Makes generated YAML safe as a Helm template: every `{{…}}` in a string value (Argo Rollouts'
/// `{{args.x}}`, anything a user wrote) becomes ``{{`{{…}}`}}``, which Helm prints unchanged.
/// Only the chart's own value expressions (the images) are left as templates.
public enum HelmEscaper {
    public static func escape(_ node: Node, keeping expressions: Set<String>) -> Node {
        switch node {
        case .scalar(let scalar):
            guard containsOpeningBraces(scalar.string), !expressions.contains(scalar.string) else { return node }
            return Node(escape(scalar.string), scalar.tag, scalar.style)
        case .mapping(let mapping):
            return Node(mapping.map { (escape($0.key, keeping: expressions), escape($0.value, keeping: expressions)) }, mapping.tag, mapping.style)
        case .sequence(let sequence):
            return Node(sequence.map { escape($0, keeping: expressions) }, sequence.tag, sequence.style)
        case .alias:
            return node
        }
    }

    /// Whether the text has `{{`, by its bytes: Foundation's `contains` bridges every SQL file to
    /// NSString. Text without these bytes has no `{{` for Foundation either, and text with them goes
    /// through `escape`, which finds them (or leaves the text as it is), as before.
    static func containsOpeningBraces(_ text: String) -> Bool {
        var text = text
        return text.withUTF8 { (bytes: UnsafeBufferPointer<UInt8>) -> Bool in
            guard bytes.count > 1 else { return false }
            var index = 0
            while index < bytes.count - 1 {
                let rest = UnsafeRawPointer(bytes.baseAddress! + index)
                guard let found = memchr(rest, 0x7B, bytes.count - 1 - index) else { return false }
                let position = index + (UnsafeRawPointer(found) - rest)
                if bytes[position + 1] == 0x7B { return true }
                index = position + 1
            }
            return false
        }
    }

    /// Wraps each `{{…}}` (shortest match) in a Go raw string action.
    public static func escape(_ text: String) -> String {
        var out = ""
        var rest = Substring(text)
        while let open = rest.range(of: "{{") {
            out += rest[..<open.lowerBound]
            let afterOpen = rest[open.upperBound...]
            guard let close = afterOpen.range(of: "}}") else {
                // An unmatched `{{`: print it through a raw string too.
                out += "{{`{{`}}"
                rest = afterOpen
                continue
            }
            let inner = "{{" + afterOpen[..<close.lowerBound] + "}}"
            out += inner.contains("`") ? "{{ \(goQuoted(inner)) }}" : "{{`" + inner + "`}}"
            rest = afterOpen[close.upperBound...]
        }
        return out + rest
    }

    private static func goQuoted(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }
}
