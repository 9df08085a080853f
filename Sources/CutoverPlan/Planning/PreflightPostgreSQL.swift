/// The preflight as one read-only DO block: each problem is appended to a list, the list is raised as
/// one error at the end (nothing is changed either way), and otherwise a NOTICE names the boundary.
///
/// Types are compared as the server resolves them, so a base schema from a real pg_dump and a spec
/// written with aliases agree: the type's OID (`to_regtype` of the written type: int4, integer and
/// serial's integer are one type; a domain or an extension's type is found on the search_path) and its
/// modifiers (the parenthesised part of `format_type`, spaces removed: varchar(255) and character
/// varying(255) both give 255). Messages show `format_type`, what the server reports.
struct PreflightPostgreSQL {
    var b: PostgreSQLBuilder
    var expectations: PreflightExpectations
    var major: Int
    var minimum: Int

    func statements() -> [SQLStatement] {
        var body: [String] = []
        func problem(_ expression: String) -> String { "problems := pg_catalog.array_append(problems, \(expression));" }
        func text(_ message: String) -> String { b.lit(message) + "::text" }
        body += ["IF current_setting('server_version_num')::int < \(minimum * 10000) THEN",
                 "  " + problem("format('the server runs PostgreSQL %s, the SQL written for \(major) needs \(minimum) or later', current_setting('server_version'))"),
                 "END IF;"]
        let e = expectations
        // Tables: present, or gone (renamed) the way contract leaves them.
        for table in e.tables {
            let here = b.regclass(table.name)
            if let to = table.renamedTo {
                body += ["IF \(b.regclass(to)) IS NOT NULL THEN added := added + 1; END IF;",
                         "IF \(here) IS NULL THEN",
                         "  IF \(b.regclass(to)) IS NULL THEN",
                         "    " + problem(text("table \(table.name) is missing, and so is \(to), the name the migration gives it")),
                         "  ELSE removed := removed + 1;", "  END IF;", "END IF;"]
            } else if table.removed {
                body += ["IF \(here) IS NULL THEN removed := removed + 1; END IF;"]
            } else {
                body += ["IF \(here) IS NULL THEN", "  " + problem(text("table \(table.name) is missing (the migration changes it)")), "END IF;"]
            }
        }
        for column in e.columns { body += columnCheck(column, problem: problem, text: text) }
        for swap in e.swaps { body += swapCheck(swap) }
        let upFit = PreflightUpFit(context: b.context)
        body += upFit.postgresql(b, problem: problem)
        body += privileges(problem: problem, text: text)
        body += boundary(problem: problem, text: text)
        body += ["IF cardinality(problems) > 0 THEN",
                 "  RAISE EXCEPTION 'cutover preflight: % problem(s), nothing was changed:%', cardinality(problems),",
                 "    E'\\n  - ' || array_to_string(problems, E'\\n  - ');",
                 "END IF;",
                 "RAISE NOTICE 'cutover preflight: PostgreSQL %, the schema is %', current_setting('server_version'), boundary;"]
        let declare = ["DECLARE", "  problems text[] := ARRAY[]::text[];", "  added int := 0;", "  removed int := 0;", "  completed int := 0;",
                       "  rel regclass;", "  col record;", "  own record;", "  boundary text;"]
            + (upFit.checks.isEmpty ? [] : ["  fit_row record;", "  fit_key text;", "  fit_error text;"])
        let block = "DO $cutover$\n" + declare.joined(separator: "\n") + "\nBEGIN\n" + body.map { "  " + $0 }.joined(separator: "\n") + "\nEND\n$cutover$;"
        return [SQLStatement(block, comment: "Read-only: lists every way the server, the schema or the Jobs' privileges differ from what the migration was written for, then fails; else names the boundary of the migration the schema is at.")]
    }

    // MARK: columns

