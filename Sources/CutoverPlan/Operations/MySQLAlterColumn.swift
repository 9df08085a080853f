/// MySQL `alterColumn`: an in-place VARCHAR widening (MySQL 8's rule, not MariaDB's looser one),
/// default and nullability changes as single steps, and every other type change through a copy column,
/// one-way triggers, a batched backfill and a swap under a short LOCK TABLES ... WRITE.
package struct MySQLAlterColumn {
    var b: MySQLBuilder
    var alter: AlterColumn
    var change: Int

    var table: String { alter.table.value }
    var column: String { alter.column.value }
    var info: DatabaseSchema.Column? { b.context.column(table, column) }

    /// Whether MySQL changes the column's type in one in-place statement (the same type, a VARCHAR
    /// widening within its length bytes, enum labels appended) rather than through a hidden copy; the
    /// version databases, the rules and the lowering all ask this one question.
    package static func changesInPlace(_ old: DatabaseSchema.Column, of table: DatabaseSchema.Table?, to type: String) -> Bool {
        SQLTypeFacts.isSameType(old.type, type) || SQLTypeFacts.isMySQLInPlaceWidening(old, of: table, to: type)
            || EnumType.isMySQLAppend(from: old.type, to: type)
    }

    func lower() -> [StepDraft] {
        if let type = alter.type?.value {
            if let old = info?.type, SQLTypeFacts.isSameType(old, type) { return simpleChanges() }
            // `up` or `down` converts the values: through the hidden copy even for a widening (AlterColumn.converts).
            if let info, !alter.converts, SQLTypeFacts.isMySQLInPlaceWidening(info, of: b.context.schema.table(table), to: type) {
                return [widen(info, to: type)] + simpleChanges()
            }
            if let info, !alter.converts, EnumType.isMySQLAppend(from: info.type, to: type) { return [appendLabels(info, to: type)] + simpleChanges() }
            return rewrite(type)
        }
        return simpleChanges()
    }

    func widen(_ info: DatabaseSchema.Column, to type: String) -> StepDraft {
        let old = SQLTypeFacts.parse(info.type).args.first ?? 0
        let new = SQLTypeFacts.parse(type).args.first ?? 0
        let charset = SQLTypeFacts.mysqlCharset(of: info, in: b.context.schema.table(table))
        let bytes = SQLTypeFacts.mysqlBytesPerCharacter(charset)
        return StepDraft(.expand, slug: "alter_type \(table) \(column)", title: "widen \(table).\(column) to \(type) in place (metadata-only)" + MySQLDialect.rollbackCopyTitle, change: change,
                         up: [SQLStatement(b.modify(table, column, type: type, nullable: info.nullable, defaultValue: info.defaultValue, keeping: info,
                                                    condition: "character_maximum_length = \(old)"),
                                           comment: "Widening VARCHAR without changing the size of the length prefix (\(charset ?? "utf8mb4"): \(bytes) byte\(bytes == 1 ? "" : "s") per character; up to 255 bytes\none length byte, above two): in place on MySQL 8, DML allowed.")],
                         down: [fitCheck(value: b.q(column), old: info.type, holder: "\(info.type) CHARACTER SET utf8mb4",
                                         when: "column_name = \(b.lit(column)) AND character_maximum_length = \(new)"),
                                SQLStatement(b.modify(table, column, type: info.type, nullable: info.nullable, defaultValue: info.defaultValue, keeping: info,
                                                      condition: "character_maximum_length = \(new)", algorithm: "ALGORITHM=COPY, LOCK=SHARED"),
                                             comment: "Rollback only: narrowing is a table copy on MySQL 8 that blocks writes while it runs (the check above refused values that no longer fit).",
                                             kind: .tableCopy(table: table))])
    }

    /// An inline enum with labels appended at the end: ALGORITHM=INSTANT on MySQL 8 and MariaDB (no
    /// copy, writes go on), in expand (the new version may write the new labels). The down takes them
    /// away again: refused while rows hold one of them, then a table copy (MySQL has no other way to
    /// drop enum members), said in the title.
    func appendLabels(_ info: DatabaseSchema.Column, to type: String) -> StepDraft {
        let old = EnumType.mysqlColumnType(EnumType.mysqlLabels(info.type) ?? [])
        let new = EnumType.mysqlColumnType(EnumType.mysqlLabels(type) ?? [])
        return StepDraft(.expand, slug: "alter_type \(table) \(column)", title: "append labels to enum \(table).\(column) in place (metadata-only)" + MySQLDialect.rollbackCopyTitle, change: change,
                         up: [SQLStatement(b.modify(table, column, type: type, nullable: info.nullable, defaultValue: info.defaultValue, keeping: info,
                                                    condition: "column_type = \(b.lit(old))", algorithm: "ALGORITHM=INSTANT"),
                                           comment: "Labels appended at the end of an ENUM, its storage size unchanged: ALGORITHM=INSTANT on MySQL 8 and MariaDB\n(metadata only, DML allowed).")],
                         down: [fitCheck(value: b.q(column), old: info.type, when: "column_name = \(b.lit(column)) AND column_type = \(b.lit(new))"),
                                SQLStatement(b.modify(table, column, type: info.type, nullable: info.nullable, defaultValue: info.defaultValue, keeping: info,
                                                      condition: "column_type = \(b.lit(new))", algorithm: "ALGORITHM=COPY, LOCK=SHARED"),
                                             comment: "Rollback only: dropping ENUM labels is a table copy on MySQL 8 that blocks writes while it runs (the check above refused rows that hold one).",
                                             kind: .tableCopy(table: table))])
    }

    /// A relax comes before the default change, and keeps the default the column has then (the base's):
    /// its rollback re-imposes NOT NULL only after the default change's down put the base default back.
    /// The other way round, between the two downs, the old version's inserts that leave the column out
    /// failed (NOT NULL without a default; issue #14, second trial).
    func simpleChanges() -> [StepDraft] {
        var steps: [StepDraft] = []
        if alter.nullable?.value == true, info?.nullable != true {
            let type = alter.type?.value ?? info?.type
            steps.append(StepDraft(.expand, slug: "relax \(table) \(column)", title: "let \(table).\(column) accept NULL (in-place rebuild, DML allowed)", change: change,
                                   up: [SQLStatement(b.modify(table, column, type: type, nullable: true, defaultValue: info?.defaultValue, keeping: info, condition: "is_nullable = 'NO'"))],
                                   down: restoreNotNull(type: type, defaultValue: info?.defaultValue), transactional: false))
        }
        if alter.defaultValue != nil || alter.dropDefault {
            func statement(_ value: String?) -> String {
                "ALTER TABLE \(b.q(table)) ALTER COLUMN \(b.q(column)) \(value.map { "SET DEFAULT \($0)" } ?? "DROP DEFAULT"), ALGORITHM=INSTANT;"
            }
            let new = alter.defaultValue?.value
            // A dropped default waits for contract: the old version's inserts that leave the column out rely on it.
            steps.append(StepDraft(new == nil ? .contract : .expand, slug: "alter_default \(table) \(column)",
                                   title: new == nil ? "drop the default of \(table).\(column)" : "set the default of \(table).\(column)", change: change,
                                   up: [SQLStatement(statement(new), comment: "Default change: metadata-only (INSTANT); naturally idempotent.")],
                                   down: [SQLStatement(statement(info?.defaultValue),
                                                       comment: info == nil ? "The base schema was not given: the down assumes the column had no default."
                                                                            : "Restores the default of the base schema.")]))
        }
        if let nullable = alter.nullable?.value {
            let type = alter.type?.value ?? info?.type
            let defaultValue = alter.dropDefault ? nil : (alter.defaultValue?.value ?? info?.defaultValue)
            if !nullable, info?.nullable != false {
                if let fill = alter.fill {
                    let log = b.context.derived.fillLog(table: table, column: column)
                    steps += MySQLDialect().fillLogStep(table, column, log: log, change: change, b)
                    steps += MySQLDialect().fillTriggers(table, column, value: fill.value, who: "the old app version", change: change, b, log: log)
                    steps.append(StepDraft(.backfill, slug: "\(table) \(column)", title: "fill NULLs of \(table).\(column)", change: change,
                                           up: b.backfill(table: table, column: column, assignments: "\(b.q(column)) = (\(fill.value))", pending: "\(b.q(column)) IS NULL",
                                                          comment: "Fill rows where \(table).\(column) is NULL (\(fill.source)), logging each filled row in \(log).",
                                                          log: log),
                                           down: [.note("Nothing to undo here: the rollback of the expand phase puts the NULLs back from \(log)."), SQLStatement("DO 0;")],
                                           transactional: false))
                }
                steps.append(StepDraft(.complete, slug: "\(table) \(column) not_null", title: "set NOT NULL on \(table).\(column) (in-place rebuild, DML allowed)", change: change,
                                       up: [SQLStatement(b.modify(table, column, type: type, nullable: false, defaultValue: defaultValue, keeping: info, condition: "is_nullable = 'YES'"))],
                                       down: [SQLStatement(b.modify(table, column, type: type, nullable: true, defaultValue: defaultValue, keeping: info, condition: "is_nullable = 'NO'"))]))
            }
        }
        return steps
    }

    /// Before the swap's down brings the old type back: every value the new version wrote must fit it,
    /// or the rollback is refused before it changes anything, naming the column (not half way, after the
    /// swap, or worse silently clipped by a non-strict copy-back). The values go through a temporary
    /// table of the old type under strict mode (a procedure keeps the sql_mode it was created with);
    /// MySQL cannot SIGNAL outside a stored program, hence the procedure, dropped again afterwards.
    /// Under REPEATABLE READ, InnoDB's INSERT … SELECT takes a shared lock on every row it reads and
    /// holds it to the statement's end: every UPDATE of the table would wait for the whole scan (8.5 s
    /// on 2,000,000 rows on MariaDB 10.11). READ COMMITTED for that one statement reads a snapshot
    /// instead, except where the binlog is statement-based (InnoDB refuses READ COMMITTED there, 1665).
    /// Only a conversion error means "does not fit"; any other error (a lock wait, a missing
    /// privilege) is raised as itself.
    /// The errors strict mode raises for a value the column type cannot hold: out of range (1264),
    /// truncated (1265), an incorrect value (1292, 1366), too long (1406), out of range in an expression (1690).
    static let conversionErrors = "1264, 1265, 1292, 1366, 1406, 1690"

    func fitCheck(value: String, old: String, holder: String? = nil, when condition: String, notNull: Bool = false) -> SQLStatement {
        let procedure = b.q(b.context.derived.procedure("fit", table: table, column: column))
        let refused = "cutover rollback refused: \(table).\(column) holds values the new app version wrote that \(old) cannot take"
        let message = String(refused.prefix(128))
        // MySQL 8 caps MESSAGE_TEXT at 128 characters: the remedy (PostgreSQL's message gives it too) goes
        // in a line of its own printed just before the error, which the Job's log and rehearse show.
        let remedy = "SELECT \(b.lit(refused + "; change or delete those rows, or give the change a down expression that maps them, and run the rollback again")) AS `cutover rollback refused`;"
        let key = b.context.schema.table(table)?.primaryKey ?? []
        // Where the old column was NOT NULL and the rollback puts NOT NULL back, a row whose old value
        // would be NULL fails that step half way (1265 after the swap back): refused here, naming a key.
        let nullScan = !notNull ? "" : """

            IF EXISTS (SELECT 1 FROM \(b.q(table)) WHERE \(value) IS NULL) THEN
              SELECT LEFT(CONCAT(\(b.lit("cutover rollback refused: \(table).\(column) was NOT NULL, would get NULL (")),
                                 \(key.isEmpty ? "'a row'" : "CONCAT_WS(', ', " + key.map { "CONCAT(\(b.lit($0 + "=")), \(b.q($0)))" }.joined(separator: ", ") + ")"),
                                 '); fill or delete such rows, then rerun'), 128)
                INTO fit_message FROM \(b.q(table)) WHERE \(value) IS NULL LIMIT 1;
              SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = fit_message;
            END IF;
        """
        let body = """
        DROP PROCEDURE IF EXISTS \(procedure);
        SET @cutover_sql_mode = @@SESSION.sql_mode;
        SET SESSION sql_mode = 'STRICT_ALL_TABLES,NO_ENGINE_SUBSTITUTION';
        DELIMITER ;;
        CREATE PROCEDURE \(procedure)()
        BEGIN
          DECLARE fit_errno INT DEFAULT 0;
          DECLARE fit_message VARCHAR(128) DEFAULT '';
          -- 1265 (and 1264) carry SQLSTATE 01000, a warning class even where strict mode makes them errors:
          -- SQLEXCEPTION does not catch them, a handler for the error numbers does.
          DECLARE EXIT HANDLER FOR \(Self.conversionErrors)
          BEGIN
            DROP TEMPORARY TABLE IF EXISTS `_cutover_fit`;
            \(remedy)
            SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = \(b.lit(message));
          END;
          DECLARE EXIT HANDLER FOR SQLEXCEPTION
          BEGIN
            GET DIAGNOSTICS CONDITION 1 fit_errno = MYSQL_ERRNO;
            DROP TEMPORARY TABLE IF EXISTS `_cutover_fit`;
            IF fit_errno NOT IN (\(Self.conversionErrors)) THEN
              RESIGNAL;
            END IF;
            \(remedy)
            SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = \(b.lit(message));
          END;
          IF EXISTS (SELECT 1 FROM information_schema.columns
                     WHERE table_schema = DATABASE() AND table_name = \(b.lit(table)) AND \(condition)) THEN\(nullScan)
            DROP TEMPORARY TABLE IF EXISTS `_cutover_fit`;
            CREATE TEMPORARY TABLE `_cutover_fit` (v \(holder ?? old) NULL);
            IF @@GLOBAL.log_bin = 0 OR @@SESSION.binlog_format <> 'STATEMENT' THEN
              SET TRANSACTION ISOLATION LEVEL READ COMMITTED;
            END IF;
            INSERT INTO `_cutover_fit` (v) SELECT \(value) FROM \(b.q(table));
            DROP TEMPORARY TABLE `_cutover_fit`;
          END IF;
        END;;
        DELIMITER ;
        SET SESSION sql_mode = @cutover_sql_mode;
        CALL \(procedure)();
        DROP PROCEDURE IF EXISTS \(procedure);
        """
        return SQLStatement(body, comment: "Checked before anything changes: every value must fit \(old) (read-only on the table; a temporary copy of the column).\n"
                            + "Refused: change or delete those rows, or give the change a down expression that maps them, and run the rollback again.",
                            kind: .refusalCheck)
    }

    /// The relax step's down: refill with the spec's `down` when given, else keep the new version's NULL rows.
    func restoreNotNull(type: String?, defaultValue: String?) -> [SQLStatement] {
        guard let down = alter.down?.value else {
            return b.restoreNotNullKeepingRows(table, column, type: type, defaultValue: defaultValue, keeping: info)
        }
        return b.backfill(table: table, column: column, verb: "refill", assignments: "\(b.q(column)) = (\(down))", pending: "\(b.q(column)) IS NULL",
                          comment: "Refill rows written while the column was nullable (the spec's down expression), then restore NOT NULL.")
            + [SQLStatement(b.modify(table, column, type: type, nullable: false, defaultValue: defaultValue, keeping: info, condition: "is_nullable = 'YES'"))]
    }

    /// The sync triggers of a type change whose copy the new version reads and writes through its view
    /// (`MySQLVersionSchemas`): a trigger runs in the table's database and cannot see which database the
    /// writer selected, so it tells the versions apart by the columns themselves.
    /// - INSERT: the copy has no default until the swap, so a NULL copy means the writer left it out
    ///   or wrote NULL (the old version, which does not know it): the copy gets `up` of the column. A
    ///   copy that is not NULL was written by the new version (the old column then holds only its
    ///   default): the column gets `down` of it. Ambiguous, and warned by CUT075: the new version
    ///   inserting NULL or leaving the column to its default, when the old column's default is not NULL
    ///   (the copy gets `up` of that default) or the new default differs from `up` of the old one. A NOT
    ///   NULL final column with a default takes that default there (the new version cannot mean NULL).
    /// - UPDATE: whichever column the statement changed wins: the column changed and the copy not, the
    ///   copy gets `up` (the old version, or the contract's copy-back); the copy changed to a value that
    ///   is not already `up` of the column, the column gets `down` (the new version; the backfill, which
    ///   writes exactly `up`, leaves the column alone, so no value makes a lossy round trip).
    /// `down` is the spec's down expression, else the value itself (MySQL converts it on assignment;
    /// strict mode refuses, and fails the statement of the new version, a value the old type cannot hold).
    func twoWaySync(copy: String, newValue: String, newDefault: String?) -> [SQLStatement] {
        let qc = b.q(column), qcopy = b.q(copy)
        // Every other column `down` reads is NEW's too: a bare name inside the trigger is error 1054 on
        // every insert of the old version (#14 trial).
        let rowColumns = Set(b.context.table(table)?.columns.map(\.name) ?? []).union([column])
        let back = alter.down.map { "(" + ExpressionRewriter.rewrite($0.value, columns: rowColumns) { $0 == column ? "NEW.\(qcopy)" : "NEW.\(b.q($0))" } + ")" } ?? "NEW.\(qcopy)"
        let filled = newDefault.map { "COALESCE(\(newValue), \($0))" } ?? newValue
        let insertSet = "NEW.\(qc) = IF(NEW.\(qcopy) IS NULL, NEW.\(qc), \(back)),\n      NEW.\(qcopy) = IF(NEW.\(qcopy) IS NULL, \(filled), NEW.\(qcopy))"
        let updateSet = "NEW.\(qcopy) = IF(NOT (NEW.\(qc) <=> OLD.\(qc)) AND NEW.\(qcopy) <=> OLD.\(qcopy), \(newValue), NEW.\(qcopy)),\n"
            + "      NEW.\(qc) = IF(NEW.\(qc) <=> OLD.\(qc) AND NOT (NEW.\(qcopy) <=> OLD.\(qcopy)) AND NOT \(Self.same("NEW.\(qcopy)", as: alter.type?.value, newValue, of: alter.up == nil ? info?.type : nil)), \(back), NEW.\(qc))"
        return b.triggers(table: table, column: column, insertSet: insertSet, updateSet: updateSet,
                          comment: "Two-way sync: the old version writes `\(column)`, the new version the copy (its view shows it as `\(column)`).\n"
                              + "Each trigger fills the column the writer did not write; a single SET: the assignments run in order.",
                          writes: [column, copy], reads: b.columnsRead(by: alter.up?.value, table: table, extra: [column])
                              .union(b.columnsRead(by: alter.down?.value, table: table)))
    }

    /// `column <=> value`, where `column` has `type` and `value` may have another type (the other side of a
    /// type change; `valueType` where it is a column, nil for an expression): MySQL compares a string with
    /// a number as numbers, and strict mode turns the conversion warning of a string that is none ('B-89'
    /// against a SMALLINT: 1292) into an error of the UPDATE that evaluates it, a statement of the app or a
    /// backfill. Type-safe instead:
    /// - a text column: both sides as utf8mb4 text with a binary collation (a number or a date converts to
    ///   the text the column stores for it, and no two implicit collations meet: 1267); binary strings as bytes;
    /// - a numeric (date, time) column and a value that may be text: compared as numbers (dates, times)
    ///   only where the text has that shape ('007' is 7, as the backfill stored it; '2026-12-05' is that
    ///   day), otherwise different (no conversion is tried: 'n5', '05/12/2026');
    /// - otherwise natively (JSON, two numbers, two dates).
    static func same(_ column: String, as type: String?, _ value: String, of valueType: String?) -> String {
        func family(_ type: String?) -> String {
            let base = String(SQLTypeFacts.normalized(type ?? "").prefix { $0.isLetter })
            switch base {
            case "char", "varchar", "tinytext", "text", "mediumtext", "longtext", "enum", "set", "national", "nchar", "nvarchar": return "text"
            case "binary", "varbinary", "tinyblob", "blob", "mediumblob", "longblob": return "binary"
            case "tinyint", "smallint", "mediumint", "int", "integer", "bigint", "decimal", "dec", "numeric", "fixed", "float", "double", "real", "bit", "bool", "boolean", "year":
                return "number"
            case "date", "datetime", "timestamp": return "date"
            case "time": return "time"
            default: return base.isEmpty ? "unknown" : "other"
            }
        }
        switch family(type) {
        case "text":
            return "(CAST(\(column) AS CHAR CHARACTER SET utf8mb4) COLLATE utf8mb4_bin <=> CAST(\(value) AS CHAR CHARACTER SET utf8mb4) COLLATE utf8mb4_bin)"
        case "binary":
            return "(CAST(\(column) AS BINARY) <=> CAST(\(value) AS BINARY))"
        case let kind where ["number", "date", "time"].contains(kind) && (valueType == nil || ["text", "binary", "unknown"].contains(family(valueType))):
            let shape = kind == "number" ? "'^[[:space:]]*[-+]?([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][-+]?[0-9]+)?[[:space:]]*$'"
                : kind == "date" ? "'^[[:space:]]*[0-9]{2,4}-[0-9]{1,2}-[0-9]{1,2}([ T][0-9]{1,2}(:[0-9]{1,2}(:[0-9]{1,2}([.][0-9]{0,6})?)?)?)?[[:space:]]*$'"
                : "'^[[:space:]]*-?([0-9]+ )?[0-9]{1,3}(:[0-9]{1,2}(:[0-9]{1,2}([.][0-9]{0,6})?)?)?[[:space:]]*$'"
            return "(CASE WHEN \(value) IS NULL THEN \(column) IS NULL WHEN CAST(\(value) AS CHAR CHARACTER SET utf8mb4) REGEXP \(shape) THEN \(column) <=> \(value) ELSE FALSE END)"
        default:
            return "(\(column) <=> \(value))"
        }
    }

    /// BEFORE INSERT and UPDATE triggers that refuse NULL in the column with NOT NULL's own error (SQLSTATE
    /// 23000, 1048): created by contract's swap, dropped by the NOT NULL step once the column refuses it
    /// itself. Created last on the table, so they fire after every other trigger and see the final value.
    /// An update refuses only a NULL it writes: a row NULL already (which NOT NULL would refuse anyway,
    /// failing that step) keeps taking updates of other columns.
    func notNullGuard() -> [SQLStatement] {
        let qc = b.q(column)
        let message = "Column '\(column)' cannot be null"
        return [true, false].flatMap { insert -> [SQLStatement] in
            let name = b.context.derived.notNullGuardTrigger(table: table, column: column, insert: insert)
            var drop = b.dropTrigger(name)
            if insert { drop.comment = "Refuses NULL in \(table).\(column) as NOT NULL will, until the NOT NULL step sets it (needs the mysql client: DELIMITER)." }
            return [drop, SQLStatement(trigger: MySQLTrigger(name: name, timing: .before, event: insert ? .insert : .update, table: table, body: """
                BEGIN
                  IF NEW.\(qc) IS NULL\(insert ? "" : " AND OLD.\(qc) IS NOT NULL") THEN
                    SIGNAL SQLSTATE '23000' SET MESSAGE_TEXT = \(b.lit(message)), MYSQL_ERRNO = 1048;
                  END IF;
                END;;
                """, delimited: true, reads: [column]))]
        }
    }

    func dropNotNullGuard() -> [SQLStatement] {
        [true, false].map { b.dropTrigger(b.context.derived.notNullGuardTrigger(table: table, column: column, insert: $0)) }
    }

    func rewrite(_ type: String) -> [StepDraft] {
        let derived = b.context.derived
        let copy = derived.rewriteCopy(column)
        let quarantine = derived.quarantine(column)
        let qt = b.q(table), qc = b.q(column), qcopy = b.q(copy), qq = b.q(quarantine)
        let newDefault = alter.defaultValue?.value ?? (alter.dropDefault ? nil : info?.defaultValue)
        let notNull = !(alter.nullable?.value ?? info?.nullable ?? true)
        let oldNotNull = info.map { !$0.nullable } ?? false
        // `nullable: true` on a NOT NULL column: the new version may write NULL from its first pod on, and
        // the sync writes it (or `down` of it) into the old column. Relaxing NOT NULL is safe for the old
        // version, so it happens in expand (as a plain relax does); its down restores NOT NULL only where
        // no row holds NULL (restoreNotNullKeepingRows), so no rollback step fails on the new version's rows.
        let relaxed = oldNotNull && alter.nullable?.value == true
        var steps: [StepDraft] = []

        // With version databases the new version reads and writes the copy (its view shows it under the
        // column's name): the sync is two-way, and the copy has no default until the swap, so that an
        // insert that left it NULL is told apart from one that wrote it (see `twoWaySync`).
        let versions = MySQLVersionSchemas.of(b.context)
        let carriedForLock = CarriedObjects(b.context, table: table, column: column, replacement: copy)
        let otherTables = carriedForLock.foreignKeys.compactMap(\.original.referencedTable).filter { $0 != table }.reduce(into: [String]()) { if !$1.isEmpty && !$0.contains($1) { $0.append($1) } }
        let swapUpView = versions?.swapView(table: table, column: column, final: true, otherTables: otherTables)
        let swapDownView = versions?.swapView(table: table, column: column, final: false, otherTables: otherTables)
        let twoWay = swapUpView != nil
        steps.append(StepDraft(.expand, slug: "alter_type \(table) \(column) add", title: "add \(table).\(copy), the \(type) copy of \(column)", change: change,
                               up: [SQLStatement(b.addColumn(table, copy, b.definition(type: type, nullable: true, defaultValue: twoWay ? nil : newDefault)),
                                                 comment: "\(info?.type ?? "The current type") -> \(type) is not in place on MySQL 8 (ALGORITHM=COPY blocks writes).\nLock-safe path: new column + triggers + backfill + swap.")],
                               down: [SQLStatement(b.dropColumn(table, copy))]))
        let newValue: String
        if let up = alter.up?.value {
            newValue = "(" + b.rowExpression(up, table: table, prefix: "NEW", extra: [column]) + ")"
        } else {
            newValue = "NEW.\(qc)"
        }
        // Where the base column is NOT NULL, NULL in it only marks a row the new version wrote after the swap (the
        // quarantined column is left out): the update trigger keeps the copy there, until the swap's down copies it back.
        // Relaxed, NULL is also a value the new version writes: only a NULL left unchanged keeps the copy.
        let updateValue = relaxed ? "IF(NEW.\(qc) IS NULL AND OLD.\(qc) IS NULL, NEW.\(qcopy), \(newValue))"
            : oldNotNull ? "IF(NEW.\(qc) IS NULL, NEW.\(qcopy), \(newValue))" : newValue
        let sync = twoWay ? twoWaySync(copy: copy, newValue: newValue, newDefault: notNull ? newDefault : nil)
            : b.triggers(table: table, column: column, insertSet: "NEW.\(qcopy) = \(newValue)", updateSet: "NEW.\(qcopy) = \(updateValue)",
                         comment: "One-way sync: every app version reads and writes `\(column)`; the copy follows it until the swap.",
                         writes: [copy], reads: b.columnsRead(by: alter.up?.value, table: table, extra: [column]).union([column]))
        steps.append(StepDraft(.expand, slug: "alter_type \(table) \(column) sync", title: "sync \(table).\(copy) from \(column) with triggers", change: change,
                               up: sync, down: b.dropTriggers(table: table, column: column)))
        // After the swap the old column is quarantined and no version writes it: an omitted NOT NULL column without
        // default refuses inserts (from the swap's UNLOCK on). It accepts NULL from expand on, while every version
        // still writes it; the expand down restores the base definition.
        if relaxed {
            steps.append(StepDraft(.expand, slug: "relax \(table) \(column)", title: "let \(table).\(column) accept NULL (in-place rebuild, DML allowed)", change: change,
                                   up: [SQLStatement(b.modify(table, column, type: info?.type, nullable: true, defaultValue: info?.defaultValue, keeping: info, condition: "is_nullable = 'NO'"),
                                                     comment: "The new version may write NULL (nullable: true) from its first pod on; the sync copies it here.")],
                                   down: b.restoreNotNullKeepingRows(table, column, type: info?.type, defaultValue: info?.defaultValue, keeping: info),
                                   transactional: false))
        } else if oldNotNull && info?.defaultValue == nil {
            steps.append(StepDraft(.expand, slug: "relax \(table) \(column)", title: "let \(table).\(column) accept NULL before it is quarantined (in-place rebuild, DML allowed)", change: change,
                                   up: [SQLStatement(b.modify(table, column, type: info?.type, nullable: true, defaultValue: nil, keeping: info, condition: "is_nullable = 'NO'"),
                                                     comment: "After the swap no version writes the quarantined column; every version still writes it until then.")],
                                   down: [SQLStatement(b.modify(table, column, type: info?.type, nullable: false, defaultValue: nil, keeping: info, condition: "is_nullable = 'YES'"),
                                                       comment: "The base definition again. Fails if rows still hold NULL (the swap's down copies values back first).")]))
        }
        let value = alter.up.map { "(\($0.value))" } ?? qc
        steps.append(StepDraft(.backfill, slug: "\(table) \(column)", title: "backfill \(table).\(copy)", change: change,
                               up: b.backfill(table: table, column: column, assignments: "\(qcopy) = \(value)", pending: "NOT \(Self.same(qcopy, as: type, value, of: alter.up == nil ? info?.type : nil))",
                                              comment: "Copy \(column) into the \(type) column for existing rows."),
                               down: [.note("Nothing to undo: data only, in a column that an earlier step's down drops."), SQLStatement("DO 0;")],
                               transactional: false))
        // No NOT NULL on the copy before the swap: every version leaves it out of its inserts, and MySQL refuses
        // an omitted NOT NULL column without default before a BEFORE INSERT trigger can fill it. NOT NULL is
        // set after the swap, on the column the new version writes (see below).
        let dialect = MySQLDialect()
        let carried = CarriedObjects(b.context, table: table, column: column, replacement: copy)
        steps += dialect.carrySteps(carried, table: table, onto: copy, slug: "\(table) \(column)_new", movingChecksFrom: nil, change: change, b)
        let upRenames = ["RENAME COLUMN \(qc) TO \(qq)", "RENAME COLUMN \(qcopy) TO \(qc)"] + dialect.swapClauses(carried, dropChecks: true, down: false, b)
        let downRenames = ["RENAME COLUMN \(qc) TO \(qcopy)", "RENAME COLUMN \(qq) TO \(qc)"] + dialect.swapClauses(carried, dropChecks: true, down: true, b)
        let swapUp = b.guarded("ALTER TABLE \(qt) \(upRenames.joined(separator: ", ")), ALGORITHM=INPLACE, LOCK=NONE",
                               whenFound: true, in: .columns, table: table, [b.column(copy)])
        let swapDown = b.guarded("ALTER TABLE \(qt) \(downRenames.joined(separator: ", ")), ALGORITHM=INPLACE, LOCK=NONE",
                                 whenFound: true, in: .columns, table: table, [b.column(quarantine)])
        var up = [SQLStatement(dialect.lockTables(table, carried, b),
                               comment: "Swap under a short LOCK TABLES ... WRITE so no write lands between dropping the triggers and the rename.\nAll renames in one ALTER (atomic, metadata-only). The old column is quarantined, not dropped.")]
        if let swapUpView { up = swapUpView.setup + [swapUpView.lock] }
        up += b.dropTriggers(table: table, column: column)
        up.append(SQLStatement(swapUp))
        up += dialect.addForeignKeys(carried, table: table, column: column, replaced: column, b)
        if twoWay, let newDefault {
            up.append(SQLStatement("ALTER TABLE \(qt) ALTER COLUMN \(qc) SET DEFAULT \(newDefault), ALGORITHM=INSTANT;",
                                   comment: "The copy had no default while the sync told the versions' inserts apart by it; the new column gets its own now."))
        }
        // From the swap the column is the final one, nullable until the NOT NULL step below: without a guard an
        // insert or update of NULL would succeed there and then make that step fail (or, during its in-place
        // rebuild, make it fail at the end). The guard refuses NULL as NOT NULL will (1048), from the same
        // lock that makes the column final, so no statement succeeds in the window that fails after it.
        let guardTriggers = notNull ? notNullGuard() : []
        up += guardTriggers
        if let swapUpView { up += swapUpView.beforeUnlock }
        up.append(SQLStatement("UNLOCK TABLES;"))
        if let swapUpView { up += swapUpView.afterUnlock }
        if !carried.foreignKeys.isEmpty {
            up = [SQLStatement("SET SESSION foreign_key_checks = 0;")] + up + [SQLStatement("SET SESSION foreign_key_checks = 1;")]
        }
        if oldNotNull && !relaxed && info?.defaultValue != nil {
            up.append(SQLStatement(b.modify(table, quarantine, type: info?.type, nullable: true, defaultValue: info?.defaultValue, keeping: info, condition: "is_nullable = 'NO'"),
                                   comment: "The quarantined column must stop requiring values the app no longer writes."))
        }
        let back: String
        if let down = alter.down?.value {
            back = "(" + ExpressionRewriter.rewrite(down, columns: [column]) { _ in qcopy } + ")"
        } else {
            back = qcopy
        }
        var down = [SQLStatement(dialect.lockTables(table, carried, b)), SQLStatement(swapDown)]
        if let swapDownView { down = swapDownView.setup + [swapDownView.lock, SQLStatement(swapDown)] }
        if notNull { down += dropNotNullGuard() }
        if let old = info?.type {
            // After the swap the new version's values sit under the column's name.
            let value = alter.down.map { "(" + ExpressionRewriter.rewrite($0.value, columns: [column]) { _ in qc } + ")" } ?? qc
            down.insert(fitCheck(value: value, old: old, when: "column_name = \(b.lit(quarantine))", notNull: oldNotNull && !relaxed), at: 0)
        }
        down += dialect.addForeignKeys(carried, table: table, column: column, replaced: column, b)
        if twoWay, newDefault != nil {
            down.append(SQLStatement("ALTER TABLE \(qt) ALTER COLUMN \(qcopy) DROP DEFAULT, ALGORITHM=INSTANT;",
                                     comment: "The copy again: no default, so the two-way sync tells an insert of the new version from one of the old."))
        }
        down += sync
        if let swapDownView { down += swapDownView.beforeUnlock }
        down.append(SQLStatement("UNLOCK TABLES;"))
        if let swapDownView { down += swapDownView.afterUnlock }
        if !carried.foreignKeys.isEmpty {
            down = [SQLStatement("SET SESSION foreign_key_checks = 0;")] + down + [SQLStatement("SET SESSION foreign_key_checks = 1;")]
        }
        // Only rows whose new value is not what the old one converts to: the new version wrote them. A row
        // nobody touched keeps its old value even where `down` does not invert `up` ('p2' → 1 → 'normal').
        // Where the old column was NOT NULL, NULL there marks a row the new version inserted after the swap.
        down += b.backfill(table: table, column: column, verb: "copyback", assignments: "\(qc) = \(back)",
                           pending: oldNotNull ? "(NOT \(Self.same(qcopy, as: type, value, of: alter.up == nil ? info?.type : nil)) AND NOT \(Self.same(qc, as: info?.type, back, of: alter.down == nil ? type : nil))) OR (\(qc) IS NULL AND \(back) IS NOT NULL)"
                                               : "NOT \(Self.same(qcopy, as: type, value, of: alter.up == nil ? info?.type : nil)) AND NOT \(Self.same(qc, as: info?.type, back, of: alter.down == nil ? type : nil))",
                           comment: "Copy back what the new version wrote after the swap (fails in strict mode if a value no longer fits the old type).")
        if oldNotNull && !relaxed && info?.defaultValue != nil {
            down.append(SQLStatement(b.modify(table, column, type: info?.type, nullable: false, defaultValue: info?.defaultValue, keeping: info, condition: "is_nullable = 'YES'")))
        }
        for check in carried.checks {
            down.append(SQLStatement(dialect.addCheckIfMissing(table, check.original.name, check.original.expression ?? "true", b),
                                     comment: "Re-add check \(check.original.name) on the old column (NOT ONLINE: table copy, writes blocked; rollback only).",
                                     kind: .tableCopy(table: table)))
        }
        steps.append(StepDraft(.contract, slug: "alter_type \(table) \(column) swap", title: "swap \(table).\(column) and its \(type) copy" + (carried.checks.isEmpty ? "" : MySQLDialect.rollbackCopyTitle), change: change,
                               up: up, down: down, transactional: false))
        // NOT NULL on the new column once it carries the name the new version writes (only the new version serves).
        if notNull {
            steps.append(StepDraft(.contract, slug: "alter_type \(table) \(column) not_null", title: "set NOT NULL on the new \(table).\(column) (in-place rebuild, DML allowed)", change: change,
                                   up: [SQLStatement(b.modify(table, column, type: type, nullable: false, defaultValue: newDefault, keeping: nil, condition: "is_nullable = 'YES'"),
                                                     comment: "Not before the swap: until then every version leaves the \(type) copy out of its inserts.\nThe swap's guard triggers refused NULL since; NOT NULL does that now.")]
                                       + dropNotNullGuard(),
                                   down: guardTriggers
                                       + [SQLStatement(b.modify(table, column, type: type, nullable: true, defaultValue: newDefault, keeping: nil, condition: "is_nullable = 'NO'"),
                                                       comment: "The copy accepts NULL again before the swap's down makes it the copy (the guard refuses it until then).")]))
        }
        // MySQL 8.0.19+ refuses to rename a column a check uses: the swap dropped the checks; add them again on the new column.
        for check in carried.checks {
            let name = check.original.name
            steps.append(StepDraft(.contract, slug: "alter_type \(table) \(column) check \(name)",
                                   title: "add check \(name) again on the new \(table).\(column)" + MySQLDialect.tableCopyTitle, change: change,
                                   up: [SQLStatement(dialect.addCheckIfMissing(table, name, check.original.expression ?? "true", b),
                                                     comment: "MySQL can neither rename a check nor (8.0.19+) rename a column a check uses: the swap dropped it from\nthe old column; add it on the new one. NOT ONLINE: ALGORITHM=COPY (writes blocked meanwhile).", kind: .tableCopy(table: table))],
                                   down: [SQLStatement(b.guarded("ALTER TABLE \(qt) DROP CONSTRAINT \(b.q(name)), ALGORITHM=INPLACE, LOCK=NONE", whenFound: true,
                                                                 in: .tableConstraints, table: table, ["constraint_name = \(b.lit(name))", "constraint_type = 'CHECK'"]))]))
        }
        if b.context.spec.purge {
            steps.append(MySQLDialect().purgeColumn(table, column: column, quarantine: quarantine, change: change, b))
        }
        return steps
    }
}
