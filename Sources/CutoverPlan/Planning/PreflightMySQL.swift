/// The preflight as a stored procedure (created, called, dropped: the schema is unchanged): each
/// problem is a one-row result the mysql client prints as it goes (a SIGNAL's message holds at most
/// 128 characters, too few for a list), then one SIGNAL fails the Job; otherwise a row names the
/// boundary of the migration the schema is at.
///
/// Types are compared as `information_schema.COLUMNS.COLUMN_TYPE` reports them, normalized on both
/// sides: an integer's display width is dropped (MariaDB and MySQL 5.7 report int(11), MySQL 8.0.19+
/// int; mysqldump writes either), and the written type's aliases are resolved (integer → int,
/// boolean → tinyint, numeric → decimal(10,0), character varying → varchar, …). MariaDB reports JSON
/// as longtext (its alias): accepted there only.
///
/// Privileges are read from information_schema's USER_, SCHEMA_ and TABLE_PRIVILEGES for the account
/// the server matched (CURRENT_USER()): global, database (its grant may be a LIKE pattern) or table
/// level. Privileges a role gives are not listed there: with a role enabled the check says so and is
/// skipped rather than fail a role-based setup. (MariaDB's ENABLED_ROLES has one row, NULL, when
/// none is: the roles are counted by name.)
struct PreflightMySQL {
    var b: MySQLBuilder
    var expectations: PreflightExpectations
    var major: Int

    func statements() -> [SQLStatement] {
        let e = expectations
        let procedure = b.q(b.context.derived.procedure("preflight", table: b.context.spec.name, column: "check"))
        var body: [String] = []
        func problem(_ expression: String) -> [String] {
            ["SELECT \(expression) AS `cutover preflight problem`;", "SET v_problems = v_problems + 1;"]
        }
        func text(_ message: String) -> String { b.lit(message) }
        // MariaDB stands in for MySQL in tests and reports its own version numbers: only MySQL's are compared.
        body += ["IF VERSION() NOT LIKE '%MariaDB%' AND CAST(SUBSTRING_INDEX(VERSION(), '.', 1) AS UNSIGNED) < \(major) THEN"]
            + problem("CONCAT('the server runs MySQL ', VERSION(), \(text(", older than MySQL \(major), which the spec needs")))").map { "  " + $0 } + ["END IF;"]
        func tableExists(_ name: String) -> String {
            "EXISTS (SELECT 1 FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = \(b.lit(name)))"
        }
        for table in e.tables {
            if let to = table.renamedTo {
                body += ["IF \(tableExists(to)) THEN SET v_added = v_added + 1; END IF;",
                         "IF NOT \(tableExists(table.name)) THEN",
                         "  IF NOT \(tableExists(to)) THEN"]
                    + problem(text("table \(table.name) is missing, and so is \(to), the name the migration gives it")).map { "    " + $0 }
                    + ["  ELSE", "    SET v_removed = v_removed + 1;", "  END IF;", "END IF;"]
            } else if table.removed {
                body += ["IF NOT \(tableExists(table.name)) THEN SET v_removed = v_removed + 1; END IF;"]
            } else {
                body += ["IF NOT \(tableExists(table.name)) THEN"] + problem(text("table \(table.name) is missing (the migration changes it)")).map { "  " + $0 } + ["END IF;"]
            }
        }
        for column in e.columns { body += columnCheck(column, problem: problem, text: text, tableExists: tableExists) }
        for swap in e.swaps { body += swapCheck(swap) }
        body += PreflightUpFit(context: b.context).mysql(b, problem: problem)
        body += drift(problem: problem, text: text)
        body += privileges(problem: problem, text: text)
        body += boundary(problem: problem, text: text)
        body += ["IF v_problems > 0 THEN",
                 "  SET v_message = CONCAT('cutover preflight: ', v_problems, ' problem(s), listed above; nothing was changed');",
                 "  SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = v_message;",
                 "END IF;",
                 "SELECT CONCAT('cutover preflight: ', VERSION(), ', the schema is ', v_boundary) AS `cutover preflight`;"]
        // Local variables shadow column names in a procedure's statements: every one is v_-prefixed.
        let declare = ["DECLARE v_problems INT DEFAULT 0;", "DECLARE v_added INT DEFAULT 0;", "DECLARE v_removed INT DEFAULT 0;",
                       "DECLARE v_completed INT DEFAULT 0;", "DECLARE v_present INT DEFAULT 0;", "DECLARE v_table VARCHAR(64);",
                       "DECLARE v_type TEXT;", "DECLARE v_nullable VARCHAR(3);", "DECLARE v_default INT;", "DECLARE v_roles INT DEFAULT 0;",
                       "DECLARE v_grantee VARCHAR(400);", "DECLARE v_boundary TEXT;", "DECLARE v_drift TEXT;", "DECLARE v_message VARCHAR(128);"]
        let text = "DROP PROCEDURE IF EXISTS \(procedure);\nDELIMITER ;;\nCREATE PROCEDURE \(procedure)()\nBEGIN\n"
            + (declare + body).map { "  " + $0 }.joined(separator: "\n") + "\nEND;;\nDELIMITER ;\nCALL \(procedure)();\nDROP PROCEDURE IF EXISTS \(procedure);"
        return [SQLStatement(text, comment: "Read-only: lists every way the server, the schema or the Jobs' privileges differ from what the migration was written for, then fails; else names the boundary of the migration the schema is at.\nNeeds the mysql client (DELIMITER) and CREATE ROUTINE. The procedure is dropped again, so the schema is unchanged.")]
    }

