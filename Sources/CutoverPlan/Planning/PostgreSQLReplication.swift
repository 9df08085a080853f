/// Blue-green on PostgreSQL: logical replication blue -> green, the sequence sync before switchover,
/// reverse replication green -> blue as the way back, and the cleanup, as up/down pairs by side.
///
/// Connection strings never appear in the SQL. The subscription files read them at run time from the
/// custom settings cutover.blue_conninfo / cutover.green_conninfo, which the runner sets at the start
/// of the file's session from the Secrets (psql variables are not expanded inside DO bodies, and
/// squawk cannot parse `:'var'`). `current_setting` raises an error when the setting is missing.
///
/// The publication lists every table of the application's schemas as the live catalog has them when
/// it runs (FOR ALL TABLES needs a superuser, and a table list from the schema file would silently
/// leave out the tables it does not name); a table logical replication cannot carry (no replica
/// identity: its UPDATE and DELETE would fail on blue once published; unlogged) is refused before
/// anything is published.
struct PostgreSQLReplication {
    var b: PostgreSQLBuilder

    /// Subscriptions are per database, slot names per cluster: a lookup by name alone would find another
    /// database's (a second app on the same cluster) and skip this one's (S8).
    static let thisDatabase = "subdbid = (SELECT oid FROM pg_catalog.pg_database WHERE datname = current_database())"
    static let thisDatabasesSlot = "database = current_database()"

    static let blueSetting = "cutover.blue_conninfo"
    static let greenSetting = "cutover.green_conninfo"

    /// The application's tables as the catalog has them: ordinary and partitioned tables (not their
    /// partitions) outside the system schemas, but not an extension's (pg_depend deptype 'e', PostGIS'
    /// spatial_ref_sys): CREATE EXTENSION makes and fills them on green, and a copy would collide.
    static let liveTables = """
        SELECT c.oid::regclass AS tbl, c.relpersistence, c.relreplident,
               EXISTS (SELECT 1 FROM pg_catalog.pg_index i WHERE i.indrelid = c.oid AND (i.indisprimary OR i.indisreplident)) AS keyed
          FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
         WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition
           AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%'
           AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend e WHERE e.classid = 'pg_catalog.pg_class'::regclass AND e.objid = c.oid AND e.deptype = 'e')
         ORDER BY 1::text
        """

    func publication(_ name: String) -> (up: [SQLStatement], down: [SQLStatement]) {
        let rows = Self.liveTables.split(separator: "\n").map { "      " + $0 }.joined(separator: "\n")
        let up = """
        DO $cutover$
        DECLARE
          r record;
          refused text := '';
        BEGIN
          FOR r IN
        \(rows)
          LOOP
            IF r.relpersistence = 'u' THEN
              refused := refused || format('; %s is UNLOGGED: logical replication cannot carry it (ALTER TABLE %s SET LOGGED)', r.tbl, r.tbl);
            ELSIF r.relreplident = 'n' OR (r.relreplident IN ('d', 'i') AND NOT r.keyed) THEN
              refused := refused || format('; %s has no primary key nor replica identity: once published, its UPDATE and DELETE would fail on blue (add a primary key, or ALTER TABLE %s REPLICA IDENTITY FULL: every UPDATE and DELETE then logs the whole old row)', r.tbl, r.tbl);
            END IF;
          END LOOP;
          IF refused <> '' THEN
            RAISE EXCEPTION 'cutover: nothing published, logical replication cannot carry every table%', refused;
          END IF;
          IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_publication WHERE pubname = \(b.lit(name))) THEN
            CREATE PUBLICATION \(b.q(name));
          END IF;
          FOR r IN
        \(rows)
          LOOP
            IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_publication_rel pr JOIN pg_catalog.pg_publication p ON p.oid = pr.prpubid
                           WHERE p.pubname = \(b.lit(name)) AND pr.prrelid = r.tbl) THEN
              EXECUTE format('ALTER PUBLICATION %I ADD TABLE %s', \(b.lit(name)), r.tbl);
            END IF;
          END LOOP;
        END
        $cutover$;
        """
        return ([SQLStatement(up, comment: "Every table of the application's schemas, read from the live catalog when this runs; a table that\ncannot be replicated (no replica identity, unlogged) is refused before anything is published.")],
                [SQLStatement("DROP PUBLICATION IF EXISTS \(b.q(name));")])
    }

