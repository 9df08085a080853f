import Yams

/// Makes generated YAML safe as a Helm template: every `{{…}}` in a string value (Argo Rollouts'
/// `{{args.x}}`, anything a user wrote) becomes ``{{`{{…}}`}}``, which Helm prints unchanged.
/// Only the chart's own value expressions (the images) are left as templates.
public enum HelmEscaper {
    public static func escape(_ node: Node, keeping expressions: Set<String>) -> Node {
        switch node {
        case .scalar(let scalar):
            guard scalar.string.contains("{{"), !expressions.contains(scalar.string) else { return node }
            return Node(escape(scalar.string), scalar.tag, scalar.style)
        case .mapping(let mapping):
            return Node(mapping.map { (escape($0.key, keeping: expressions), escape($0.value, keeping: expressions)) }, mapping.tag, mapping.style)
        case .sequence(let sequence):
            return Node(sequence.map { escape($0, keeping: expressions) }, sequence.tag, sequence.style)
        case .alias:
            return node
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
