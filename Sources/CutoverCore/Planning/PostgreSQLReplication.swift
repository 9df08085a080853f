/// Blue-green on PostgreSQL: logical replication blue -> green, the sequence sync before switchover,
/// reverse replication green -> blue as the way back, and the cleanup, as up/down pairs by side.
///
/// Connection strings never appear in the SQL. The subscription files read them at run time from a
/// custom setting that the runner passes in the environment of psql:
///   green's subscription:  PGOPTIONS='-c cutover.blue_conninfo=postgresql://USER:PASS@BLUE-HOST:5432/DB'
///   blue's reverse one:    PGOPTIONS='-c cutover.green_conninfo=postgresql://USER:PASS@GREEN-HOST:5432/DB'
/// (a URI, since PGOPTIONS splits on spaces; psql variables are not expanded inside DO bodies, and
/// squawk cannot parse `:'var'`). `current_setting` raises an error when the setting is missing.
struct PostgreSQLReplication {
    var b: PostgreSQLBuilder

    static let blueSetting = "cutover.blue_conninfo"
    static let greenSetting = "cutover.green_conninfo"

    var tables: [String] {
        let fromSchema = b.context.schema.tables.map(\.name)
        if !fromSchema.isEmpty { return fromSchema }
        return b.context.spec.checksum?.tables.map(\.value) ?? []
    }

    func publication(_ name: String) -> (up: [SQLStatement], down: [SQLStatement]) {
        let target = tables.isEmpty ? "FOR ALL TABLES" : "FOR TABLE \(b.n.quoteList(tables))"
        let up = b.guarded("NOT EXISTS (SELECT 1 FROM pg_catalog.pg_publication WHERE pubname = \(b.lit(name)))",
                           ["CREATE PUBLICATION \(b.q(name)) \(target);"])
        return ([SQLStatement(up, comment: tables.isEmpty ? "No table list known (no base schema, no verify.checksum.tables): FOR ALL TABLES needs a superuser."
                                                       : "The tables of the base schema.")],
                [SQLStatement("DROP PUBLICATION IF EXISTS \(b.q(name));")])
    }

    func slot(_ name: String) -> (up: [SQLStatement], down: [SQLStatement]) {
        ([SQLStatement("SELECT pg_catalog.pg_create_logical_replication_slot(\(b.lit(name)), 'pgoutput')\nWHERE NOT EXISTS (SELECT 1 FROM pg_catalog.pg_replication_slots WHERE slot_name = \(b.lit(name)));",
                       comment: "The slot is created explicitly so that the subscriber's CREATE SUBSCRIPTION can use create_slot = false,\nwhich (unlike the default) may run inside a DO block, hence can be guarded.")],
         [SQLStatement("SELECT pg_catalog.pg_drop_replication_slot(\(b.lit(name)))\nWHERE EXISTS (SELECT 1 FROM pg_catalog.pg_replication_slots WHERE slot_name = \(b.lit(name)) AND NOT active);")])
    }

    func subscription(_ name: String, setting: String, copyData: Bool, peer: String) -> (up: [SQLStatement], down: [SQLStatement]) {
        let create = b.guarded("NOT EXISTS (SELECT 1 FROM pg_catalog.pg_subscription WHERE subname = \(b.lit(name)))", [
            "EXECUTE format('CREATE SUBSCRIPTION %I CONNECTION %L PUBLICATION %I '",
            "               'WITH (create_slot = false, slot_name = %L, copy_data = \(copyData))',",
            "               \(b.lit(name)), current_setting(\(b.lit(setting))),",
            "               \(b.lit(name)), \(b.lit(name)));",
        ])
        let detach = b.guarded("EXISTS (SELECT 1 FROM pg_catalog.pg_subscription WHERE subname = \(b.lit(name)))", [
            "ALTER SUBSCRIPTION \(b.q(name)) DISABLE;",
            "ALTER SUBSCRIPTION \(b.q(name)) SET (slot_name = NONE);",
        ])
        return ([SQLStatement(create, comment: "The \(peer) connection string comes from the credentials Secret at run time, as a custom setting in the environment:\n  PGOPTIONS='-c \(setting)=postgresql://USER:PASSWORD@HOST:5432/DB?sslmode=require'\n(psql variables are not expanded inside DO bodies, and squawk cannot parse :'var').")],
                [SQLStatement(detach, comment: "Detach from the slot first so that DROP SUBSCRIPTION does not drop the publisher's slot (its own step does that)."),
                 SQLStatement("DROP SUBSCRIPTION IF EXISTS \(b.q(name));")])
    }