    /// The type's modifiers as `format_type` shows them (spaces removed), from the type as written:
    /// char, character and bit without any are (1), as the server makes them; float(p) has none.
    static func modifiers(_ type: String) -> String {
        let n = SQLTypeFacts.normalized(type)
        // float(p) is real or double precision, which show no modifiers.
        if n.hasPrefix("float(") { return "" }
        if let open = n.firstIndex(of: "("), let close = n[open...].firstIndex(of: ")") {
            return String(n[n.index(after: open)..<close]).replacingOccurrences(of: " ", with: "")
        }
        return ["char", "character", "bit"].contains(n) ? "1" : ""
    }

    /// The type `to_regtype` resolves: serial types are their integer types (the server has no such type).
    static func resolvable(_ type: String) -> String {
        switch SQLTypeFacts.normalized(type) {
        case "smallserial", "serial2": return "smallint"
        case "serial", "serial4": return "integer"
        case "bigserial", "serial8": return "bigint"
        default: return type
        }
    }

    /// `to_regtype('…')` of a written type. With a spec schema other than `public`, an enum type of the
    /// base schema written bare (as a dump made with that schema on its search_path writes it) is looked
    /// up in that schema (`PostgreSQLBuilder.t`), not through search_path, which may find another one first.
    func regtype(_ type: String) -> String {
        let resolvable = Self.resolvable(type)
        if b.context.qualifyingSchema != nil, b.context.schema.enumType(resolvable) != nil {
            return "to_regtype(\(b.lit(b.t(resolvable))))"
        }
        return "to_regtype(\(b.lit(resolvable)))"
    }

    private func columnCheck(_ column: PreflightExpectations.Column, problem: (String) -> String, text: (String) -> String) -> [String] {
        let key = column.key
        let relation = column.lookup.count == 1 ? b.regclass(column.lookup[0]) : "COALESCE(\(column.lookup.map(b.regclass).joined(separator: ", ")))"
        var out = ["rel := \(relation);",
                   "SELECT pg_catalog.format_type(a.atttypid, a.atttypmod) AS type, a.atttypid AS typid,",
                   "       COALESCE(replace(substring(pg_catalog.format_type(a.atttypid, a.atttypmod) from '\\(([^)]*)\\)'), ' ', ''), '') AS mods,",
                   "       NOT a.attnotnull AS nullable, (a.atthasdef AND a.attgenerated = '') OR a.attidentity <> '' AS hasdef",
                   "  INTO col FROM pg_catalog.pg_attribute a WHERE a.attrelid = rel AND a.attname = \(b.lit(column.name)) AND a.attnum > 0 AND NOT a.attisdropped;"]
        var missing: [String] = []
        if column.inBase && column.removed { missing = ["removed := removed + 1;"] }
        else if column.inBase { missing = [problem(text("column \(key) is missing (the migration changes it)"))] }
        var present: [String] = []
        if column.isAdded { present.append("added := added + 1;") }
        var seen: Set<String> = []
        let types = column.types.filter { seen.insert(SQLTypeFacts.normalized(Self.resolvable($0))).inserted }
        if !types.isEmpty {
            let match = types.map { "(col.typid = \(regtype($0)) AND col.mods = \(b.lit(Self.modifiers($0))))" }.joined(separator: " OR ")
            // IS NOT TRUE: a type the server does not know (to_regtype NULL) is a mismatch, not a pass.
            present += ["IF (\(match)) IS NOT TRUE THEN",
                        "  " + problem(text("column \(key) is ") + " || col.type || " + text(", the migration expects \(Preflight.describe(types, inBase: column.inBase))")),
                        "END IF;"]
        }
        if column.nullable.count == 1, let nullable = column.nullable.first {
            present += ["IF col.nullable <> \(nullable) THEN",
                        "  " + problem(text("column \(key) is \(nullable ? "NOT NULL" : "nullable"), the base schema says \(nullable ? "nullable" : "NOT NULL")")),
                        "END IF;"]
        }
        if column.hasDefault.count == 1, let hasDefault = column.hasDefault.first {
            present += ["IF col.hasdef <> \(hasDefault) THEN",
                        "  " + problem(text("column \(key) \(hasDefault ? "has no default" : "has a default"), the base schema says it \(hasDefault ? "has one" : "has none") (expand relaxes its NOT NULL only without one)")),
                        "END IF;"]
        }
        if column.notNullInComplete { present.append("IF NOT col.nullable THEN completed := completed + 1; END IF;") }
        // A table that is missing is reported once, as a table; its columns are not.
        out += ["IF rel IS NOT NULL THEN", "  IF NOT FOUND THEN"] + (missing.isEmpty ? ["    NULL;"] : missing.map { "    " + $0 })
            + (present.isEmpty ? [] : ["  ELSE"] + present.map { "    " + $0 }) + ["  END IF;", "END IF;"]
        return out
    }

