/// The preflight's check of each type change's `up` over the rows that exist (issue #14, user trial):
/// an `up` that fails on a row ('abc' to an integer) used to fail only in the backfill, after expand
/// had changed the schema. The preflight evaluates it read-only, as the backfill will (the value in the
/// new type), before expand, and lists the column, the expression, a failing key and the server's error.
/// Only while the type change's copy column is absent (the base, before its expand step): after that the
/// backfill and its triggers own the values, and a re-run of the first stage does not scan again.
/// A change whose table or column the base schema lacks, or that an earlier change renames, is skipped.
struct PreflightUpFit {
    struct Check {
        var table: String
        var column: String
        var up: String
        var type: String
        var copy: String
        /// The primary key, else empty (PostgreSQL names the row by ctid; MySQL by its position).
        var key: [String]
    }

    var checks: [Check]

    init(context: LoweringContext) {
        var checks: [Check] = []
        var renamed: Set<String> = []
        for change in context.spec.changes {
            if let rename = change.operation.unit(RenameColumn.self) { renamed.insert(rename.table.value) }
            if let rename = change.operation.unit(RenameTable.self) { renamed.insert(rename.from.value) }
            guard let alter = change.operation.unit(AlterColumn.self), let up = alter.up?.value, let type = alter.type?.value,
                  !renamed.contains(alter.table.value), let table = context.table(alter.table.value),
                  table.column(alter.column.value) != nil else { continue }
            // Only a change through a copy column: that column's absence tells the base from after expand
            // (an in-place change's one ALTER either converts every row or changes nothing).
            let throughCopy = context.engine == .postgresql ? PostgreSQLVersionSchemas.rewrites(alter, context)
                : MySQLVersionSchemas.hiddenCopies(context).contains { $0.table.value == alter.table.value && $0.column.value == alter.column.value }
            guard throughCopy else { continue }
            checks.append(Check(table: alter.table.value, column: alter.column.value, up: up, type: type,
                                copy: context.derived.rewriteCopy(alter.column.value), key: table.primaryKey))
        }
        self.checks = checks
    }

    static func message(_ check: Check) -> String {
        "column \(check.table).\(check.column): up (\(check.up)) fails on an existing row as \(check.type), before expand changed anything"
    }

    /// PL/pgSQL for the preflight's DO block: the whole table in one read, and only when that fails a
    /// row-by-row search (a subtransaction per row) for the first failing key in key order.
    func postgresql(_ b: PostgreSQLBuilder, problem: (String) -> String) -> [String] {
        checks.flatMap { check -> [String] in
            let qt = b.q(check.table)
            let value = "CAST((\(check.up)) AS \(check.type))"
            let keyNames = check.key.isEmpty ? "ctid" : check.key.joined(separator: ", ")
            let keyText = check.key.isEmpty ? "ctid::text" : "concat_ws(', ', " + check.key.map { "\(b.q($0))::text" }.joined(separator: ", ") + ")"
            let order = check.key.isEmpty ? "ctid" : check.key.map(b.q).joined(separator: ", ")
            return [
                "IF \(b.regclass(check.table)) IS NOT NULL AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_attribute WHERE attrelid = \(b.regclass(check.table)) AND attname = \(b.lit(check.copy)) AND NOT attisdropped) THEN",
                "  BEGIN",
                "    PERFORM count(\(value)) FROM \(qt);",
                "  EXCEPTION WHEN others THEN",
                "    fit_error := SQLERRM; fit_key := NULL;",
                "    FOR fit_row IN SELECT ctid AS rid, \(keyText) AS k FROM \(qt) ORDER BY \(order) LOOP",
                "      BEGIN",
                "        PERFORM \(value) FROM \(qt) WHERE ctid = fit_row.rid;",
                "      EXCEPTION WHEN others THEN",
                "        fit_key := fit_row.k; fit_error := SQLERRM; EXIT;",
                "      END;",
                "    END LOOP;",
                "    " + problem("format('%s: the row with %s = %s: %s', \(b.lit(Self.message(check))), \(b.lit(keyNames)), coalesce(fit_key, '?'), fit_error)"),
                "  END;",
                "END IF;",
            ]
        }
    }

