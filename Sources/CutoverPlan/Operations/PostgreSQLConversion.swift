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

    /// The value of `source` for a column of `type`, to be assigned (never truncated by the cast itself).
    static func cast(_ source: String, to type: String) -> String {
        boundedLength(type) != nil ? "CAST(\(source) AS text)" : "CAST(\(source) AS \(type))"
    }
}
