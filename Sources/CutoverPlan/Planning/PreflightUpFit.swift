/// The preflight's check of each expression a sync trigger and a backfill will evaluate over the rows
/// that exist (issue #14, user trial): a type change's `up`, or without one its default conversion (a
/// cast), and an added column's `up`. One that fails on a row ('abc' to an integer, an out-of-range
/// value, a value too long for varchar(n), a division by zero) used to pass the preflight; expand then
/// installed the trigger, whose failure refused the old version's writes (an outage), and the backfill
/// failed. The preflight evaluates it read-only, as the trigger and the backfill will (assigned to the
/// new type: PostgreSQL checks a bounded character type's length as assignment does; MySQL inserts into
/// a strict-mode temporary table), before expand, and lists the column, the expression, a failing key
/// and the server's error.
/// Only while the copy column (or the added column) is absent (the base, before its expand step): after
/// that the backfill and its triggers own the values, and a re-run of the first stage does not scan
/// again. A change whose table or column the base schema lacks, that an earlier change renames, or
/// whose `up` names a column an earlier change adds, is skipped. A rename installs no expression of
/// the user's (its triggers copy the value as it is), so it needs no check.
/// Also checked (issue #14 trial, SHOULD-FIX 5): the fill of a column made NOT NULL in place
/// (`alterColumn nullable: false` with `up`, or the new default: `AlterColumn.fill`), which the fill
/// trigger and the backfill assign to the column's rows that are NULL, over exactly those rows (no
/// marker: once the backfill filled them none is left); and PostgreSQL's `bit(n)` and `varbit(n)`,
/// where an explicit cast pads or truncates silently and only assignment raises: the probe compares
/// the bit length as assignment does (`PostgreSQLConversion.boundedBits`).
/// Not checked: a `down` (the rollbacks refuse values the old type cannot take when they run), and
/// values the app writes later (the triggers refuse them, as the plan README says).
struct PreflightUpFit {
    struct Check {
        var table: String
        /// The changed column, or the added one.
        var column: String
        /// The spec's `up`; nil: the default conversion of a type change (the column cast to the type).
        var up: String?
        var type: String
        /// The column whose absence tells the base from after expand: the copy, or the added column;
        /// nil for a fill, whose rows (`nullOnly`) the backfill leaves none of.
        var marker: String?
        var added: Bool
        /// The primary key, else empty (PostgreSQL names the row by ctid; MySQL by its position).
        var key: [String]
        /// The source column's type, where the default conversion reads it.
        var sourceType: String? = nil
        /// A fill of the column's NULLs: only rows where it is NULL.
        var nullOnly = false
        /// The labels of an enum type an earlier createEnum of the spec declares: the type does not
        /// exist before expand, so the value (as text) is checked against them instead of cast.
        var labels: [String]? = nil
        /// Why the check is left out, said in the preflight's SQL: an `up` that names such a type
        /// cannot be evaluated before expand creates it.
        var skipped: String? = nil
    }

    var checks: [Check]

