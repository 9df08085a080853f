import Foundation

/// The views of the base schema over a column whose type changes (PostgreSQL). The server refuses
/// `ALTER COLUMN … TYPE` on a column a view uses, and a view bound to a column goes on reading it after
/// a swap renames it to the quarantine name. So they are dropped before and created again after, in the
/// same transaction, from the definitions in the schema file (as pg_dump wrote them, schema-qualified):
/// a reader of the view waits on the lock for the length of the transaction instead of seeing an error.
/// Materialized views are refused by validation (CUT061).
///
/// A view created again has what the schema file's definition gives it (its query and the options in
/// its WITH) and nothing else: no privileges, no comment, no defaults, triggers or rules, the Jobs' role
/// as owner. An app role that read it through `GRANT SELECT` was refused right after the step (user
/// trial). So each rebuild runs in one DO block that reads the live state first (`capture`: owner,
/// options, column defaults, the ACL of the view and of its columns, comments, triggers, rules) into a
/// variable and applies it again after the creates (`restore`): the state production has, not the one
/// the dump had. A variable, not a temp table: TEMP on the database is a privilege the Jobs' role may
/// lack, and a variable cannot outlive the block. Lost all the same: security labels, comments on the
/// triggers and rules, a trigger or rule disabled with ALTER TABLE (created again enabled).
///
/// The owner must come back, since a view reads its tables with its owner's rights: left to the Jobs'
/// role (which may own the tables, and so pass their row-level security), a view would show its
/// grantees rows they could not read before. Where the owner cannot be given the view back (the Jobs'
/// role no member of it, with SET from PostgreSQL 16 on, or the owner without CREATE on the view's
/// schema; a superuser always can) the block raises before anything changed, with the grant that
/// mends it. Everything is granted again by the owner, whoever granted it before. Nothing needs a
/// privilege beyond the DROP VIEW's own (owning the view, or membership in its owner with INHERIT) and
/// the owner's rule above, so the preflight checks nothing new (see docs/architecture.md, decisions).
struct PostgreSQLViewRebuild {
    let views: [SchemaDependents.View]

    init(views: [SchemaDependents.View]) {
        self.views = views
    }

    init(_ context: LoweringContext, table: String, column: String) {
        views = context.views(using: column, of: table).filter { !$0.materialized }
    }

    /// The views over a column of enum type `enumType` in any table, or naming the type (a cast such as
    /// `'b'::st`), for the rebuild of the type in addEnumValue's down: the server refuses to retype a
    /// column a view uses, and to drop the renamed type while a view's cast still names it. A view whose
    /// text has the type's name as a word for another reason is dropped and created again too (harmless,
    /// in the same transaction).
    init(_ context: LoweringContext, enumType: String) {
        let columns = context.schema.tables.flatMap { table in
            table.columns.filter { AddEnumValue.sameType($0.type, enumType) }.map { (table: table.name, column: $0.name) }
        }
        let word = AddEnumValue.bareName(enumType)
        views = context.schema.dependents.views { view in
            columns.contains { column in
                view.columns.contains { DDLParser.same($0.table, column.table, false) && DDLParser.same($0.column, column.column, false) }
            } || Self.names(view.definition, word)
        }.filter { !$0.materialized }
    }

    /// Whether `text` has `word` as an identifier (any case; quoted or not).
    static func names(_ text: String, _ word: String) -> Bool {
        let escaped = NSRegularExpression.escapedPattern(for: word)
        return text.range(of: "(?<![A-Za-z0-9_$])\(escaped)(?![A-Za-z0-9_$])", options: [.regularExpression, .caseInsensitive]) != nil
    }

    var isEmpty: Bool { views.isEmpty }

    /// `DROP VIEW IF EXISTS`, dependents first.
    func drops(_ b: PostgreSQLBuilder) -> [String] {
        views.reversed().map { "DROP VIEW IF EXISTS \(Self.qualified($0.name, b));" }
    }

    /// The definitions inside a DO block: through EXECUTE of a literal, so nothing in a view's text
    /// can end the block's dollar quote.
    func executes(_ b: PostgreSQLBuilder) -> [String] {
        views.map { "EXECUTE \(b.lit($0.definition));" }
    }

    var names: String { views.map(\.name).joined(separator: ", ") }

    /// What a step that rebuilds views says of them in its SQL comment (the plan README says it at length).
    static let stepComment = """
        their owner, options, column defaults, grants, comments, triggers and rules are read from the server, they are dropped,
        the change made, they are created again from the schema file (the Jobs' role's default privileges taken off them) and what
        was read applied again, the owner first. Where the owner could not be given a view back, or a trigger's function is not
        executable by the Jobs' role, the block stops before any change and says which grant mends it.
        """

