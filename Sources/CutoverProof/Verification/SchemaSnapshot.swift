/// The schema of one database at one moment, as sorted text lines from the catalog. Two snapshots
/// are equal when the schemas are; `diff` says how they differ.
public struct SchemaSnapshot: Sendable, Equatable {
    public var lines: [String]

    public init(lines: [String]) {
        self.lines = lines
    }

    /// Both sides of a blue-green pair in one snapshot, each line prefixed with its side.
    public static func combined(_ parts: [(label: String, snapshot: SchemaSnapshot)]) -> SchemaSnapshot {
        SchemaSnapshot(lines: parts.flatMap { part in part.snapshot.lines.map { "[\(part.label)] \($0)" } })
    }

    /// A unified-style diff from `self` (expected) to `actual`: `-` lines only in the expected
    /// schema, `+` lines only in the actual one, with up to `context` unchanged lines around each
    /// change and `@@` between hunks; at most `limit` lines, then a count of what was left out.
    public func diff(to actual: SchemaSnapshot, expectedLabel: String, actualLabel: String,
                     context: Int = 2, limit: Int = 20) -> [String] {
        let edits = SchemaSnapshot.editScript(lines, actual.lines)
        guard edits.contains(where: { $0.kind != .same }) else { return [] }
        var keep = [Bool](repeating: false, count: edits.count)
        for (index, edit) in edits.enumerated() where edit.kind != .same {
            for near in max(0, index - context)...min(edits.count - 1, index + context) { keep[near] = true }
        }
        var out = ["--- \(expectedLabel)", "+++ \(actualLabel)"]
        var previous = -2
        for (index, edit) in edits.enumerated() where keep[index] {
            if index != previous + 1 { out.append("@@") }
            previous = index
            switch edit.kind {
            case .same: out.append("  \(edit.line)")
            case .removed: out.append("- \(edit.line)")
            case .added: out.append("+ \(edit.line)")
            }
        }
        if out.count > limit {
            let omitted = out.count - limit
            out = Array(out.prefix(limit)) + ["… \(omitted) more diff line\(omitted == 1 ? "" : "s")"]
        }
        return out
    }

    struct Edit: Equatable {
        enum Kind { case same, removed, added }
        var kind: Kind
        var line: String
    }

    /// Longest-common-subsequence edit script; schemas are a few hundred lines, so O(n·m) is fine,
    /// and the common prefix and suffix are trimmed first.
    static func editScript(_ a: [String], _ b: [String]) -> [Edit] {
        var prefix = 0
        while prefix < a.count && prefix < b.count && a[prefix] == b[prefix] { prefix += 1 }
        var suffix = 0
        while suffix < a.count - prefix && suffix < b.count - prefix && a[a.count - 1 - suffix] == b[b.count - 1 - suffix] { suffix += 1 }
        let x = Array(a[prefix..<(a.count - suffix)]), y = Array(b[prefix..<(b.count - suffix)])
        var table = [[Int]](repeating: [Int](repeating: 0, count: y.count + 1), count: x.count + 1)
        if !x.isEmpty && !y.isEmpty {
            for i in stride(from: x.count - 1, through: 0, by: -1) {
                for j in stride(from: y.count - 1, through: 0, by: -1) {
                    table[i][j] = x[i] == y[j] ? table[i + 1][j + 1] + 1 : max(table[i + 1][j], table[i][j + 1])
                }
            }
        }
        var edits = a[0..<prefix].map { Edit(kind: .same, line: $0) }
        var i = 0, j = 0
        while i < x.count || j < y.count {
            if i < x.count && j < y.count && x[i] == y[j] {
                edits.append(Edit(kind: .same, line: x[i])); i += 1; j += 1
            } else if i < x.count && (j == y.count || table[i + 1][j] >= table[i][j + 1]) {
                edits.append(Edit(kind: .removed, line: x[i])); i += 1
            } else {
                edits.append(Edit(kind: .added, line: y[j])); j += 1
            }
        }
        edits += a[(a.count - suffix)...].map { Edit(kind: .same, line: $0) }
        return edits
    }

    /// SHOW CREATE TABLE with its indexes and constraints as a set: the server lists a key in the order
    /// it was added, so an index a down drops and rebuilds moves to the end without being different.
    /// Columns keep their order (it is part of the schema); no element line keeps its trailing comma.
    static func mysqlKeysAsSet(_ text: String) -> String {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard lines.count > 2, let close = lines.lastIndex(where: { $0.hasPrefix(")") }) else { return text }
        var columns: [String] = []
        var keys: [String] = []
        for line in lines[1..<close] {
            let element = line.hasSuffix(",") ? String(line.dropLast()) : line
            if element.hasPrefix("  `") || element.hasPrefix("  PRIMARY KEY") { columns.append(element) } else { keys.append(element) }
        }
        return ([lines[0]] + columns + keys.sorted() + lines[close...]).joined(separator: "\n")
    }
}