    func slot(_ name: String) -> (up: [SQLStatement], down: [SQLStatement]) {
        ([SQLStatement("SELECT pg_catalog.pg_create_logical_replication_slot(\(b.lit(name)), 'pgoutput')\nWHERE NOT EXISTS (SELECT 1 FROM pg_catalog.pg_replication_slots WHERE slot_name = \(b.lit(name)) AND \(Self.thisDatabasesSlot));",
                       comment: "The slot is created explicitly so that the subscriber's CREATE SUBSCRIPTION can use create_slot = false,\nwhich (unlike the default) may run inside a DO block, hence can be guarded.")],
         [SQLStatement(dropSlot(name), comment: "A slot still streaming (its subscription not yet dropped or just disabled) is waited for, up to 30 s polled every\n0.1 s (reverse-replication drops the forward slot in the switch's write pause), then refused loudly:\na slot left behind keeps WAL on this server until its disk fills.")])
    }

    func dropSlot(_ name: String) -> String {
        """
        DO $cutover$
        DECLARE
          holder int;
        BEGIN
          FOR attempt IN 1..300 LOOP
            SELECT active_pid INTO holder FROM pg_catalog.pg_replication_slots WHERE slot_name = \(b.lit(name)) AND \(Self.thisDatabasesSlot);
            IF NOT FOUND THEN
              RETURN;
            END IF;
            IF holder IS NULL THEN
              PERFORM pg_catalog.pg_drop_replication_slot(\(b.lit(name)));
              RETURN;
            END IF;
            PERFORM pg_catalog.pg_sleep(0.1);
          END LOOP;
          RAISE EXCEPTION 'cutover: replication slot % is still streaming to process %', \(b.lit(name)), holder
            USING HINT = 'Drop the subscription that reads it (on the other side) first, then run this again.';
        END
        $cutover$;
        """
    }

    func subscription(_ name: String, setting: String, copyData: Bool, peer: String, enabled: Bool = true) -> (up: [SQLStatement], down: [SQLStatement]) {
        let create = b.guarded("NOT EXISTS (SELECT 1 FROM pg_catalog.pg_subscription WHERE subname = \(b.lit(name)) AND \(Self.thisDatabase))", [
            "EXECUTE format('CREATE SUBSCRIPTION %I CONNECTION %L PUBLICATION %I '",
            "               'WITH (create_slot = false, slot_name = %L, copy_data = \(copyData)\(enabled ? "" : ", enabled = false"))',",
            "               \(b.lit(name)), current_setting(\(b.lit(setting))),",
            "               \(b.lit(name)), \(b.lit(name)));",
        ])
        let detach = b.guarded("EXISTS (SELECT 1 FROM pg_catalog.pg_subscription WHERE subname = \(b.lit(name)) AND \(Self.thisDatabase))", [
            "ALTER SUBSCRIPTION \(b.q(name)) DISABLE;",
            "ALTER SUBSCRIPTION \(b.q(name)) SET (slot_name = NONE);",
        ])
        return ([SQLStatement(create, comment: "The \(peer) connection string comes from the credentials Secret at run time, as a custom setting in the environment:\n  PGOPTIONS='-c \(setting)=postgresql://USER:PASSWORD@HOST:5432/DB?sslmode=require'\n(psql variables are not expanded inside DO bodies, and squawk cannot parse :'var').")],
                [SQLStatement(detach, comment: "Detach from the slot first so that DROP SUBSCRIPTION does not drop the publisher's slot (its own step does that)."),
                 SQLStatement("DROP SUBSCRIPTION IF EXISTS \(b.q(name));")])
    }