    /// The variables `capture` and `restore` use, for the DECLARE of their DO block. Names no query of
    /// the blocks they join uses for a column (plpgsql would find them ambiguous).
    static let declarations = ["views_kept jsonb;", "view_kept record;", "views_refused text;"]

    /// Reads what creating a view again loses, before the drops: one row per statement that applies it
    /// again (`rel`: the view as `"schema"."name"`; `col`: the column it is about, or null; `sql`), in a
    /// fixed order: the owner first (a member of the owning role does the rest as the owner does), then
    /// the options set on the view (`reloptions`: security_barrier, security_invoker, check_option;
    /// setting one the schema file's definition sets too is harmless), its columns' defaults, the grants
    /// on the view and on its columns, its comment and its columns' comments, its triggers (INSTEAD OF
    /// and statement triggers; not the internal ones) and its rules but `_RETURN` (the definition).
    /// PUBLIC is grantee 0. A view with no ACL has its owner's defaults (`acldefault`). Grants to the
    /// view's owner are left out: it holds them as the owner.
    ///
    /// Fails closed: where a view's owner is not the Jobs' role and cannot be given the view back (the
    /// Jobs' role is not a member of it, with SET from PostgreSQL 16 on, or the owner may not CREATE in
    /// the view's schema; a superuser always can), the block raises before anything is dropped, naming
    /// the view, its owner and the grant that mends it. Keeping the view under the Jobs' role instead
    /// would make it run with the Jobs' role's rights: past the row-level security and the privileges
    /// its owner had on the tables, for every grantee of the view. `indent` starts each line after the first.
    func capture(_ b: PostgreSQLBuilder, indent: String) -> String {
        let rows = views.enumerated().map { "(\($0.offset + 1), to_regclass(\(b.lit(Self.qualified($0.element.name, b)))))" }
        return [
            "WITH v AS (",
            "  SELECT w.i, c.oid, c.relowner, c.relacl, c.reloptions, n.nspname, format('%I.%I', n.nspname, c.relname) AS rel,",
            "         pg_catalog.pg_get_userbyid(c.relowner) AS owner_name,",
            "         pg_catalog.pg_has_role(current_user, c.relowner,",
            "           CASE WHEN current_setting('server_version_num')::int >= 160000 THEN 'SET' ELSE 'MEMBER' END) AS is_member,",
            "         pg_catalog.pg_has_role(current_user, c.relowner, 'USAGE') AS may_use,",
            "         pg_catalog.has_schema_privilege(c.relowner, c.relnamespace, 'CREATE') AS may_create,",
            "         (SELECT j.rolsuper FROM pg_catalog.pg_roles j WHERE j.rolname = current_user) AS is_super,",
            "         (SELECT j.rolsuper FROM pg_catalog.pg_roles j WHERE j.oid = c.relowner) AS owner_super,",
            "         (SELECT string_agg(DISTINCT tg.tgfoid::regprocedure::text, ', ') FROM pg_catalog.pg_trigger tg",
            "           WHERE tg.tgrelid = c.oid AND NOT tg.tgisinternal",
            "             AND NOT pg_catalog.has_function_privilege(current_user, tg.tgfoid, 'EXECUTE')) AS no_execute",
            "    FROM (VALUES \(rows.joined(separator: ", "))) AS w(i, oid)",
            "    JOIN pg_catalog.pg_class c ON c.oid = w.oid JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace",
            "), o AS (",
            "  SELECT v.*, v.owner_name <> current_user AS given,",
            "         (v.owner_name = current_user OR v.is_super OR (v.is_member AND v.may_use AND v.may_create))",
            "           AND v.no_execute IS NULL AS regiven",
            "    FROM v",
            "), g AS (",
            "  SELECT o.i, o.rel, o.relowner, NULL::name AS col, a.grantee, a.privilege_type, a.is_grantable",
            "    FROM o, pg_catalog.aclexplode(COALESCE(o.relacl, pg_catalog.acldefault('r', o.relowner))) a",
            "  UNION ALL",
            "  SELECT o.i, o.rel, o.relowner, t.attname, a.grantee, a.privilege_type, a.is_grantable",
            "    FROM o JOIN pg_catalog.pg_attribute t ON t.attrelid = o.oid AND t.attnum > 0 AND NOT t.attisdropped,",
            "         pg_catalog.aclexplode(t.attacl) a",
            "), s AS (",
            "  SELECT o.i, 0 AS k, o.rel, NULL::name AS col, format('ALTER VIEW %s OWNER TO %I', o.rel, o.owner_name) AS sql",
            "    FROM o WHERE o.given",
            "  UNION ALL",
            "  SELECT o.i, 1, o.rel, NULL, format('ALTER VIEW %s SET (%s)', o.rel,",
            "           (SELECT string_agg(format('%I = %L', p.option_name, p.option_value), ', ' ORDER BY p.option_name)",
            "              FROM pg_catalog.pg_options_to_table(o.reloptions) p))",
            "    FROM o WHERE o.reloptions IS NOT NULL",
            "  UNION ALL",
            "  SELECT o.i, 2, o.rel, t.attname, format('ALTER VIEW %s ALTER COLUMN %I SET DEFAULT %s', o.rel, t.attname,",
            "           pg_catalog.pg_get_expr(d.adbin, d.adrelid))",
            "    FROM o JOIN pg_catalog.pg_attrdef d ON d.adrelid = o.oid",
            "    JOIN pg_catalog.pg_attribute t ON t.attrelid = o.oid AND t.attnum = d.adnum AND NOT t.attisdropped",
            "  UNION ALL",
            "  SELECT g.i, 3, g.rel, g.col, format('GRANT %s%s ON %s TO %s%s', g.privilege_type,",
            "           CASE WHEN g.col IS NULL THEN '' ELSE format(' (%I)', g.col) END, g.rel,",
            "           CASE WHEN g.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(pg_catalog.pg_get_userbyid(g.grantee)) END,",
            "           CASE WHEN g.is_grantable THEN ' WITH GRANT OPTION' ELSE '' END)",
            "    FROM g WHERE g.grantee <> g.relowner",
            "  UNION ALL",
            "  SELECT o.i, 4, o.rel, NULL, format('COMMENT ON VIEW %s IS %L', o.rel, pg_catalog.obj_description(o.oid, 'pg_class'))",
            "    FROM o WHERE pg_catalog.obj_description(o.oid, 'pg_class') IS NOT NULL",
            "  UNION ALL",
            "  SELECT o.i, 5, o.rel, t.attname, format('COMMENT ON COLUMN %s.%I IS %L', o.rel, t.attname, pg_catalog.col_description(o.oid, t.attnum))",
            "    FROM o JOIN pg_catalog.pg_attribute t ON t.attrelid = o.oid AND t.attnum > 0 AND NOT t.attisdropped",
            "   WHERE pg_catalog.col_description(o.oid, t.attnum) IS NOT NULL",
            "  UNION ALL",
            "  SELECT o.i, 6, o.rel, NULL, pg_catalog.pg_get_triggerdef(tg.oid)",
            "    FROM o JOIN pg_catalog.pg_trigger tg ON tg.tgrelid = o.oid AND NOT tg.tgisinternal",
            "  UNION ALL",
            "  SELECT o.i, 7, o.rel, NULL, pg_catalog.pg_get_ruledef(ru.oid)",
            "    FROM o JOIN pg_catalog.pg_rewrite ru ON ru.ev_class = o.oid AND ru.rulename <> '_RETURN'",
            ")",
            "SELECT (SELECT COALESCE(jsonb_agg(jsonb_build_object('rel', s.rel, 'col', s.col, 'sql', s.sql) ORDER BY s.i, s.k, s.col, s.sql), '[]') FROM s),",
            "       (SELECT string_agg(format('view %s is owned by %I, and the Jobs'' role %I could not give it back, or its triggers, once '",
            "                 || 'created again: a view runs with its owner''s rights, so it is not left to the Jobs'' role. Fix: %s; '",
            "                 || 'then run the step again.', o.rel, o.owner_name, current_user,",
            "                 concat_ws('; and ',",
            "                   CASE WHEN o.owner_name <> current_user AND NOT o.is_super AND o.owner_super",
            "                     THEN 'run this step as a superuser, or give the view an owner that is not a superuser (ALTER VIEW ... OWNER TO ...)' END,",
            "                   CASE WHEN o.owner_name <> current_user AND NOT o.is_super AND NOT o.owner_super AND NOT o.may_create",
            "                     THEN format('GRANT CREATE ON SCHEMA %I TO %I', o.nspname, o.owner_name) END,",
            "                   CASE WHEN o.owner_name <> current_user AND NOT o.is_super AND NOT o.owner_super AND NOT o.is_member",
            "                     THEN format('GRANT %I TO %I%s', o.owner_name, current_user,",
            "                       CASE WHEN current_setting('server_version_num')::int >= 160000 THEN ' WITH SET TRUE, INHERIT TRUE' ELSE '' END) END,",
            "                   CASE WHEN o.owner_name <> current_user AND NOT o.is_super AND NOT o.owner_super AND o.is_member AND NOT o.may_use",
            "                     THEN CASE WHEN current_setting('server_version_num')::int >= 160000",
            "                       THEN format('GRANT %I TO %I WITH INHERIT TRUE', o.owner_name, current_user)",
            "                       ELSE format('ALTER ROLE %I INHERIT', current_user) END END,",
            "                   CASE WHEN o.no_execute IS NOT NULL",
            "                     THEN format('GRANT EXECUTE ON FUNCTION %s TO %I (its triggers are created again)', o.no_execute, current_user) END)),",
            "                 E'\\n' ORDER BY o.i) FROM o WHERE NOT o.regiven)",
            "  INTO views_kept, views_refused;",
            "IF views_refused IS NOT NULL THEN",
            "  RAISE EXCEPTION '%', views_refused;",
            "END IF;",
        ].joined(separator: "\n" + indent)
    }

