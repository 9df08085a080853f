/// What the lowering needs to know about a SQL type or default written in a spec or a schema: which
/// squawk type-preference lints it trips, whether a default is volatile, and whether a type change is
/// metadata-only on each engine.
public enum SQLTypeFacts {
    /// Lower-cased, single-spaced, spaces around parentheses and commas removed.
    public static func normalized(_ type: String) -> String {
        var out = ""
        for word in type.lowercased().split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" }) {
            if !out.isEmpty { out += " " }
            out += word
        }
        for (a, b) in [(" (", "("), ("( ", "("), (" )", ")"), (", ", ","), (" ,", ",")] {
            out = out.replacingOccurrences(of: a, with: b)
        }
        return out
    }

    /// The base name and the numeric arguments, e.g. "varchar(100)" -> ("varchar", [100]).
    public static func parse(_ type: String) -> (base: String, args: [Int]) {
        let n = normalized(type)
        guard let open = n.firstIndex(of: "("), let close = n.lastIndex(of: ")"), open < close else { return (n, []) }
        let base = String(n[..<open]).trimmingWhitespace()
        let args = n[n.index(after: open)..<close].split(separator: ",").compactMap { Int(String($0).trimmingWhitespace()) }
        let rest = String(n[n.index(after: close)...]).trimmingWhitespace()
        return (rest.isEmpty ? base : base + " " + rest, args)
    }

    /// squawk rules about type preference (not locking) that a PostgreSQL column of this type trips.
    public static func postgresTypeLints(_ type: String) -> [String] {
        let base = parse(type).base
        let first = base.split(separator: " ").first.map(String.init) ?? base
        var rules: [String] = []
        if ["int", "integer", "int4", "serial", "serial4"].contains(first) { rules.append("prefer-bigint-over-int") }
        if ["smallint", "int2", "smallserial", "serial2"].contains(first) { rules.append("prefer-bigint-over-smallint") }
        if ["serial", "serial4", "serial8", "bigserial", "smallserial", "serial2"].contains(first) { rules.append("prefer-identity") }
        if first == "varchar" || base.hasPrefix("character varying") {
            if !parse(type).args.isEmpty { rules.append("prefer-text-field") }
        }
        if first == "char" || first == "bpchar" || (first == "character" && !base.hasPrefix("character varying")) {
            rules.append("ban-char-field")
        }
        if first == "timestamp" && !base.contains("with time zone") { rules.append("prefer-timestamp-tz") }
        return rules
    }

    /// A default PostgreSQL must evaluate per row (ADD COLUMN with it rewrites the table).
    public static func isVolatileDefault(_ expression: String) -> Bool {
        let lower = expression.lowercased()
        let volatile = ["random(", "gen_random_uuid(", "uuid_generate_v", "clock_timestamp(", "timeofday(", "nextval(",
                        "uuid(", "rand(", "sysdate("]
        return volatile.contains { lower.contains($0) }
    }

    /// PostgreSQL: varchar(n) -> varchar(m >= n), varchar -> text, varchar(n) -> varchar, numeric(p,s) -> numeric(q >= p, s),
    /// or the same type: no rewrite, no index rebuild.
    public static func isPostgresMetadataOnly(from old: String, to new: String) -> Bool {
        let a = parse(old), b = parse(new)
        if normalized(old) == normalized(new) { return true }
        let varchar: Set<String> = ["varchar", "character varying"]
        if varchar.contains(a.base) {
            if b.base == "text" { return true }
            if varchar.contains(b.base) {
                if b.args.isEmpty { return true }
                if let n = a.args.first, let m = b.args.first { return m >= n }
            }
        }
        if (a.base == "numeric" || a.base == "decimal") && (b.base == "numeric" || b.base == "decimal") {
            if b.args.isEmpty { return true }
            if a.args.count == 2, b.args.count == 2 { return b.args[0] >= a.args[0] && b.args[1] == a.args[1] }
        }
        return false
    }

    /// MySQL 8: VARCHAR(n) -> VARCHAR(m >= n) in place when the length prefix stays the same size (both at
    /// most 255 bytes, or both more), in bytes of the column's character set (`bytesPerCharacter`; 4, utf8mb4's,
    /// when unknown). MariaDB allows more; cutover follows MySQL 8.
    public static func isMySQLInPlaceWidening(from old: String, to new: String, bytesPerCharacter: Int = 4) -> Bool {
        let a = parse(old), b = parse(new)
        guard a.base == "varchar", b.base == "varchar", let n = a.args.first, let m = b.args.first, m >= n else { return false }
        return (n * bytesPerCharacter <= 255) == (m * bytesPerCharacter <= 255)
    }

    /// As above for a column of the base schema: its own character set, else its collation's, else its
    /// table's default.
    public static func isMySQLInPlaceWidening(_ column: DatabaseSchema.Column, of table: DatabaseSchema.Table?, to new: String) -> Bool {
        isMySQLInPlaceWidening(from: column.type, to: new, bytesPerCharacter: mysqlBytesPerCharacter(mysqlCharset(of: column, in: table)))
    }

    /// A MySQL column's character set: its own, else its collation's, else its table's default (nil: unknown).
    package static func mysqlCharset(of column: DatabaseSchema.Column, in table: DatabaseSchema.Table?) -> String? {
        column.charset ?? column.collation.map(mysqlCharset(ofCollation:)) ?? table?.charset
    }

    /// The character set a MySQL collation belongs to: its name up to the first underscore (`utf8mb4_bin`).
    static func mysqlCharset(ofCollation collation: String) -> String {
        String(collation.prefix { $0 != "_" })
    }

    /// The most bytes a character of a MySQL character set takes (SHOW CHARACTER SET's Maxlen); 4 (the most
    /// any has) for one not listed or not known.
    package static func mysqlBytesPerCharacter(_ charset: String?) -> Int {
        switch charset?.lowercased() {
        case "latin1", "latin2", "latin5", "latin7", "ascii", "binary", "cp1250", "cp1251", "cp1256", "cp1257", "cp850", "cp852",
             "cp866", "dec8", "greek", "hebrew", "hp8", "keybcs2", "koi8r", "koi8u", "macce", "macroman", "swe7", "tis620", "armscii8", "geostd8":
            return 1
        case "ucs2", "big5", "gbk", "sjis", "cp932", "euckr":
            return 2
        case "utf8", "utf8mb3", "ujis", "eucjpms":
            return 3
        default:
            return 4
        }
    }

    public static func isSameType(_ old: String, _ new: String) -> Bool { normalized(old) == normalized(new) }

    /// The family of a PostgreSQL type as a spec or schema file spells it: `integer` (smallint … bigint,
    /// serials), `decimal` (numeric), `float`, `text` (text, varchar, char, citext), `datetime` (date,
    /// timestamp with or without time zone), `boolean`; any other type is its own family (its base
    /// name). Two types of one family take the same operators and functions (`length`, `>`, `~`
    /// for text; arithmetic and comparisons for numbers), which is what a carried CHECK needs (CUT108).
    package static func postgresFamily(_ type: String) -> String {
        let base = parse(type).base
        switch base {
        case "smallint", "int2", "integer", "int", "int4", "bigint", "int8", "smallserial", "serial", "bigserial", "serial4", "serial8":
            return "integer"
        case "numeric", "decimal": return "decimal"
        case "real", "float4", "double precision", "float8", "float": return "float"
        case "text", "varchar", "character varying", "char", "character", "bpchar", "citext", "name": return "text"
        case "date", "timestamptz": return "datetime"
        case "boolean", "bool": return "boolean"
        default:
            if base.hasPrefix("timestamp") { return "datetime" }
            if base.hasPrefix("integer generated") || base.hasPrefix("bigint generated") || base.hasPrefix("smallint generated") { return "integer" }
            return base
        }
    }

    /// A type the server fills by itself: GENERATED … AS IDENTITY, AUTO_INCREMENT, serial.
    package static func isIdentityType(_ type: String) -> Bool {
        // Bytes: String's `contains` resolves to Foundation's, which bridges to NSString, and the standard
        // library's generic collection search is no faster; every column of every table asks this.
        let lower = Array(type.lowercased().utf8)
        return contains(lower, "identity") || contains(lower, "auto_increment") || lower.suffix(6).elementsEqual("serial".utf8)
    }

    /// Whether `needle` (ASCII) occurs in `bytes`.
    private static func contains(_ bytes: [UInt8], _ needle: String) -> Bool {
        let needle = Array(needle.utf8)
        guard let first = needle.first, bytes.count >= needle.count else { return false }
        for start in 0...(bytes.count - needle.count) where bytes[start] == first {
            if bytes[start..<start + needle.count].elementsEqual(needle) { return true }
        }
        return false
    }
}
