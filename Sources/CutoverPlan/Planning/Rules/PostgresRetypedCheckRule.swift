extension RuleID {
    public static let postgresRetypedCheck = RuleID("CUT108")
}

/// CUT108 `postgres-retyped-check`: a CHECK constraint uses a PostgreSQL column that an alterColumn
/// retypes through a copy column into another family of types; cutover would carry the check over
/// to the copy word for word, where it may not even compile (trial 14c: `length(amount) > 0` on
/// varchar → integer failed the backfill with `function length(integer) does not exist`).
///
/// Checks are carried over as they are (`CarriedObjects`, `PostgreSQLDialect.carrySteps`): that is
/// sound within a family (`SQLTypeFacts.postgresFamily`: `amount > 0` on integer → bigint, `length`
/// on varchar → text), and not across families, where rewriting the expression would guess what the
/// user meant. So it is refused at validate time, at the new type, unless an earlier dropConstraint
/// of the same spec drops the check (the changes are walked in order, as the plan lowers them).
/// MySQL is not concerned: its checks on a retyped column are dropped before the swap and added back
/// after it on the column of the new type, and MySQL converts implicitly (`CHAR_LENGTH(1234)`,
/// `1234 REGEXP '^[0-9]+$'`), so the check is evaluated on the new type's values.
enum PostgresRetypedCheckRule: RuleUnit {
    static let rule = Rule(
        id: .postgresRetypedCheck, name: "postgres-retyped-check", severity: .error, checkedBy: [.references],
        summary: "a CHECK uses a PostgreSQL column that alterColumn retypes into another family of types (text, number, date and time, …)",
        rationale: "A PostgreSQL type change that rewrites the table goes through a copy column of the new type: a trigger keeps it in sync, a backfill fills it, and contract swaps the names. The indexes and constraints on the column are built again on the copy before the swap, checks word for word (NOT VALID, then VALIDATE). Within one family of types the same expression holds (`amount > 0` on integer → bigint, `length(code) > 0` on varchar → text), but across families it may not even compile: `length(amount) > 0` on varchar → integer fails the backfill with `function length(integer) does not exist`, and `amount ~ '^[0-9]+$'` with `operator does not exist: integer ~ unknown`. cutover does not guess what the check should say about the new type, so it refuses the change at validate time. Drop the check first in the same spec (a `dropConstraint` change before the alterColumn: its rollback adds it back on the old column), and add the check the new type needs (`addCheck`) in a later migration, once the column has the new type.",
        triggering: [RuleExample(Snippets.spec(database: Snippets.pgDatabase + "    schema: schema.sql\n", changes: retype),
                                 files: ["schema.sql": checked]).expecting((21, 15))],
        nonTriggering: [RuleExample(Snippets.spec(database: Snippets.pgDatabase + "    schema: schema.sql\n", changes: dropFirst + retype),
                                    files: ["schema.sql": checked]),
                        RuleExample(Snippets.spec(database: Snippets.pgDatabase + "    schema: schema.sql\n",
                                                  changes: "    - alterColumn:\n        table: pricing\n        column: code\n        type: text\n"),
                                    files: ["schema.sql": checked])])

    private static let retype = "    - alterColumn:\n        table: pricing\n        column: code\n        type: integer\n        up: CAST(code AS integer)\n"
    private static let dropFirst = "    - dropConstraint:\n        table: pricing\n        name: pricing_code_check\n"
    private static let checked = "CREATE TABLE pricing (\n    id   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,\n    code varchar(9) NOT NULL CONSTRAINT pricing_code_check CHECK (length(code) > 0)\n);\n"

    /// Every retype of a spec whose references hold that a check would not survive; run by
    /// `SpecValidator` after `SemanticRules` found no error (the changes are lowered in order).
    static func check(_ spec: MigrationSpec, schema: DatabaseSchema?, diagnostics: inout DiagnosticBag) {
        guard spec.database.engine == .postgresql, spec.strategy == .expandContract, schema != nil,
              AlterColumn.retypes(spec) else { return }
        var walk = LoweringContext(spec: spec, schema: schema)
        for change in spec.changes {
            defer { walk.apply(change.operation) }
            guard let alter = change.operation.unit(AlterColumn.self), let type = alter.type,
                  let old = walk.column(alter.table.value, alter.column.value)?.type,
                  PostgreSQLVersionSchemas.rewrites(alter, walk),
                  SQLTypeFacts.postgresFamily(old) != SQLTypeFacts.postgresFamily(type.value) else { continue }
            for constraint in walk.constraints(on: alter.table.value, column: alter.column.value) where constraint.kind == .check {
                diagnostics.report(.postgresRetypedCheck,
                                   Message.postgresRetypedCheck(table: alter.table.value, column: alter.column.value, check: constraint.name,
                                                                expression: constraint.expression, old: old, new: type.value),
                                   at: type.location)
            }
        }
    }
}

extension Message {
    static func postgresRetypedCheck(table: String, column: String, check: String, expression: String?, old: String, new: String) -> String {
        "check '\(check)'\(expression.map { " (\($0))" } ?? "") uses '\(table).\(column)', which this change retypes from \(old) to \(new), another family of types: "
            + "cutover carries checks over to the \(new) copy word for word, where this one may not hold or compile (the backfill would fail); "
            + "drop it first with a dropConstraint change before this one (its rollback adds it back), and add the check \(new) needs with addCheck in a later migration"
    }
}
