extension RuleID {
    public static let backfillTrigger = RuleID("CUT070")
}

/// CUT070 `backfill-trigger`: a backfill or copy updates every row of a table whose BEFORE UPDATE
/// row trigger (the app's own, in the schema file) then runs for each of them (warning).
enum BackfillTriggerRule: RuleUnit {
    static let rule = Rule(
        id: .backfillTrigger, name: "backfill-trigger", severity: .warning, checkedBy: [.dependents],
        summary: "a backfill updates a table whose BEFORE UPDATE trigger acts on every backfilled row (warning)",
        rationale: "A backfill (addColumn with up, the fill of NULLs before NOT NULL) and the copy of a renamed or retyped column are batched UPDATEs of every row. A BEFORE UPDATE row trigger of the application fires for each of them and may rewrite the row: pagila's last_updated sets last_update = now(), so after the migration every row looks modified at backfill time, and an audit or versioning trigger records one change per row. There is no safe general way to keep the trigger out: ALTER TABLE … DISABLE TRIGGER turns it off for the app's own writes during the backfill too and takes a table lock, session_replication_role = replica needs a superuser and silences every trigger of the session, and MySQL cannot turn a trigger off at all. MySQL's ON UPDATE CURRENT_TIMESTAMP columns (sakila's last_update) are not reported: the backfill and its rollback set them to themselves, which the server documents as the way to keep them. So cutover says which trigger will run; if its effect is unwanted, make the trigger leave such rows alone (a WHEN condition on PostgreSQL, an IF in the MySQL body) in a `sql` change before this one, or accept it. Triggers limited to other columns (UPDATE OF …), AFTER triggers and statement triggers are not reported.",
        triggering: [RuleExample(Snippets.spec(database: Snippets.pgDatabase + "    schema: schema.sql\n", changes: backfill),
                                 files: ["schema.sql": Snippets.pricingSchema + trigger("BEFORE UPDATE")]).expecting((19, 16))],
        nonTriggering: [RuleExample(Snippets.spec(database: Snippets.pgDatabase + "    schema: schema.sql\n", changes: backfill),
                                    files: ["schema.sql": Snippets.pricingSchema + trigger("BEFORE UPDATE OF amount")])])

    private static let backfill = "    - addColumn:\n        table: pricing\n        column:\n          name: tier\n          type: text\n        up: \"'basic'\"\n"

    private static func trigger(_ when: String) -> String {
        "CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.amount := NEW.amount; RETURN NEW; END $$;\n"
            + "CREATE TRIGGER pricing_touch \(when) ON pricing FOR EACH ROW EXECUTE FUNCTION touch();\n"
    }

    /// Each change that updates every row of a base-schema table with such a trigger; run by `SemanticRules`.
    static func check(_ spec: MigrationSpec, schema: DatabaseSchema, diagnostics: inout DiagnosticBag) {
        let engine = spec.database.engine
        let mysql = engine == .mysql
        for change in spec.changes {
            guard let (table, what) = update(of: change.operation, schema: schema, engine: engine) else { continue }
            let triggers = schema.dependents.triggers.filter { DDLParser.same($0.table, table.value, mysql) && $0.firesBeforeEveryRowUpdate }
            if !triggers.isEmpty {
                diagnostics.report(.backfillTrigger, Message.backfillFiresTrigger(what, table: table.value, triggers: triggers.map { ($0.name, $0.line) },
                                                                                  engine: engine), at: table.location)
            }
        }
    }

    /// The table a change's lowering updates row by row, and how the message names that update.
    static func update(of operation: Operation, schema: DatabaseSchema, engine: MigrationSpec.Engine) -> (Name, String)? {
        if let add = operation.unit(AddColumn.self) {
            return add.up == nil ? nil : (add.table, "the backfill of '\(add.table.value).\(add.column.name.value)'")
        }
        if let rename = operation.unit(RenameColumn.self) {
            return (rename.table, "the copy of '\(rename.table.value).\(rename.from.value)' into '\(rename.to.value)'")
        }
        guard let alter = operation.unit(AlterColumn.self) else { return nil }
        let info = schema.table(alter.table.value)?.columns.first { DDLParser.same($0.name, alter.column.value, engine == .mysql) }
        if let type = alter.type?.value, let info, !SQLTypeFacts.isSameType(info.type, type) {
            let old = info.type
            let inPlace = !alter.converts && (engine == .mysql ? MySQLAlterColumn.changesInPlace(info, of: schema.table(alter.table.value), to: type)
                : SQLTypeFacts.isPostgresMetadataOnly(from: old, to: type))
            if !inPlace { return (alter.table, "the copy of '\(alter.table.value).\(alter.column.value)' into its \(type) column") }
        }
        if alter.nullable?.value == false, alter.fill != nil, info?.nullable ?? true {
            return (alter.table, "the fill of the NULLs of '\(alter.table.value).\(alter.column.value)'")
        }
        return nil
    }
}

extension Message {
    static func backfillFiresTrigger(_ what: String, table: String, triggers: [(name: String, line: Int)], engine: MigrationSpec.Engine) -> String {
        let names = triggers.map { "'\($0.name)' (schema line \($0.line))" }.joined(separator: ", ")
        let plural = triggers.count != 1
        let way = engine == .mysql
            ? "MySQL cannot turn a trigger off for one session: if the effect is unwanted, make the trigger leave rows alone when only the new column changes (an IF in its body) in a sql change before this one"
            : "turning \(plural ? "them" : "it") off would affect the app's own writes too (ALTER TABLE … DISABLE TRIGGER) or need a superuser (session_replication_role): if the effect is unwanted, give \(plural ? "them" : "it") a WHEN condition that leaves such rows alone in a sql change before this one"
        return "\(what) updates every row of '\(table)', so its BEFORE UPDATE trigger\(plural ? "s" : "") \(names) run\(plural ? "" : "s") for each of them and may rewrite the row (a last-modified time stamp set to the backfill's time, an audit row per row); \(way)"
    }
}