    // MARK: types

    /// COLUMN_TYPE's spelling of a type as a spec or a dump writes it (see the type's comment).
    static func normalizedType(_ type: String) -> String {
        // Lower-cased (an ENUM's values too: the comparison is case-insensitive), single spaces.
        var n = SQLTypeFacts.normalized(type)
        // A column's own CHARACTER SET / COLLATE are not part of COLUMN_TYPE.
        for marker in [" character set ", " charset ", " collate "] {
            if let range = n.range(of: marker) { n = String(n[..<range.lowerBound]) }
        }
        let aliases: [(String, String)] = [
            ("integer", "int"), ("int4", "int"), ("int8", "bigint"), ("int2", "smallint"), ("int1", "tinyint"), ("int3", "mediumint"),
            ("middleint", "mediumint"), ("boolean", "tinyint"), ("bool", "tinyint"), ("dec", "decimal"), ("numeric", "decimal"),
            ("fixed", "decimal"), ("double precision", "double"), ("float8", "double"), ("float4", "float"),
            ("character varying", "varchar"), ("national varchar", "varchar"), ("nvarchar", "varchar"), ("national char", "char"),
            ("nchar", "char"), ("character", "char"),
        ]
        for (alias, name) in aliases where n == alias || n.hasPrefix(alias + "(") || n.hasPrefix(alias + " ") {
            n = name + n.dropFirst(alias.count)
            break
        }
        if n == "serial" { return "bigint unsigned" }
        // Display widths of integer types (and YEAR(4)) say nothing about the values.
        for integer in ["tinyint", "smallint", "mediumint", "int", "bigint", "year"] where n.hasPrefix(integer + "(") {
            if let close = n.firstIndex(of: ")") { n = integer + n[n.index(after: close)...] }
            break
        }
        if n == "decimal" { n = "decimal(10,0)" }
        if n.hasPrefix("decimal("), !n.contains(",") { n = n.replacingOccurrences(of: ")", with: ",0)", options: [], range: n.range(of: ")")) }
        if n == "char" { n = "char(1)" }
        return n
    }

    // MARK: columns

    /// Sets v_table to the first of `lookup` that is a table (the last one otherwise).
    private func setTable(_ lookup: [String], table: String) -> String {
        guard lookup.count > 1 else { return "SET v_table = \(b.lit(table));" }
        return "SET v_table = CASE " + lookup.dropLast().map {
            "WHEN EXISTS (SELECT 1 FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = \(b.lit($0)) AND table_type = 'BASE TABLE') THEN \(b.lit($0))"
        }.joined(separator: " ") + " ELSE \(b.lit(lookup.last!)) END;"
    }

    /// Contract's swap of a retyped column: the copy is gone and the old column is quarantined (or,
    /// purged, the column has the spec's type and not the base's). Counted as a removal.
    private func swapCheck(_ swap: PreflightExpectations.Swap) -> [String] {
        func has(_ name: String) -> String {
            "EXISTS (SELECT 1 FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = v_table AND column_name = \(b.lit(name)))"
        }
        var traces = [has(swap.quarantine)]
        if let base = swap.baseType, Self.normalizedType(base) != Self.normalizedType(swap.type) {
            traces.append("v_type = \(b.lit(Self.normalizedType(swap.type)))")
        }
        return [setTable(swap.lookup, table: swap.table),
                "SELECT COUNT(*), MAX(COLUMN_TYPE) INTO v_present, v_type FROM information_schema.columns",
                "  WHERE table_schema = DATABASE() AND table_name = v_table AND column_name = \(b.lit(swap.column));",
                "IF v_type REGEXP '^(tinyint|smallint|mediumint|int|bigint|year)[(]' THEN",
                "  SET v_type = CONCAT(SUBSTRING_INDEX(v_type, '(', 1), SUBSTRING(v_type, LOCATE(')', v_type) + 1));",
                "END IF;",
                "IF v_present > 0 AND NOT \(has(swap.copy)) AND (\(traces.joined(separator: " OR "))) THEN SET v_removed = v_removed + 1; END IF;"]
    }