    /// Applies what `capture` read, after the creates. A statement about a column the schema file's
    /// definition does not create (the live view had drifted from the dump) is left out with a
    /// warning in the Job's log.
    func restore(_ b: PostgreSQLBuilder, indent: String) -> String {
        let rebuilt = views.map { "to_regclass(\(b.lit(Self.qualified($0.name, b))))" }.joined(separator: ", ")
        return [
            // A view created again gets the Jobs' role's default privileges (ALTER DEFAULT PRIVILEGES … ON
            // TABLES), which the owner change would carry over: taken off first, so each view ends with the
            // grants it had, no more (review 26b).
            "FOR view_kept IN SELECT DISTINCT format('REVOKE ALL ON %I.%I FROM %s', n.nspname, c.relname,",
            "    CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(pg_catalog.pg_get_userbyid(a.grantee)) END) AS sql",
            "    FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace, pg_catalog.aclexplode(c.relacl) a",
            "   WHERE c.oid IN (\(rebuilt)) AND a.grantee <> c.relowner ORDER BY 1 LOOP",
            "  EXECUTE view_kept.sql;",
            "END LOOP;",
            "FOR view_kept IN SELECT * FROM jsonb_to_recordset(views_kept) AS x(rel text, col name, sql text) LOOP",
            "  IF to_regclass(view_kept.rel) IS NOT NULL AND (view_kept.col IS NULL OR EXISTS (SELECT 1 FROM pg_catalog.pg_attribute",
            "       WHERE attrelid = to_regclass(view_kept.rel) AND attname = view_kept.col AND attnum > 0 AND NOT attisdropped)) THEN",
            "    EXECUTE view_kept.sql;",
            "  ELSE",
            "    RAISE WARNING 'view %: the schema file''s definition has no column %, so this is not applied again: %',",
            "      view_kept.rel, quote_ident(view_kept.col), view_kept.sql;",
            "  END IF;",
            "END LOOP;",
        ].joined(separator: "\n" + indent)
    }

