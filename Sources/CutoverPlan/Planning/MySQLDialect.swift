/// MySQL 8's dialect: the column step library the column operations of Operations/ share (fill triggers
/// and their log, purging a quarantined column, foreign-key swaps under LOCK TABLES, carrying indexes
/// and constraints over: `MySQLCarryOver`). Every operation's recipe lives in its own file in
/// Operations/; blue-green is PostgreSQL only.
public struct MySQLDialect: SQLDialect {
    public init() {}

    /// Every operation is written in its own file in Operations/ (`OperationRecipes` lists them).
    public func lower(_ change: Change, context: LoweringContext) -> [StepDraft] {
        OperationRecipes.lower(change, context: context)
    }

    /// The title of a step whose up copies the table (StatementKind.tableCopy), and the words added to the
    /// title of a step whose down does: MySQL has no online way to add a CHECK or narrow a column.
    static let tableCopyTitle = " (NOT ONLINE on MySQL: table copy, writes blocked)"
    static let rollbackCopyTitle = " (its rollback is a table copy on MySQL, writes blocked)"

    /// Blue-green is PostgreSQL logical replication; the validator rejects it for MySQL.
    public func blueGreen(context: LoweringContext) -> [StepDraft] { [] }

    /// Triggers that fill `column` with `value` (an expression over the row) when a write leaves it NULL,
    /// from expand until contract: the app version that does not know the column keeps working, and
    /// its rows are complete for the other one.
    /// `log`: the fill log of an in-place fill (see `fillLogStep`). An update of an existing row that was
    /// NULL is a fill of a base row too (another backfill on the table, or an app's update), so it is logged.
    /// `insertOnly`: fill the rows a version inserts, never an update of an existing row (whose NULL
    /// may be the base data's own, as in a nullable column the new version no longer knows).
    func fillTriggers(_ table: String, _ column: String, value: String, who: String, change: Int, _ b: MySQLBuilder,
                      log: String? = nil, insertOnly: Bool = false) -> [StepDraft] {
        let qc = b.q(column)
        let set = "NEW.\(qc) = COALESCE(NEW.\(qc), \(b.rowExpression(value, table: table, prefix: "NEW", extra: [column])))"
        var sync = b.triggers(table: table, column: column, insertSet: set, updateSet: set,
                              comment: "Rows \(who) writes leave `\(column)` NULL: fill it with the spec's expression (until contract).",
                              writes: [column], reads: b.columnsRead(by: value, table: table))
        if insertOnly { sync = Array(sync.prefix(2)) }
        if let log {
            let key = b.context.batchKey(table).columns.map { "NEW.\(b.q($0))" }
            let upd = b.context.derived.updateTrigger(table: table, column: column)
            sync[3] = SQLStatement(trigger: MySQLTrigger(name: upd, timing: .before, event: .update, table: table, body: """
                BEGIN
                  IF NEW.\(qc) IS NULL AND OLD.\(qc) IS NULL THEN
                    SET \(set);
                    INSERT INTO \(b.q(log)) VALUES (\((key + ["NEW.\(qc)"]).joined(separator: ", ")));
                  ELSE
                    SET \(set);
                  END IF;
                END;;
                """, delimited: true, writes: [column], reads: b.columnsRead(by: value, table: table)), comment: "An update of a row that was NULL fills a base row: logged in \(log) for the rollback (needs the mysql client: DELIMITER).")
        }
        return [
            StepDraft(.expand, slug: "sync \(table) \(column)", title: "fill \(table).\(column) on writes of \(who) with triggers", change: change,
                      up: sync, down: b.dropTriggers(table: table, column: column)),
            StepDraft(.contract, slug: "unsync \(table) \(column)", title: "drop the triggers that fill \(table).\(column)", change: change,
                      up: b.dropTriggers(table: table, column: column), down: sync),
        ]
    }

