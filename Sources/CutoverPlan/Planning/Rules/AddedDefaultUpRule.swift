import Foundation

extension RuleID {
    public static let addedDefaultUp = RuleID("CUT104")
}

/// CUT104 `added-default-up`: until contract, an insert of the new version that leaves out a column
/// added with a default and an `up` expression gets `up` of its row instead of the default (warning;
/// trial 14e MUST-FIX).
///
/// Why: such a column is added nullable without its default (`AddColumn.mysql`/`postgres`), and a fill
/// trigger gives every NULL `up` of the row (MySQL: `NEW.c = COALESCE(NEW.c, up)` on INSERT and UPDATE;
/// PostgreSQL: `IF NEW.c IS NULL THEN NEW.c := up`), which is right for the old version (it cannot name
/// the column) and wrong for the new one. Complete sets the default; the trigger goes in contract. On
/// PostgreSQL with version schemas the new version's view carries the default (`PostgreSQLVersionSchemas`),
/// so only PostgreSQL without them is reported. MySQL views have no column defaults, and a trigger runs
/// with the table's database as its own (DATABASE() and the processlist's `db` both give the base
/// database for an insert through `<base>_<migration>_new`, measured on MariaDB 10.11), so nothing in
/// the trigger tells the versions apart: reported with and without version databases. A nullable column
/// is the same for an insert or update that writes NULL.
///
/// Not reported where the answer is the same either way: `up` is the default itself (same text) and
/// the column is NOT NULL.
package enum AddedDefaultUpRule: RuleUnit {
    package static let rule = Rule(
        id: .addedDefaultUp, name: "added-default-up", severity: .warning, checkedBy: [.lowering],
        summary: "until contract, an insert of the new version that leaves out a column added with a default and an up gets up() of its row, not the default (MySQL; PostgreSQL without version schemas; with them, a NULL written into a nullable one) (warning)",
        rationale: "A column added with a default and an `up` expression is added nullable without its default, and a fill trigger gives every NULL a writer leaves `up` of the row, so that the old version's inserts (it cannot name the column) get `up`. Complete sets the default and contract drops the trigger. Until then an insert of the new version that leaves the column out, relying on its default, gets `up` of its row instead (and, for a nullable column, so does an insert or update that writes NULL), also again after complete is rolled back. On PostgreSQL the new version's schema of views carries the default (its inserts through the view get it before the trigger runs), so there the omitted column is reported only with `app.versionSchemas: none` (or no `database.schema`); with version schemas, a NULL the new version writes into a nullable such column still gets `up` (the trigger cannot tell it from the old version's insert), and that is reported. On MySQL a view has no column defaults and the trigger runs with the table's database as its own, whichever database the writer selected, so nothing tells the versions apart: reported with version databases and without. Write the column explicitly in the new version's inserts until contract; or leave out `up` if the default suits the existing rows and the old version's inserts (the column is then added with its default in one step); on PostgreSQL, turning the version schemas on fixes it too.",
        triggering: [RuleExample(Snippets.spec(database: Snippets.mysqlDatabase + "    schema: schema.sql\n", changes: add(up: unitUp)),
                                 files: ["schema.sql": items]).expecting((18, 7)),
                     RuleExample(Snippets.spec(database: Snippets.mysqlDatabase + "    schema: schema.sql\n", app: Snippets.app + "    versionSchemas: none\n",
                                               changes: add(up: unitUp)),
                                 files: ["schema.sql": items]).expecting((19, 7)),
                     RuleExample(Snippets.spec(database: Snippets.pgDatabase + "    schema: schema.sql\n", app: Snippets.app + "    versionSchemas: none\n",
                                               changes: add(up: unitUp)),
                                 files: ["schema.sql": itemsPostgres]).expecting((19, 7)),
                     RuleExample(Snippets.spec(database: Snippets.pgDatabase + "    schema: schema.sql\n", changes: add(up: unitUp, nullable: true)),
                                 files: ["schema.sql": itemsPostgres]).expecting((18, 7))],
        nonTriggering: [RuleExample(Snippets.spec(database: Snippets.mysqlDatabase + "    schema: schema.sql\n", changes: add(up: "\"('pcs')\"")),
                                    files: ["schema.sql": items]),
                        RuleExample(Snippets.spec(database: Snippets.mysqlDatabase + "    schema: schema.sql\n", changes: add(up: nil)),
                                    files: ["schema.sql": items]),
                        RuleExample(Snippets.spec(database: Snippets.pgDatabase + "    schema: schema.sql\n", changes: add(up: unitUp)),
                                    files: ["schema.sql": itemsPostgres])])

    private static let unitUp = "\"CASE WHEN weight_g IS NOT NULL THEN 'g' ELSE 'pcs' END\""
    private static func add(up: String?, nullable: Bool = false) -> String {
        "    - addColumn:\n        table: items\n        column:\n          name: unit\n          type: varchar(8)\n          nullable: \(nullable)\n          default: \"'pcs'\"\n"
            + (up.map { "        up: \($0)\n" } ?? "")
    }
    private static let items = "CREATE TABLE items (\n    id       bigint NOT NULL AUTO_INCREMENT PRIMARY KEY,\n    weight_g integer NULL\n) ENGINE=InnoDB;\n"
    private static let itemsPostgres = "CREATE TABLE items (\n    id       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,\n    weight_g integer\n);\n"

    /// Where the new version's writes can get `up`: every expand/contract migration (on PostgreSQL with
    /// version schemas only an explicit NULL, `nullOnly`).
    package static func applies(_ context: LoweringContext) -> Bool {
        context.spec.strategy == .expandContract
    }

    /// PostgreSQL with version schemas: the new version's view carries the default, so only a NULL the
    /// new version writes into a nullable column still gets `up` (trial 14f).
    package static func nullOnly(_ context: LoweringContext) -> Bool {
        context.engine == .postgresql && PostgreSQLVersionSchemas.enabled(context)
    }

    /// Whether the new version's insert that leaves `add`'s column out (or writes NULL) can get other
    /// than what it meant: a default and an `up` that is not the default's own text, or a nullable column.
    package static func ambiguous(_ add: AddColumn, nullOnly: Bool = false) -> Bool {
        guard let up = add.up?.value, let value = add.column.defaultValue?.value else { return false }
        if nullOnly { return add.column.nullable }
        return add.column.nullable || bare(up) != bare(value)
    }

    /// The columns the README lists, `table.column` in the order of the changes.
    package static func columns(_ context: LoweringContext) -> [String] {
        guard applies(context) else { return [] }
        let nullOnly = nullOnly(context)
        return context.spec.changes.compactMap { change in
            guard let add = change.operation.unit(AddColumn.self), ambiguous(add, nullOnly: nullOnly) else { return nil }
            return "\(add.table.value).\(add.column.name.value)"
        }
    }

    /// An expression without surrounding blanks and balanced outer parentheses (`('pcs')` is `'pcs'`).
    private static func bare(_ text: String) -> String {
        var value = text.trimmingCharacters(in: .whitespacesAndNewlines)
        while value.hasPrefix("("), value.hasSuffix(")"), encloses(value) {
            value = String(value.dropFirst().dropLast()).trimmingCharacters(in: .whitespacesAndNewlines)
        }
        return value
    }

    /// Whether the first parenthesis closes at the last character (`(a) + (b)` is not enclosed).
    private static func encloses(_ value: String) -> Bool {
        var depth = 0, quoted = false
        for (index, character) in value.enumerated() {
            if character == "'" { quoted.toggle(); continue }
            guard !quoted else { continue }
            if character == "(" { depth += 1 }
            if character == ")" { depth -= 1 }
            if depth == 0 { return index == value.count - 1 }
        }
        return false
    }

    /// Every such added column of a spec without errors; run by `SpecValidator` after the spec validated.
    static func check(_ lowered: LoweredSpec, diagnostics: inout DiagnosticBag) {
        let context = lowered.base
        guard applies(context) else { return }
        let views = context.engine == .mysql ? lowered.mysqlVersionSchemas != nil : nullOnly(context)
        let nullOnly = nullOnly(context)
        for change in lowered.spec.changes {
            guard let add = change.operation.unit(AddColumn.self), ambiguous(add, nullOnly: nullOnly), let up = add.up?.value,
                  let value = add.column.defaultValue?.value else { continue }
            diagnostics.report(.addedDefaultUp,
                               Message.addedDefaultUp(table: add.table.value, column: add.column.name.value, up: up, defaultValue: value,
                                                      sameText: nullOnly || bare(up) == bare(value), nullable: add.column.nullable, engine: context.engine,
                                                      versionDatabases: views),
                               at: change.location)
        }
    }
}