    /// Lines of the MySQL preflight procedure: the values go into a temporary table of the new type (an
    /// INSERT, where strict mode refuses a value as the backfill's UPDATE will; a SELECT only warns),
    /// and only when that fails, row by row in key order (a one-column key) for the first failing key.
    /// The temporary table is the session's own, dropped again.
    func mysql(_ b: MySQLBuilder, problem: (String) -> [String]) -> [String] {
        checks.flatMap { check -> [String] in
            let qt = b.q(check.table)
            let fit = b.q("_cutover_fit")
            let value = "(\(b.rowExpression(check.up, table: check.table, prefix: qt, extra: [check.column])))"
            func has(_ column: String) -> String {
                "EXISTS (SELECT 1 FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = \(b.lit(check.table)) AND column_name = \(b.lit(column)))"
            }
            var lines = ["IF \(has(check.column)) AND NOT \(has(check.copy)) THEN",
                         "  BEGIN",
                         "    DECLARE v_fit_error TEXT DEFAULT NULL;",
                         "    DECLARE v_fit_key TEXT DEFAULT NULL;",
                         "    BEGIN",
                         "      DECLARE CONTINUE HANDLER FOR SQLEXCEPTION GET DIAGNOSTICS CONDITION 1 v_fit_error = MESSAGE_TEXT;",
                         "      DROP TEMPORARY TABLE IF EXISTS \(fit);",
                         "      CREATE TEMPORARY TABLE \(fit) (`v` \(check.type) NULL);",
                         "      INSERT INTO \(fit) (`v`) SELECT \(value) FROM \(qt);",
                         "    END;"]
            if check.key.count == 1, let key = check.key.first.map(b.q) {
                lines += ["    IF v_fit_error IS NOT NULL THEN",
                          "      BEGIN",
                          "        DECLARE v_fit_done INT DEFAULT 0;",
                          "        DECLARE v_fit_k TEXT;",
                          "        DECLARE v_fit_rows CURSOR FOR SELECT \(key) FROM \(qt) ORDER BY \(key);",
                          "        DECLARE CONTINUE HANDLER FOR NOT FOUND SET v_fit_done = 1;",
                          "        OPEN v_fit_rows;",
                          "        fit_rows: LOOP",
                          "          FETCH v_fit_rows INTO v_fit_k;",
                          "          IF v_fit_done = 1 THEN LEAVE fit_rows; END IF;",
                          "          BEGIN",
                          "            DECLARE EXIT HANDLER FOR SQLEXCEPTION BEGIN GET DIAGNOSTICS CONDITION 1 v_fit_error = MESSAGE_TEXT; SET v_fit_key = v_fit_k; END;",
                          "            INSERT INTO \(fit) (`v`) SELECT \(value) FROM \(qt) WHERE \(key) = v_fit_k;",
                          "          END;",
                          "          IF v_fit_key IS NOT NULL THEN LEAVE fit_rows; END IF;",
                          "        END LOOP;",
                          "        CLOSE v_fit_rows;",
                          "      END;",
                          "    END IF;"]
            }
            let keyNames = check.key.isEmpty ? "(no primary key)" : check.key.joined(separator: ", ")
            lines += ["    DROP TEMPORARY TABLE IF EXISTS \(fit);",
                      "    IF v_fit_error IS NOT NULL THEN"]
                + problem("CONCAT(\(b.lit(Self.message(check) + ": the row with \(keyNames) = ")), COALESCE(v_fit_key, '?'), ': ', v_fit_error)").map { "      " + $0 }
                + ["    END IF;", "  END;", "END IF;"]
            return lines
        }
    }
}
