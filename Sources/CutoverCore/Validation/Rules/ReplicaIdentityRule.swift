import Foundation

/// CUT056: blue-green publishes every table, and a published table without a replica identity
/// makes its UPDATE and DELETE fail on blue. With a schema file, a table without a primary key must
/// be given one, or `REPLICA IDENTITY FULL` / `USING INDEX` in the same file (where the schema
/// reader skips ALTER TABLE … REPLICA IDENTITY, a textual match finds it).
struct ReplicaIdentityRule {
    func check(_ schema: DatabaseSchema, text: String, spec: MigrationSpec, at location: SourceLocation, diagnostics: inout DiagnosticBag) {
        guard spec.strategy == .blueGreen, spec.database.engine == .postgresql else { return }
        for table in schema.tables where table.primaryKey.isEmpty && !Self.declaresIdentity(table.name, in: text) {
            diagnostics.report(.replicaIdentity, Message.noReplicaIdentity(table.name), at: location)
        }
    }

    static func declaresIdentity(_ table: String, in text: String) -> Bool {
        let name = NSRegularExpression.escapedPattern(for: table)
        let pattern = #"(?i)ALTER\s+TABLE\s+(ONLY\s+)?(IF\s+EXISTS\s+)?("?[A-Za-z0-9_$]+"?\s*\.\s*)?"?"# + name
            + #""?\s+REPLICA\s+IDENTITY\s+(FULL|USING\s+INDEX)"#
        return text.range(of: pattern, options: .regularExpression) != nil
    }
}

extension Message {
    public static func noReplicaIdentity(_ table: String) -> String {
        "table '\(table)' in the schema file has no primary key: blue-green publishes it, and PostgreSQL then refuses its UPDATE and DELETE on blue; add a primary key, or 'ALTER TABLE \(table) REPLICA IDENTITY FULL;' on blue and in the schema file (every UPDATE and DELETE then logs the whole old row)"
    }
}
