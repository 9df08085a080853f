/// Identifier quoting, string literals and the names cutover derives (quarantine columns, temporary
/// checks, triggers). Every identifier that reaches SQL goes through `quote`, every string literal
/// through `literal`; derived names are cut to the engine's identifier limit with a stable hash
/// suffix so two long names never collide after truncation.
public struct SQLNames: Sendable {
    public var engine: MigrationSpec.Engine

    public init(engine: MigrationSpec.Engine) {
        self.engine = engine
    }

    /// PostgreSQL: 63 bytes (NAMEDATALEN - 1). MySQL: 64 characters.
    public var maxIdentifierLength: Int { engine == .postgresql ? 63 : 64 }

    /// `"name"` with `"` doubled (PostgreSQL) or `` `name` `` with `` ` `` doubled (MySQL).
    public func quote(_ name: String) -> String {
        switch engine {
        case .postgresql: return "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        case .mysql: return "`" + name.replacingOccurrences(of: "`", with: "``") + "`"
        }
    }

    /// A comma-separated list of quoted identifiers.
    public func quoteList(_ names: [String]) -> String { names.map(quote).joined(separator: ", ") }

    /// A single-quoted string literal. MySQL's default sql_mode reads backslash escapes, so a
    /// backslash is doubled there too.
    public func literal(_ text: String) -> String {
        var body = text.replacingOccurrences(of: "'", with: "''")
        if engine == .mysql { body = body.replacingOccurrences(of: "\\", with: "\\\\") }
        return "'" + body + "'"
    }

    /// Text placed inside a single-quoted literal (the DDL of a MySQL `PREPARE` guard).
    public func escapeInLiteral(_ text: String) -> String {
        String(literal(text).dropFirst().dropLast())
    }

    /// `name` if it fits the identifier limit, else a prefix and an 8-hex-digit hash of the whole name.
    public func fit(_ name: String) -> String {
        Self.fit(name, limit: maxIdentifierLength)
    }

    public static func fit(_ name: String, limit: Int) -> String {
        guard name.utf8.count > limit else { return name }
        let hash = shortHash(name)
        var prefix = ""
        for character in name {
            if prefix.utf8.count + String(character).utf8.count > limit - hash.count - 1 { break }
            prefix.append(character)
        }
        return prefix + "_" + hash
    }

    /// FNV-1a, 32 bits, as 8 lower-case hex digits: stable across runs and platforms.
    public static func shortHash(_ text: String) -> String {
        var hash: UInt32 = 0x811C_9DC5
        for byte in text.utf8 {
            hash ^= UInt32(byte)
            hash = hash &* 0x0100_0193
        }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 8 - hex.count) + hex
    }
}
