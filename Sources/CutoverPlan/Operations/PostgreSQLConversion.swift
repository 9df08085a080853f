/// The default conversion of a PostgreSQL type change (no `up`), as the sync trigger, the backfill and
/// the rollback's copy-back write it, and as the preflight checks it (issue #14, user trial). An explicit
/// cast to a bounded character type (`CAST(x AS varchar(6))`) truncates silently; only assignment to a
/// column of that type raises `value too long`. So the conversion casts to the unbounded `text` and the
/// assignment to the bounded column raises, in the trigger and in the backfill's UPDATE alike.
enum PostgreSQLConversion {
    /// `character varying(n)`, `varchar(n)`, `character(n)`, `char(n)`, `bpchar(n)`: n, else nil.
    static func boundedLength(_ type: String) -> Int? {
        let parsed = SQLTypeFacts.parse(type)
        guard ["character varying", "varchar", "character", "char", "bpchar"].contains(parsed.base), parsed.args.count == 1 else { return nil }
        return parsed.args[0]
    }

    /// `bit(n)` (exactly n bits) and `bit varying(n)` / `varbit(n)` (at most n): an explicit cast pads or
    /// truncates a bit string silently, as for characters; assignment raises (`bit string length 3 does
    /// not match type bit(2)`, `bit string too long for type bit varying(2)`). Checked on PostgreSQL 15.
    static func boundedBits(_ type: String) -> (length: Int, varying: Bool)? {
        let parsed = SQLTypeFacts.parse(type)
        guard parsed.args.count == 1 else { return nil }
        switch parsed.base {
        case "bit": return (parsed.args[0], false)
        case "bit varying", "varbit": return (parsed.args[0], true)
        default: return nil
        }
    }

    static func isInteger(_ type: String) -> Bool {
        ["smallint", "integer", "int", "int2", "int4", "int8", "bigint", "smallserial", "serial", "bigserial"].contains(SQLTypeFacts.parse(type).base)
    }

    /// The value of `source` for a column of `type`, to be assigned (never truncated by the cast itself).
    /// `sourceType`: the source's type where known; an integer's cast to `bit(n)` is its low n bits
    /// (there is no cast from an integer to `varbit`), so it keeps the cast.
    static func cast(_ source: String, to type: String, from sourceType: String? = nil) -> String {
        if boundedLength(type) != nil { return "CAST(\(source) AS text)" }
        if boundedBits(type) != nil, !(sourceType.map(isInteger) ?? false) { return "CAST(\(source) AS varbit)" }
        return "CAST(\(source) AS \(type))"
    }
}
