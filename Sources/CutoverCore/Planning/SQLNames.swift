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

/// The names cutover gives the objects it creates for one migration.
public struct DerivedNames: Sendable {
    public var names: SQLNames
    /// metadata.name with '-' replaced by '_'.
    public var migration: String

    public init(names: SQLNames, migrationName: String) {
        self.names = names
        self.migration = migrationName.replacingDashes()
    }

    /// Where dropColumn/dropTable (and retired columns of renames and rewrites) go: `_cutover_<mig>_<name>`.
    public func quarantine(_ name: String) -> String { names.fit("_cutover_\(migration)_\(name)") }
    /// The copy column of a rewriting type change.
    public func rewriteCopy(_ column: String) -> String { names.fit("_cutover_\(migration)_\(column)_new") }
    /// The temporary `CHECK (col IS NOT NULL)` used to set NOT NULL without a long scan.
    public func notNullCheck(table: String, column: String) -> String { names.fit("\(table)_\(column)_not_null") }
    /// PostgreSQL sync trigger and its function.
    public func syncTrigger(table: String, column: String) -> String { names.fit("_cutover_\(table)_\(column)_sync") }
    /// MySQL sync triggers, one per event.
    public func insertTrigger(table: String, column: String) -> String { names.fit("_cutover_\(table)_\(column)_ins") }
    public func updateTrigger(table: String, column: String) -> String { names.fit("_cutover_\(table)_\(column)_upd") }
    /// The keys (and filled values) of rows whose NULL a backfill filled in place, so the rollback can
    /// put the NULL back: the base schema's rows must come back as they were.
    public func fillLog(table: String, column: String) -> String { names.fit("_cutover_\(migration)_\(table)_\(column)_filled") }
    /// MySQL backfill procedure.
    public func procedure(_ verb: String, table: String, column: String) -> String {
        names.fit("_cutover_\(verb)_\(table)_\(column)")
    }
    /// The schema of views an app version selects with search_path (`versionSchemas: views`).
    /// PostgreSQL reserves schema names that start with `pg_` ("unacceptable schema name"), so a
    /// migration named `pg-…` gets a `v_` in front.
    public func versionSchema(new: Bool) -> String {
        let base = migration.lowercased().hasPrefix("pg_") ? "v_\(migration)" : migration
        return names.fit("\(base)_\(new ? "new" : "old")")
    }
    /// Blue-green publication, slot and subscription (one name for all three).
    public var replication: String { names.fit("cutover_\(migration)") }
    public var reverseReplication: String { names.fit("cutover_\(migration)_reverse") }
}
