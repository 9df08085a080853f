import Foundation

/// Where a partitioned table takes rows: the partition key column and the bounds of its
/// partitions, read from the catalog. A row whose key falls in no partition is refused ("no
/// partition of relation found for row"), so generated keys are aimed at the partitions that
/// exist. Only a key of one plain column is described; an expression key or a key of several
/// columns has no `column` (rows then go in as generated, and the ones no partition takes are skipped).
public struct PartitionShape: Sendable, Equatable {
    public enum Strategy: String, Sendable, Equatable { case range, list, hash }

    /// One range partition: `FROM (lower) TO (upper)`, SQL literals as the catalog prints them;
    /// nil for `MINVALUE` / `MAXVALUE`.
    public struct Range: Sendable, Equatable {
        public var lower: String?
        public var upper: String?
        public init(lower: String?, upper: String?) { self.lower = lower; self.upper = upper }
    }

    public var strategy: Strategy
    public var column: String?
    public var ranges: [Range]
    /// The values list partitions accept (SQL literals; `NULL` left out).
    public var listed: [String]
    /// A `DEFAULT` partition takes every row the others do not: then any value fits.
    public var hasDefault: Bool

    public init(strategy: Strategy, column: String?, ranges: [Range] = [], listed: [String] = [], hasDefault: Bool = false) {
        self.strategy = strategy
        self.column = column
        self.ranges = ranges
        self.listed = listed
        self.hasDefault = hasDefault
    }

    /// Whether values of `column` must be aimed at the partitions (not for hash, nor with a default partition).
    public func constrains(_ name: String) -> Bool {
        guard !hasDefault, column == name else { return false }
        switch strategy {
        case .range: return !ranges.isEmpty
        case .list: return !listed.isEmpty
        case .hash: return false
        }
    }

    /// Adds the bound of one partition as `pg_get_expr(relpartbound)` prints it:
    /// `FOR VALUES FROM ('2022-01-01') TO ('2022-02-01')`, `FOR VALUES IN ('a', NULL)`,
    /// `FOR VALUES WITH (modulus 4, remainder 0)`, `DEFAULT`.
    public mutating func add(bound: String) {
        let text = bound.trimmingCharacters(in: .whitespaces)
        if text.uppercased() == "DEFAULT" { hasDefault = true; return }
        let upper = text.uppercased()
        if upper.hasPrefix("FOR VALUES FROM") {
            let groups = Self.parenthesized(text)
            guard groups.count == 2 else { return }
            let lower = Self.items(groups[0]), upperItems = Self.items(groups[1])
            // Only the first key column's bounds matter for a key of one column.
            func bound(_ items: [String]) -> String? {
                guard let first = items.first, !["MINVALUE", "MAXVALUE"].contains(first.uppercased()) else { return nil }
                return first
            }
            ranges.append(Range(lower: bound(lower), upper: bound(upperItems)))
        } else if upper.hasPrefix("FOR VALUES IN") {
            guard let group = Self.parenthesized(text).first else { return }
            for item in Self.items(group) where item.uppercased() != "NULL" && !listed.contains(item) { listed.append(item) }
        }
    }

    /// The top-level parenthesized groups of `text`, outside string literals, without their parentheses.
    static func parenthesized(_ text: String) -> [String] {
        var groups: [String] = []
        var depth = 0
        var inString = false
        var current = ""
        for c in text {
            if inString {
                current.append(c)
                if c == "'" { inString = false }
                continue
            }
            switch c {
            case "'":
                inString = true
                if depth > 0 { current.append(c) }
            case "(":
                if depth > 0 { current.append(c) }
                depth += 1
            case ")":
                depth -= 1
                if depth == 0 { groups.append(current); current = "" } else if depth > 0 { current.append(c) }
            default:
                if depth > 0 { current.append(c) }
            }
        }
        return groups
    }

    /// The comma-separated items of a group, outside string literals and parentheses, trimmed.
    static func items(_ group: String) -> [String] {
        var items: [String] = []
        var current = ""
        var depth = 0
        var inString = false
        for c in group {
            if inString {
                current.append(c)
                if c == "'" { inString = false }
                continue
            }
            switch c {
            case "'": inString = true; current.append(c)
            case "(": depth += 1; current.append(c)
            case ")": depth -= 1; current.append(c)
            case "," where depth == 0:
                items.append(current.trimmingCharacters(in: .whitespaces)); current = ""
            default: current.append(c)
            }
        }
        let last = current.trimmingCharacters(in: .whitespaces)
        if !last.isEmpty { items.append(last) }
        return items
    }
}
