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

    /// Wraps each `{{…}}` (shortest match) in a Go raw string action. Scalar by scalar, as Helm's
    /// lexer reads bytes: Foundation's character search missed a `{{` or a backtick followed by a
    /// combining mark (one Character), which Helm still reads as an action or the raw string's end.
    public static func escape(_ text: String) -> String {
        let scalars = Array(text.unicodeScalars)
        func pair(at index: Int, _ first: Unicode.Scalar, _ second: Unicode.Scalar) -> Bool {
            index + 1 < scalars.count && scalars[index] == first && scalars[index + 1] == second
        }
        var out = String.UnicodeScalarView()
        var index = 0
        while index < scalars.count {
            guard pair(at: index, "{", "{") else {
                out.append(scalars[index])
                index += 1
                continue
            }
            var close = index + 2
            while close < scalars.count && !pair(at: close, "}", "}") { close += 1 }
            guard close < scalars.count else {
                // An unmatched `{{`: print it through a raw string too.
                out.append(contentsOf: "{{`{{`}}".unicodeScalars)
                index += 2
                continue
            }
            let inner = String(String.UnicodeScalarView(scalars[index..<close + 2]))
            out.append(contentsOf: (inner.containsScalar("`") ? "{{ \(goQuoted(inner)) }}" : "{{`" + inner + "`}}").unicodeScalars)
            index = close + 2
        }
        return String(out)
    }

    private static func goQuoted(_ text: String) -> String {
        "\"" + text.escapingScalars(["\\": "\\\\", "\"": "\\\""]) + "\""
    }
}