extension Message {
    static func addedDefaultUp(table: String, column: String, up: String, defaultValue: String, sameText: Bool, nullable: Bool,
                               engine: MigrationSpec.Engine, versionDatabases: Bool) -> String {
        let name = "'\(table).\(column)'"
        let what = sameText
            ? "an insert or update of the new version that writes NULL into \(name) gets up (\(up)) of its row, not NULL"
            : "an insert of the new version that leaves \(name) out gets up (\(up)) of its row, not its default \(defaultValue)"
                + (nullable ? ", and one that writes NULL gets it too" : "")
        let why = engine == .postgresql
            ? (versionDatabases ? " (the new version's view gives an omitted column its default, but the trigger cannot tell an explicit NULL from the old version's insert)"
                                : " (without version schemas no view carries the default)")
            : versionDatabases ? " (MySQL views carry no defaults, and a trigger cannot tell which version's database the writer used)" : ""
        return "until contract, \(what): the column gets its default only in complete, and until contract the fill trigger gives up to every NULL, "
            + "whichever version wrote\(why); write the column explicitly in the new version's inserts until contract, or leave out up if the default suits the existing rows"
            + (engine == .postgresql && !versionDatabases ? ", or turn the version schemas on (app.versionSchemas and database.schema)" : "")
    }
}