    /// The type test of `columnCheck`, on `col` (typid, mods).
    private func typeMatch(_ type: String) -> String {
        "(col.typid = \(regtype(type)) AND col.mods = \(b.lit(Self.modifiers(type))))"
    }

    /// Contract's swap of a retyped column: the copy is gone and the old column is quarantined (or,
    /// purged, the column has the spec's type and not the base's). Counted as a removal.
    private func swapCheck(_ swap: PreflightExpectations.Swap) -> [String] {
        let relation = swap.lookup.count == 1 ? b.regclass(swap.lookup[0]) : "COALESCE(\(swap.lookup.map(b.regclass).joined(separator: ", ")))"
        func has(_ name: String) -> String {
            "EXISTS (SELECT FROM pg_catalog.pg_attribute q WHERE q.attrelid = rel AND q.attname = \(b.lit(name)) AND q.attnum > 0 AND NOT q.attisdropped)"
        }
        var traces = [has(swap.quarantine)]
        if let base = swap.baseType {
            // IS TRUE / IS NOT TRUE: a type the server does not know matches nothing.
            traces.append("(\(typeMatch(swap.type)) IS TRUE AND \(typeMatch(base)) IS NOT TRUE)")
        }
        return ["rel := \(relation);",
                "IF rel IS NOT NULL THEN",
                "  SELECT a.atttypid AS typid,",
                "         COALESCE(replace(substring(pg_catalog.format_type(a.atttypid, a.atttypmod) from '\\(([^)]*)\\)'), ' ', ''), '') AS mods",
                "    INTO col FROM pg_catalog.pg_attribute a WHERE a.attrelid = rel AND a.attname = \(b.lit(swap.column)) AND a.attnum > 0 AND NOT a.attisdropped;",
                "  IF FOUND AND NOT \(has(swap.copy)) AND (\(traces.joined(separator: " OR "))) THEN removed := removed + 1; END IF;",
                "END IF;"]
    }

    // MARK: privileges

