extension RuleID {
    public static let engineConsistency = RuleID("CUT035")
}

/// CUT035 `engine-consistency`: engine, operator, runner tool, index options or versions do not fit together.
enum EngineConsistencyRule: RuleUnit {
    static let rule = Rule(
        id: .engineConsistency, name: "engine-consistency", severity: .error, checkedBy: [.shape, .consistency],
        summary: "engine, operator, runner tool, index options or versions do not fit together",
        rationale: "zalando runs PostgreSQL and bitpoke MySQL; psql and the mysql client talk to their own engine only. MySQL has only btree indexes and no partial indexes. Expand-contract on PostgreSQL needs version 11 or later (sync triggers use EXECUTE FUNCTION, batched backfills COMMIT inside DO). Blue-green relies on PostgreSQL logical replication (version 10 or later) and moves to the same or a newer version.",
        triggering: [RuleExample(Snippets.spec(database: Snippets.pgDatabase + "    operator: bitpoke\n")).expecting((13, 15))],
        nonTriggering: [RuleExample(Snippets.spec(database: Snippets.pgDatabase + "    operator: zalando\n"))])
}

extension Message {
    public static func version(_ text: String, field: String) -> String {
        "'\(text)' is not a valid version for '\(field)', e.g. '15' or '8.0'"
    }
}
