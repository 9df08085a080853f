/// The catalog query behind a PostgreSQL schema snapshot: one read-only SELECT, run on the
/// verification session itself (no pg_dump process per snapshot). It covers what `pg_dump
/// --schema-only` shows for the objects migrations touch, in pg_dump's column order:
/// schemas; tables, views, materialized views, sequences, foreign tables and composite types with
/// owner, ACL, options, replica identity, row security, partitioning and comments; columns (type,
/// collation, NOT NULL, default, identity, generated, ACL, comment); constraints (NOT VALID shows);
/// indexes, including invalid or not-ready ones that pg_dump leaves out; triggers (enabled state),
/// rules, policies, inheritance; sequence parameters and OWNED BY; functions and procedures;
/// enums, domains and range types; extensions; extended statistics; publications; subscriptions
/// of this database; and this database's logical replication slots (table-sync slots excluded,
/// they come and go on their own). Objects that belong to extensions are left out. Data is not.
///
/// Each row is one object; its lines are joined with U+001F so a row is one line of psql output.
enum PostgresCatalogQuery {
    static let lineSeparator: Character = "\u{1F}"

    /// The query for a server of `version` (`server_version_num`); catalog columns added in 14 and
    /// 15 are left out on older servers.
    static func snapshot(version: Int) -> String {
        let v15 = version >= 150000, v14 = version >= 140000
        let rowFilter = v15 ? "coalesce(' WHERE (' || pg_get_expr(pr.prqual, pr.prrelid) || ')', '')" : "''"
        let schemas = v15 ? """
             || coalesce((SELECT string_agg(E'\\n  TABLES IN SCHEMA ' || quote_ident(pn.pnnspid::regnamespace::text), '' ORDER BY 1)
                          FROM pg_publication_namespace pn WHERE pn.pnpubid = p.oid), '')
        """ : ""
        let subscriptionOptions = (v14 ? " || format(' BINARY %s STREAMING %s', s.subbinary, s.substream)" : "")
            + (v15 ? " || format(' TWO_PHASE %s DISABLE_ON_ERROR %s', s.subtwophasestate, s.subdisableonerr)" : "")
        return """
    WITH ns AS (
      SELECT oid, nspname, nspowner, nspacl FROM pg_namespace
      WHERE nspname NOT IN ('pg_catalog', 'information_schema') AND nspname !~ '^pg_(toast|temp_|toast_temp_)'
    ), ext AS (
      SELECT classid, objid FROM pg_depend WHERE deptype = 'e'
    ), rel AS (
      SELECT c.*, n.nspname FROM pg_class c JOIN ns n ON n.oid = c.relnamespace
      WHERE NOT EXISTS (SELECT 1 FROM ext WHERE ext.classid = 'pg_class'::regclass AND ext.objid = c.oid)
    ), items(k, t) AS (
      SELECT concat_ws(E'\\x01', 'a', n.nspname),
             format('SCHEMA %I OWNER %s', n.nspname, pg_get_userbyid(n.nspowner))
             || coalesce(' ACL ' || n.nspacl::text, '')
             || coalesce(E'\\n  COMMENT ' || obj_description(n.oid, 'pg_namespace'), '')
      FROM ns n
      UNION ALL
      SELECT concat_ws(E'\\x01', 'b', c.nspname, c.relname),
             format('%s %I.%I', CASE c.relkind WHEN 'r' THEN 'TABLE' WHEN 'p' THEN 'PARTITIONED TABLE' WHEN 'v' THEN 'VIEW'
                      WHEN 'm' THEN 'MATERIALIZED VIEW' WHEN 'S' THEN 'SEQUENCE' WHEN 'f' THEN 'FOREIGN TABLE'
                      ELSE 'TYPE' END, c.nspname, c.relname)
             || CASE WHEN c.relpersistence = 'u' THEN ' UNLOGGED' ELSE '' END
             || ' OWNER ' || pg_get_userbyid(c.relowner)
             || coalesce(' ACL ' || c.relacl::text, '')
             || coalesce(' WITH (' || array_to_string(c.reloptions, ', ') || ')', '')
             || CASE WHEN c.relrowsecurity THEN ' ROW LEVEL SECURITY' ELSE '' END
             || CASE WHEN c.relforcerowsecurity THEN ' FORCE ROW LEVEL SECURITY' ELSE '' END
             || CASE WHEN c.relkind IN ('r', 'p') AND c.relreplident <> 'd'
                     THEN ' REPLICA IDENTITY ' || CASE c.relreplident WHEN 'n' THEN 'NOTHING' WHEN 'f' THEN 'FULL' ELSE 'INDEX' END
                     ELSE '' END
             || CASE WHEN c.relkind = 'p' THEN ' PARTITION BY ' || pg_get_partkeydef(c.oid) ELSE '' END
             || CASE WHEN c.relispartition
                     THEN coalesce(' PARTITION OF ' || (SELECT i.inhparent::regclass::text FROM pg_inherits i WHERE i.inhrelid = c.oid LIMIT 1), '')
                          || coalesce(' ' || pg_get_expr(c.relpartbound, c.oid), '')
                     ELSE '' END
             || CASE WHEN c.relkind IN ('v', 'm') THEN E'\\n' || coalesce(pg_get_viewdef(c.oid, true), '') ELSE '' END
             || coalesce(E'\\n  COMMENT ' || obj_description(c.oid, 'pg_class'), '')
      FROM rel c WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f', 'c')
      UNION ALL
      SELECT concat_ws(E'\\x01', 'b', c.nspname, c.relname, '1', lpad(a.attnum::text, 6, '0')),
             format('  COLUMN %I %s', a.attname, format_type(a.atttypid, a.atttypmod))
             || CASE WHEN a.attcollation <> 0 AND a.attcollation <> (SELECT typcollation FROM pg_type WHERE oid = a.atttypid)
                     THEN ' COLLATE ' || a.attcollation::regcollation::text ELSE '' END
             || CASE WHEN a.attnotnull THEN ' NOT NULL' ELSE '' END
             || CASE a.attidentity WHEN 'a' THEN ' GENERATED ALWAYS AS IDENTITY' WHEN 'd' THEN ' GENERATED BY DEFAULT AS IDENTITY' ELSE '' END
             || CASE WHEN a.attgenerated = 's' THEN ' GENERATED ALWAYS AS (' || pg_get_expr(d.adbin, d.adrelid) || ') STORED'
                     WHEN d.adbin IS NOT NULL THEN ' DEFAULT ' || pg_get_expr(d.adbin, d.adrelid) ELSE '' END
             || coalesce(' ACL ' || a.attacl::text, '')
             || coalesce(E'\\n    COMMENT ' || col_description(c.oid, a.attnum), '')
      FROM rel c JOIN pg_attribute a ON a.attrelid = c.oid
      LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
      WHERE c.relkind IN ('r', 'p', 'f', 'c') AND a.attnum > 0 AND NOT a.attisdropped
      UNION ALL
      SELECT concat_ws(E'\\x01', 'b', c.nspname, c.relname, '2', co.conname),
             format('  CONSTRAINT %I %s', co.conname, pg_get_constraintdef(co.oid))
             || coalesce(E'\\n    COMMENT ' || obj_description(co.oid, 'pg_constraint'), '')
      FROM pg_constraint co JOIN rel c ON c.oid = co.conrelid
      UNION ALL
      SELECT concat_ws(E'\\x01', 'b', c.nspname, c.relname, '3', ic.relname),
             '  ' || pg_get_indexdef(i.indexrelid)
             || CASE WHEN NOT i.indisvalid THEN ' -- INVALID (a failed CREATE INDEX CONCURRENTLY?)' ELSE '' END
             || CASE WHEN NOT i.indisready THEN ' -- NOT READY' ELSE '' END
             || CASE WHEN i.indisclustered THEN ' -- CLUSTER' ELSE '' END
             || CASE WHEN i.indisreplident THEN ' -- REPLICA IDENTITY' ELSE '' END
             || coalesce(E'\\n    COMMENT ' || obj_description(ic.oid, 'pg_class'), '')
      FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid JOIN rel c ON c.oid = i.indrelid
      UNION ALL
      SELECT concat_ws(E'\\x01', 'b', c.nspname, c.relname, '4', t.tgname),
             '  ' || pg_get_triggerdef(t.oid, true)
             || CASE t.tgenabled WHEN 'D' THEN ' -- DISABLED' WHEN 'R' THEN ' -- ENABLE REPLICA' WHEN 'A' THEN ' -- ENABLE ALWAYS' ELSE '' END
      FROM pg_trigger t JOIN rel c ON c.oid = t.tgrelid WHERE NOT t.tgisinternal
      UNION ALL
      SELECT concat_ws(E'\\x01', 'b', c.nspname, c.relname, '5', r.rulename), '  ' || pg_get_ruledef(r.oid, true)
      FROM pg_rewrite r JOIN rel c ON c.oid = r.ev_class WHERE r.rulename <> '_RETURN'
      UNION ALL
      SELECT concat_ws(E'\\x01', 'b', p.schemaname, p.tablename, '6', p.policyname),
             format('  POLICY %I %s FOR %s TO %s', p.policyname, p.permissive, p.cmd, array_to_string(p.roles, ', '))
             || coalesce(' USING (' || p.qual || ')', '') || coalesce(' WITH CHECK (' || p.with_check || ')', '')
      FROM pg_policies p JOIN ns n ON n.nspname = p.schemaname
      UNION ALL
      SELECT concat_ws(E'\\x01', 'b', c.nspname, c.relname, '7', i.inhseqno::text), '  INHERITS ' || i.inhparent::regclass::text
      FROM pg_inherits i JOIN rel c ON c.oid = i.inhrelid WHERE NOT c.relispartition
      UNION ALL
      SELECT concat_ws(E'\\x01', 'b', c.nspname, c.relname, '0'),
             format('  AS %s START %s INCREMENT %s MINVALUE %s MAXVALUE %s CACHE %s%s', format_type(s.seqtypid, NULL),
                    s.seqstart, s.seqincrement, s.seqmin, s.seqmax, s.seqcache, CASE WHEN s.seqcycle THEN ' CYCLE' ELSE '' END)
             || coalesce(' OWNED BY ' || (
                  SELECT d.refobjid::regclass::text || '.' || quote_ident(a.attname)
                  FROM pg_depend d JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
                  WHERE d.classid = 'pg_class'::regclass AND d.objid = s.seqrelid AND d.refclassid = 'pg_class'::regclass
                    AND d.deptype IN ('a', 'i') LIMIT 1), '')
      FROM pg_sequence s JOIN rel c ON c.oid = s.seqrelid
      UNION ALL
      SELECT concat_ws(E'\\x01', 'c', n.nspname, p.proname, pg_get_function_identity_arguments(p.oid)),
             CASE WHEN p.prokind = 'a'
                  THEN format('AGGREGATE %I.%I(%s)', n.nspname, p.proname, pg_get_function_identity_arguments(p.oid))
                  ELSE rtrim(pg_get_functiondef(p.oid), E'\\n') END
             || E'\\n  OWNER ' || pg_get_userbyid(p.proowner)
             || coalesce(' ACL ' || p.proacl::text, '')
             || coalesce(E'\\n  COMMENT ' || obj_description(p.oid, 'pg_proc'), '')
      FROM pg_proc p JOIN ns n ON n.oid = p.pronamespace
      WHERE NOT EXISTS (SELECT 1 FROM ext WHERE ext.classid = 'pg_proc'::regclass AND ext.objid = p.oid)
      UNION ALL
      SELECT concat_ws(E'\\x01', 'd', n.nspname, t.typname),
             CASE t.typtype
               WHEN 'e' THEN format('TYPE %I.%I AS ENUM (', n.nspname, t.typname)
                    || coalesce((SELECT string_agg(quote_literal(e.enumlabel), ', ' ORDER BY e.enumsortorder) FROM pg_enum e WHERE e.enumtypid = t.oid), '') || ')'
               WHEN 'd' THEN format('DOMAIN %I.%I AS %s', n.nspname, t.typname, format_type(t.typbasetype, t.typtypmod))
                    || CASE WHEN t.typnotnull THEN ' NOT NULL' ELSE '' END
                    || coalesce(' DEFAULT ' || t.typdefault, '')
                    || coalesce((SELECT string_agg(format(' CONSTRAINT %I %s', co.conname, pg_get_constraintdef(co.oid)), '' ORDER BY co.conname)
                                 FROM pg_constraint co WHERE co.contypid = t.oid), '')
               ELSE format('TYPE %I.%I AS RANGE (SUBTYPE = %s)', n.nspname, t.typname,
                           (SELECT format_type(r.rngsubtype, NULL) FROM pg_range r WHERE r.rngtypid = t.oid))
             END
             || ' OWNER ' || pg_get_userbyid(t.typowner)
             || coalesce(E'\\n  COMMENT ' || obj_description(t.oid, 'pg_type'), '')
      FROM pg_type t JOIN ns n ON n.oid = t.typnamespace
      WHERE t.typtype IN ('e', 'd', 'r')
        AND NOT EXISTS (SELECT 1 FROM ext WHERE ext.classid = 'pg_type'::regclass AND ext.objid = t.oid)
      UNION ALL
      SELECT concat_ws(E'\\x01', 'e', x.extname), format('EXTENSION %I VERSION %s SCHEMA %I', x.extname, x.extversion, n.nspname)
      FROM pg_extension x JOIN pg_namespace n ON n.oid = x.extnamespace
      UNION ALL
      SELECT concat_ws(E'\\x01', 'f', n.nspname, s.stxname), pg_get_statisticsobjdef(s.oid)
      FROM pg_statistic_ext s JOIN ns n ON n.oid = s.stxnamespace
      UNION ALL
      SELECT concat_ws(E'\\x01', 'p', p.pubname),
             format('PUBLICATION %I OWNER %s%s PUBLISH %s%s%s%s%s', p.pubname, pg_get_userbyid(p.pubowner),
                    CASE WHEN p.puballtables THEN ' FOR ALL TABLES' ELSE '' END,
                    CASE WHEN p.pubinsert THEN 'insert ' ELSE '' END, CASE WHEN p.pubupdate THEN 'update ' ELSE '' END,
                    CASE WHEN p.pubdelete THEN 'delete ' ELSE '' END, CASE WHEN p.pubtruncate THEN 'truncate' ELSE '' END,
                    CASE WHEN p.pubviaroot THEN ' VIA ROOT' ELSE '' END)
             || coalesce((SELECT string_agg(E'\\n  TABLE ' || pr.prrelid::regclass::text
                                            || \(rowFilter), '' ORDER BY pr.prrelid::regclass::text)
                          FROM pg_publication_rel pr WHERE pr.prpubid = p.oid), '')
    \(schemas)
      FROM pg_publication p
      UNION ALL
      SELECT concat_ws(E'\\x01', 'q', s.subname),
             format('SUBSCRIPTION %I OWNER %s ENABLED %s PUBLICATION %s SLOT %s',
                    s.subname, pg_get_userbyid(s.subowner), s.subenabled, array_to_string(s.subpublications, ', '),
                    coalesce(s.subslotname::text, 'NONE'))\(subscriptionOptions)
      FROM pg_subscription s WHERE s.subdbid = (SELECT oid FROM pg_database WHERE datname = current_database())
      UNION ALL
      SELECT concat_ws(E'\\x01', 'r', r.slot_name), format('REPLICATION SLOT %I %s %s', r.slot_name, r.slot_type, coalesce(r.plugin::text, ''))
      FROM pg_replication_slots r
      WHERE r.database = current_database() AND NOT r.temporary AND r.slot_name !~ '^pg_[0-9]+_sync_'
    )
    SELECT coalesce(replace(t, E'\\n', E'\\x1f'), '<null>') FROM items ORDER BY k COLLATE "C", t COLLATE "C";
    """
    }
}
