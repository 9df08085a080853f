/// MySQL: carrying indexes and constraints over to the column that replaces another (renameColumn's new
/// column, a rewrite's copy). Indexes (unique constraints and the indexes the server made for foreign
/// keys included) are built in place under `<name>_cutover_new` and renamed in the swap. MySQL cannot
/// rename a foreign key or a check, nor (8.0.19+) rename a column a check uses, so foreign keys are
/// dropped and added again on the new column in the swap (foreign_key_checks=0: in place, no scan), and
/// checks move with DROP + ADD CONSTRAINT, which is a table copy on MySQL (NOT ONLINE, as addCheck).
extension MySQLDialect {
    /// Backfill-phase steps after the copy: the indexes on the new column; for a rename (`movingChecksFrom`),
    /// the checks move from the old column to the new one here.
    func carrySteps(_ carried: CarriedObjects, table: String, onto column: String, slug: String, movingChecksFrom old: String?,
                    change: Int, _ b: MySQLBuilder) -> [StepDraft] {
        var steps: [StepDraft] = []
        for index in carried.indexes {
            steps.append(StepDraft(.backfill, slug: "\(slug) index \(index.original.name)",
                                   title: "build index \(index.newName) on \(table).\(column) in place (carries \(index.original.name) over)", change: change,
                                   up: [SQLStatement(b.addIndex(table, index.newName, unique: index.original.unique, columns: index.keyList ?? b.n.quoteList(index.columns)))],
                                   down: [SQLStatement(b.dropIndex(table, index.newName))]))
        }
        if let old {
            for check in carried.checks {
                let name = check.original.name
                let original = check.original.expression ?? "true", moved = check.expression ?? "true"
                steps.append(StepDraft(.backfill, slug: "\(slug) check \(name)",
                                       title: "move check \(name) to \(table).\(column)" + MySQLDialect.tableCopyTitle, change: change,
                                       up: [SQLStatement(moveCheck(table, name, to: moved, from: old, b),
                                                         comment: "MySQL can neither rename a check nor (8.0.19+) rename a column a check uses: the check moves to the new\ncolumn under its name. NOT ONLINE: adding a CHECK is ALGORITHM=COPY on MySQL 8 (writes blocked meanwhile).",
                                                         kind: .tableCopy(table: table))],
                                       down: [SQLStatement(moveCheck(table, name, to: original, from: column, b),
                                                           comment: "The check back on the old column: ALGORITHM=COPY again (writes blocked meanwhile).",
                                                           kind: .tableCopy(table: table))]))
            }
        }
        return steps
    }

    /// `DROP CONSTRAINT c, ADD CONSTRAINT c CHECK (expression)` when the check still uses `from` (its clause
    /// names the column in backquotes, on MySQL and MariaDB alike). check_constraints has no table_name on MySQL 8.
    func moveCheck(_ table: String, _ name: String, to expression: String, from column: String, _ b: MySQLBuilder) -> String {
        let ddl = "ALTER TABLE \(b.q(table)) DROP CONSTRAINT \(b.q(name)), ADD CONSTRAINT \(b.q(name)) CHECK (\(expression)), ALGORITHM=COPY, LOCK=SHARED"
        return """
        SET @cutover_ddl = (SELECT IF(COUNT(*) > 0,
          \(b.lit(ddl)),
          'DO 0')
          FROM information_schema.check_constraints
          WHERE constraint_schema = DATABASE() AND constraint_name = \(b.lit(name)) AND LOCATE(\(b.lit(b.q(column))), check_clause) > 0);
        PREPARE cutover_stmt FROM @cutover_ddl;
        EXECUTE cutover_stmt;
        DEALLOCATE PREPARE cutover_stmt;
        """
    }

    /// `ADD CONSTRAINT c CHECK (…)` when no constraint of that name exists (table copy: NOT ONLINE).
    func addCheckIfMissing(_ table: String, _ name: String, _ expression: String, _ b: MySQLBuilder) -> String {
        b.guarded("ALTER TABLE \(b.q(table)) ADD CONSTRAINT \(b.q(name)) CHECK (\(expression)), ALGORITHM=COPY, LOCK=SHARED",
                  whenFound: false, in: .tableConstraints, table: table, ["constraint_name = \(b.lit(name))", "constraint_type = 'CHECK'"])
    }

    /// The ALTER clauses of the swap: drop the foreign keys (and, for a rewrite, the checks) of the old
    /// column, rename the indexes. `restoring`: the down's clauses.
    func swapClauses(_ carried: CarriedObjects, dropChecks: Bool, down: Bool, _ b: MySQLBuilder) -> [String] {
        var clauses = carried.foreignKeys.map { "DROP FOREIGN KEY \(b.q($0.original.name))" }
        if dropChecks && !down { clauses += carried.checks.map { "DROP CONSTRAINT \(b.q($0.original.name))" } }
        for index in carried.indexes {
            let old = b.q(index.original.name), new = b.q(index.newName), retired = b.q(index.retired)
            clauses += down ? ["RENAME INDEX \(old) TO \(new)", "RENAME INDEX \(retired) TO \(old)"]
                            : ["RENAME INDEX \(old) TO \(retired)", "RENAME INDEX \(new) TO \(old)"]
        }
        return clauses
    }

    /// After the swap's ALTER: each foreign key again, now on `column` (the column that carries the data).
    func addForeignKeys(_ carried: CarriedObjects, table: String, column: String, replaced: String, _ b: MySQLBuilder) -> [SQLStatement] {
        carried.foreignKeys.map { key in
            let columns = key.original.columns.map { b.context.sameName($0, replaced) ? column : $0 }
            let ddl = "ALTER TABLE \(b.q(table)) ADD CONSTRAINT \(b.q(key.original.name)) FOREIGN KEY (\(b.n.quoteList(columns))) \(CarriedObjects.referenceClause(key.original, names: b.n)), ALGORITHM=INPLACE, LOCK=NONE"
            return SQLStatement(b.guarded(ddl, whenFound: false, in: .tableConstraints, table: table,
                                          ["constraint_name = \(b.lit(key.original.name))", "constraint_type = 'FOREIGN KEY'"]),
                                comment: "MySQL cannot rename a foreign key or move it to another column: add it again on `\(column)` (in place with\nforeign_key_checks=0; the values are the ones the old column held, so nothing is checked again).")
        }
    }
}