    /// The whole rebuild around `statements` as the body of one DO block (its DECLARE is `declarations`):
    /// read, drop, `statements`, create, apply again. One block is one transaction under any client
    /// (the runner applies a file with psql -f, where each statement commits on its own).
    func around(_ statements: [String], _ b: PostgreSQLBuilder, indent: String) -> [String] {
        before(b, indent: indent) + statements + after(b, indent: indent)
    }

    /// What goes before the change in a block that already holds it (the swap, the enum rebuild): read,
    /// then drop. Nothing without views.
    func before(_ b: PostgreSQLBuilder, indent: String) -> [String] {
        isEmpty ? [] : [capture(b, indent: indent)] + drops(b)
    }

    /// What goes after the change: create, then apply again what `before` read. Nothing without views.
    func after(_ b: PostgreSQLBuilder, indent: String) -> [String] {
        isEmpty ? [] : executes(b) + [restore(b, indent: indent)]
    }

    /// `sales.v` → `"sales"."v"`; a name in the spec's schema (read bare) is named as its tables are (`t`).
    static func qualified(_ name: String, _ b: PostgreSQLBuilder) -> String {
        name.contains(".") ? name.split(separator: ".", maxSplits: 1).map { b.q(String($0)) }.joined(separator: ".") : b.t(name)
    }
}

extension PlanStep {
    /// Whether the step drops views and creates them again (`PostgreSQLViewRebuild.around`): the plan
    /// README says what they keep.
    package var rebuildsViews: Bool {
        (up.statements + down.statements).contains { $0.text.contains(PostgreSQLViewRebuild.declarations[0]) }
    }
}
