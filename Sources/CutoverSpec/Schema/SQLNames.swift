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
        case .postgresql: return "\"" + name.doublingScalars("\"") + "\""
        case .mysql: return "`" + name.doublingScalars("`") + "`"
        }
    }

    /// A PostgreSQL relation as the text a `regclass` argument (`pg_get_serial_sequence`'s first) reads back
    /// to it: `billing.invoice_lines`, `"Billing".invoice_lines` (`regclassPart`).
    public func relationText(schema: String, table: String) -> String { regclassPart(schema) + "." + regclassPart(table) }

    /// One name in such a text: the server parses it as SQL names and folds a bare one to lower case, so it
    /// is written bare only where that keeps it, else double-quoted.
    public func regclassPart(_ name: String) -> String {
        let bare = name.first.map { $0 == "_" || ("a"..."z").contains($0) } == true
            && name.allSatisfy { $0 == "_" || $0 == "$" || ("a"..."z").contains($0) || ("0"..."9").contains($0) }
        return bare ? name : quote(name)
    }

    /// A comma-separated list of quoted identifiers.
    public func quoteList(_ names: [String]) -> String { names.map(quote).joined(separator: ", ") }

    /// The schema of views an app version selects with search_path (`versionSchemas: views`):
    /// `<migration>_new` / `_old`, `metadata.name` with `-` as `_`. PostgreSQL reserves schema names
    /// that start with `pg_` ("unacceptable schema name"), so a migration named `pg-…` gets a `v_` in
    /// front. Here (not in the lowering) so that CUT103 refuses a `schemaName` equal to either.
    public func versionSchema(migration: String, new: Bool) -> String {
        let migration = String(migration.map { $0 == "-" ? "_" : $0 })
        let base = migration.lowercased().hasPrefix("pg_") ? "v_\(migration)" : migration
        return fit("\(base)_\(new ? "new" : "old")")
    }

    /// A single-quoted string literal. MySQL's default sql_mode reads backslash escapes, so a
    /// backslash is doubled there too.
    public func literal(_ text: String) -> String {
        "'" + (engine == .mysql ? text.doublingScalars("'", "\\") : text.doublingScalars("'")) + "'"
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

    /// `fit(name)` where that sorts after `other` byte by byte (PostgreSQL fires a table's triggers in that
    /// order), else a name that still does: the longest head of `other` that leaves room, then `z_` and
    /// the hash of `name`. `z` sorts after every other letter, digit, `_` and `$`; a head that would meet
    /// a byte at or above `z` in `other` is taken one character shorter (`z` then beats that character).
    /// `name` extends `other` (`<other>_<column>_sync`), so the plain fit only loses the order once it
    /// has to cut into `other`: when `other` is near the limit or is itself a hashed name.
    public func fit(_ name: String, after other: String) -> String {
        let plain = fit(name)
        if other.utf8.lexicographicallyPrecedes(plain.utf8) { return plain }
        let tail = "z_" + Self.shortHash(name)
        var heads = [""]
        for character in other {
            let head = heads[heads.count - 1] + String(character)
            if head.utf8.count + tail.utf8.count > maxIdentifierLength { break }
            heads.append(head)
        }
        // The byte of `other` right after the head must sort before `z`: step back until it does.
        for head in heads.reversed() {
            let next = other.utf8.dropFirst(head.utf8.count).first
            if next.map({ $0 < UInt8(ascii: "z") }) ?? true { return head + tail }
        }
        return plain
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