    private func columnCheck(_ column: PreflightExpectations.Column, problem: (String) -> [String], text: (String) -> String,
                             tableExists: (String) -> String) -> [String] {
        let key = column.key
        var out = [setTable(column.lookup, table: column.table)]
        out += ["SELECT COUNT(*), MAX(COLUMN_TYPE), MAX(IS_NULLABLE), MAX((COLUMN_DEFAULT IS NOT NULL AND COLUMN_DEFAULT <> 'NULL') OR EXTRA LIKE '%auto_increment%')",
                "  INTO v_present, v_type, v_nullable, v_default FROM information_schema.columns",
                "  WHERE table_schema = DATABASE() AND table_name = v_table AND column_name = \(b.lit(column.name));",
                "IF v_type REGEXP '^(tinyint|smallint|mediumint|int|bigint|year)[(]' THEN",
                "  SET v_type = CONCAT(SUBSTRING_INDEX(v_type, '(', 1), SUBSTRING(v_type, LOCATE(')', v_type) + 1));",
                "END IF;"]
        var missing: [String] = []
        if column.inBase && column.removed { missing = ["SET v_removed = v_removed + 1;"] }
        else if column.inBase { missing = problem(text("column \(key) is missing (the migration changes it)")) }
        var present: [String] = []
        if column.isAdded { present.append("SET v_added = v_added + 1;") }
        var seen: Set<String> = []
        let types = column.types.filter { seen.insert(Self.normalizedType($0)).inserted }
        if !types.isEmpty {
            var match = "v_type IN (" + types.map { b.lit(Self.normalizedType($0)) }.joined(separator: ", ") + ")"
            if types.contains(where: { Self.normalizedType($0) == "json" }) { match += " OR (v_type = 'longtext' AND VERSION() LIKE '%MariaDB%')" }
            present += ["IF NOT (\(match)) THEN"]
                + problem("CONCAT(\(text("column \(key) is ")), v_type, \(text(", the migration expects \(Preflight.describe(types, inBase: column.inBase))")))").map { "  " + $0 }
                + ["END IF;"]
        }
        if column.nullable.count == 1, let nullable = column.nullable.first {
            present += ["IF v_nullable <> '\(nullable ? "YES" : "NO")' THEN"]
                + problem(text("column \(key) is \(nullable ? "NOT NULL" : "nullable"), the base schema says \(nullable ? "nullable" : "NOT NULL")")).map { "  " + $0 }
                + ["END IF;"]
        }
        if column.hasDefault.count == 1, let hasDefault = column.hasDefault.first {
            present += ["IF v_default <> \(hasDefault ? 1 : 0) THEN"]
                + problem(text("column \(key) \(hasDefault ? "has no default" : "has a default"), the base schema says it \(hasDefault ? "has one" : "has none") (expand relaxes its NOT NULL only without one)")).map { "  " + $0 }
                + ["END IF;"]
        }
        if column.notNullInComplete { present.append("IF v_nullable = 'NO' THEN SET v_completed = v_completed + 1; END IF;") }
        // A table that is missing is reported once, as a table; its columns are not.
        out += ["IF \(tableExistsVariable) THEN", "  IF v_present = 0 THEN"] + (missing.isEmpty ? ["    DO 0;"] : missing.map { "    " + $0 })
            + (present.isEmpty ? [] : ["  ELSE"] + present.map { "    " + $0 }) + ["  END IF;", "END IF;"]
        return out
    }

    private var tableExistsVariable: String {
        "EXISTS (SELECT 1 FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = v_table)"
    }

    // MARK: privileges

    /// Whether the account holds PRIVILEGE on the database, or on TABLE when given.
    private func holds(_ privilege: String, table: String?) -> String {
        var parts = ["EXISTS (SELECT 1 FROM information_schema.user_privileges WHERE grantee = v_grantee AND privilege_type = '\(privilege)')",
                     "EXISTS (SELECT 1 FROM information_schema.schema_privileges WHERE grantee = v_grantee AND privilege_type = '\(privilege)' AND DATABASE() LIKE table_schema)"]
        if let table {
            parts.append("EXISTS (SELECT 1 FROM information_schema.table_privileges WHERE grantee = v_grantee AND privilege_type = '\(privilege)' AND table_schema = DATABASE() AND table_name = \(b.lit(table)))")
        }
        return "(" + parts.joined(separator: "\n      OR ") + ")"
    }