    /// The table the in-place fill logs its rows in (key and filled value; CREATE … SELECT copies the
    /// columns' types and collations, and their DEFAULTs too, so every insert into it gives the value
    /// column explicitly), created before the fill triggers so that its down runs after
    /// they are gone: it puts NULL back where a row still holds the value the fill gave it (a value the
    /// new version wrote since is kept), then drops the log.
    func fillLogStep(_ table: String, _ column: String, log: String, change: Int, _ b: MySQLBuilder) -> [StepDraft] {
        let key = b.context.batchKey(table).columns.map(b.q)
        let qt = b.q(table), qc = b.q(column), ql = b.q(log)
        let matches = key.map { "\(qt).\($0) = l.\($0)" }.joined(separator: " AND ")
        let restore = b.guarded("UPDATE \(qt) JOIN \(ql) AS l ON \(matches) SET \(qt).\(qc) = NULL\(b.keepingStamps(table, except: column, qualifier: "\(qt).")) WHERE \(qt).\(qc) <=> l.\(qc)",
                                whenFound: true, in: .tables, table: log)
        var steps = [
            StepDraft(.expand, slug: "fill_log \(table) \(column)", title: "log the rows whose NULL \(table).\(column) the backfill fills", change: change,
                      up: [SQLStatement("CREATE TABLE IF NOT EXISTS \(ql) (KEY (\(key.joined(separator: ", ")))) SELECT \((key + [qc]).joined(separator: ", ")) FROM \(qt) WHERE 1 = 0;",
                                        comment: "Empty; the backfill adds the key and the new value of each row it fills, so the rollback can restore the NULLs.")],
                      down: [SQLStatement(restore, comment: "The rows the backfill filled become NULL again, unless a value was written there since."),
                             SQLStatement("DROP TABLE IF EXISTS \(ql);")]),
        ]
        if b.context.spec.purge {
            steps.append(StepDraft(.purge, slug: "drop_fill_log \(table) \(column)", title: "IRREVERSIBLE: drop \(log), which undoes the fill of \(table).\(column)", change: change,
                                   up: [SQLStatement("DROP TABLE IF EXISTS \(ql);", comment: "IRREVERSIBLE (opt-in purge): the fill of existing NULLs can no longer be undone.")],
                                   down: [.note("IRREVERSIBLE: which rows were NULL is no longer known."), SQLStatement("DO 0;")], reversible: false))
        }
        return steps
    }

    func purgeColumn(_ table: String, column: String, quarantine: String, change: Int, _ b: MySQLBuilder) -> StepDraft {
        var down: [SQLStatement]
        if let tableInfo = b.context.table(table), let info = tableInfo.column(column) {
            let position = tableInfo.columns.firstIndex { $0.name == column } ?? 0
            let after = position > 0 ? tableInfo.columns[position - 1].name : nil
            var ddl = b.addColumn(table, quarantine, b.definition(type: info.type, nullable: true, defaultValue: nil), after: after)
            if after == nil {
                ddl = ddl.replacingOccurrences(of: " NULL, ALGORITHM=INSTANT", with: " NULL FIRST, ALGORITHM=INSTANT")
            }
            down = [SQLStatement(ddl, comment: "IRREVERSIBLE: re-creates the quarantined column EMPTY and nullable, at its old position.")]
            for index in b.context.indexes(on: table, column: column) {
                let columns = b.n.quoteList(index.columns.map { $0 == column ? quarantine : $0 })
                down.append(SQLStatement(b.addIndex(table, index.name, unique: index.unique, columns: columns),
                                         comment: "Indexes that covered the column were dropped with it: re-create them (definitions from the base schema)."))
            }
        } else {
            down = [.note("IRREVERSIBLE: the data is gone, and without the base schema the column's definition is unknown."), SQLStatement("DO 0;")]
        }
        return StepDraft(.purge, slug: "drop \(table) \(quarantine)", title: "IRREVERSIBLE: drop quarantined column \(table).\(quarantine)", change: change,
                         up: [SQLStatement(b.dropColumn(table, quarantine), comment: "IRREVERSIBLE (opt-in purge): drops the quarantined column and its data.")],
                         down: down, reversible: false)
    }

    // MARK: tables

    // MARK: indexes and constraints

    /// Statements that drop and add foreign keys: foreign_key_checks=0 (in place, no scan) and a short
    /// LOCK TABLES ... WRITE so no write lands while the key is missing.
    func lockedForForeignKeys(_ table: String, _ statements: [SQLStatement], carried: CarriedObjects, _ b: MySQLBuilder) -> [SQLStatement] {
        [SQLStatement("SET SESSION foreign_key_checks = 0;"), SQLStatement(lockTables(table, carried, b))]
            + statements + [SQLStatement("UNLOCK TABLES;"), SQLStatement("SET SESSION foreign_key_checks = 1;")]
    }

    /// `LOCK TABLES t WRITE[, parent WRITE…]`: dropping or adding a foreign key changes the referenced
    /// table's metadata too, which MySQL 8 allows under LOCK TABLES only when that table is locked as well.
    func lockTables(_ table: String, _ carried: CarriedObjects, _ b: MySQLBuilder) -> String {
        var tables = [table]
        for key in carried.foreignKeys {
            if let parent = key.original.referencedTable, !tables.contains(parent) { tables.append(parent) }
        }
        return "LOCK TABLES " + tables.map { "\(b.q($0)) WRITE" }.joined(separator: ", ") + ";"
    }
}
