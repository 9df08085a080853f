extension RuleID {
    public static let mysqlRetypedDefault = RuleID("CUT075")
}

/// CUT075 `mysql-retyped-default`: with MySQL's version databases, an insert of the new version that
/// leaves a retyped column to its default, or writes NULL, cannot be told from an insert of the old
/// version, and gets `up` of the old column's value instead of what the new version meant (warning).
///
/// Where it applies: a type change that goes through a hidden copy (`MySQLVersionSchemas.hiddenCopies`)
/// while the version databases are on (`MySQLVersionSchemas.of`). Its sync triggers are two-way
/// (`MySQLAlterColumn.twoWaySync`) and, running in the table's database, tell the writer by the copy
/// being NULL. Not reported where the answer is the same either way: the old column has no default and
/// the final column none either, or takes the default in the trigger (NOT NULL with a default: the new
/// version cannot have meant NULL); or the final column is NOT NULL with the old default unchanged and
/// no `up` expression (the copy gets the same default converted).
enum MySQLRetypedDefaultRule: RuleUnit {
    static let rule = Rule(
        id: .mysqlRetypedDefault, name: "mysql-retyped-default", severity: .warning, checkedBy: [.lowering],
        summary: "with MySQL's version databases, an insert of the new version that leaves a retyped column to its default or writes NULL gets up() of the old column's value (warning)",
        rationale: "On MySQL the new version reads and writes a retyped column through its database of views, in the new type: the view shows the hidden copy under the column's name, and two-way sync triggers fill the old column for the old version and the copy for the new one. A trigger runs in the table's database and cannot see which database the writer selected, so it tells the versions apart by the copy: the copy has no default until contract's swap, and a NULL copy means the old version wrote (it does not know the copy), so the copy gets `up` of the old column. An insert of the new version that leaves the column out (relying on its default) or writes NULL looks the same: it gets `up` of the old column's default, not the new default or NULL. Reported where that can differ: the old column has a default (and the final column accepts NULL, or changes the default, or an `up` expression converts it), or the final column accepts NULL and gets a default the old one did not have. Write the column explicitly in the new version's inserts until contract, make the defaults agree, or set `app.versionSchemas: none` (the new version then reads the old type until contract).",
        triggering: [RuleExample(Snippets.spec(database: Snippets.mysqlDatabase + "    schema: schema.sql\n", changes: retype),
                                 files: ["schema.sql": defaulted]).expecting((18, 7))],
        nonTriggering: [RuleExample(Snippets.spec(database: Snippets.mysqlDatabase + "    schema: schema.sql\n", changes: retype),
                                    files: ["schema.sql": undefaulted]),
                        RuleExample(Snippets.spec(database: Snippets.mysqlDatabase + "    schema: schema.sql\n", app: Snippets.app + "    versionSchemas: none\n", changes: retype),
                                    files: ["schema.sql": defaulted])])

    private static let retype = "    - alterColumn:\n        table: pricing\n        column: amount\n        type: BIGINT\n        nullable: true\n"
    private static let defaulted = "CREATE TABLE pricing (\n    id     bigint NOT NULL AUTO_INCREMENT PRIMARY KEY,\n    amount integer NOT NULL DEFAULT 0\n) ENGINE=InnoDB;\n"
    private static let undefaulted = "CREATE TABLE pricing (\n    id     bigint NOT NULL AUTO_INCREMENT PRIMARY KEY,\n    amount integer NULL\n) ENGINE=InnoDB;\n"

    /// Every retyped column of a spec without errors whose new-version inserts are ambiguous; run by
    /// `SpecValidator` after the spec validated.
    /// The column before the change is the one `MySQLVersionSchemas` recorded with the copy (a column is
    /// changed by one change at most, CUT052), so the changes are not walked again here.
    static func check(_ lowered: LoweredSpec, diagnostics: inout DiagnosticBag) {
        guard let versions = lowered.mysqlVersionSchemas else { return }
        let copies = versions.copiedColumns
        for change in lowered.spec.changes {
            guard let alter = change.operation.unit(AlterColumn.self),
                  let copy = copies.first(where: { $0.alter.table.value == alter.table.value && $0.alter.column.value == alter.column.value }) else { continue }
            let old = copy.old
            let oldDefault = old?.defaultValue
            let newDefault = alter.defaultValue?.value ?? (alter.dropDefault ? nil : oldDefault)
            let finalNullable = alter.nullable?.value ?? old?.nullable ?? true
            let ambiguous: Bool
            if let oldDefault {
                ambiguous = finalNullable || newDefault != oldDefault || alter.up != nil
            } else {
                ambiguous = finalNullable && newDefault != nil
            }
            guard ambiguous else { continue }
            diagnostics.report(.mysqlRetypedDefault,
                               Message.mysqlRetypedDefault(table: alter.table.value, column: alter.column.value, oldDefault: oldDefault, newDefault: newDefault,
                                                           nullable: finalNullable),
                               at: change.location)
        }
    }
}

extension Message {
    static func mysqlRetypedDefault(table: String, column: String, oldDefault: String?, newDefault: String?, nullable: Bool) -> String {
        let gets = oldDefault.map { "the old column's default \($0) converted by up" } ?? "NULL"
        let meant = [newDefault.map { "its default \($0)" }, nullable ? "NULL" : nil].compactMap { $0 }.joined(separator: " or ")
        return "until contract, an insert of the new version through its database of views that leaves '\(table).\(column)' to its default or writes NULL "
            + "cannot be told from one of the old version (the sync triggers run in the table's database): it gets \(gets), which may not be \(meant); "
            + "write the column explicitly in the new version's inserts until contract, make the defaults agree, or set app.versionSchemas: none"
    }
}