    private func privileges(problem: (String) -> [String], text: (String) -> String) -> [String] {
        let e = expectations
        var checks: [String] = []
        func need(_ privilege: String, table: String?, why: String) {
            let on = table.map { "on table \($0)" } ?? "on the database"
            checks += ["IF NOT \(holds(privilege, table: table)) THEN"]
                + problem("CONCAT('account ', CURRENT_USER(), \(text(" lacks \(privilege) \(on): \(why) (GRANT \(privilege) ON ")), DATABASE(), \(text(".\(table ?? "*") TO …)")))").map { "  " + $0 }
                + ["END IF;"]
        }
        // ALTER TABLE needs ALTER, CREATE and INSERT on the table (MySQL's ALTER TABLE privileges).
        let index = e.uses("CREATE INDEX", "CREATE UNIQUE INDEX", "ADD INDEX", "ADD UNIQUE", "ADD KEY", "ADD FULLTEXT", "ADD SPATIAL")
        for table in e.altered {
            need("ALTER", table: table, why: "the migration's Jobs ALTER it")
            need("CREATE", table: table, why: "ALTER TABLE needs it")
            need("INSERT", table: table, why: "ALTER TABLE needs it")
            if e.uses("CREATE TRIGGER") { need("TRIGGER", table: table, why: "the migration's sync triggers are created on it") }
            // A trigger runs with its definer's rights (this account): `SET NEW.c = …` needs UPDATE and
            // reading NEW/OLD needs SELECT, so without them every insert of the serving app fails
            // (ERROR 1143) from the end of expand on. The backfills need both too.
            if e.uses("CREATE TRIGGER", "UPDATE ") {
                need("SELECT", table: table, why: "the sync triggers (which run with this account's rights) and the backfills read it")
                need("UPDATE", table: table, why: "the sync triggers (which run with this account's rights) set its columns and the backfills update it")
            }
            if index { need("INDEX", table: table, why: "the migration creates indexes") }
        }
        for table in e.referenced {
            need("REFERENCES", table: table, why: "a foreign key the migration adds references it")
        }
        if e.uses("CREATE VIEW", "CREATE OR REPLACE VIEW", "CREATE ALGORITHM") { need("CREATE VIEW", table: nil, why: "the migration creates views") }
        if e.uses("CREATE PROCEDURE", "CREATE FUNCTION") { need("CREATE ROUTINE", table: nil, why: "the migration's steps run stored procedures they create") }
        if e.uses("CREATE TEMPORARY") { need("CREATE TEMPORARY TABLES", table: nil, why: "the migration uses temporary tables") }
        if e.uses("LOCK TABLES") { need("LOCK TABLES", table: nil, why: "the migration's swaps lock tables") }
        if e.uses("CREATE TABLE") { need("CREATE", table: nil, why: "the migration creates tables") }
        if e.uses("DROP TABLE", "DROP VIEW", "RENAME TABLE") { need("DROP", table: nil, why: "the migration drops or renames tables and views") }
        guard !checks.isEmpty else { return [] }
        return ["SET v_grantee = CONCAT('''', SUBSTRING(CURRENT_USER(), 1, CHAR_LENGTH(CURRENT_USER()) - CHAR_LENGTH(SUBSTRING_INDEX(CURRENT_USER(), '@', -1)) - 1),",
                "  '''@''', SUBSTRING_INDEX(CURRENT_USER(), '@', -1), '''');",
                "SELECT COUNT(role_name) INTO v_roles FROM information_schema.enabled_roles;",
                "IF v_roles > 0 THEN",
                "  SELECT 'cutover preflight: a role is enabled, whose privileges information_schema does not list: the privileges are not checked' AS `cutover preflight`;",
                "ELSE"] + checks.map { "  " + $0 } + ["END IF;"]
    }

    // MARK: drift