    init(context: LoweringContext) {
        var checks: [Check] = []
        var renamed: Set<String> = []
        var addedColumns: [String: Set<String>] = [:]
        var enums: [String: [String]] = [:]
        func enumKey(_ type: String) -> String { type.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: "\"", with: "").lowercased() }
        func namesAdded(_ expression: String, _ table: String) -> Bool {
            var found = false
            _ = ExpressionRewriter.rewrite(expression, columns: addedColumns[table] ?? []) { name in found = true; return name }
            return found
        }
        for change in context.spec.changes {
            defer {
                if let rename = change.operation.unit(RenameColumn.self) { renamed.insert(rename.table.value) }
                if let rename = change.operation.unit(RenameTable.self) { renamed.insert(rename.from.value) }
                if let add = change.operation.unit(AddColumn.self) { addedColumns[add.table.value, default: []].insert(add.column.name.value) }
                if let created = change.operation.unit(CreateEnum.self) { enums[enumKey(created.name.value)] = created.values.map(\.value) }
            }
            if let add = change.operation.unit(AddColumn.self), let up = add.up?.value {
                guard !renamed.contains(add.table.value), let table = context.table(add.table.value),
                      table.column(add.column.name.value) == nil, !namesAdded(up, add.table.value) else { continue }
                checks.append(Check(table: add.table.value, column: add.column.name.value, up: up, type: add.column.type.value,
                                    marker: add.column.name.value, added: true, key: table.primaryKey))
                continue
            }
            guard let alter = change.operation.unit(AlterColumn.self),
                  !renamed.contains(alter.table.value), let table = context.table(alter.table.value),
                  let column = table.column(alter.column.value), !namesAdded(alter.up?.value ?? "", alter.table.value) else { continue }
            // A change through a copy column: that column's absence tells the base from after expand
            // (an in-place change's one ALTER either converts every row or changes nothing).
            let throughCopy = alter.type != nil && (context.engine == .postgresql ? PostgreSQLVersionSchemas.rewrites(alter, context)
                : MySQLVersionSchemas.hiddenCopies(context).contains { $0.table.value == alter.table.value && $0.column.value == alter.column.value })
            if throughCopy, let type = alter.type?.value {
                var check = Check(table: alter.table.value, column: alter.column.value, up: alter.up?.value, type: type,
                                  marker: context.derived.rewriteCopy(alter.column.value), added: false, key: table.primaryKey,
                                  sourceType: column.type)
                // A type the spec creates (createEnum before this change) does not exist before expand: the
                // value is checked against its declared labels; an `up` that names the type is left out.
                if context.engine == .postgresql, let labels = enums[enumKey(type)] {
                    check.labels = labels
                    if let up = alter.up?.value, case let name = enumKey(type),
                       ExpressionRewriter.rewrite(up, columns: [name], { _ in "\u{0}" }).contains("\u{0}") {
                        check.skipped = "not checked before expand: up names the type \(name), which this migration's createEnum creates in expand"
                    }
                }
                checks.append(check)
            } else if !throughCopy, alter.nullable?.value == false, column.nullable, let fill = alter.fill {
                // Made NOT NULL in place: the fill goes into the NULL rows, in the column's (new) type.
                checks.append(Check(table: alter.table.value, column: alter.column.value, up: fill.value, type: alter.type?.value ?? column.type,
                                    marker: nil, added: false, key: table.primaryKey, sourceType: column.type, nullOnly: true))
            }
        }
        self.checks = checks
    }

    static func message(_ check: Check, conversion: String) -> String {
        if check.nullOnly {
            return "column \(check.table).\(check.column): the fill of its NULLs (\(check.up ?? "")) fails on an existing row as \(check.type), before expand changed anything"
        }
        if check.added {
            return "new column \(check.table).\(check.column): up (\(check.up ?? "")) fails on an existing row as \(check.type), before expand changed anything"
        }
        if let up = check.up {
            return "column \(check.table).\(check.column): up (\(up)) fails on an existing row as \(check.type), before expand changed anything"
        }
        return "column \(check.table).\(check.column): the default conversion (no up: \(conversion)) fails on an existing row as \(check.type), before expand changed anything; give the change an up that maps every value"
    }

    /// PL/pgSQL for the preflight's DO block: the whole table in one read, and only when that fails a
    /// row-by-row search (a subtransaction per row) for the first failing key in key order.
    func postgresql(_ b: PostgreSQLBuilder, problem: (String) -> String) -> [String] {
        checks.flatMap { check -> [String] in
            let qt = b.t(check.table)
            let expression = check.up.map { "(\($0))" } ?? b.q(check.column)
            let conversion = "CAST(\(check.up == nil ? check.column : "(\(check.up ?? ""))") AS \(check.type))"
            let nulls = check.nullOnly ? "\(b.q(check.column)) IS NULL" : nil
            let keyNames = check.key.isEmpty ? "ctid" : check.key.joined(separator: ", ")
            let keyText = check.key.isEmpty ? "ctid::text" : "concat_ws(', ', " + check.key.map { "\(b.q($0))::text" }.joined(separator: ", ") + ")"
            let order = check.key.isEmpty ? "ctid" : check.key.map(b.q).joined(separator: ", ")
            // The probe raises where the trigger's or the backfill's assignment will: a cast error, or (a
            // bounded character type, converted through text) a value longer than n beyond trailing spaces.
            func probe(_ row: String?) -> String {
                let parts = [nulls, row].compactMap { $0 }
                let filter: String? = parts.isEmpty ? nil : parts.joined(separator: " AND ")
                if let labels = check.labels {
                    let list = labels.map(b.lit).joined(separator: ", ")
                    let outside = "\(expression) IS NOT NULL AND CAST(\(expression) AS text) NOT IN (\(list))"
                    return "IF EXISTS (SELECT 1 FROM \(qt) WHERE \(filter.map { "\($0) AND " } ?? "")\(outside)) THEN RAISE EXCEPTION 'invalid input value for enum %: not one of the labels its createEnum declares', \(b.lit(check.type)); END IF;"
                }
                if let bits = PostgreSQLConversion.boundedBits(check.type),
                   !(check.up == nil && check.sourceType.map(PostgreSQLConversion.isInteger) == true) {
                    // Assignment's rule, where a cast to bit(n) would pad or truncate: through varbit, the length.
                    let wrong = "length(CAST(\(expression) AS varbit)) \(bits.varying ? ">" : "<>") \(bits.length)"
                    let message = bits.varying ? "bit string too long for type %" : "bit string length does not match type %"
                    return "IF EXISTS (SELECT 1 FROM \(qt) WHERE \(filter.map { "\($0) AND " } ?? "")\(wrong)) THEN RAISE EXCEPTION \(b.lit(message)), \(b.lit(check.type)); END IF;"
                }
                if let length = PostgreSQLConversion.boundedLength(check.type) {
                    let long = "char_length(rtrim(CAST(\(expression) AS text), ' ')) > \(length)"
                    return "IF EXISTS (SELECT 1 FROM \(qt) WHERE \(filter.map { "\($0) AND " } ?? "")\(long)) THEN RAISE EXCEPTION 'value too long for type %', \(b.lit(check.type)); END IF;"
                }
                let cast = "CAST(\(expression) AS \(check.type))"
                let selected = row == nil ? "count(\(cast))" : cast
                let condition = filter.map { " WHERE \($0)" } ?? ""
                return "PERFORM " + selected + " FROM \(qt)" + condition + ";"
            }
            if let skipped = check.skipped {
                return ["-- \(check.table).\(check.column): \(skipped)."]
            }
            let present = check.marker.map { "NOT EXISTS (SELECT 1 FROM pg_catalog.pg_attribute WHERE attrelid = \(b.regclass(check.table)) AND attname = \(b.lit($0)) AND NOT attisdropped)" }
                ?? "EXISTS (SELECT 1 FROM pg_catalog.pg_attribute WHERE attrelid = \(b.regclass(check.table)) AND attname = \(b.lit(check.column)) AND NOT attisdropped)"
            return [
                "IF \(b.regclass(check.table)) IS NOT NULL AND \(present) THEN",
                "  BEGIN",
                "    " + probe(nil),
                "  EXCEPTION WHEN others THEN",
                "    fit_error := SQLERRM; fit_key := NULL;",
                "    FOR fit_row IN SELECT ctid AS rid, \(keyText) AS k FROM \(qt)\(nulls.map { " WHERE \($0)" } ?? "") ORDER BY \(order) LOOP",
                "      BEGIN",
                "        " + probe("ctid = fit_row.rid"),
                "      EXCEPTION WHEN others THEN",
                "        fit_key := fit_row.k; fit_error := SQLERRM; EXIT;",
                "      END;",
                "    END LOOP;",
                "    " + problem("format('%s: the row with %s = %s: %s', \(b.lit(Self.message(check, conversion: conversion))), \(b.lit(keyNames)), coalesce(fit_key, '?'), fit_error)"),
                "  END;",
                "END IF;",
            ]
        }
    }

    /// Lines of the MySQL preflight procedure: the values go into a temporary table of the new type (an
    /// INSERT, where strict mode refuses a value as the backfill's UPDATE will; a SELECT only warns),
    /// and only when that fails, row by row in key order (a one-column key) for the first failing key.
    /// The temporary table is the session's own, dropped again.
    /// Conversion errors with a warning-class SQLSTATE (1265 "Data truncated", 01000: a value that is no
    /// label of an ENUM, a string cut short): strict mode makes them errors of the INSERT, but a
    /// SQLEXCEPTION handler does not catch them (it catches SQLSTATEs outside classes 00, 01 and 02), so
    /// the handlers name them as well. 1264 (out of range) is listed for servers that class it 01000 too.
    static let warningClassErrors = "1264, 1265"

    func mysql(_ b: MySQLBuilder, problem: (String) -> [String]) -> [String] {
        checks.flatMap { check -> [String] in
            let qt = b.q(check.table)
            let fit = b.q("_cutover_fit")
            let value = check.up.map { "(\(b.rowExpression($0, table: check.table, prefix: qt, extra: check.added ? [] : [check.column])))" }
                ?? "\(qt).\(b.q(check.column))"
            func has(_ column: String) -> String {
                "EXISTS (SELECT 1 FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = \(b.lit(check.table)) AND column_name = \(b.lit(column)))"
            }
            let present = check.added ? "EXISTS (SELECT 1 FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = \(b.lit(check.table)))" : has(check.column)
            let nulls = check.nullOnly ? " WHERE \(qt).\(b.q(check.column)) IS NULL" : ""
            var lines = ["IF \(present)\(check.marker.map { " AND NOT \(has($0))" } ?? "") THEN",
                         "  BEGIN",
                         "    DECLARE v_fit_error TEXT DEFAULT NULL;",
                         "    DECLARE v_fit_key TEXT DEFAULT NULL;",
                         "    BEGIN",
                         "      DECLARE CONTINUE HANDLER FOR SQLEXCEPTION, \(Self.warningClassErrors) GET DIAGNOSTICS CONDITION 1 v_fit_error = MESSAGE_TEXT;",
                         "      DROP TEMPORARY TABLE IF EXISTS \(fit);",
                         "      CREATE TEMPORARY TABLE \(fit) (`v` \(check.type) NULL);",
                         "      INSERT INTO \(fit) (`v`) SELECT \(value) FROM \(qt)\(nulls);",
                         "    END;"]
            if check.key.count == 1, let key = check.key.first.map(b.q) {
                lines += ["    IF v_fit_error IS NOT NULL THEN",
                          "      BEGIN",
                          "        DECLARE v_fit_done INT DEFAULT 0;",
                          "        DECLARE v_fit_k TEXT;",
                          "        DECLARE v_fit_rows CURSOR FOR SELECT \(key) FROM \(qt)\(nulls) ORDER BY \(key);",
                          "        DECLARE CONTINUE HANDLER FOR NOT FOUND SET v_fit_done = 1;",
                          "        OPEN v_fit_rows;",
                          "        fit_rows: LOOP",
                          "          FETCH v_fit_rows INTO v_fit_k;",
                          "          IF v_fit_done = 1 THEN LEAVE fit_rows; END IF;",
                          "          BEGIN",
                          "            DECLARE EXIT HANDLER FOR SQLEXCEPTION, \(Self.warningClassErrors) BEGIN GET DIAGNOSTICS CONDITION 1 v_fit_error = MESSAGE_TEXT; SET v_fit_key = v_fit_k; END;",
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
                + problem("CONCAT(\(b.lit(Self.message(check, conversion: "the value assigned as it is, in strict mode") + ": the row with \(keyNames) = ")), COALESCE(v_fit_key, '?'), ': ', v_fit_error)").map { "      " + $0 }
                + ["    END IF;", "  END;", "END IF;"]
            return lines
        }
    }
}
