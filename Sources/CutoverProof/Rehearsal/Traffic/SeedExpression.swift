import CutoverPlan

/// The set-based value expression of one column for row number `g`: distinct for every `g` when
/// the column is in a unique set, varied otherwise, always within the type's limits.
struct SeedExpression {
    let dialect: TrafficSQL
    var engine: MigrationSpec.Engine { dialect.engine }

    /// `g` is the row-number expression; `base` the largest existing value of a unique integer column.
    /// `range`: inclusive bounds a check sets on the column; `allowed`: the numbers a check lists
    /// (`flag IN (0, 1)`), the only ones a number column then takes.
    func value(_ column: ColumnShape, kind: ColumnKind, table: String, g: String, unique: Bool, base: Int64,
               range: (low: Int64?, high: Int64?) = (nil, nil), allowed: [String]? = nil, partition: PartitionShape? = nil) -> String? {
        // bigint on PostgreSQL: `g * 7919` must not overflow integer arithmetic for large row numbers.
        let g = engine == .postgresql ? "(\(g))::bigint" : g
        let raw: String?
        if let partition, partition.constrains(column.name),
           let aimed = partitioned(partition, kind: kind, type: column.baseType ?? column.dataType, name: column.name, g: g) {
            raw = aimed
        } else if let allowed, !allowed.isEmpty, !unique, kind.isNumber {
            let index = "((\(g) * \(multiplier(column.name)) + \(salt(column.name))) % \(allowed.count))"
            raw = "CASE \(index) " + allowed.enumerated().map { "WHEN \($0.offset) THEN \($0.element)" }.joined(separator: " ") + " END"
        } else {
            raw = plain(kind, type: column.dataType, name: column.name, table: table, g: g, unique: unique,
                        base: max(base, (range.low ?? 1) - 1), range: range)
        }
        guard let raw else { return nil }
        switch engine {
        case .postgresql:
            return "(\(raw))::\(column.dataType)"
        case .mysql:
            return raw
        }
    }

    /// A value of a partition key that some partition takes: one of the listed values, or a point
    /// inside a range partition's bounds (interpolated for numbers, dates and timestamps, the
    /// inclusive lower bound for other types). nil where no partition's bounds can be aimed at.
    func partitioned(_ partition: PartitionShape, kind: ColumnKind, type: String, name: String, g: String) -> String? {
        guard engine == .postgresql else { return nil }  // the catalog reader describes PostgreSQL partitions only
        let fraction = "(((\(g) * \(multiplier(name)) + \(salt(name))) % 1000) / 1000.0)"
        let small = "(\(g) % 1000)"
        var choices: [String] = []
        switch partition.strategy {
        case .list:
            choices = partition.listed.map { "(\($0))::\(type)" }
        case .range:
            for range in partition.ranges {
                let lower = range.lower.map { "(\($0))::\(type)" }
                let upper = range.upper.map { "(\($0))::\(type)" }
                switch (kind, lower, upper) {
                case (.timestamp, let lo?, let hi?): choices.append("(\(lo) + (\(hi) - \(lo)) * \(fraction))")
                case (.timestamp, let lo?, nil): choices.append("(\(lo) + \(small) * INTERVAL '1 minute')")
                case (.timestamp, nil, let hi?): choices.append("(\(hi) - (1 + \(small)) * INTERVAL '1 minute')")
                case (.date, let lo?, let hi?): choices.append("(\(lo) + floor((\(hi) - \(lo)) * \(fraction))::int)")
                case (.date, let lo?, nil): choices.append("(\(lo) + \(small)::int)")
                case (.date, nil, let hi?): choices.append("(\(hi) - (1 + \(small))::int)")
                case (.integer, let lo?, let hi?), (.decimal, let lo?, let hi?):
                    choices.append("(\(lo) + floor((\(hi) - \(lo)) * \(fraction))::bigint)")
                case (.integer, let lo?, nil), (.decimal, let lo?, nil): choices.append("(\(lo) + \(small))")
                case (.integer, nil, let hi?), (.decimal, nil, let hi?): choices.append("(\(hi) - 1 - \(small))")
                case (_, let lo?, _): choices.append(lo)
                default: continue
                }
            }
        case .hash:
            return nil
        }
        guard !choices.isEmpty else { return nil }
        if choices.count == 1 { return choices[0] }
        let index = "((\(g) * \(multiplier(name + "#partition")) + \(salt(name))) % \(choices.count))"
        return "CASE \(index) " + choices.enumerated().map { "WHEN \($0.offset) THEN \($0.element)" }.joined(separator: " ") + " END"
    }

    /// A stable per-column offset, so two number columns of a row differ.
    private func salt(_ name: String) -> Int {
        name.utf8.reduce(0) { ($0 &* 31 &+ Int($1)) % 100_003 }
    }

    /// A per-column odd multiplier: with one shared multiplier, `lo < hi` would hold on every row or on none.
    private func multiplier(_ name: String) -> Int {
        [7919, 6007, 5281, 4409, 3907, 2903, 1999, 1009][salt(name) % 8]
    }