    /// The version databases show the tables and columns of database.schema, named one by one (a view
    /// names its columns): a table or column the live database has and the file lacks (an old dump, a
    /// partial one) would be missing for both app versions once they select their database, an outage
    /// of the new version from its first pod. Checked before expand created the databases; the tables
    /// of migration tools, and cutover's own, are not the app's.
    private func drift(problem: (String) -> [String], text: (String) -> String) -> [String] {
        guard MySQLVersionSchemas.enabled(b.context), let given = b.context.givenSchema else { return [] }
        let versions = MySQLVersionSchemas(b: MySQLBuilder(context: LoweringContext(spec: b.context.spec, schema: given)), changes: b.context.spec.changes)
        // The base schema's own names (the old version's views; a renamed table still has its old name here).
        let known = given.tables.filter { !$0.columns.isEmpty }
        guard versions.differs, !known.isEmpty else { return [] }
        let tools = ["flyway_schema_history", "DATABASECHANGELOG", "DATABASECHANGELOGLOCK", "schema_migrations"]
        let tables = (known.map(\.name) + tools).map { b.lit($0) }.joined(separator: ", ")
        // The columns the migration itself adds count as known: a part-way expand (its Job stopped after
        // its first files) must pass to be re-run. (Its own hidden columns start with _cutover.)
        let added = Dictionary(versions.newViews.map { ($0.table, Set($0.columns)) }, uniquingKeysWith: { $0.union($1) })
        let columns = known.map { table in
            let names = table.columns.map(\.name) + (added[table.name] ?? []).subtracting(table.columns.map(\.name)).sorted()
            return "(table_name = \(b.lit(table.name)) AND column_name NOT IN (\(names.map(b.lit).joined(separator: ", "))) AND column_name NOT LIKE '\\_cutover%')"
        }.joined(separator: "\n      OR ")
        let database = b.lit(versions.database(new: true))
        // The names are made from database.name: a database of that name holding anything but views
        // over this one is another base database's (or the user's own), which expand must not take.
        let taken = ["IF EXISTS (\(versions.foreignObjects())) THEN"]
            + problem(text("\(versions.database(new: false)) or \(versions.database(new: true)) already holds objects other than views over this database (another base database's version databases, or the user's own): name the base database as database.name, or set app.versionSchemas: none")).map { "  " + $0 }
            + ["END IF;"]
        return taken + ["IF NOT EXISTS (SELECT 1 FROM information_schema.schemata WHERE schema_name = \(database)) THEN",
                "  SET v_drift = NULL;",
                "  SELECT GROUP_CONCAT(table_name ORDER BY table_name SEPARATOR ', ') INTO v_drift FROM information_schema.tables",
                "    WHERE table_schema = DATABASE() AND table_type = 'BASE TABLE' AND table_name NOT IN (\(tables)) AND table_name NOT LIKE '\\_cutover%';",
                "  IF v_drift IS NOT NULL THEN"]
            + problem("CONCAT(\(text("tables the database has and database.schema lacks, which neither version database would show (an app version that uses one fails): ")), v_drift, \(text("; dump the live schema again, or set app.versionSchemas: none")))").map { "    " + $0 }
            + ["  END IF;",
               "  SET v_drift = NULL;",
               "  SELECT GROUP_CONCAT(CONCAT(table_name, '.', column_name) ORDER BY table_name, ordinal_position SEPARATOR ', ') INTO v_drift FROM information_schema.columns",
               "    WHERE table_schema = DATABASE() AND (\(columns));",
               "  IF v_drift IS NOT NULL THEN"]
            + problem("CONCAT(\(text("columns the database has and database.schema lacks, which the version databases' views would leave out: ")), v_drift, \(text("; dump the live schema again, or set app.versionSchemas: none")))").map { "    " + $0 }
            + ["  END IF;", "END IF;"]
    }

    // MARK: boundary

    private func boundary(problem: (String) -> [String], text: (String) -> String) -> [String] {
        let model = PreflightBoundary(additions: expectations.additions, removals: expectations.removals, completions: expectations.completions)
        let counts = "' (', " + model.countsTemplate.enumerated().map { i, c in
            "\(text((i == 0 ? "" : ", ") + c.label + " ")), v_\(c.counter), ' of \(c.total)'"
        }.joined(separator: ", ") + ", ')'"
        var out: [String] = []
        for (i, branch) in model.branches.enumerated() {
            let condition = branch.condition.map { "v_\($0.counter) \($0.op) \($0.value)" }.joined(separator: " AND ")
            out.append(i == 0 ? "IF \(condition) THEN" : branch.condition.isEmpty ? "ELSE" : "ELSEIF \(condition) THEN")
            switch branch.outcome {
            case .boundary(let sentence):
                out.append("  SET v_boundary = CONCAT(\(text(sentence))\(branch.counts ? ", " + counts : ""));")
            case .problem(let sentence):
                out += problem("CONCAT(\(text("the schema is " + sentence))\(branch.counts ? ", " + counts : ""))").map { "  " + $0 }
            }
        }
        out.append("END IF;")
        return out
    }
}
