/// `addCheck`, in complete. PostgreSQL: NOT VALID, then VALIDATE (`NotValidConstraint`). MySQL has no
/// online form: ALGORITHM=COPY (the table is copied, writes blocked), said in the title.
struct AddCheck: OperationUnit {
    var name: Name
    var table: Name
    var expression: Located<String>

    static let keyword = "addCheck"

    static let field = Field("addCheck", .object(ObjectShape("addCheck", "add a CHECK constraint without a long lock", [
        Field("name", SpecShape.identifier, required: true, "constraint name"),
        Field("table", SpecShape.identifier, required: true, "table"),
        Field("expression", SpecShape.expression, required: true, "CHECK expression", example: "amount >= 0"),
    ])), "add a CHECK constraint: NOT VALID first, validated as a later step (PostgreSQL)")

    static func read(_ node: SyntaxNode, _ reader: SpecBuilder) -> AddCheck? {
        guard let constraint = reader.name(node["name"]), let table = reader.name(node["table"]),
              let expression = reader.located(node["expression"]) else { return nil }
        return AddCheck(name: constraint, table: table, expression: expression)
    }

    static let examples = [
        OperationExample(engine: .postgresql, schema: OperationExample.pricing,
                         changes: "    - addCheck:\n        name: pricing_amount_check\n        table: pricing\n        expression: amount >= 0\n"),
        OperationExample(engine: .mysql, schema: OperationExample.pricingMySQL,
                         changes: "    - addCheck:\n        name: pricing_amount_check\n        table: pricing\n        expression: amount >= 0\n"),
    ]

    var tables: [Name] { [table] }
    func tableWithLaterSteps(engine: MigrationSpec.Engine) -> Name? { table }

    /// CUT041 for an unknown table, CUT044 for a name already taken, CUT094 for a column an earlier
    /// change retypes through a copy (across families of types on PostgreSQL, putting the check before
    /// the retype is no way out: the copy would get it word for word, CUT108).
    func check(_ rules: inout ReferenceRules, change: Change) {
        guard rules.requireTable(table), rules.claim(name, table: table.value, kind: .check) else { return }
        let families = rules.familyChanges
        rules.checkRetypedExpression(expression, of: table.value, what: "check '\(name.value)'") { _, identity in
            families[identity].map { Message.checkBeforeFamilyRetype(old: $0.old, new: $0.new) }
        }
        rules.schema.register(.init(name: name.value, table: table.value, kind: .check, columns: []))
    }

    func lower(_ r: Recipe) -> [StepDraft] {
        let name = self.name.value, table = self.table.value, expression = self.expression.value
        guard r.capabilities.notValidConstraints else { return [Self.mysql(table, name, expression, change: r.change, r.mysql)] }
        return NotValidConstraint.postgres(table, name, definition: "CHECK (\(expression))", kind: "add_check", what: "check", change: r.change, r.postgres)
    }

    func apply(to schema: inout DatabaseSchema, engine: MigrationSpec.Engine) {
        schema.constraints.append(.init(name: name.value, table: table.value, kind: .check, columns: [], expression: expression.value))
    }

    static func mysql(_ table: String, _ name: String, _ expression: String, change: Int, _ b: MySQLBuilder) -> StepDraft {
        let condition = ["constraint_name = \(b.lit(name))", "constraint_type = 'CHECK'"]
        return StepDraft(.complete, slug: "add_check \(name)", title: "add check \(name) on \(table)" + MySQLDialect.tableCopyTitle, change: change,
                         up: [SQLStatement(b.guarded("ALTER TABLE \(b.q(table)) ADD CONSTRAINT \(b.q(name)) CHECK (\(expression)), ALGORITHM=COPY, LOCK=SHARED",
                                                     whenFound: false, in: .tableConstraints, table: table, condition),
                                           comment: "NOT ONLINE: adding a CHECK constraint is ALGORITHM=COPY on MySQL 8 (INPLACE/INSTANT are refused):\nthe table is copied and writes are blocked for the duration. MySQL has no NOT VALID.", kind: .tableCopy(table: table))],
                         down: [SQLStatement(b.guarded("ALTER TABLE \(b.q(table)) DROP CONSTRAINT \(b.q(name))", whenFound: true, in: .tableConstraints, table: table, condition),
                                             comment: "MySQL 8.0.19+ (and MariaDB) accept DROP CONSTRAINT for checks.")])
    }
}