    /// Runs in the write pause: max() only where a valid btree index leads with the column (one probe
    /// at the index's end); a column without one would be a full scan of its table with blue fenced
    /// (S9). Those sequences rely on the runner's sync-sequences, GREATEST of both sides' own values
    /// (pg_sequences), which is what blue's inserts drew from.
    func sequenceSync() -> String {
        """
        DO $cutover$
        DECLARE
          r record;
          v bigint;
          current bigint;
        BEGIN
          FOR r IN
            SELECT d.objid::regclass AS seq, c.oid::regclass AS tbl, a.attname AS col
            FROM pg_catalog.pg_depend d
            JOIN pg_catalog.pg_class s ON s.oid = d.objid AND s.relkind = 'S'
            JOIN pg_catalog.pg_class c ON c.oid = d.refobjid
            JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum = d.refobjsubid
            JOIN pg_catalog.pg_namespace ns ON ns.oid = c.relnamespace
            WHERE d.classid = 'pg_catalog.pg_class'::regclass AND d.refclassid = 'pg_catalog.pg_class'::regclass
              AND d.deptype IN ('a', 'i') AND ns.nspname NOT IN ('pg_catalog', 'information_schema')
              AND EXISTS (SELECT 1 FROM pg_catalog.pg_index i JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid
                          JOIN pg_catalog.pg_am am ON am.oid = ic.relam
                          WHERE i.indrelid = c.oid AND i.indisvalid AND i.indpred IS NULL AND am.amname = 'btree' AND i.indkey[0] = a.attnum)
          LOOP
            EXECUTE format('SELECT max(%I)::bigint FROM %s', r.col, r.tbl) INTO v;
            EXECUTE format('SELECT CASE WHEN is_called THEN last_value END FROM %s', r.seq) INTO current;
            IF v IS NOT NULL AND (current IS NULL OR v > current) THEN
              PERFORM pg_catalog.setval(r.seq, v, true);
            END IF;
          END LOOP;
        END
        $cutover$;
        """
    }

