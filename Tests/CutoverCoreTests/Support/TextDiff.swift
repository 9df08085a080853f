import Testing

/// Comparisons of large texts that fail with a few lines around the first difference instead of
/// both texts in full (an `#expect(a == b)` on two 3,000-line documents printed both).
enum TextDiff {
    /// nil when equal; otherwise the first differing line with a little context, at most ~15 lines.
    static func firstDifference(expected: String, actual: String, context: Int = 3) -> String? {
        guard expected != actual else { return nil }
        let a = expected.split(separator: "\n", omittingEmptySubsequences: false)
        let b = actual.split(separator: "\n", omittingEmptySubsequences: false)
        var line = 0
        while line < a.count && line < b.count && a[line] == b[line] { line += 1 }
        var out = ["first difference at line \(line + 1) (expected \(a.count) lines, got \(b.count)):"]
        for index in max(0, line - context)..<line { out.append("  \(shorten(a[index]))") }
        for index in line..<min(a.count, line + context) { out.append("- \(shorten(a[index]))") }
        for index in line..<min(b.count, line + context) { out.append("+ \(shorten(b[index]))") }
        return out.joined(separator: "\n")
    }

    private static func shorten(_ line: Substring) -> String {
        line.count > 200 ? line.prefix(200) + "… (\(line.count) characters)" : String(line)
    }
}

/// A test argument shown by its label in test output, not by its text: a parameterized test over
/// huge inputs printed each input whole (one argument was 20,000 lines).
struct LabeledText: Sendable, CustomTestStringConvertible {
    var label: String
    var text: String

    init(_ label: String, _ text: String) {
        self.label = label
        self.text = text
    }

    var testDescription: String { label }
}
