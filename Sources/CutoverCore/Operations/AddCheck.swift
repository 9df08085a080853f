/// `addCheck`, in complete. PostgreSQL: NOT VALID, then VALIDATE (`NotValidConstraint`). MySQL has no
/// online form: ALGORITHM=COPY (the table is copied, writes blocked), said in the title.
struct AddCheck: OperationRecipe {
    var name: String
    var table: String
    var expression: String

    func lower(_ r: Recipe) -> [StepDraft] {
        guard r.capabilities.notValidConstraints else { return [Self.mysql(table, name, expression, change: r.change, r.mysql)] }
        return NotValidConstraint.postgres(table, name, definition: "CHECK (\(expression))", kind: "add_check", what: "check", change: r.change, r.postgres)
    }

    func apply(to schema: inout DatabaseSchema, engine: MigrationSpec.Engine) {
        schema.constraints.append(.init(name: name, table: table, kind: .check, columns: [], expression: expression))
    }

    static func mysql(_ table: String, _ name: String, _ expression: String, change: Int, _ b: MySQLBuilder) -> StepDraft {
        let condition = ["constraint_name = \(b.lit(name))", "constraint_type = 'CHECK'"]
        return StepDraft(.complete, slug: "add_check \(name)", title: "add check \(name) on \(table) (NOT ONLINE on MySQL: table copy, writes blocked)", change: change,
                         up: [SQLStatement(b.guarded("ALTER TABLE \(b.q(table)) ADD CONSTRAINT \(b.q(name)) CHECK (\(expression)), ALGORITHM=COPY, LOCK=SHARED",
                                                     whenFound: false, in: .tableConstraints, table: table, condition),
                                           comment: "NOT ONLINE: adding a CHECK constraint is ALGORITHM=COPY on MySQL 8 (INPLACE/INSTANT are refused):\nthe table is copied and writes are blocked for the duration. MySQL has no NOT VALID.")],
                         down: [SQLStatement(b.guarded("ALTER TABLE \(b.q(table)) DROP CONSTRAINT \(b.q(name))", whenFound: true, in: .tableConstraints, table: table, condition),
                                             comment: "MySQL 8.0.19+ (and MariaDB) accept DROP CONSTRAINT for checks.")])
    }
}
