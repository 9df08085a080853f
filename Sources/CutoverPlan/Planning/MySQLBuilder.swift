/// The MySQL 8 statement shapes every lowering reuses. MySQL 8 has no `ADD COLUMN IF NOT EXISTS` /
/// `CREATE INDEX IF NOT EXISTS` (MariaDB-only syntax), so DDL is guarded by an information_schema
/// query that picks either the DDL or `DO 0`, run with PREPARE/EXECUTE; the DDL sits inside a
/// single-quoted literal there, so it is escaped once more. Nothing here is MariaDB-only.
package struct MySQLBuilder: Sendable {
    var context: LoweringContext
    /// The memberwise initializer, spelled out so that the emitters (another target) can make one.
    package init(context: LoweringContext) { self.context = context }
    var n: SQLNames { context.names }
    var objects: ObjectNames { ObjectNames(names: context.names) }

    func q(_ name: String) -> String { n.quote(name) }
    func lit(_ text: String) -> String { n.literal(text) }

    enum Catalog: String { case columns, statistics, tableConstraints = "table_constraints", tables }

    /// Runs `ddl` when the catalog query finds rows (`whenFound`) or finds none.
    func guarded(_ ddl: String, whenFound: Bool, in catalog: Catalog, table: String, _ conditions: [String] = []) -> String {
        guarded(ddlExpression: lit(ddl), whenFound: whenFound, in: catalog, table: table, conditions)
    }

    /// As `guarded`, with the DDL given as a SQL string expression (e.g. a CONCAT over the catalog row).
    func guarded(ddlExpression: String, whenFound: Bool, in catalog: Catalog, table: String, _ conditions: [String] = []) -> String {
        let schemaColumn = catalog == .tableConstraints ? "constraint_schema" : "table_schema"
        let filter = (["\(schemaColumn) = DATABASE()", "table_name = \(lit(table))"] + conditions).joined(separator: " AND ")
        return executing("""
            (SELECT IF(COUNT(*) \(whenFound ? ">" : "=") 0,
              \(ddlExpression),
              'DO 0')
              FROM information_schema.\(catalog.rawValue)
              WHERE \(filter))
            """)
    }

    /// Runs `ddl` when `condition` (a SQL boolean, e.g. over `objectExists`) holds, else `DO 0`.
    func guarded(_ ddl: String, when condition: String) -> String {
        executing("""
            IF(\(condition),
              \(lit(ddl)),
              'DO 0')
            """)
    }

    /// Runs the statement a SQL string expression evaluates to when the file runs (MySQL has no
    /// IF [NOT] EXISTS on most DDL, and a name or clause may come from the catalog or `DATABASE()`).
    func executing(_ expression: String) -> String {
        "SET @cutover_ddl = \(expression);\nPREPARE cutover_stmt FROM @cutover_ddl;\nEXECUTE cutover_stmt;\nDEALLOCATE PREPARE cutover_stmt;"
    }

    /// A SQL boolean: a table or view `name` exists in this database (`type`: only a `BASE TABLE` or a `VIEW`).
    func objectExists(_ name: String, type: String? = nil) -> String {
        let kind = type.map { " AND table_type = \(lit($0))" } ?? ""
        return "EXISTS (SELECT 1 FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = \(lit(name))\(kind))"
    }

    func column(_ name: String) -> String { "column_name = \(lit(name))" }

    /// RENAME TABLE when `from` exists (`baseTableOnly`: and is a table, not the compatibility view of a rename).
    func renameTable(_ from: String, _ to: String, baseTableOnly: Bool = false) -> String {
        guarded("RENAME TABLE \(q(from)) TO \(q(to))", whenFound: true, in: .tables, table: from,
                baseTableOnly ? ["table_type = 'BASE TABLE'"] : [])
    }

    // MARK: column DDL

    /// `TYPE NULL|NOT NULL [DEFAULT x] [AUTO_INCREMENT]`
    /// A generated column (`AS (expr) VIRTUAL`) takes no `NULL` (MariaDB refuses it after VIRTUAL/STORED;
    /// nullable is the default on both servers). `\bAS\s*\(` in any case, read by `SQLWords`.
    func definition(type: String, nullable: Bool, defaultValue: String?) -> String {
        if nullable && defaultValue == nil && SQLWords(type.uppercased()).contains("AS", followedBy: "(") { return type }
        var text = "\(type) \(nullable ? "NULL" : "NOT NULL")"
        if let defaultValue { text += " DEFAULT \(defaultValue)" }
        return text
    }

    func addColumn(_ table: String, _ column: String, _ definition: String, after: String? = nil) -> String {
        let position = after.map { " AFTER \(q($0))" } ?? ""
        return guarded("ALTER TABLE \(q(table)) ADD COLUMN \(q(column)) \(definition)\(position), ALGORITHM=INSTANT",
                       whenFound: false, in: .columns, table: table, [self.column(column)])
    }

    func dropColumn(_ table: String, _ column: String) -> String {
        guarded("ALTER TABLE \(q(table)) DROP COLUMN \(q(column)), ALGORITHM=INPLACE, LOCK=NONE",
                whenFound: true, in: .columns, table: table, [self.column(column)])
    }

    /// MODIFY repeats the full column definition. A column's CHARACTER SET, COLLATE and COMMENT are not
    /// part of its type: left out, MODIFY resets them to the table's defaults (a `utf8mb4_bin` column
    /// silently turns case-insensitive, a utf8mb3 column of a latin1 table would be converted, which is not
    /// in place: ERROR 1846), so those of `keeping` (the column as the base schema has it) are repeated.
    /// `keeping` nil: a column cutover added itself (the table's defaults are its own). When the definition
    /// is unknown (no base schema) type, character set, collation and comment are read from the column's
    /// catalog row when the step runs (the default is then not repeated).
    func modify(_ table: String, _ column: String, type: String?, nullable: Bool, defaultValue: String?, keeping info: DatabaseSchema.Column?,
                condition: String, algorithm: String = "ALGORITHM=INPLACE, LOCK=NONE") -> String {
        if let type {
            let kept = attributes(info)
            return guarded("ALTER TABLE \(q(table)) MODIFY COLUMN \(q(column)) \(definition(type: type + kept.charset, nullable: nullable, defaultValue: defaultValue))\(kept.comment), \(algorithm)",
                           whenFound: true, in: .columns, table: table, [self.column(column), condition])
        }
        let prefix = lit("ALTER TABLE \(q(table)) MODIFY COLUMN \(q(column)) ")
        let charset = "IF(MAX(collation_name) IS NULL, '', CONCAT(' CHARACTER SET ', MAX(character_set_name), ' COLLATE ', MAX(collation_name)))"
        let comment = "IF(MAX(column_comment) = '', '', CONCAT(' COMMENT ', QUOTE(MAX(column_comment))))"
        let suffix = lit(", \(algorithm)")
        return guarded(ddlExpression: "CONCAT(\(prefix), MAX(column_type), \(charset), \(lit(nullable ? " NULL" : " NOT NULL")), \(comment), \(suffix))",
                       whenFound: true, in: .columns, table: table, [self.column(column), condition])
    }

    /// A column's own ` CHARACTER SET … COLLATE …` (after its type) and ` COMMENT '…'` (after the rest), as written.
    func attributes(_ info: DatabaseSchema.Column?) -> (charset: String, comment: String) {
        ((info?.charset.map { " CHARACTER SET \($0)" } ?? "") + (info?.collation.map { " COLLATE \($0)" } ?? ""),
         info?.comment.map { " COMMENT \($0)" } ?? "")
    }

    /// A rollback that would bring NOT NULL back on a column the new version may have left NULL, with no
    /// `down` to refill it: it must neither fail nor lose rows. MySQL has no NOT VALID (a CHECK is
    /// checked against every row when added), so NOT NULL comes back only when no NULL is left; else a
    /// result row names the column and the count (the mysql client prints it) and the column stays
    /// nullable. A re-run after the rows are filled restores it.
    func restoreNotNullKeepingRows(_ table: String, _ column: String, type: String?, defaultValue: String?, keeping info: DatabaseSchema.Column?) -> [SQLStatement] {
        let count = "SET @cutover_nulls = (SELECT COUNT(*) FROM \(q(table)) WHERE \(q(column)) IS NULL);"
        let warn = "SELECT CONCAT(\(lit(RollbackWarning.marker + "\(table).\(column) keeps ")), @cutover_nulls, "
            + "\(lit(RollbackWarning.tail(engine: .mysql, check: nil)))) AS cutover_warning FROM DUAL WHERE @cutover_nulls > 0;"
        return [
            SQLStatement(count, comment: "No down expression in the spec: rows the new app version left NULL are kept, never refused or lost."),
            SQLStatement(warn, comment: "NULL rows left: say so (the rollback goes on, the column stays nullable)."),
            SQLStatement(modify(table, column, type: type, nullable: false, defaultValue: defaultValue, keeping: info, condition: "is_nullable = 'YES' AND @cutover_nulls = 0"),
                         comment: "None left: the base definition again (in-place rebuild, DML allowed)."),
        ]
    }

    /// `also`: more clauses of the same ALTER (dropped foreign keys and checks, renamed indexes).
    func renameColumn(_ table: String, from: String, to: String, also: [String] = []) -> String {
        let clauses = ["RENAME COLUMN \(q(from)) TO \(q(to))"] + also
        return guarded("ALTER TABLE \(q(table)) \(clauses.joined(separator: ", ")), ALGORITHM=INPLACE, LOCK=NONE",
                       whenFound: true, in: .columns, table: table, [column(from)])
    }

    // MARK: indexes

    func addIndex(_ table: String, _ name: String, unique: Bool, columns: String) -> String {
        guarded("ALTER TABLE \(q(table)) ADD \(unique ? "UNIQUE " : "")INDEX \(q(name)) (\(columns)), ALGORITHM=INPLACE, LOCK=NONE",
                whenFound: false, in: .statistics, table: table, ["index_name = \(lit(name))"])
    }

    /// An index that covers foreign keys served by indexes the server created for them: the server drops
    /// those when this index appears; the ALTER drops them by name too, so that a re-run after the down
    /// (which re-creates them as ordinary indexes) reaches the same schema.
    func addIndex(_ table: String, _ name: String, unique: Bool, columns: String, replacing implicit: [DatabaseSchema.Index]) -> String {
        guard !implicit.isEmpty else { return addIndex(table, name, unique: unique, columns: columns) }
        var parts = [lit("ALTER TABLE \(q(table)) ADD \(unique ? "UNIQUE " : "")INDEX \(q(name)) (\(columns))")]
        for index in implicit {
            parts.append("(SELECT IF(COUNT(*) > 0, \(lit(", DROP INDEX \(q(index.name))")), '')\n"
                         + "     FROM information_schema.statistics\n"
                         + "     WHERE table_schema = DATABASE() AND table_name = \(lit(table)) AND index_name = \(lit(index.name)))")
        }
        parts.append(lit(", ALGORITHM=INPLACE, LOCK=NONE"))
        return guarded(ddlExpression: "CONCAT(" + parts.joined(separator: ",\n    ") + ")", whenFound: false, in: .statistics, table: table,
                       ["index_name = \(lit(name))"])
    }

    func dropIndex(_ table: String, _ name: String) -> String {
        guarded("ALTER TABLE \(q(table)) DROP INDEX \(q(name)), ALGORITHM=INPLACE, LOCK=NONE",
                whenFound: true, in: .statistics, table: table, ["index_name = \(lit(name))"])
    }

    /// The down of an index that covers foreign keys whose implicit indexes the server dropped when it was
    /// built: the same ALTER re-creates each such index under its old name (when missing) before dropping
    /// this one, since MySQL refuses to drop the last index a foreign key can use. Only while a foreign key
    /// on exactly those columns exists: a key this spec adds (addColumn with references, addForeignKey)
    /// is dropped by an earlier rollback step, and the index re-created for it would stay behind (#14, trial 14h).
    func dropIndex(_ table: String, _ name: String, restoring implicit: [DatabaseSchema.Index]) -> SQLStatement {
        guard !implicit.isEmpty else { return SQLStatement(dropIndex(table, name)) }
        var parts = [lit("ALTER TABLE \(q(table)) ")]
        for index in implicit {
            parts.append("(SELECT IF(COUNT(*) = 0 AND \(foreignKeyExists(table, columns: index.columns)), "
                         + "\(lit("ADD INDEX \(q(index.name)) (\(n.quoteList(index.columns))), ")), '')\n"
                         + "     FROM information_schema.statistics\n"
                         + "     WHERE table_schema = DATABASE() AND table_name = \(lit(table)) AND index_name = \(lit(index.name)))")
        }
        parts.append(lit("DROP INDEX \(q(name)), ALGORITHM=INPLACE, LOCK=NONE"))
        let ddl = "CONCAT(" + parts.joined(separator: ",\n    ") + ")"
        let list = implicit.map { "`\($0.name)`" }.joined(separator: ", ")
        return SQLStatement(guarded(ddlExpression: ddl, whenFound: true, in: .statistics, table: table, ["index_name = \(lit(name))"]),
                            comment: "Building \(name) let the server drop the index it had created for a foreign key (\(list)): while the key\n"
                                + "exists, re-create it under its old name in the same ALTER, since MySQL refuses to drop the last index a\n"
                                + "foreign key can use (a key this migration adds is dropped before this step: its index must not come back).")
    }

    /// SQL that is true when `table` has a foreign key on exactly `columns`, in order (whatever its name:
    /// a renameConstraint may have renamed it).
    func foreignKeyExists(_ table: String, columns: [String]) -> String {
        "EXISTS (SELECT 1 FROM information_schema.key_column_usage\n"
            + "       WHERE table_schema = DATABASE() AND table_name = \(lit(table)) AND referenced_table_name IS NOT NULL\n"
            + "       GROUP BY constraint_name\n"
            + "       HAVING GROUP_CONCAT(column_name ORDER BY ordinal_position SEPARATOR ',') = \(lit(columns.joined(separator: ","))))"
    }

    // MARK: backfill

    /// The type of a key column for the procedure's variables (BIGINT when the schema does not say).
    func keyType(_ table: String, _ column: String) -> String {
        guard let type = context.column(table, column)?.type else { return "BIGINT" }
        var words = type.split(separator: " ").map(String.init)
        words.removeAll { ["auto_increment", "primary", "key", "not", "null"].contains($0.lowercased()) }
        return words.isEmpty ? "BIGINT" : words.joined(separator: " ")
    }

    /// Batched, resumable, idempotent UPDATE through a temporary procedure (keyset over the key, autocommit
    /// commits each batch). The procedure is dropped again, so the schema is unchanged. Needs the mysql client
    /// (DELIMITER is a client command).
    /// `log`: a table (the key columns, then `column`) that receives, in the batch's transaction, the key
    /// and the new value of every row the batch updates, so a rollback can tell the rows it filled.
    /// A procedure that SIGNALs `message` when `query` finds a row, called and dropped again: MySQL
    /// cannot SIGNAL outside a stored program (needs the mysql client, for DELIMITER).
    /// `hint`, what to do (PostgreSQL's refusal says it in its message): MySQL 8 keeps at most 128
    /// characters of MESSAGE_TEXT (strict mode refuses more), too few for a check's expression, so the
    /// procedure first returns it as a one-row result, which the mysql client prints in the Job's log
    /// (header `cutover rollback refused`) right before the error.
    func refusal(procedure: String, when query: String, message: String, hint: String? = nil) -> String {
        let hinted = hint.map { "\n    SELECT \(lit($0)) AS `cutover rollback refused`;" } ?? ""
        return """
        DROP PROCEDURE IF EXISTS \(procedure);
        DELIMITER ;;
        CREATE PROCEDURE \(procedure)()
        BEGIN
          IF EXISTS (\(query)) THEN\(hinted)
            SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = \(lit(message));
          END IF;
        END;;
        DELIMITER ;
        CALL \(procedure)();
        DROP PROCEDURE IF EXISTS \(procedure);
        """
    }

    /// The columns the server stamps on every UPDATE (ON UPDATE CURRENT_TIMESTAMP), but `column`.
    func stampedColumns(_ table: String, except column: String) -> [String] {
        (context.table(table)?.columns ?? []).filter { $0.updatedOnWrite && $0.name != column }.map { q($0.name) }
    }

    /// Extra SET assignments that keep those columns as they are: a backfill or its rollback is not an
    /// app write, and a column set to itself is left alone by the server (MySQL's documented way).
    func keepingStamps(_ table: String, except column: String, qualifier: String = "") -> String {
        stampedColumns(table, except: column).map { ", \(qualifier)\($0) = \(qualifier)\($0)" }.joined()
    }

    func backfill(table: String, column: String, verb: String = "backfill", assignments: String, pending: String, comment: String,
                  log: String? = nil) -> [SQLStatement] {
        let key = context.batchKey(table)
        let procedure = q(context.derived.procedure(verb, table: table, column: column))
        let cols = key.columns.map(q)
        let los = key.columns.indices.map { "lo_\($0 + 1)" }
        let his = key.columns.indices.map { "hi_\($0 + 1)" }
        let ends = key.columns.indices.map { "end_\($0 + 1)" }
        let firsts = key.columns.indices.map { "first_\($0 + 1)" }
        var declare = ""
        for i in key.columns.indices {
            let type = keyType(table, key.columns[i])
            declare += [los, his, ends, firsts].map { "  DECLARE \($0[i]) \(type) DEFAULT NULL;\n" }.joined()
        }
        let row = "(\(cols.joined(separator: ", ")))"
        let loRow = "(\(los.joined(separator: ", ")))"
        let hiRow = "(\(his.joined(separator: ", ")))"
        let order = cols.joined(separator: ", ")
        let endRow = "(\(ends.joined(separator: ", ")))"
        let bound: String
        if cols.count == 1 {
            bound = "  SELECT MAX(\(cols[0])) INTO \(ends[0]) FROM \(q(table));"
        } else {
            bound = "  SELECT \(order) INTO \(ends.joined(separator: ", ")) FROM \(q(table)) ORDER BY \(cols.map { "\($0) DESC" }.joined(separator: ", ")) LIMIT 1;"
        }
        let firstRow = "(\(firsts.joined(separator: ", ")))"
        // A re-run starts at the first key still pending, found once (the key just below it is the
        // keyset's lower bound); the rows below it are done and the sync triggers keep them so.
        let resume: String
        if cols.count == 1 {
            resume = "  SELECT MIN(s.\(cols[0])) INTO \(firsts[0]) FROM (\n    SELECT \(cols[0]) FROM \(q(table)) WHERE \(row) <= \(endRow) AND (\(pending)) ORDER BY \(order) LIMIT 1\n  ) s;\n"
                + "  IF \(firsts[0]) IS NOT NULL THEN\n"
                + "    SELECT MAX(\(cols[0])) INTO \(los[0]) FROM \(q(table)) WHERE \(cols[0]) < \(firsts[0]);\n"
        } else {
            resume = "  SELECT \(cols.map { "s.\($0)" }.joined(separator: ", ")) INTO \(firsts.joined(separator: ", ")) FROM (\n"
                + "    SELECT \(order) FROM \(q(table)) WHERE \(row) <= \(endRow) AND (\(pending)) ORDER BY \(order) LIMIT 1\n  ) s;\n"
                + "  IF \(firsts[0]) IS NOT NULL THEN\n"
                + "    SELECT \(cols.map { "s.\($0)" }.joined(separator: ", ")) INTO \(los.joined(separator: ", ")) FROM (\n"
                + "      SELECT \(order) FROM \(q(table)) WHERE \(row) < \(firstRow) ORDER BY \(cols.map { "\($0) DESC" }.joined(separator: ", ")) LIMIT 1\n    ) s;\n"
        }
        let skip = resume
            + "    SET started = \(los[0]) IS NOT NULL;\n"
            + "  ELSE\n"
            + "    -- Nothing pending: no bound, so the walk below finds no batch.\n"
            + "    SET \(ends.map { "\($0) = NULL" }.joined(separator: ", "));\n"
            + "  END IF;"
        let select: String
        if cols.count == 1 {
            select = "    SELECT MAX(s.\(cols[0])) INTO \(his[0]) FROM (\n      SELECT \(cols[0]) FROM \(q(table)) WHERE (NOT started OR \(row) > \(loRow)) AND \(row) <= \(endRow) ORDER BY \(order) LIMIT \(context.batchSize)\n    ) s;"
        } else {
            select = "    SET \(his.map { "\($0) = NULL" }.joined(separator: ", "));\n"
                + "    SELECT \(cols.map { "s.\($0)" }.joined(separator: ", ")) INTO \(his.joined(separator: ", ")) FROM (\n"
                + "      SELECT \(order) FROM \(q(table)) WHERE (NOT started OR \(row) > \(loRow)) AND \(row) <= \(endRow) ORDER BY \(order) LIMIT \(context.batchSize)\n"
                + "    ) s ORDER BY \(cols.map { "s.\($0) DESC" }.joined(separator: ", ")) LIMIT 1;"
        }
        let stamped = stampedColumns(table, except: column)
        var update = "UPDATE \(q(table)) SET \(assignments)\(keepingStamps(table, except: column))\n    WHERE (NOT started OR \(row) > \(loRow)) AND \(row) <= \(hiRow) AND \(pending);\n"
            + "    SET updated = ROW_COUNT();"
        if let log {
            // MySQL has no UPDATE … RETURNING: the keys go in first, the values after the fill, in one transaction.
            // The value goes in as an explicit NULL: the log's CREATE TABLE … SELECT copied the column's
            // DEFAULT, and a key-only insert stored that default, which the fix-up below (`IS NULL`) then
            // skipped, so the rollback never matched those rows and kept the filled values (trial 14c).
            let ql = q(log), qt = q(table)
            let logRow = "(\(cols.map { "l.\($0)" }.joined(separator: ", ")))"
            update = "START TRANSACTION;\n"
                + "    INSERT INTO \(ql) (\((cols + [q(column)]).joined(separator: ", "))) SELECT \(cols.joined(separator: ", ")), NULL FROM \(qt)\n"
                + "    WHERE (NOT started OR \(row) > \(loRow)) AND \(row) <= \(hiRow) AND \(pending);\n"
                + "    \(update)\n"
                + "    UPDATE \(ql) AS l JOIN \(qt) ON \(cols.map { "\(qt).\($0) = l.\($0)" }.joined(separator: " AND ")) SET l.\(q(column)) = \(qt).\(q(column))\n"
                + "    WHERE l.\(q(column)) IS NULL AND (NOT started OR \(logRow) > \(loRow)) AND \(logRow) <= \(hiRow);\n"
                + "    COMMIT;"
        }
        let body = """
        DROP PROCEDURE IF EXISTS \(procedure);
        DELIMITER ;;
        CREATE PROCEDURE \(procedure)()
        BEGIN
        \(declare)  DECLARE started BOOLEAN DEFAULT FALSE;
          DECLARE updated BIGINT DEFAULT 0;
          -- The last key present now bounds the loop: rows inserted later are filled by the sync triggers.
        \(bound)
        \(skip)
          batches: LOOP
        \(select)
            IF \(his[0]) IS NULL THEN
              LEAVE batches;
            END IF;
            \(update)
            SET \(los.indices.map { "\(los[$0]) = \(his[$0])" }.joined(separator: ", ")), started = TRUE;
            -- The pause gives the server room between writing batches; a batch that wrote nothing needs none.
            IF updated > 0 THEN
              DO SLEEP(\(context.pauseSeconds));
            END IF;
          END LOOP batches;
        END;;
        DELIMITER ;
        CALL \(procedure)();
        DROP PROCEDURE IF EXISTS \(procedure);
        """
        var note = comment + "\nBatched, resumable, idempotent: keyset over \(key.columns.joined(separator: ", ")) from the first key still pending to the last key present when it starts\n(so a re-run skips the done rows and it ends under continuous inserts); autocommit commits each batch, a pause follows each batch that updated rows.\nNeeds the mysql client (DELIMITER). The procedure is dropped again, so the schema is unchanged."
        if !stamped.isEmpty { note += "\n\(stamped.joined(separator: ", ")) (ON UPDATE CURRENT_TIMESTAMP) is set to itself, so the backfill does not restamp it." }
        if key.assumed { note += "\nThe base schema names no primary key for \(table): the batches walk column `id`." }
        return [
            SQLStatement("SET SESSION innodb_lock_wait_timeout = \(max(1, context.spec.runner.lockTimeout.seconds));"),
            SQLStatement(body, comment: note, kind: .batchedLoop),
        ]
    }

    // MARK: triggers

    /// Two single-statement BEFORE triggers (no DELIMITER). CREATE OR REPLACE TRIGGER is MariaDB-only and
    /// CREATE TRIGGER IF NOT EXISTS needs MySQL 8.0.29: drop + create.
    /// `writes`/`reads`: the columns the bodies assign and the other columns they compute from, which order
    /// the triggers of one table (`MySQLTriggerOrder`).
    func triggers(table: String, column: String, insertSet: String, updateSet: String, comment: String,
                  writes: Set<String>, reads: Set<String> = []) -> [SQLStatement] {
        let ins = context.derived.insertTrigger(table: table, column: column)
        let upd = context.derived.updateTrigger(table: table, column: column)
        var drop = dropTrigger(ins)
        drop.comment = comment
        return [
            drop,
            SQLStatement(trigger: MySQLTrigger(name: ins, timing: .before, event: .insert, table: table, body: "  SET \(insertSet);", writes: writes, reads: reads)),
            dropTrigger(upd),
            SQLStatement(trigger: MySQLTrigger(name: upd, timing: .before, event: .update, table: table, body: "  SET \(updateSet);", writes: writes, reads: reads)),
        ]
    }

    func dropTriggers(table: String, column: String) -> [SQLStatement] {
        [dropTrigger(context.derived.insertTrigger(table: table, column: column)),
         dropTrigger(context.derived.updateTrigger(table: table, column: column))]
    }

    func dropTrigger(_ name: String) -> SQLStatement {
        SQLStatement("DROP TRIGGER IF EXISTS \(q(name));", kind: .dropMySQLTrigger(name: name))
    }

    /// The columns of `table` (as the changes before this one leave it) that `expression` names.
    func columnsRead(by expression: String?, table: String, extra: Set<String> = []) -> Set<String> {
        guard let expression else { return [] }
        var columns = Set(context.table(table)?.columns.map(\.name) ?? [])
        columns.formUnion(extra)
        var named: Set<String> = []
        _ = ExpressionRewriter.rewrite(expression, columns: columns) { named.insert($0); return $0 }
        return named
    }

    func rowExpression(_ expression: String, table: String, prefix: String, extra: Set<String> = []) -> String {
        var columns = Set(context.table(table)?.columns.map(\.name) ?? [])
        columns.formUnion(extra)
        return ExpressionRewriter.rewrite(expression, columns: columns) { "\(prefix).\(q($0))" }
    }
}
