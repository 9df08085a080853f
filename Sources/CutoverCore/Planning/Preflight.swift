/// The preflight step of expand-contract: before any DDL, check that the server is at least the
/// version the spec names and that every table and column the migration relies on is there, as the
/// base schema says. It only reads the catalog; a failure raises an error that names what is wrong,
/// so the preflight Job fails and (as a pre-install/pre-upgrade hook) stops the release.
///
/// It checks only what exists before the migration and stays until contract (tables touched,
/// columns renamed, dropped or altered), never the absence of what expand adds: a re-run of the
/// first stage after expand ran must pass too.
struct Preflight {
    var context: LoweringContext

    /// Tables and columns the changes need, in spec order; tables the spec creates or renames into
    /// being are left out.
    var requirements: (tables: [String], columns: [(table: String, column: String)]) {
        var tables: [String] = []
        var columns: [(String, String)] = []
        var created: Set<String> = []
        func table(_ name: String) {
            if !created.contains(name) && !tables.contains(name) { tables.append(name) }
        }
        func column(_ t: String, _ c: String) {
            table(t)
            if !created.contains(t) && !columns.contains(where: { $0.0 == t && $0.1 == c }) { columns.append((t, c)) }
        }
        for change in context.spec.changes {
            let unit = change.operation.base
            let creates = Set(unit.createdTables.map(\.value))
            unit.tables.filter { !creates.contains($0.value) }.forEach { table($0.value) }
            unit.existingColumns.forEach { column($0.table.value, $0.column.value) }
            created.formUnion(creates)
        }
        return (tables, columns)
    }

    var majorVersion: Int { Int(context.spec.database.version.prefix { $0.isNumber }) ?? 0 }

    /// The oldest PostgreSQL the generated SQL runs on: 14 where it uses CREATE OR REPLACE TRIGGER
    /// (written for 14 and later), else the spec's version.
    var postgresMinimum: Int { majorVersion >= 14 ? 14 : majorVersion }

    func draft() -> StepDraft? {
        // Nothing the migration relies on exists before it (only new tables, or raw SQL): no step.
        let (tables, columns) = requirements
        guard context.spec.strategy == .expandContract, !tables.isEmpty || !columns.isEmpty else { return nil }
        let (up, down) = context.engine == .postgresql ? postgres() : mysql()
        return StepDraft(.preflight, slug: "check server and base schema", title: "check the server version and the tables and columns the migration relies on",
                         change: nil, up: up, down: down, transactional: false)
    }

    private func postgres() -> ([SQLStatement], [SQLStatement]) {
        let b = PostgreSQLBuilder(context: context)
        let (tables, columns) = requirements
        var body = "  IF current_setting('server_version_num')::int < \(postgresMinimum * 10000) THEN\n"
            + "    RAISE EXCEPTION 'cutover preflight: the server runs PostgreSQL %, the SQL written for \(majorVersion) needs \(postgresMinimum) or later', current_setting('server_version');\n  END IF;"
        for table in tables {
            body += "\n  IF \(b.regclass(table)) IS NULL THEN\n    RAISE EXCEPTION \(b.lit("cutover preflight: table \(table) is missing (the migration changes it)"));\n  END IF;"
        }
        for (table, column) in columns {
            body += "\n  IF NOT \(b.columnExists(table, column)) THEN\n"
                + "    RAISE EXCEPTION \(b.lit("cutover preflight: column \(table).\(column) is missing (the migration changes it)"));\n  END IF;"
        }
        return ([SQLStatement(b.doBlock(body), comment: "Read-only: fails, naming what is wrong, when the server or the schema is not what the migration was written for.")],
                [.note("Nothing to undo: the preflight only reads the catalog.")])
    }

    private func mysql() -> ([SQLStatement], [SQLStatement]) {
        let b = MySQLBuilder(context: context)
        let (tables, columns) = requirements
        let procedure = b.q(context.derived.procedure("preflight", table: context.spec.name, column: "check"))
        func fail(_ message: String) -> String { "    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = \(b.lit("cutover preflight: " + message));" }
        // MariaDB stands in for MySQL in tests and reports its own version numbers: only MySQL's are compared.
        var checks = ["  IF VERSION() NOT LIKE '%MariaDB%' AND CAST(SUBSTRING_INDEX(VERSION(), '.', 1) AS UNSIGNED) < \(majorVersion) THEN",
                      fail("the server is older than MySQL \(majorVersion), which the spec needs"), "  END IF;"]
        for table in tables {
            checks += ["  IF NOT EXISTS (SELECT 1 FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = \(b.lit(table))) THEN",
                       fail("table \(table) is missing (the migration changes it)"), "  END IF;"]
        }
        for (table, column) in columns {
            checks += ["  IF NOT EXISTS (SELECT 1 FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = \(b.lit(table))"
                        + " AND column_name = \(b.lit(column))) THEN",
                       fail("column \(table).\(column) is missing (the migration changes it)"), "  END IF;"]
        }
        let body = "DROP PROCEDURE IF EXISTS \(procedure);\nDELIMITER ;;\nCREATE PROCEDURE \(procedure)()\nBEGIN\n"
            + checks.joined(separator: "\n") + "\nEND;;\nDELIMITER ;\nCALL \(procedure)();\nDROP PROCEDURE IF EXISTS \(procedure);"
        return ([SQLStatement(body, comment: "Read-only: fails, naming what is wrong, when the server or the schema is not what the migration was written for.\nNeeds the mysql client (DELIMITER). The procedure is dropped again, so the schema is unchanged.")],
                [.note("Nothing to undo: the preflight only reads the catalog."), SQLStatement("DO 0;")])
    }
}