    private func privileges(problem: (String) -> String, text: (String) -> String) -> [String] {
        let e = expectations
        var out: [String] = []
        for table in e.altered {
            let renamed = e.tables.first { $0.name == table }?.renamedTo
            let relation = renamed.map { "COALESCE(\(b.regclass($0)), \(b.regclass(table)))" } ?? b.regclass(table)
            out += ["SELECT pg_catalog.pg_get_userbyid(c.relowner) AS owner, pg_catalog.pg_has_role(current_user, c.relowner, 'USAGE') AS mine",
                    "  INTO own FROM pg_catalog.pg_class c WHERE c.oid = \(relation) AND c.relkind IN ('r', 'p');",
                    "IF FOUND AND NOT own.mine THEN",
                    "  " + problem("format(\(b.lit("role %s may not alter table \(table.replacingOccurrences(of: "%", with: "%%")), owned by %s: the migration's Jobs ALTER it (and create its triggers and indexes), which needs its owner or a member of the owning role (ALTER TABLE … OWNER TO, or GRANT %s TO %s)")), current_user, own.owner, own.owner, current_user)"),
                    "END IF;"]
        }
        for table in e.referenced {
            out += ["IF \(b.regclass(table)) IS NOT NULL AND NOT pg_catalog.has_table_privilege(\(b.regclass(table)), 'REFERENCES') THEN",
                    "  " + problem("format(\(b.lit("role %s lacks REFERENCES on table \(table.replacingOccurrences(of: "%", with: "%%")), which a foreign key the migration adds references (GRANT REFERENCES ON … TO %s)")), current_user, current_user)"),
                    "END IF;"]
        }
        var created: [String] = []
        if e.uses("FUNCTION") { created.append("trigger functions") }
        if e.uses("CREATE VIEW", "CREATE OR REPLACE VIEW") { created.append("views") }
        if e.uses("CREATE TABLE") { created.append("tables") }
        if !created.isEmpty {
            let what = created.joined(separator: ", ")
            if let schema = b.context.qualifyingSchema {
                // The statements name the spec's schema (`PostgreSQLBuilder.t`), so that schema, not the
                // search_path's first, is where they create: it must exist and take CREATE.
                let shown = schema.replacingOccurrences(of: "%", with: "%%")
                out += ["IF pg_catalog.to_regnamespace(\(b.lit(b.q(schema)))) IS NULL THEN",
                        "  " + problem(text("schema \(schema) (database.schemaName) does not exist: the migration creates its \(what) there")),
                        "ELSIF NOT pg_catalog.has_schema_privilege(\(b.lit(schema)), 'CREATE') THEN",
                        "  " + problem("format(\(b.lit("role %s may not CREATE in schema \(shown), where the migration creates its \(what) (GRANT CREATE ON SCHEMA \(shown) TO %s)")), current_user, current_user)"),
                        "END IF;"]
            } else {
                out += ["IF current_schema() IS NULL THEN",
                        "  " + problem("format(\(b.lit("no schema of the search_path (%s) exists: the migration creates its \(what) in the first one")), current_setting('search_path'))"),
                        "ELSIF NOT pg_catalog.has_schema_privilege(current_schema(), 'CREATE') THEN",
                        "  " + problem("format(\(b.lit("role %s may not CREATE in schema %s, where the migration creates its \(what) (GRANT CREATE ON SCHEMA %s TO %s)")), current_user, current_schema(), current_schema(), current_user)"),
                        "END IF;"]
            }
        }
        if e.uses("CREATE SCHEMA") {
            out += ["IF NOT pg_catalog.has_database_privilege(current_database(), 'CREATE') THEN",
                    "  " + problem("format(\(b.lit("role %s may not create schemas in database %s: the version schemas (app.versionSchemas) need it (GRANT CREATE ON DATABASE %s TO %s)")), current_user, current_database(), current_database(), current_user)"),
                    "END IF;"]
        }
        return out
    }

    // MARK: boundary

    private func boundary(problem: (String) -> String, text: (String) -> String) -> [String] {
        let model = PreflightBoundary(additions: expectations.additions, removals: expectations.removals, completions: expectations.completions)
        let counts = "format(\(b.lit(" (" + model.countsTemplate.map { "\($0.label) %s of \($0.total)" }.joined(separator: ", ") + ")")), "
            + model.countsTemplate.map(\.counter).joined(separator: ", ") + ")"
        var out: [String] = []
        for (i, branch) in model.branches.enumerated() {
            let condition = branch.condition.map { "\($0.counter) \($0.op) \($0.value)" }.joined(separator: " AND ")
            let keyword = i == 0 ? "IF" : branch.condition.isEmpty ? "ELSE" : "ELSIF"
            out.append(branch.condition.isEmpty ? keyword : "\(keyword) \(condition) THEN")
            switch branch.outcome {
            case .boundary(let sentence):
                out.append("  boundary := " + text(sentence) + (branch.counts ? " || " + counts : "") + ";")
            case .problem(let sentence):
                out.append("  " + problem(text("the schema is " + sentence) + (branch.counts ? " || " + counts : "")))
            }
        }
        out.append("END IF;")
        return out
    }
}
