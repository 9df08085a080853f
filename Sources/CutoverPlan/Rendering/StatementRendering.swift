/// The last pass of planning: writes the text of every statement the recipes left as a value (a `DDL`
/// of a recipe written once for both engines, a MySQL trigger whose order the planner settles first),
/// per engine. Statements written as text by their recipe are kept as they are.
package enum StatementRendering {
    package static func render(_ plan: MigrationPlan) -> MigrationPlan {
        let engine = plan.spec.database.engine
        let context = LoweringContext(spec: plan.spec, schema: nil)
        let postgres = PostgreSQLRenderer(b: PostgreSQLBuilder(context: context))
        let mysql = MySQLRenderer(b: MySQLBuilder(context: context))
        let renderer: (DDL) -> [SQLStatement] = { ddl in engine == .postgresql ? postgres.render(ddl) : mysql.render(ddl) }
        var plan = plan
        for i in plan.steps.indices {
            plan.steps[i].up.statements = plan.steps[i].up.statements.flatMap { render($0, context.names, renderer) }
            plan.steps[i].down.statements = plan.steps[i].down.statements.flatMap { render($0, context.names, renderer) }
        }
        return plan
    }

    static func render(_ statement: SQLStatement, _ names: SQLNames, _ renderer: (DDL) -> [SQLStatement]) -> [SQLStatement] {
        switch statement.kind {
        case .mysqlTrigger(let trigger):
            var copy = statement
            copy.text = text(of: trigger, names)
            return [copy]
        case .ddl(let ddl):
            var statements = renderer(ddl)
            if let comment = statement.comment, !statements.isEmpty { statements[0].comment = comment }
            return statements
        default:
            return [statement]
        }
    }

    /// `CREATE TRIGGER `name` BEFORE INSERT ON `table` FOR EACH ROW [PRECEDES `other`]` and its body.
    static func text(of trigger: MySQLTrigger, _ names: SQLNames) -> String {
        var head = "CREATE TRIGGER \(names.quote(trigger.name)) \(trigger.timing.rawValue) \(trigger.event.rawValue) ON \(names.quote(trigger.table)) FOR EACH ROW"
        if let other = trigger.precedes { head += " PRECEDES \(names.quote(other))" }
        let statement = head + "\n" + trigger.body
        return trigger.delimited ? "DELIMITER ;;\n" + statement + "\nDELIMITER ;" : statement
    }
}
