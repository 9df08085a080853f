extension RuleID {
    public static let postgresRetypedWrite = RuleID("CUT109")
}

/// CUT109 `postgres-retyped-write`: with PostgreSQL's version schemas, the new version writes a
/// rewritten column in the new type through its view, and the two-way sync trigger converts each
/// value into the old column for the old version; a value the old type cannot hold fails the new
/// version's statement until contract (warning). The same rule as MySQL's version databases (whose
/// README says it): trial 14c found it undocumented on PostgreSQL (int → varchar(20) written as
/// 'legacy_ref-…': `invalid input syntax for type integer`; int → bigint: `integer out of range`).
///
/// Not reported where every value of the new type converts (`fits`): a narrower integer, a shorter
/// (or equal) text length, a date or time stamp into another, anything into unbounded text. Everything else is reported, `down` or not: whether a
/// `down` maps every value is not known statically.
enum PostgresRetypedWriteRule: RuleUnit {
    static let rule = Rule(
        id: .postgresRetypedWrite, name: "postgres-retyped-write", severity: .warning, checkedBy: [.lowering],
        summary: "with PostgreSQL's version schemas, the new version's writes of a retyped column fail until contract for values the old type cannot hold (warning)",
        rationale: "On PostgreSQL the new version reads and writes a retyped column through its schema of views, in the new type: the view shows the copy column under the final name, and a two-way sync trigger fills the old column for the old version (with `down`, or a cast to the old type) and the copy for the new one. Until contract swaps the columns, every write of the new version is converted into the old type, so a value the old type cannot hold (text that is not a number for an integer column, a number beyond integer's range for int → bigint) fails the new version's statement (`invalid input syntax for type integer`, `integer out of range`). After contract, a rollback of contract refuses such rows until they are changed or deleted. MySQL's version databases work the same way. Until contract, write values both types hold (the plan README says so, and rehearse's derived traffic keeps to them), or give a `down` that maps every value the new version writes, or set `app.versionSchemas: none` (the new version then reads and writes the old type until contract). Not reported where every value of the new type converts into the old one without an error (a narrower integer, a shorter text, one date or time stamp type into another, anything into text without a length).",
        triggering: [RuleExample(Snippets.spec(database: Snippets.pgDatabase + "    schema: schema.sql\n", changes: retype("bigint")),
                                 files: ["schema.sql": Snippets.pricingSchema]).expecting((18, 7))],
        nonTriggering: [RuleExample(Snippets.spec(database: Snippets.pgDatabase + "    schema: schema.sql\n", changes: retype("smallint")),
                                    files: ["schema.sql": Snippets.pricingSchema]),
                        RuleExample(Snippets.spec(database: Snippets.pgDatabase + "    schema: schema.sql\n", app: Snippets.app + "    versionSchemas: none\n",
                                                  changes: retype("bigint")),
                                    files: ["schema.sql": Snippets.pricingSchema])])

    private static func retype(_ type: String) -> String { "    - alterColumn:\n        table: pricing\n        column: amount\n        type: \(type)\n" }

    /// Every rewritten column of a spec without errors whose new-type values may not fit the old
    /// type; run by `SpecValidator` after the spec validated.
    static func check(_ lowered: LoweredSpec, diagnostics: inout DiagnosticBag) {
        guard AlterColumn.retypes(lowered.spec) else { return }
        var walk = lowered.base
        guard PostgreSQLVersionSchemas.enabled(walk) else { return }
        for change in lowered.spec.changes {
            defer { walk.apply(change.operation) }
            guard let alter = change.operation.unit(AlterColumn.self), let type = alter.type?.value,
                  let old = walk.column(alter.table.value, alter.column.value)?.type,
                  PostgreSQLVersionSchemas.rewrites(alter, walk), !fits(new: type, old: old) else { continue }
            diagnostics.report(.postgresRetypedWrite,
                               Message.postgresRetypedWrite(table: alter.table.value, column: alter.column.value, old: old, new: type, down: alter.down != nil),
                               at: change.location)
        }
    }

    /// Whether every value of `new` converts into `old` without an error: a narrower integer, a shorter
    /// text, any date or time stamp into another (the cast rounds, it does not fail), anything that is
    /// not text into text without a length (its text form).
    static func fits(new: String, old: String) -> Bool {
        let family = SQLTypeFacts.postgresFamily(new)
        let oldFamily = SQLTypeFacts.postgresFamily(old)
        if oldFamily == "text", family != "text", ["text", "varchar", "character varying", "citext"].contains(SQLTypeFacts.parse(old).base),
           SQLTypeFacts.parse(old).args.isEmpty { return true }
        guard family == oldFamily else { return false }
        switch family {
        case "datetime":
            return true
        case "integer":
            let bits = ["smallint": 16, "int2": 16, "smallserial": 16, "integer": 32, "int": 32, "int4": 32, "serial": 32, "serial4": 32]
            return (bits[SQLTypeFacts.parse(new).base] ?? 64) <= (bits[SQLTypeFacts.parse(old).base] ?? 64)
        case "text":
            let n = SQLTypeFacts.parse(new), o = SQLTypeFacts.parse(old)
            guard !["char", "character", "bpchar"].contains(n.base), !["char", "character", "bpchar"].contains(o.base) else { return false }
            guard let oldLength = o.args.first else { return true }  // text or varchar without a length takes any text
            return n.args.first.map { $0 <= oldLength } ?? false
        default:
            return false
        }
    }
}

extension Message {
    static func postgresRetypedWrite(table: String, column: String, old: String, new: String, down: Bool) -> String {
        "until contract, the new version writes '\(table).\(column)' as \(new) through its schema of views, and the sync trigger converts each value into the old \(old) column "
            + "(\(down ? "with down" : "a cast")) while the old version serves: a value \(old) cannot hold fails the new version's statement; "
            + "write values both types hold until contract\(down ? "" : ", give the change a down that maps every value"), or set app.versionSchemas: none"
    }
}