    private func plain(_ kind: ColumnKind, type: String, name: String, table: String, g: String, unique: Bool, base: Int64,
                       range: (low: Int64?, high: Int64?) = (nil, nil)) -> String? {
        let pg = engine == .postgresql
        switch kind {
        case .integer(let bits, let unsigned):
            if unique { return "(\(base) + \(g))" }
            let low = range.low ?? 1
            var modulus: Int64 = bits <= 8 ? (unsigned ? 250 : 120) : bits <= 16 ? 30_000 : 1_000_000
            if let high = range.high { modulus = max(1, min(modulus, high - low + 1)) }
            return "(\(low) + ((\(g) * \(multiplier(name)) + \(salt(name))) % \(modulus)))"
        case .decimal(let precision, let scale):
            if unique { return "(\(base) + \(g))" }
            let low = range.low ?? 1
            var modulus: Int64 = 100_000
            if let high = range.high { modulus = max(1, min(modulus, high - low)) }
            if let precision {
                let digits = precision - scale
                var limit: Int64 = 1
                for _ in 0..<max(0, min(digits, 12)) { limit *= 10 }
                modulus = max(1, min(modulus, limit - 1))
            }
            let fraction = scale > 0 ? " + ((\(g) % 100) / 100.0)" : ""
            if modulus <= 1 { return scale > 0 ? "((\(g) % 99) / 100.0)" : "0" }
            return "(\(low) + ((\(g) * \(multiplier(name)) + \(salt(name))) % \(max(1, modulus - 1)))\(fraction))"
        case .float:
            return "(1 + (\(g) % 100000) * 1.5)"
        case .text(let maxLength):
            let digits = 10
            let lower = name.lowercased()
            var prefix = String(name.prefix(12))
            if lower.contains("email") { prefix = "user" }
            let suffix = lower.contains("email") ? "@example.com" : ""
            if let maxLength, maxLength < prefix.count + 1 + digits + suffix.count {
                // Short columns: the bare number keeps values distinct as far as the length allows.
                if unique || maxLength <= digits { return pg ? "right(\(g)::text, \(maxLength))" : "RIGHT(CAST(\(g) AS CHAR), \(maxLength))" }
                return pg ? "left(\(dialect.literal(prefix + "-")) || \(g), \(maxLength))"
                    : "LEFT(CONCAT(\(dialect.literal(prefix + "-")), \(g)), \(maxLength))"
            }
            return pg ? "\(dialect.literal(prefix + "-")) || \(g)\(suffix.isEmpty ? "" : " || " + dialect.literal(suffix))"
                : "CONCAT(\(dialect.literal(prefix + "-")), \(g)\(suffix.isEmpty ? "" : ", " + dialect.literal(suffix)))"
        case .boolean:
            return pg ? "(\(g) % 2 = 0)" : "(\(g) % 2)"
        case .date:
            let days = unique ? "\(g)" : "(\(g) % 3650)"
            return pg ? "(DATE '2000-01-01' + (\(days))::int)" : "(DATE '2000-01-01' + INTERVAL \(days) DAY)"
        case .timestamp(let zone):
            if pg { return "(TIMESTAMP\(zone ? "TZ" : "") '2020-01-01 00:00:00\(zone ? "+00" : "")' + \(g) * INTERVAL '1 minute')" }
            return "(TIMESTAMP '2020-01-01 00:00:00' + INTERVAL \(g) MINUTE)"
        case .time:
            return pg ? "(TIME '00:00:00' + (\(g) % 86400) * INTERVAL '1 second')" : "SEC_TO_TIME(\(g) % 86400)"
        case .interval:
            return "(\(g) * INTERVAL '1 second')"
        case .year:
            return "(1901 + \(g) % 254)"
        case .json:
            return pg ? "json_build_object('n', \(g), 'tag', 'seed')" : "JSON_OBJECT('n', \(g), 'tag', 'seed')"
        case .uuid:
            let seed = dialect.literal("\(table).\(name).")
            if pg { return "md5(\(seed) || \(g))::uuid" }
            let hex = "MD5(CONCAT(\(seed), \(g)))"
            return "CONCAT_WS('-', SUBSTR(\(hex), 1, 8), SUBSTR(\(hex), 9, 4), SUBSTR(\(hex), 13, 4), SUBSTR(\(hex), 17, 4), SUBSTR(\(hex), 21, 12))"
        case .binary(let maxLength):
            let bytes = pg ? "decode(md5(\(g)::text), 'hex')" : "UNHEX(MD5(\(g)))"
            if let maxLength, maxLength < 16 { return pg ? "substring(\(bytes) from 1 for \(maxLength))" : "LEFT(\(bytes), \(maxLength))" }
            return bytes
        case .enumeration(let labels):
            guard !labels.isEmpty else { return nil }
            let index = "((\(g) - 1) % \(labels.count))"
            if pg { return "(ARRAY[\(labels.map(dialect.literal).joined(separator: ", "))])[1 + \(index)::int]" }
            return "ELT(1 + \(index), \(labels.map(dialect.literal).joined(separator: ", ")))"
        case .array(let element, let elementType):
            guard pg, let first = plain(element, type: elementType, name: name, table: table, g: g, unique: false, base: 0),
                  let second = plain(element, type: elementType, name: name, table: table, g: "(\(g) + 1)", unique: false, base: 0) else { return nil }
            return "ARRAY[(\(first))::\(elementType), (\(second))::\(elementType)]"
        case .inet:
            return pg ? "('10.0.0.0'::inet + \(g))" : "INET_NTOA(167772160 + \(g))"
        case .bit(let length):
            return pg ? "((\(g) % 2)::int::bit(\(length)))" : "(\(g) % 2)"
        case .other:
            return pg ? "\(g)::text" : "\(g)"
        }
    }
}

extension ColumnKind {
    /// Integer, decimal or float: a check's list of numbers applies.
    var isNumber: Bool {
        switch self {
        case .integer, .decimal, .float: return true
        default: return false
        }
    }
}
