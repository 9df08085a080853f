/// The last pass of planning: writes the text of every statement the recipes left as a value (today a
/// MySQL trigger, whose order the planner settles first), asking the engine's `SQLNames` for quoting.
/// Statements written as text by their recipe are kept as they are.
enum StatementRendering {
    static func render(_ plan: MigrationPlan) -> MigrationPlan {
        let names = SQLNames(engine: plan.spec.database.engine)
        var plan = plan
        for i in plan.steps.indices {
            plan.steps[i].up.statements = plan.steps[i].up.statements.map { render($0, names) }
            plan.steps[i].down.statements = plan.steps[i].down.statements.map { render($0, names) }
        }
        return plan
    }

    static func render(_ statement: SQLStatement, _ names: SQLNames) -> SQLStatement {
        guard case .mysqlTrigger(let trigger) = statement.kind else { return statement }
        var copy = statement
        copy.text = text(of: trigger, names)
        return copy
    }

    /// `CREATE TRIGGER `name` BEFORE INSERT ON `table` FOR EACH ROW [PRECEDES `other`]` and its body.
    static func text(of trigger: MySQLTrigger, _ names: SQLNames) -> String {
        var head = "CREATE TRIGGER \(names.quote(trigger.name)) \(trigger.timing.rawValue) \(trigger.event.rawValue) ON \(names.quote(trigger.table)) FOR EACH ROW"
        if let other = trigger.precedes { head += " PRECEDES \(names.quote(other))" }
        let statement = head + "\n" + trigger.body
        return trigger.delimited ? "DELIMITER ;;\n" + statement + "\nDELIMITER ;" : statement
    }
}
