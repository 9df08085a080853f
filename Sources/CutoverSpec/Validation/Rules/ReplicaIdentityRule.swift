import Foundation

/// CUT056: blue-green publishes every table, and a published table without a replica identity
/// makes its UPDATE and DELETE fail on blue. With a schema file, a table without a primary key must
/// be given one, or `REPLICA IDENTITY FULL` / `USING INDEX` in the same file (where the schema
/// reader skips ALTER TABLE … REPLICA IDENTITY, a textual match finds it).
package struct ReplicaIdentityRule {
    func check(_ schema: DatabaseSchema, bytes: [UInt8], spec: MigrationSpec, at location: SourceLocation, diagnostics: inout DiagnosticBag) {
        guard spec.strategy == .blueGreen, spec.database.engine == .postgresql,
              schema.tables.contains(where: { $0.primaryKey.isEmpty }) else { return }
        check(schema, text: String(decoding: bytes, as: UTF8.self), spec: spec, at: location, diagnostics: &diagnostics)
    }

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

extension RuleID {
    public static let replicaIdentity = RuleID("CUT056")
}

/// CUT056 `replica-identity`: blue-green: a table logical replication cannot update or delete without.
extension ReplicaIdentityRule: RuleUnit {
    package static let rule = Rule(
        id: .replicaIdentity, name: "replica-identity", severity: .error, checkedBy: [.replicaIdentity],
        summary: "blue-green: a table logical replication cannot update or delete without",
        rationale: "Blue-green publishes every table of the database. A published table needs a replica identity (its primary key by default) for its UPDATE and DELETE to be replicated; without one PostgreSQL refuses those statements on blue outright, an outage of the live cluster from the moment the publication exists. Add a primary key, or give the table REPLICA IDENTITY FULL on blue (and in the schema file): every UPDATE and DELETE of it then logs the whole old row, and green finds the row by comparing all its columns, which costs WAL volume and, on a large table without a usable index, a scan per change on green. The replicate Job checks the live catalog again and refuses such a table (and an unlogged one) before it publishes anything.",
        triggering: [RuleExample(Snippets.spec(database: Snippets.ledgerDatabase, extra: Snippets.blueGreen, changes: "", raw: true), files: ["schema.sql": Snippets.auditSchema]).expecting((14, 13))],
        nonTriggering: [RuleExample(Snippets.spec(database: Snippets.ledgerDatabase, extra: Snippets.blueGreen, changes: "", raw: true),
                             files: ["schema.sql": Snippets.auditSchema + "ALTER TABLE audit_log REPLICA IDENTITY FULL;\n"])])
}
