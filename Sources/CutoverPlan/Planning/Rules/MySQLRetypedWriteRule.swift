extension RuleID {
    public static let mysqlRetypedWrite = RuleID("CUT106")
}

/// CUT106 `mysql-retyped-write`: MySQL's counterpart of CUT109. With the version databases, a column
/// retyped through a hidden copy is shown to the new version in the new type, and the two-way sync
/// writes `down` (or the plain conversion) of each of its values into the old column while the old
/// version serves; strict mode refuses a value the old type cannot hold, which fails the new
/// version's statement until contract (warning). Trial 14d: ENUM → VARCHAR and INT → VARCHAR got no
/// warning on MySQL, where PostgreSQL's CUT109 says it.
///
/// Not reported where every value of the new type converts (`fits`): a narrower integer of the same
/// signedness, fewer digits and decimals, a shorter (or equal) text, a date or time stamp into
/// another, a date, time stamp or integer into text its text form fits, an enum whose labels the old one has, anything into TEXT (its text form).
enum MySQLRetypedWriteRule: RuleUnit {
    static let rule = Rule(
        id: .mysqlRetypedWrite, name: "mysql-retyped-write", severity: .warning, checkedBy: [.lowering],
        summary: "with MySQL's version databases, the new version's writes of a retyped column fail until contract for values the old type cannot hold (warning)",
        rationale: "On MySQL a retyped column that is not changed in place goes through a hidden copy: the new version's database of views shows the copy in the new type under the final name, and a two-way sync trigger writes each value of the new version into the old column for the old version (with `down`, or the server's conversion). Until contract swaps the columns, strict mode refuses a value the old type cannot hold (text that is not a number for an INT column, a label the ENUM lacks: `Incorrect integer value`, `Data truncated`), which fails the new version's statement. After contract, a rollback of contract refuses such rows. PostgreSQL's version schemas work the same way (CUT109). Until contract, write values both types hold (the plan README says so, and rehearse's derived traffic keeps to them), or give a `down` that maps every value the new version writes. Not reported where every value of the new type converts into the old one (a narrower integer, a shorter text, one date or time stamp type into another, a date, time stamp or integer into a VARCHAR its text form fits, an enum whose labels the old one has, anything into TEXT).",
        triggering: [RuleExample(Snippets.spec(database: Snippets.mysqlDatabase + "    schema: schema.sql\n", changes: retype("VARCHAR(20)")),
                                 files: ["schema.sql": schema]).expecting((18, 7))],
        nonTriggering: [RuleExample(Snippets.spec(database: Snippets.mysqlDatabase + "    schema: schema.sql\n", changes: retype("SMALLINT")),
                                    files: ["schema.sql": schema])])

    private static func retype(_ type: String) -> String { "    - alterColumn:\n        table: pricing\n        column: amount\n        type: \(type)\n" }
    private static let schema = "CREATE TABLE pricing (\n    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,\n    amount INT NOT NULL\n) ENGINE=InnoDB;\n"

    /// Every hidden copy of a spec without errors whose new-type values may not fit the old type;
    /// run by `SpecValidator` after the spec validated.
    static func check(_ lowered: LoweredSpec, diagnostics: inout DiagnosticBag) {
        let context = lowered.base
        guard context.engine == .mysql, MySQLVersionSchemas.enabled(context) else { return }
        for (alter, old) in MySQLVersionSchemas.hiddenCopyColumns(context) {
            guard let type = alter.type?.value, let old = old?.type, !fits(new: type, old: old),
                  let change = lowered.spec.changes.first(where: { $0.operation.unit(AlterColumn.self).map { $0.table.value == alter.table.value && $0.column.value == alter.column.value } ?? false })
            else { continue }
            diagnostics.report(.mysqlRetypedWrite,
                               Message.mysqlRetypedWrite(table: alter.table.value, column: alter.column.value, old: old, new: type, down: alter.down != nil),
                               at: change.location)
        }
    }

    /// Whether every value of `new` converts into `old` under strict mode without an error.
    static func fits(new: String, old: String) -> Bool {
        let n = SQLTypeFacts.parse(new), o = SQLTypeFacts.parse(old)
        let integers = ["tinyint": 8, "smallint": 16, "mediumint": 24, "int": 32, "integer": 32, "bigint": 64]
        let texts: Set<String> = ["varchar", "char", "tinytext", "text", "mediumtext", "longtext"]
        let unbounded: [String: Int] = ["tinytext": 255, "text": 65_535, "mediumtext": 16_777_215, "longtext": .max]
        let dates: Set<String> = ["date", "datetime", "timestamp"]
        func split(_ base: String) -> (name: String, unsigned: Bool) {
            let words = base.split(separator: " ").map(String.init)
            return (words.first ?? base, words.contains("unsigned"))
        }
        let (nb, nu) = split(n.base), (ob, ou) = split(o.base)
        if let length = unbounded[ob], !texts.contains(nb) || (n.args.first ?? unbounded[nb] ?? .max) <= length { return true }
        // A date, a time stamp or an integer into text long enough for its text form.
        if ["varchar", "char"].contains(ob), let length = o.args.first {
            let widths: [String: Int] = ["date": 10, "datetime": 19 + (n.args.first.map { $0 > 0 ? $0 + 1 : 0 } ?? 0), "timestamp": 19 + (n.args.first.map { $0 > 0 ? $0 + 1 : 0 } ?? 0),
                                         "tinyint": 4, "smallint": 6, "mediumint": 8, "int": 11, "integer": 11, "bigint": 20]
            if let width = widths[nb] { return width <= length }
        }
        if let nbits = integers[nb], let obits = integers[ob] {
            return nu == ou ? nbits <= obits : (nu && nbits < obits)
        }
        if texts.contains(nb), texts.contains(ob) {
            guard let oldLength = o.args.first else { return false }
            return (n.args.first ?? unbounded[nb] ?? .max) <= oldLength
        }
        if (nb == "decimal" || nb == "numeric"), (ob == "decimal" || ob == "numeric") {
            let np = n.args.first ?? 10, ns = n.args.count > 1 ? n.args[1] : 0
            let op = o.args.first ?? 10, os = o.args.count > 1 ? o.args[1] : 0
            return np - ns <= op - os && ns <= os
        }
        if dates.contains(nb), dates.contains(ob) { return true }
        if nb == "enum", ob == "enum" { return Set(labels(new)).isSubset(of: Set(labels(old))) }
        return false
    }

    /// The quoted labels of an ENUM(…) type, '' read as one quote.
    static func labels(_ type: String) -> [String] {
        var result: [String] = [], current = "", inString = false
        var characters = Array(type)[...]
        while let c = characters.popFirst() {
            if c == "'" {
                if inString, characters.first == "'" { current.append("'"); characters.removeFirst(); continue }
                if inString { result.append(current); current = "" }
                inString.toggle()
            } else if inString {
                current.append(c)
            }
        }
        return result
    }
}

extension Message {
    static func mysqlRetypedWrite(table: String, column: String, old: String, new: String, down: Bool) -> String {
        "until contract, the new version writes '\(table).\(column)' as \(new) through its database of views, and the sync trigger writes each value into the old \(old) column "
            + "(\(down ? "with down" : "converted by the server")) while the old version serves: strict mode refuses a value \(old) cannot hold, which fails the new version's statement; "
            + "write values both types hold until contract\(down ? "" : ", give the change a down that maps every value"), or set app.versionSchemas: none"
    }
}