    func steps() -> [StepDraft] {
        let forward = b.context.derived.replication
        let reverse = b.context.derived.reverseReplication
        let pub = publication(forward), fslot = slot(forward)
        let sub = subscription(forward, setting: Self.blueSetting, copyData: true, peer: "blue")
        let resub = subscription(forward, setting: Self.blueSetting, copyData: false, peer: "blue", enabled: false)
        let rpub = publication(reverse), rslot = slot(reverse)
        // The way back's subscription is created disabled, before blue is fenced and before forward
        // replication is disabled (CREATE SUBSCRIPTION connects to green: blue reaching green is proven
        // while blue still takes writes); reverse-replication's last step enables it. Cleanup's down
        // restores it as cleanup found it: streaming.
        let rsub = subscription(reverse, setting: Self.greenSetting, copyData: false, peer: "green", enabled: false)
        let rsubStreaming = subscription(reverse, setting: Self.greenSetting, copyData: false, peer: "green")
        return [
            StepDraft(.replicate, slug: "publication", title: "blue: publication \(forward)", change: nil, side: .blue, up: pub.up, down: pub.down),
            StepDraft(.replicate, slug: "slot", title: "blue: logical replication slot \(forward)", change: nil, side: .blue, up: fslot.up, down: fslot.down,
                      transactional: false),
            StepDraft(.replicate, slug: "subscription", title: "green: subscription \(forward) to blue (initial copy + streaming)", change: nil, side: .green,
                      up: sub.up, down: sub.down, transactional: false),
            StepDraft(.sequenceSync, slug: "sequences", title: "green: set every owned sequence past the copied rows", change: nil, side: .green,
                      up: [SQLStatement(sequenceSync(), comment: "Logical replication does not carry sequences. On green, with blue fenced and green caught up, after the runner set\neach sequence to GREATEST(blue's, green's): a sequence behind its column's maximum is moved up to it, never down.\nThe maximum only where a btree index leads with the column (one index probe: this runs in the write pause);\nwithout one, the sequences' own values (the runner's GREATEST) are the bound, never a full scan.")],
                      down: [.note("Nothing to undo: sequence values only move forward, and the schema is unchanged.")]),
            // The way back first (green's publication and slot, blue's subscription, disabled), then forward
            // replication off: a failure at any step leaves forward replication running (the app never
            // moved; the switchback lifts blue's fence) or the way back complete (a re-run, or the
            // switchback, enables it). Never forward replication off without a way back.
            StepDraft(.reverseReplicate, slug: "reverse_publication", title: "green: publication \(reverse)", change: nil, side: .green,
                      up: rpub.up, down: rpub.down),
            StepDraft(.reverseReplicate, slug: "reverse_slot", title: "green: logical replication slot \(reverse)", change: nil, side: .green,
                      up: rslot.up, down: rslot.down, transactional: false),
            StepDraft(.reverseReplicate, slug: "reverse_subscription", title: "blue: subscription \(reverse) to green (no initial copy, disabled until forward replication stops)", change: nil, side: .blue,
                      up: rsub.up, down: rsub.down, transactional: false),
            StepDraft(.reverseReplicate, slug: "stop_forward_subscription", title: "green: disable the subscription to blue (blue fenced, green caught up)", change: nil, side: .green,
                      up: [SQLStatement(b.guarded("EXISTS (SELECT 1 FROM pg_catalog.pg_subscription WHERE subname = \(b.lit(forward)) AND \(Self.thisDatabase) AND subenabled)",
                                                  ["ALTER SUBSCRIPTION \(b.q(forward)) DISABLE;"]),
                                        comment: "Disabled, not dropped: a disabled forward subscription is how every Job knows the switch happened\n(re-running a phase afterwards changes nothing), until cleanup drops it.")],
                      down: [SQLStatement(b.guarded("EXISTS (SELECT 1 FROM pg_catalog.pg_subscription WHERE subname = \(b.lit(forward)) AND \(Self.thisDatabase) AND NOT subenabled)",
                                                    ["ALTER SUBSCRIPTION \(b.q(forward)) ENABLE;"]),
                                          comment: "Switched back: the reverse subscription is gone (its down runs first), so nothing loops. The switchback Job\nmoved the forward slot on blue past what green sent back (skip-slot, with both sides fenced and blue caught up):\nthis subscription sends green only blue's writes since, never green's own rows again (a duplicate key it would\nretry forever, its slot holding blue's WAL). The skip is the runner's: SQL here could not know that moment.")],
                      transactional: false),
            // The forward slot, idle from here until the switchback, would keep every WAL segment blue
            // writes in the green period (blue's disk, then the reverse subscription that fills it). Its
            // subscription is disabled (the step before): the slot goes, and the switchback creates it
            // again with both sides fenced, where green has everything before it.
            StepDraft(.reverseReplicate, slug: "drop_forward_slot", title: "blue: drop the slot \(forward) (idle until a switchback, it would keep blue's WAL)", change: nil, side: .blue,
                      up: fslot.down, down: fslot.up, transactional: false),
            StepDraft(.cleanup, slug: "drop_reverse_subscription", title: "blue: drop the subscription \(reverse)", change: nil, side: .blue,
                      up: rsub.down, down: rsubStreaming.up, transactional: false),
            StepDraft(.cleanup, slug: "drop_reverse_slot", title: "green: drop the slot \(reverse)", change: nil, side: .green,
                      up: rslot.down, down: rslot.up, transactional: false),
            StepDraft(.cleanup, slug: "drop_reverse_publication", title: "green: drop the publication \(reverse)", change: nil, side: .green,
                      up: rpub.down, down: rpub.up),
            StepDraft(.cleanup, slug: "drop_subscription", title: "green: drop the subscription \(forward)", change: nil, side: .green,
                      up: sub.down, down: resub.up, transactional: false),
            // Gone already when cleanup follows the switch (reverse-replication dropped it); undone, it stays
            // gone: an idle forward slot would keep blue's WAL, and the switchback creates it when needed.
            StepDraft(.cleanup, slug: "drop_slot", title: "blue: drop the slot \(forward)", change: nil, side: .blue,
                      up: fslot.down, down: [.note("Nothing to restore: the forward slot exists only while the app writes to blue (reverse-replication drops it, the switchback creates it again).")],
                      transactional: false),
            StepDraft(.cleanup, slug: "drop_publication", title: "blue: drop the publication \(forward)", change: nil, side: .blue,
                      up: pub.down, down: pub.up),
        ]
    }
}
