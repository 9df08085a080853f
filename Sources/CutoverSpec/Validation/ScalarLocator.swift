/// Turns a line:column inside a YAML scalar's value into the line:column of the spec file, so a finding
/// inside a multi-line `sql` script points at its own line. Exact for literal block scalars (`|`) and
/// one-line scalars; folded ones (`>`) are followed line by line (a blank line between paragraphs can
/// shift the column by one); a multi-line flow scalar falls back to its first line.
package enum ScalarLocator {
    static func location(line: Int, column: Int, in node: SyntaxNode, source: SourceFile) -> SourceLocation {
        guard case .scalar(let value, let style) = node.kind else { return node.location }
        switch style {
        case .literal, .folded:
            var number = node.location.line + 1
            var indent: Int?
            while indent == nil, let text = source.line(number) {
                if !text.allSatisfy({ $0 == " " }) { indent = text.prefix { $0 == " " }.count }
                number += 1
            }
            let indentation = indent ?? 0
            guard style == .folded else { return SourceLocation(line: node.location.line + line, column: indentation + column) }
            // The offset in the folded value, then the source lines it came from, one separator each.
            let valueLines = value.split(separator: "\n", omittingEmptySubsequences: false)
            var offset = valueLines.prefix(line - 1).reduce(0) { $0 + $1.unicodeScalars.count + 1 } + column - 1
            var fileLine = node.location.line + 1
            while let text = source.line(fileLine) {
                let content = text.unicodeScalars.count > indentation ? text.unicodeScalars.count - indentation : 0
                if offset < content || source.line(fileLine + 1) == nil {
                    return SourceLocation(line: fileLine, column: indentation + offset + 1)
                }
                offset -= content + 1
                fileLine += 1
            }
            return node.location
        case .plain:
            guard line == 1 else { return node.location }
            return SourceLocation(line: node.location.line, column: node.location.column + column - 1)
        case .singleQuoted, .doubleQuoted:
            guard line == 1, let text = source.line(node.location.line) else { return node.location }
            let scalars = Array(text.unicodeScalars)
            var index = node.location.column // just after the opening quote (columns are 1-based)
            var remaining = column - 1
            while remaining > 0 && index < scalars.count {
                if style == .singleQuoted {
                    index += scalars[index] == "'" ? 2 : 1
                } else if scalars[index] == "\\", index + 1 < scalars.count {
                    switch scalars[index + 1] {
                    case "x": index += 4
                    case "u": index += 6
                    case "U": index += 10
                    default: index += 2
                    }
                } else {
                    index += 1
                }
                remaining -= 1
            }
            return SourceLocation(line: node.location.line, column: index + 1)
        }
    }
}
