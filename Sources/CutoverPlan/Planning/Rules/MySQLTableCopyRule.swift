extension RuleID {
    public static let mysqlTableCopy = RuleID("CUT073")
}

/// CUT073 `mysql-table-copy`: a step of a change, or its rollback, copies the table on MySQL
/// (ALGORITHM=COPY, LOCK=SHARED) and blocks writes to it for the whole copy (warning).
///
/// The check lowers each change as the planner will (`MySQLDialect`) and reports every step whose up or
/// down holds a statement the recipe marked `StatementKind.tableCopy`: the warning names exactly the
/// steps the plan holds, never a guess from the spec.
enum MySQLTableCopyRule: RuleUnit {
    static let rule = Rule(
        id: .mysqlTableCopy, name: "mysql-table-copy", severity: .warning, checkedBy: [.lowering],
        summary: "a step or its rollback copies the table on MySQL and blocks writes to it for the whole copy (warning)",
        rationale: "Every other step cutover writes holds a lock that blocks reads or writes no longer than a catalog update. MySQL has no online way for a few changes, and cutover writes them as ALTER TABLE … ALGORITHM=COPY, LOCK=SHARED: the server copies the whole table while reads go on and every write to it waits until the copy ends (seconds per million rows, more on a busy disk). They are: addCheck and a column's `check` (MySQL 8 and MariaDB refuse INPLACE and INSTANT for ADD CONSTRAINT … CHECK, and MySQL has no NOT VALID); moving a check to the new column of a renameColumn (MySQL 8.0.19+ refuses to rename a column a check uses, and a check cannot be renamed or moved in place) and adding it back on a retyped column after the swap; and in a rollback, narrowing a VARCHAR that an alterColumn widened in place (narrowing is a copy), re-adding the checks a dropColumn or a retyping alterColumn dropped, and re-adding the check a dropConstraint dropped. Each is reported once per step and direction, at the change, with the table and the phase. The step's title and the plan README say so too. Size the table first (SELECT data_length + index_length FROM information_schema.tables) and run that phase, or that rollback, when the table is quiet; or make the change outside cutover with an online schema-change tool (gh-ost, pt-online-schema-change) and leave it out of the spec. Once you have decided, list the table in `acceptTableCopies` to accept its copies explicitly: the warning is then no longer reported for it (and `--warnings-as-errors` passes). Steps of a `sql` change are the user's own and not reported.",
        triggering: [RuleExample(Snippets.spec(database: Snippets.mysqlDatabase + "    schema: schema.sql\n", changes: addCheck),
                                 files: ["schema.sql": OperationExample.pricingMySQL]).expecting((18, 7)),
                     RuleExample(Snippets.spec(database: Snippets.mysqlDatabase + "    schema: schema.sql\n", changes: widen),
                                 files: ["schema.sql": labelSchema]).expecting((18, 7)),
                     RuleExample(Snippets.spec(database: Snippets.mysqlDatabase + "    schema: schema.sql\n", changes: rename),
                                 files: ["schema.sql": checkedSchema]).expecting((18, 7), (18, 7))],
        nonTriggering: [RuleExample(Snippets.spec(database: Snippets.mysqlDatabase + "    schema: schema.sql\n", extra: "  acceptTableCopies: [pricing]\n", changes: addCheck),
                                    files: ["schema.sql": OperationExample.pricingMySQL]),
                        RuleExample(Snippets.spec(database: Snippets.mysqlDatabase + "    schema: schema.sql\n", changes: addColumn),
                                    files: ["schema.sql": OperationExample.pricingMySQL]),
                        RuleExample(Snippets.spec(database: Snippets.pgDatabase + "    schema: schema.sql\n", changes: addCheck),
                                    files: ["schema.sql": Snippets.pricingSchema]),
                        RuleExample(Snippets.spec(database: Snippets.mysqlDatabase + "    schema: schema.sql\n", changes: rename),
                                    files: ["schema.sql": labelSchema])])

    private static let addCheck = "    - addCheck:\n        name: pricing_amount_check\n        table: pricing\n        expression: amount >= 0\n"
    private static let addColumn = "    - addColumn:\n        table: pricing\n        column:\n          name: note\n          type: VARCHAR(40)\n"
    private static let widen = "    - alterColumn:\n        table: pricing\n        column: label\n        type: VARCHAR(60)\n"
    private static let rename = "    - renameColumn:\n        table: pricing\n        from: amount\n        to: price\n"
    private static let labelSchema = "CREATE TABLE pricing (\n    id     bigint NOT NULL AUTO_INCREMENT PRIMARY KEY,\n    amount integer NOT NULL,\n    label  varchar(40) NOT NULL\n) ENGINE=InnoDB;\n"
    private static let checkedSchema = "CREATE TABLE pricing (\n    id     bigint NOT NULL AUTO_INCREMENT PRIMARY KEY,\n    amount integer NOT NULL,\n    CONSTRAINT pricing_amount_check CHECK (amount >= 0)\n) ENGINE=InnoDB;\n"

    /// Every step of each change (as the planner lowers it, in the phases the plan holds) whose up or down
    /// copies a table; run by `SpecValidator` on a MySQL expand-contract spec without errors, on the
    /// lowering the planner then reuses (`LoweredSpec.changeDrafts`).
    static func check(_ lowered: LoweredSpec, diagnostics: inout DiagnosticBag) {
        let spec = lowered.spec
        guard spec.database.engine == .mysql, spec.strategy == .expandContract else { return }
        let phases = PhaseCatalog.phases(for: spec)
        func accepted(_ table: String) -> Bool { spec.acceptedTableCopies.contains { DDLParser.same($0.value, table, true) } }
        for (change, drafts) in zip(spec.changes, lowered.changeDrafts) {
            if change.operation.unit(RawSQL.self) != nil { continue }
            for draft in drafts {
                guard let phase = phases.first(where: { $0.phase == draft.phase }) else { continue }
                for (statements, rollback) in [(draft.up, false), (draft.down, true)] {
                    var tables: [String] = []
                    for table in statements.compactMap(\.copiedTable) where !tables.contains(table) && !accepted(table) { tables.append(table) }
                    guard !tables.isEmpty else { continue }
                    diagnostics.report(.mysqlTableCopy, Message.mysqlTableCopy(step: draft.title, tables: tables, phase: phase, rollback: rollback),
                                       at: change.location)
                }
            }
        }
    }
}

extension Message {
    static func mysqlTableCopy(step: String, tables: [String], phase: PlanPhase, rollback: Bool) -> String {
        let names = tables.map { "'\($0)'" }.joined(separator: ", ")
        let plural = tables.count != 1
        let phase = phase.phase.rawValue
        let when = rollback ? "the rollback of \(phase) step '\(step)'" : "\(phase) step '\(step)'"
        let run = rollback ? "roll \(phase) back only when \(plural ? "they are" : "it is") quiet" : "run \(phase) when \(plural ? "they are" : "it is") quiet"
        return "\(when) copies table\(plural ? "s" : "") \(names) on MySQL (ALGORITHM=COPY, LOCK=SHARED): writes to \(plural ? "them" : "it") wait for the whole copy, "
            + "far longer than a catalog update; size \(plural ? "them" : "it") and \(run), make this change with gh-ost or pt-online-schema-change instead, "
            + "or accept it by listing \(names) in acceptTableCopies"
    }
}