    func sequenceSync() -> String {
        """
        DO $cutover$
        DECLARE
          r record;
          v bigint;
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
          LOOP
            EXECUTE format('SELECT max(%I)::bigint FROM %s', r.col, r.tbl) INTO v;
            PERFORM pg_catalog.setval(r.seq, COALESCE(v, 0) + 1000, true);
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
        let resub = subscription(forward, setting: Self.blueSetting, copyData: false, peer: "blue")
        let rpub = publication(reverse), rslot = slot(reverse)
        let rsub = subscription(reverse, setting: Self.greenSetting, copyData: false, peer: "green")
        return [
            StepDraft(.replicate, slug: "publication", title: "blue: publication \(forward)", change: nil, side: .blue, up: pub.up, down: pub.down),
            StepDraft(.replicate, slug: "slot", title: "blue: logical replication slot \(forward)", change: nil, side: .blue, up: fslot.up, down: fslot.down,
                      transactional: false),
            StepDraft(.replicate, slug: "subscription", title: "green: subscription \(forward) to blue (initial copy + streaming)", change: nil, side: .green,
                      up: sub.up, down: sub.down, transactional: false),
            StepDraft(.sequenceSync, slug: "sequences", title: "green: set every owned sequence past the copied rows", change: nil, side: .green,
                      up: [SQLStatement(sequenceSync(), comment: "Logical replication does not carry sequences. On green, after the copy caught up and before switchover:\nset each identity/serial sequence to the column's maximum + 1000 (idempotent: the same value on a re-run).")],
                      down: [.note("Nothing to undo: sequence values only move forward, and the schema is unchanged.")]),
            StepDraft(.reverseReplicate, slug: "stop_forward_subscription", title: "green: stop the subscription to blue (after switchover)", change: nil, side: .green,
                      up: sub.down, down: resub.up, transactional: false),
            StepDraft(.reverseReplicate, slug: "reverse_publication", title: "green: publication \(reverse)", change: nil, side: .green,
                      up: rpub.up, down: rpub.down),
            StepDraft(.reverseReplicate, slug: "reverse_slot", title: "green: logical replication slot \(reverse)", change: nil, side: .green,
                      up: rslot.up, down: rslot.down, transactional: false),
            StepDraft(.reverseReplicate, slug: "reverse_subscription", title: "blue: subscription \(reverse) to green (no initial copy)", change: nil, side: .blue,
                      up: rsub.up, down: rsub.down, transactional: false),
            StepDraft(.cleanup, slug: "drop_reverse_subscription", title: "blue: drop the subscription \(reverse)", change: nil, side: .blue,
                      up: rsub.down, down: rsub.up, transactional: false),
            StepDraft(.cleanup, slug: "drop_reverse_slot", title: "green: drop the slot \(reverse)", change: nil, side: .green,
                      up: rslot.down, down: rslot.up, transactional: false),
            StepDraft(.cleanup, slug: "drop_reverse_publication", title: "green: drop the publication \(reverse)", change: nil, side: .green,
                      up: rpub.down, down: rpub.up),
            StepDraft(.cleanup, slug: "drop_slot", title: "blue: drop the slot \(forward)", change: nil, side: .blue,
                      up: fslot.down, down: fslot.up, transactional: false),
            StepDraft(.cleanup, slug: "drop_publication", title: "blue: drop the publication \(forward)", change: nil, side: .blue,
                      up: pub.down, down: pub.up),
        ]
    }
}
