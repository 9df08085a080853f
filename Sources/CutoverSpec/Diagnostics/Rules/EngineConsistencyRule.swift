extension RuleID {
    public static let engineConsistency = RuleID("CUT035")
}

/// CUT035 `engine-consistency`: engine, operator, runner tool, index options or versions do not fit together.
package enum EngineConsistencyRule: RuleUnit {
    package static let rule = Rule(
        id: .engineConsistency, name: "engine-consistency", severity: .error, checkedBy: [.shape, .consistency],
        summary: "engine, operator, runner tool, index options or versions do not fit together",
        rationale: "zalando runs PostgreSQL and bitpoke MySQL; psql and the mysql client talk to their own engine only. MySQL has only btree indexes and no partial indexes. `acceptTableCopies` accepts MySQL table copies (CUT073): no PostgreSQL step copies a table. Expand-contract on PostgreSQL needs version 11 or later (sync triggers use EXECUTE FUNCTION, batched backfills COMMIT inside DO). Blue-green relies on PostgreSQL logical replication (version 10 or later), its way back on moving a replication slot (pg_replication_slot_advance, version 11 or later), and moves to the same or a newer version.",
        triggering: [RuleExample(Snippets.spec(database: Snippets.pgDatabase + "    operator: bitpoke\n")).expecting((13, 15))],
        nonTriggering: [RuleExample(Snippets.spec(database: Snippets.pgDatabase + "    operator: zalando\n"))])
}

extension Message {
    public static func version(_ text: String, field: String) -> String {
        "'\(text)' is not a valid version for '\(field)', e.g. '15' or '8.0'"
    }
    public static func operatorEngine(_ value: String, engine: String, supported: String) -> String {
        "operator '\(value)' runs \(supported) clusters, but 'database.engine' is '\(engine)'"
    }
    public static func toolEngine(_ value: String, engine: String, supported: String) -> String {
        "runner tool '\(value)' is the \(supported) client, but 'database.engine' is '\(engine)'; use '\(engine == "mysql" ? "mysql" : "psql")', 'flyway' or 'liquibase'"
    }
    public static let blueGreenEngine =
        "strategy 'blue-green' needs PostgreSQL logical replication; for 'mysql' use 'expand-contract'"
    public static func logicalReplicationVersion(_ version: String) -> String {
        "blue-green needs logical replication, which PostgreSQL has from version 10; 'database.version' is '\(version)'"
    }
    public static func wayBackVersion(_ version: String) -> String {
        "blue-green keeps a way back to blue, whose switchback moves blue's replication slot with pg_replication_slot_advance, which PostgreSQL has from version 11; 'database.version' is '\(version)': upgrade blue to 11 first (a move from 10 has no way back that loses no write)"
    }
    public static func targetVersionOlder(_ green: String, than blue: String) -> String {
        "'target.version' '\(green)' is older than 'database.version' '\(blue)'; blue-green moves to the same or a newer version"
    }
    public static func postgresVersionForExpandContract(_ version: String) -> String {
        "'database.version' is '\(version)'; cutover's PostgreSQL steps need version 11 or later (triggers with EXECUTE FUNCTION, COMMIT inside DO for batched backfills)"
    }
    public static func mysqlIndexMethod(_ method: String) -> String {
        "index method '\(method)' is PostgreSQL only; MySQL InnoDB indexes are 'btree'"
    }
    public static func acceptTableCopiesEngine(_ engine: String) -> String {
        "'acceptTableCopies' is for MySQL, whose steps may copy a table (CUT073); 'database.engine' is '\(engine)', where no step copies one"
    }
    public static let mysqlPartialIndex = "'where' (a partial index) is PostgreSQL only; MySQL has no partial indexes"
    public static func uniqueIndexMethod(_ method: String) -> String {
        "a unique index must use method 'btree'; PostgreSQL cannot build a unique '\(method)' index"
    }
}
